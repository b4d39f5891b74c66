#include "bp/init.hpp"

#include <cmath>

namespace bp {

Matrix xavier_uniform(Index n_out, Index n_in, Rng& rng) {
    const double r = std::sqrt(6.0 / static_cast<double>(n_in + n_out));
    return rng.uniform_matrix(n_out, n_in, -r, r);
}

Matrix he_normal(Index n_out, Index n_in, Rng& rng) {
    return rng.normal_matrix(n_out, n_in, std::sqrt(2.0 / static_cast<double>(n_in)));
}

Matrix init_weights(Index n_out, Index n_in, Activation f, Rng& rng) {
    if (f == Activation::relu || f == Activation::leaky_relu) return he_normal(n_out, n_in, rng);
    return xavier_uniform(n_out, n_in, rng);
}

}  // namespace bp
