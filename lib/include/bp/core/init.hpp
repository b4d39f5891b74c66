/// \file
/// Weight initialisation: the scale of the first weights decides whether signals (and, in
/// chapter 6, gradients) keep their size from layer to layer.
#pragma once

#include "bp/core/activations.hpp"
#include "bp/core/random.hpp"

namespace bp {

/// Glorot/Xavier: W ~ U(-r, r) with r = sqrt(6 / (n_in + n_out)); suits sigmoid and tanh.
Matrix xavier_uniform(Index n_out, Index n_in, Rng& rng);

/// He: W ~ N(0, 2 / n_in); suits ReLU, which zeroes half of its inputs.
Matrix he_normal(Index n_out, Index n_in, Rng& rng);

/// LeCun: W ~ N(0, 1 / n_in).
Matrix lecun_normal(Index n_out, Index n_in, Rng& rng);

/// How a layer's first weights are drawn.
struct Init {
    enum class Scheme { automatic, xavier, he, lecun, normal };
    Scheme scheme = Scheme::automatic;
    double stddev = 0;  ///< for Scheme::normal
    double gain = 1;    ///< every weight is multiplied by it (chapter 6 varies it)

    static Init automatic() { return {}; }  ///< He for ReLU and leaky ReLU, Xavier otherwise
    static Init xavier() { return {Scheme::xavier}; }
    static Init he() { return {Scheme::he}; }
    static Init lecun() { return {Scheme::lecun}; }
    static Init normal(double stddev) { return {Scheme::normal, stddev}; }  ///< W ~ N(0, stddev^2)
    Init scaled(double g) const {
        Init i = *this;
        i.gain = g;
        return i;
    }
};

/// Exercise 6.3 (exercises/ch06/init.cpp): the standard deviation of the weights that `scheme`
/// draws for a layer of n_in inputs and n_out outputs: LeCun sqrt(1 / n_in), Xavier
/// sqrt(2 / (n_in + n_out)) (its uniform limit is sqrt(3) times this), He sqrt(2 / n_in).
/// Scheme::xavier, he or lecun only (std::invalid_argument otherwise); n_in, n_out > 0.
double init_stddev(Init::Scheme scheme, Index n_in, Index n_out);

/// An n_out x n_in weight matrix drawn as `init` says for a layer followed by f. Throws
/// std::invalid_argument for a negative or non-finite standard deviation or gain.
Matrix init_weights(Index n_out, Index n_in, Activation f, Rng& rng, Init init = Init::automatic());

}  // namespace bp
