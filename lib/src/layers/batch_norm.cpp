#include "bp/layers/batch_norm.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace bp {

BatchNorm::BatchNorm(Index n, double eps_, double momentum_) : eps(eps_), momentum(momentum_) {
    if (n <= 0) throw ShapeError("BatchNorm", "it needs at least one feature, got n = " + std::to_string(n));
    if (!(std::isfinite(eps) && eps > 0)) throw std::invalid_argument("BatchNorm: eps must be finite and > 0, got " + std::to_string(eps));
    if (!(momentum > 0 && momentum <= 1))
        throw std::invalid_argument("BatchNorm: momentum must be in (0, 1], got " + std::to_string(momentum));
    gamma = Vector::Ones(n);
    shift = Vector::Zero(n);
    dgamma = Vector::Zero(n);
    dshift = Vector::Zero(n);
    running_mean = Vector::Zero(n);
    running_var = Vector::Ones(n);
}

std::vector<Parameter> BatchNorm::own_parameters() {
    fit_grad(gamma, dgamma), fit_grad(shift, dshift);
    return {Parameter("gamma", gamma, dgamma), Parameter("shift", shift, dshift)};
}

std::vector<Buffer> BatchNorm::own_buffers() { return {{"running_mean", running_mean}, {"running_var", running_var}}; }

std::optional<std::string> BatchNorm::invalid_values() const {
    for (Index i = 0; i < running_var.size(); ++i)
        if (running_var(i) < 0)
            return "running_var is " + number_text(running_var(i)) + " at row " + std::to_string(i) + ": a variance is never negative";
    return std::nullopt;
}

std::vector<double> BatchNorm::settings() const { return {static_cast<double>(size()), eps, momentum}; }

}  // namespace bp
