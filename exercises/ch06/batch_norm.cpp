// Chapter 6: batch normalization, forward in both modes and backward.
#include "bp/layers/batch_norm.hpp"

namespace bp {

//! [batch_norm_forward]
const Matrix& BatchNorm::forward(const Matrix& z) {
    require_rows("BatchNorm::forward", "z", z, size());
    require_nonempty("BatchNorm::forward", "z", z);
    if (training_ && z.cols() < 2)
        throw ShapeError("BatchNorm::forward", "z is " + shape(z) +
                                                   ": in training mode a batch needs at least 2 examples, "
                                                   "since one example has no variance (evaluation mode takes any batch)");
    const double m = static_cast<double>(z.cols());
    if (training_) {
        // BEGIN EXERCISE 6.6 (ch06-batch-norm): BatchNorm::forward, training: row mean, var (1/m), inv_std, zhat; y = gamma ⊙ zhat + shift.
        throw bp::NotImplemented("6.6", "exercises/ch06/batch_norm.cpp",
                                 "Chapter 6, section 'Batch normalization' (chapters/06-vanishing-exploding/chapter.md)");
        // END EXERCISE 6.6
        // The running variance estimates the variance of the whole data, not of this batch: the
        // unbiased m/(m - 1) var, as in Ioffe and Szegedy's Algorithm 2 and PyTorch. The batch is
        // still normalised with its own 1/m variance above.
        running_mean = (1 - momentum) * running_mean + momentum * mean;
        running_var = (1 - momentum) * running_var + momentum * (m / (m - 1)) * var;
    } else {
        // BEGIN EXERCISE 6.8 (ch06-batch-norm-evaluation): BatchNorm::forward, eval: as training, on running_mean, running_var; no update.
        throw bp::NotImplemented("6.8", "exercises/ch06/batch_norm.cpp",
                                 "Chapter 6, section 'Evaluation mode' (chapters/06-vanishing-exploding/chapter.md)");
        // END EXERCISE 6.8
    }
    forward_in_training = training_;
    has_forward = true;
    return y;
}
//! [batch_norm_forward]

//! [batch_norm_backward]
Matrix BatchNorm::backward(const Matrix& dy) {
    if (!has_forward) throw UsageError("BatchNorm::backward", "run forward first: backward needs the stored zhat and inv_std");
    if (dy.rows() != zhat.rows() || dy.cols() != zhat.cols())
        throw ShapeError("BatchNorm::backward", "dy is " + shape(dy) + " but the zhat that forward stored is " + shape(zhat));
    if (!forward_in_training) {
        // Evaluation mode: mean and var are constants, so each row of y is a z scaled and shifted.
        dgamma += dy.cwiseProduct(zhat).rowwise().sum();
        dshift += dy.rowwise().sum();
        return dy.array().colwise() * (gamma.array() * inv_std.array());
    }
    // BEGIN EXERCISE 6.7 (ch06-batch-norm-backward): BatchNorm::backward, training: dgamma, dshift over the batch; dz via zhat, mean, var.
    throw bp::NotImplemented("6.7", "exercises/ch06/batch_norm.cpp",
                             "Chapter 6, section 'Batch normalization's backward pass' (chapters/06-vanishing-exploding/chapter.md)");
    // END EXERCISE 6.7
}
//! [batch_norm_backward]

}  // namespace bp
