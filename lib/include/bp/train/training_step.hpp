/// \file
/// The training step written out by hand (exercise 5.10), and two sanity checks built on it
/// that every new model deserves before a long run (exercises 5.11 and 5.12).
#pragma once

#include "bp/layers/layer.hpp"
#include "bp/core/loss.hpp"
#include "bp/train/optimizers.hpp"

#include <string>

namespace bp {

/// Exercise 5.10 (exercises/ch05/training.cpp): one training step on a batch x (n_0 x m)
/// with targets y: the forward pass, the loss, zero_grad, the backward pass from the loss's
/// gradient, clipping to the global norm clip_norm if clip_norm > 0, the optimizer's step.
/// Returns the batch's loss, as computed before the step. The library's train_step takes the
/// same steps in the same order, with a hook and checks for divergence around them.
double basic_train_step(Layer& model, const Loss& loss, Optimizer& opt, const Matrix& x, const Matrix& y, double clip_norm = 0);

/// What a sanity check measured, what it expected, and whether the two agree.
struct SanityCheck {
    std::string what;      ///< e.g. "initial loss"
    double measured = 0;   ///< e.g. the loss the model has
    double expected = 0;   ///< the value, or the bound, the measurement is held to
    double tolerance = 0;  ///< how far from `expected` passes (for a bound: 0)
    bool passed = false;
    /// "sanity check 'initial loss' passed: measured 2.31, expected 2.30 +- 0.3".
    std::string report() const;
};

/// Exercise 5.11: the softmax cross-entropy of a classifier (a model that ends at its
/// logits) on the batch x with one-hot targets y (K x m), before any training, against
/// expected = ln K: what a model whose logits are all equal scores, softmax giving each of the
/// K classes 1/K. what = "initial loss"; passed when |measured - ln K| <= tolerance. The model
/// only runs forward.
SanityCheck check_initial_loss(Layer& model, const Matrix& x, const Matrix& y, double tolerance);

/// Exercise 5.12: trains the model on one small batch (x, y) for `steps` steps of
/// basic_train_step (exercise 5.10, no clipping), then measures its loss on that batch.
/// A model that learns at all drives it near 0: what = "overfit one batch", expected =
/// target, tolerance = 0, passed when measured <= target. steps >= 1.
SanityCheck check_overfits(Layer& model, const Loss& loss, Optimizer& opt, const Matrix& x, const Matrix& y, int steps, double target);

}  // namespace bp
