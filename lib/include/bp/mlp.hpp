/// \file
/// A multi-layer perceptron: Dense layers in a row, the a of each one the a_prev of the next.
/// Layers are numbered from 1 as in the textbook; a^[0] is the input x.
#pragma once

#include "bp/dense.hpp"

#include <vector>

namespace bp {

/// Dense layers in a row; layers[0] is layer 1.
struct Mlp {
    std::vector<Dense> layers;

    /// sizes = {n_0, n_1, ..., n_L}: n_0 inputs, n_L outputs. Hidden layers use `hidden`,
    /// the last one uses `output`. Weights are drawn from rng in layer order.
    Mlp(const std::vector<Index>& sizes, Activation hidden, Activation output, Rng& rng);

    Index input_size() const { return layers.front().n_in(); }
    Index output_size() const { return layers.back().n_out(); }

    /// Exercise 1.12 (exercises/ch01/mlp.cpp): x is n_0 x batch; returns a^[L], n_L x batch.
    /// Every layer keeps its own a_prev, z and a for the backward pass.
    const Matrix& forward(const Matrix& x);

    /// Exercise 3.4 (exercises/ch03/mlp_backward.cpp): dz_out = dL/dz of the last layer
    /// (n_L x batch) -> every layer's dW and db accumulate; returns dL/dx (n_0 x batch).
    Matrix backward(const Matrix& dz_out);

    void zero_grad();

    /// layer1.W, layer1.b, layer2.W, ...: what an optimizer updates.
    std::vector<Parameter> parameters();
};

}  // namespace bp
