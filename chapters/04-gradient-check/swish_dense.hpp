/// \file
/// Chapter 4's find-the-bug exercise: a dense layer with the SiLU activation, and a copy of it
/// whose backward pass, given, has a mistake that the gradient checker finds.
#pragma once

#include "bp/layers/dense.hpp"

#include <memory>
#include <string>

namespace bp {

/// A dense layer with the SiLU (or "swish") activation, a = z ⊙ sigmoid(z), a smooth cousin
/// of ReLU used in many recent networks. Everything but the activation is Dense's: the same
/// W, b, dW and db (named "W" and "b"), the same stored a_prev, z and a; `f` is not used.
// [swish_dense]
struct SwishDense : Dense {
    /// W drawn with He initialisation, b = 0.
    SwishDense(Index n_in, Index n_out, Rng& rng);
    /// Given weights: W is n_out x n_in, b has n_out elements.
    SwishDense(Matrix W, Vector b);

    /// Stores a_prev, then z = W a_prev + b (your linear_forward) and a = z ⊙ sigmoid(z).
    const Matrix& forward(const Matrix& input) override;

    /// Exercise 4.4 (exercises/ch04/find_the_bug.cpp): BuggySwishDense's backward with its
    /// mistake found and fixed. da (n_out x batch) -> dW and db accumulate; returns da_prev.
    Matrix backward(const Matrix& da) override;

    std::string kind() const override { return "swish_dense"; }
    std::unique_ptr<Layer> clone() const override { return std::make_unique<SwishDense>(*this); }
};

/// SwishDense with its backward pass written for you, with one mistake in it
/// (chapters/04-gradient-check/swish_dense.cpp). check_dense_layer finds that something is wrong, and which
/// gradients; exercise 4.4 is to find the line and fix it.
struct BuggySwishDense : SwishDense {
    using SwishDense::SwishDense;
    Matrix backward(const Matrix& da) override;
    std::string kind() const override { return "buggy_swish_dense"; }
    std::unique_ptr<Layer> clone() const override { return std::make_unique<BuggySwishDense>(*this); }
};
// [swish_dense]

}  // namespace bp
