/// \file
/// A fully connected layer: z = W a_prev + b, a = f(z), for a batch stored as columns.
#pragma once

#include "bp/core/activations.hpp"
#include "bp/core/init.hpp"
#include "bp/layers/layer.hpp"
#include "bp/core/random.hpp"

#include <string>
#include <vector>

namespace bp {

/// A fully connected layer. forward() keeps what backward (chapter 3) will need; the
/// parameters and their gradients are handed to optimizers through parameters().
// [dense]
struct Dense : Layer {
    // Parameters, and the gradients of the loss with respect to them (same shapes).
    Matrix W;   ///< n_out x n_in
    Vector b;   ///< n_out
    Matrix dW;  ///< n_out x n_in; the backward pass adds into it, zero_grad() clears it
    Vector db;  ///< n_out
    Activation f;

    // What forward() stores because the backward pass (chapter 3) needs it:
    // dW = dz a_prev^T needs a_prev, f'(z) needs z, and some f' are cheapest from a.
    Matrix a_prev;             ///< n_in x batch
    Matrix z;                  ///< n_out x batch
    Matrix a;                  ///< n_out x batch
    bool has_forward = false;  ///< backward refuses to run until forward has

    /// W drawn as `init` says (by default He for ReLU, Xavier otherwise), b = 0, gradients 0.
    Dense(Index n_in, Index n_out, Activation f, Rng& rng, Init init = Init::automatic());
    /// Given weights, as in a worked example: W is n_out x n_in, b has n_out elements.
    Dense(Matrix W, Vector b, Activation f);

    Index n_in() const { return W.cols(); }
    Index n_out() const { return W.rows(); }

    /// Exercise 1.11 (exercises/ch01/dense.cpp): input n_in x batch -> a, n_out x batch.
    const Matrix& forward(const Matrix& input) override;

    /// Exercise 3.3 (exercises/ch03/dense_backward.cpp): da = dL/da (n_out x batch) ->
    /// dz = da ⊙ f'(z), then dW and db accumulate, and da_prev (n_in x batch) is returned.
    /// Throws UsageError if forward() has not run.
    Matrix backward(const Matrix& da) override;
    /// backward without da_prev = W^T dz, for the first layer of a network in training: dz,
    /// then dW and db accumulate as in linear_backward.
    void backward_parameters(const Matrix& da) override;

    /// W and b with their gradients, named "W" and "b".
    std::vector<Parameter> own_parameters() override;
    std::string kind() const override { return "dense"; }
    std::vector<double> settings() const override;  ///< n_in, n_out, f
    std::optional<ActivationOutput> activation_output() const override;
    std::pair<Index, Index> sizes() const override { return {n_in(), n_out()}; }
    std::unique_ptr<Layer> clone() const override { return std::make_unique<Dense>(*this); }
};
// [dense]

}  // namespace bp
