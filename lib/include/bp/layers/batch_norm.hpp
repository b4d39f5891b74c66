/// \file
/// Batch normalization (chapter 6): each feature (a row) normalized over the batch (the
/// columns) to mean 0 and variance 1, then scaled and shifted by two learned vectors.
#pragma once

#include "bp/layers/layer.hpp"

namespace bp {

/// y = gamma ⊙ zhat + shift, with zhat_ik = (z_ik - mean_i) / sqrt(var_i + eps) for each
/// feature i. In training mode mean and var are the batch's own (var with 1/m, not 1/(m - 1)),
/// and the running averages follow them; in evaluation mode they are the running averages, so
/// that an example's output does not depend on the others in its batch.
///
/// It goes between a layer's linear step and its activation:
/// `Dense(n_in, n, Activation::identity)`, `BatchNorm(n)`, `ActivationLayer(f)`.
// [batch_norm]
class BatchNorm : public Layer {
public:
    /// n features; gamma = 1, shift = 0, running mean 0 and running variance 1. Throws
    /// std::invalid_argument unless n > 0, eps > 0 and momentum is in (0, 1].
    explicit BatchNorm(Index n, double eps = 1e-5, double momentum = 0.1);

    Index size() const { return gamma.size(); }

    /// Exercises 6.6 (training mode) and 6.8 (evaluation mode), exercises/ch06/batch_norm.cpp:
    /// z (n x m) -> y (n x m), keeping mean, var, inv_std and zhat for backward (in evaluation
    /// mode mean and var are the running averages it used). In training mode a batch needs
    /// m >= 2 examples (one has no variance): a ShapeError otherwise; after the step,
    /// running = (1 - momentum) running + momentum batch, for the mean, and for the variance
    /// with the batch's unbiased estimate m/(m - 1) var (what PyTorch keeps too).
    /// Evaluation mode takes any batch and updates nothing.
    const Matrix& forward(const Matrix& z) override;

    /// Exercise 6.7 (for a forward in training mode): dy = dL/dy (n x m) -> dgamma and dshift
    /// accumulate, and dz = dL/dz (n x m) is returned. After a forward in evaluation mode, mean
    /// and var are constants and y is z scaled and shifted, row by row. Throws UsageError before
    /// any forward.
    Matrix backward(const Matrix& dy) override;

    /// gamma and shift with their gradients, named "gamma" and "shift".
    std::vector<Parameter> own_parameters() override;
    /// The running averages, "running_mean" and "running_var": saved with the model.
    std::vector<Buffer> own_buffers() override;
    std::string kind() const override { return "batch_norm"; }
    std::vector<double> settings() const override;  ///< its size, eps and momentum
    std::pair<Index, Index> sizes() const override { return {size(), size()}; }
    /// A negative running variance, named with its row.
    std::optional<std::string> invalid_values() const override;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<BatchNorm>(*this); }

    Vector gamma;         ///< n: the learned scale, 1 at first
    Vector shift;         ///< n: the learned shift, 0 at first (the papers' beta; Adam has a beta of its own)
    Vector dgamma;        ///< n; backward adds into it
    Vector dshift;        ///< n
    Vector running_mean;  ///< n: what evaluation mode uses for the mean
    Vector running_var;   ///< n: and for the variance
    double eps;           ///< added to the variance under the root, against division by 0
    double momentum;      ///< how much of each batch's statistics the running averages take in

    // What forward() stores because backward needs it.
    Vector mean;                      ///< n: the batch's mean (training) or the running mean (evaluation)
    Vector var;                       ///< n: the batch's variance, with 1/m (training), or the running variance
    Vector inv_std;                   ///< n: 1 / sqrt(var + eps)
    Matrix zhat;                      ///< n x m: (z - mean) ⊙ inv_std, row by row
    Matrix y;                         ///< n x m: gamma ⊙ zhat + shift, what forward returns
    bool has_forward = false;         ///< backward refuses to run until forward has
    bool forward_in_training = true;  ///< the mode of the last forward, which backward follows
};
// [batch_norm]

}  // namespace bp
