/// \file
/// Loss functions: one number that says how wrong a batch of predictions is, and its gradient
/// with respect to the predictions (or logits), which starts the backward pass.
///
/// The batch convention, for every loss here: the loss of a batch of m columns is the MEAN of
/// the per-example losses, so each gradient carries a factor 1/m. The learning rate then
/// means the same thing whatever the batch size.
#pragma once

#include "bp/matrix.hpp"

#include <functional>
#include <string>

namespace bp {

// Exercises 2.1-2.7 (exercises/ch02/loss.cpp).

/// Per column k: log(sum_i e^{z_ik}), without overflow for logits as large as +-1000.
/// z: n x m, not empty -> 1 x m.
Matrix log_sum_exp(const Matrix& z);

/// Mean squared error, (1/m) sum_k 1/2 ||y_hat_k - y_k||^2. y_hat, y: n x m, same shape.
double mse_loss(const Matrix& y_hat, const Matrix& y);
/// dL/dy_hat = (y_hat - y) / m.
Matrix mse_grad(const Matrix& y_hat, const Matrix& y);

/// Binary cross-entropy of sigmoid(z) against targets y in [0, 1], computed from the logits z:
/// (1/m) sum over all elements of max(z, 0) - z y + log(1 + e^{-|z|}). z, y: n x m.
double bce_with_logits_loss(const Matrix& z, const Matrix& y);
/// dL/dz = (sigmoid(z) - y) / m.
Matrix bce_with_logits_grad(const Matrix& z, const Matrix& y);

/// Cross-entropy of softmax(z) against target distributions y (each column sums to 1, e.g.
/// one-hot): (1/m) sum_k [log_sum_exp(z_k) - y_k . z_k]. z, y: K x m.
double softmax_cross_entropy_loss(const Matrix& z, const Matrix& y);
/// dL/dz = (softmax(z) - y) / m.
Matrix softmax_cross_entropy_grad(const Matrix& z, const Matrix& y);

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
