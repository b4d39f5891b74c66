/// \file
/// Weight initialisation: the scale of the first weights decides whether signals (and, in
/// chapter 6, gradients) keep their size from layer to layer.
#pragma once

#include "bp/activations.hpp"
#include "bp/random.hpp"

namespace bp {

/// Glorot/Xavier: W ~ U(-r, r) with r = sqrt(6 / (n_in + n_out)); suits sigmoid and tanh.
Matrix xavier_uniform(Index n_out, Index n_in, Rng& rng);

/// He: W ~ N(0, 2 / n_in); suits ReLU, which zeroes half of its inputs.
Matrix he_normal(Index n_out, Index n_in, Rng& rng);

/// The usual choice for a layer followed by activation f.
Matrix init_weights(Index n_out, Index n_in, Activation f, Rng& rng);

}  // namespace bp
