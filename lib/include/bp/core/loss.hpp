/// \file
/// Loss functions: one number that says how wrong a batch of predictions is, and its gradient
/// with respect to the predictions (or logits), which starts the backward pass.
///
/// The batch convention, for every loss here: the loss of a batch of m columns is the MEAN of
/// the per-example losses, so each gradient carries a factor 1/m. The learning rate then
/// means the same thing whatever the batch size.
#pragma once

#include "bp/core/matrix.hpp"

#include <functional>
#include <string>

namespace bp {

// Exercises 2.1-2.7 (exercises/ch02/loss.cpp).

/// Per column k: log(sum_i e^{z_ik}), without overflow for logits as large as +-1000.
/// z: n x m, not empty -> 1 x m. +inf in a column gives +inf, a column of -inf gives -inf;
/// NaN gives NaN.
Matrix log_sum_exp(const Matrix& z);

/// Mean squared error, (1/m) sum_k 1/2 ||y_hat_k - y_k||^2. y_hat, y: n x m, same shape.
double mse_loss(const Matrix& y_hat, const Matrix& y);
/// dL/dy_hat = (y_hat - y) / m.
Matrix mse_grad(const Matrix& y_hat, const Matrix& y);

/// Binary cross-entropy of sigmoid(z) against targets y in [0, 1], computed from the logits z:
/// (1/m) sum over all elements of max(z, 0) - z y + log(1 + e^{-|z|}). z, y: n x m. A target
/// outside [0, 1] (or NaN) is a ValueError. A logit of +-inf gives the limit: nothing where
/// the target agrees (1 for +inf, 0 for -inf), +inf where it does not; a NaN logit gives NaN.
double bce_with_logits_loss(const Matrix& z, const Matrix& y);
/// dL/dz = (sigmoid(z) - y) / m.
Matrix bce_with_logits_grad(const Matrix& z, const Matrix& y);

/// Cross-entropy of softmax(z) against target distributions y (each column sums to 1, e.g.
/// one-hot): (1/m) sum_k [log_sum_exp(z_k) - y_k . z_k]. z, y: K x m. A column of y that is not
/// a distribution (a negative or NaN target, a sum off 1 by more than 1e-6) is a ValueError.
/// Logits of +inf give the limit (see softmax): finite where the target's weight is all on
/// them, +inf otherwise; a NaN logit gives NaN.
double softmax_cross_entropy_loss(const Matrix& z, const Matrix& y);
/// dL/dz = (softmax(z) - y) / m.
Matrix softmax_cross_entropy_grad(const Matrix& z, const Matrix& y);

// The library's part of the losses above: the checks on their targets and the limits for
// infinite logits, done before the exercise's formula runs (lib/src/core/loss.cpp).

/// Throws ValueError unless every column of y is a probability distribution: no element
/// negative or NaN, each column summing to 1 within 1e-6.
void require_distributions(const char* op, const char* name, const Matrix& y);

/// Whether some column of z with a logit of +inf puts target weight on a logit that is not
/// +inf: the softmax cross-entropy is then +inf in the limit.
bool softmax_targets_miss_infinite_logits(const Matrix& z, const Matrix& y);

/// Whether some logit of +inf has a target below 1, or of -inf a target above 0: the binary
/// cross-entropy is then +inf in the limit.
bool binary_targets_miss_infinite_logits(const Matrix& z, const Matrix& y);

/// z with +inf and -inf replaced by +1000 and -1000, whose binary cross-entropy against the
/// targets they agree with is exactly 0, as the limit is.
Matrix clamp_infinite_logits(const Matrix& z);

/// A loss as a training loop takes it: its value and its gradient with respect to the
/// network's output, for a batch of outputs and targets of the same shape.
struct Loss {
    std::string name;
    std::function<double(const Matrix& output, const Matrix& target)> value;
    std::function<Matrix(const Matrix& output, const Matrix& target)> grad;
};

/// softmax_cross_entropy_loss and its gradient: for a classifier that ends at its logits.
Loss softmax_cross_entropy();
/// mse_loss and mse_grad.
Loss mean_squared_error();
/// bce_with_logits_loss and its gradient.
Loss binary_cross_entropy_with_logits();

}  // namespace bp
