// Chapter 6: batch normalization, forward in both modes and backward.
#include "bp/layers/batch_norm.hpp"

namespace bp {

//! [batch_norm_forward]
const Matrix& BatchNorm::forward(const Matrix& z) {
    require_rows("BatchNorm::forward", "z", z, size());
    require_nonempty("BatchNorm::forward", "z", z);
    if (training_ && z.cols() < 2)
        throw ShapeError("BatchNorm::forward", "z is " + shape(z) + ": in training mode a batch needs at least 2 examples, "
                                               "since one example has no variance (evaluation mode takes any batch)");
    const double m = static_cast<double>(z.cols());
    if (training_) {
        // BEGIN EXERCISE 6.6 (ch06-batch-norm): BatchNorm::forward, training mode: each row's mean and variance over the batch (1/m), inv_std = 1/sqrt(var + eps), zhat, then y = gamma ⊙ zhat + shift.
        // HINT 6.6 1: The four formulas (the mean, the variance with 1/m, zhat with eps inside the root, y), and the members forward stores for the backward pass.
        // HINT 6.6 2: z is n x m (features are rows, the batch columns); mean, var, inv_std, gamma and shift have n entries; zhat and y are n x m. Every statistic is over a row.
        // HINT 6.6 3: z.rowwise().sum() / m; (z.colwise() - mean).rowwise().squaredNorm() / m; (var.array() + eps).rsqrt(); x.array().colwise() * v.array() scales row i by v_i; .colwise() + shift.array().
        // HINT 6.6 4: One row z = (1, 3), eps left out: mean 2, var 1 (not 2, which is 1/(m - 1)), zhat = (-1, 1); gamma = 2, shift = 0.5 give y = (-1.5, 2.5). eps goes under the root.
        mean = z.rowwise().sum() / m;
        const Matrix centred = z.colwise() - mean;
        var = centred.rowwise().squaredNorm() / m;  // 1/m: the batch's own variance
        inv_std = (var.array() + eps).rsqrt();
        zhat = centred.array().colwise() * inv_std.array();
        y = (zhat.array().colwise() * gamma.array()).colwise() + shift.array();
        // END EXERCISE 6.6
        // The running variance estimates the variance of the whole data, not of this batch: the
        // unbiased m/(m - 1) var, as in Ioffe and Szegedy's Algorithm 2 and PyTorch. The batch is
        // still normalised with its own 1/m variance above.
        running_mean = (1 - momentum) * running_mean + momentum * mean;
        running_var = (1 - momentum) * running_var + momentum * (m / (m - 1)) * var;
    } else {
        // BEGIN EXERCISE 6.8 (ch06-batch-norm-evaluation): BatchNorm::forward, evaluation mode: as in training (storing mean, var, inv_std and zhat), with running_mean and running_var in place of the batch's; nothing is updated.
        // HINT 6.8 1: What evaluation mode changes: running_mean and running_var in place of the batch's statistics, why, and that nothing is updated.
        // HINT 6.8 2: As in training: z is n x m, running_mean and running_var have n entries, zhat and y are n x m; any m, one example too. Store mean, var, inv_std and zhat.
        // HINT 6.8 3: mean = running_mean; var = running_var; then exercise 6.6's inv_std, zhat and y, with no sums over the batch at all.
        // HINT 6.8 4: running_mean 0.5, running_var 4 (eps aside), gamma 1.5, shift 0.3: z = 2.5 gives zhat = (2.5 - 0.5) / 2 = 1, y = 1.8, alone or in any batch. Backward reads zhat and inv_std: set them.
        mean = running_mean;
        var = running_var;
        inv_std = (var.array() + eps).rsqrt();
        zhat = (z.colwise() - mean).array().colwise() * inv_std.array();
        y = (zhat.array().colwise() * gamma.array()).colwise() + shift.array();
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
    // BEGIN EXERCISE 6.7 (ch06-batch-norm-backward): BatchNorm::backward, training mode: dgamma and dshift add up over the batch; dz you derive (mean and var depend on every z of the row), then check with chapter 4's checker.
    // HINT 6.7 1: The goal, not the formula: one row as a graph z -> mean -> var -> zhat -> y, walked back node by node over every path, and the two sums each row of dz makes 0.
    // HINT 6.7 2: dy, zhat and the dz you return are n x m; gamma, inv_std, dgamma and dshift have n entries; each sum over the batch (over k, along a row) is an n-vector.
    // HINT 6.7 3: dy.cwiseProduct(zhat).rowwise().sum() into dgamma, dy.rowwise().sum() into dshift (+=); dy.array().colwise() * gamma.array() is dzhat; .colwise() - v spreads a row sum back.
    // HINT 6.7 4: One row z = (0, 1, 2), gamma = 1, dy = (1, 0, 0): zhat = (-1.2247, 0, 1.2247), dz = (0.2041, -0.4082, 0.2041); the shortcut dzhat * inv_std gives (1.2247, 0, 0).
    // HINT 6.7 4: Check with a random dy, as ./course demo 6 does: for dy all ones the true dz is 0, but a formula that drops the variance's path gives 0 there too.
    dgamma += dy.cwiseProduct(zhat).rowwise().sum();
    dshift += dy.rowwise().sum();
    const Matrix dzhat = dy.array().colwise() * gamma.array();
    const double m = static_cast<double>(dy.cols());
    // z_ik reaches the loss through zhat_ik directly, and through the row's mean and variance.
    const Vector sum_dzhat = dzhat.rowwise().sum();
    const Vector sum_dzhat_zhat = dzhat.cwiseProduct(zhat).rowwise().sum();
    const Matrix inner = ((m * dzhat).colwise() - sum_dzhat).array() - zhat.array().colwise() * sum_dzhat_zhat.array();
    return inner.array().colwise() * (inv_std.array() / m);
    // END EXERCISE 6.7
}
//! [batch_norm_backward]

}  // namespace bp
