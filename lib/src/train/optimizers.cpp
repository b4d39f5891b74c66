#include "bp/train/optimizers.hpp"

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

namespace bp {

void require_setting(const char* op, const char* name, double value, double lo, double hi, bool hi_included) {
    if (std::isfinite(value) && value >= lo && (value < hi || (hi_included && value == hi))) return;
    std::ostringstream out;
    out << op << ": " << name << " must be ";
    if (hi == std::numeric_limits<double>::infinity()) out << "finite and at least " << lo;
    else out << "in [" << lo << ", " << hi << (hi_included ? "]" : ")");
    out << ", got " << value;
    throw std::invalid_argument(out.str());
}

void require_finite_gradients(const char* op, const std::vector<Parameter>& params) {
    for (const Parameter& p : params) require_finite(op, "the gradient of " + p.name, p.grad());
}

namespace {
constexpr double infinity = std::numeric_limits<double>::infinity();
}  // namespace

Optimizer::Optimizer(double learning_rate) : lr(learning_rate) { Optimizer::check_settings("Optimizer"); }

void Optimizer::check_settings(const char* op) const { require_setting(op, "the learning rate", lr, 0, infinity); }

void Optimizer::ensure_memory(const char* op, OptimizerMemory& memory, const std::vector<Parameter>& params) {
    if (memory.empty()) {
        for (const Parameter& p : params) {
            if (memory.count(p.name)) throw UsageError(op, "two parameters are named " + p.name + "; names must be unique");
            memory.emplace(p.name, Matrix::Zero(p.rows(), p.cols()));
        }
        return;
    }
    for (const Parameter& p : params) {
        const auto it = memory.find(p.name);
        if (it == memory.end())
            throw UsageError(op, "parameter " + p.name + " was not there at the first step; use one optimizer per model");
        if (it->second.rows() != p.rows() || it->second.cols() != p.cols())
            throw ShapeError(op, "parameter " + p.name + " is " + std::to_string(p.rows()) + "x" + std::to_string(p.cols()) + " but was " +
                                     shape(it->second) + " at the first step");
    }
    if (memory.size() != params.size())
        for (const auto& [name, value] : memory) {
            bool present = false;
            for (const Parameter& p : params) present = present || p.name == name;
            if (!present) throw UsageError(op, "parameter " + name + " was there at the first step but is missing now");
        }
}

// The constructors call their own class's check (not the virtual one, which would reach no
// further than the class being built); step() calls the virtual one, which checks them all.
Momentum::Momentum(double learning_rate, double beta_) : Optimizer(learning_rate), beta(beta_) { Momentum::check_settings("Momentum"); }

void Momentum::check_settings(const char* op) const {
    Optimizer::check_settings(op);
    require_setting(op, "beta", beta, 0, 1);
}

Nesterov::Nesterov(double learning_rate, double beta_) : Optimizer(learning_rate), beta(beta_) { Nesterov::check_settings("Nesterov"); }

void Nesterov::check_settings(const char* op) const {
    Optimizer::check_settings(op);
    require_setting(op, "beta", beta, 0, 1);
}

RmsProp::RmsProp(double learning_rate, double rho_, double eps_) : Optimizer(learning_rate), rho(rho_), eps(eps_) {
    RmsProp::check_settings("RmsProp");
}

void RmsProp::check_settings(const char* op) const {
    Optimizer::check_settings(op);
    require_setting(op, "rho", rho, 0, 1);
    require_setting(op, "eps", eps, std::numeric_limits<double>::min(), infinity);
}

Adam::Adam(double learning_rate, double beta1_, double beta2_, double eps_) : Adam("Adam", learning_rate, beta1_, beta2_, eps_) {}

Adam::Adam(const char* op, double learning_rate, double beta1_, double beta2_, double eps_)
    : Optimizer(learning_rate), beta1(beta1_), beta2(beta2_), eps(eps_) {
    Adam::check_settings(op);
}

void Adam::check_settings(const char* op) const {
    Optimizer::check_settings(op);
    require_setting(op, "beta1", beta1, 0, 1);
    require_setting(op, "beta2", beta2, 0, 1);
    require_setting(op, "eps", eps, std::numeric_limits<double>::min(), infinity);
    if (t < 0) throw std::invalid_argument(std::string(op) + ": t, the steps taken, must be >= 0, got " + std::to_string(t));
}

AdamW::AdamW(double learning_rate, double weight_decay_, double beta1_, double beta2_, double eps_)
    : Adam("AdamW", learning_rate, beta1_, beta2_, eps_), weight_decay(weight_decay_) {
    AdamW::check_settings("AdamW");
}

void AdamW::check_settings(const char* op) const {
    Adam::check_settings(op);
    require_setting(op, "the weight decay", weight_decay, 0, infinity);
}

}  // namespace bp
