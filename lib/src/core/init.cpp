#include "bp/core/init.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace bp {

Matrix xavier_uniform(Index n_out, Index n_in, Rng& rng) {
    const double r = std::sqrt(6.0 / static_cast<double>(n_in + n_out));
    return rng.uniform_matrix(n_out, n_in, -r, r);
}

Matrix he_normal(Index n_out, Index n_in, Rng& rng) { return rng.normal_matrix(n_out, n_in, std::sqrt(2.0 / static_cast<double>(n_in))); }

Matrix lecun_normal(Index n_out, Index n_in, Rng& rng) {
    return rng.normal_matrix(n_out, n_in, std::sqrt(1.0 / static_cast<double>(n_in)));
}

Matrix init_weights(Index n_out, Index n_in, Activation f, Rng& rng, Init init) {
    if (!(std::isfinite(init.gain) && init.gain >= 0))
        throw std::invalid_argument("init_weights: the gain must be finite and >= 0, got " + std::to_string(init.gain));
    Matrix W;
    switch (init.scheme) {
        case Init::Scheme::automatic:
            W = (f == Activation::relu || f == Activation::leaky_relu) ? he_normal(n_out, n_in, rng) : xavier_uniform(n_out, n_in, rng);
            break;
        case Init::Scheme::xavier: W = xavier_uniform(n_out, n_in, rng); break;
        case Init::Scheme::he: W = he_normal(n_out, n_in, rng); break;
        case Init::Scheme::lecun: W = lecun_normal(n_out, n_in, rng); break;
        case Init::Scheme::normal:
            if (!(std::isfinite(init.stddev) && init.stddev >= 0))
                throw std::invalid_argument("init_weights: the standard deviation must be finite and >= 0, got " +
                                            std::to_string(init.stddev));
            W = rng.normal_matrix(n_out, n_in, init.stddev);
            break;
    }
    if (init.gain != 1) W *= init.gain;
    return W;
}

}  // namespace bp
