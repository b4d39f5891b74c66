// Chapter 2: loss functions and their gradients. Each loss is a mean over the batch (the
// columns), so each gradient carries a factor 1/m.
#include "bp/core/loss.hpp"

#include "bp/core/activations.hpp"

#include <cmath>
#include <limits>

namespace bp {

//! [log_sum_exp]
Matrix log_sum_exp(const Matrix& z) {
    require_nonempty("log_sum_exp", "z", z);
    if (has_infinite_logits(z)) {  // the limit, +inf or -inf, instead of inf - inf = NaN
        Eigen::RowVectorXd shift;
        const Matrix finite = finite_logits(z, &shift);
        return log_sum_exp(finite) + shift;
    }
    // BEGIN EXERCISE 2.3 (ch02-log-sum-exp): log_sum_exp: per column, max + log(sum(e^(z - max))).
    const Eigen::RowVectorXd max = z.colwise().maxCoeff();
    return max.array() + (z.rowwise() - max).array().exp().colwise().sum().log();
    // END EXERCISE 2.3
}
//! [log_sum_exp]

//! [mse]
double mse_loss(const Matrix& y_hat, const Matrix& y) {
    require_same_shape("mse_loss", "y_hat", y_hat, "y", y);
    // BEGIN EXERCISE 2.1 (ch02-mse): mse_loss: 1/2 the squared error, summed over outputs, averaged over the batch.
    const double m = static_cast<double>(y.cols());
    return 0.5 * (y_hat - y).squaredNorm() / m;
    // END EXERCISE 2.1
}

Matrix mse_grad(const Matrix& y_hat, const Matrix& y) {
    require_same_shape("mse_grad", "y_hat", y_hat, "y", y);
    // BEGIN EXERCISE 2.2 (ch02-mse): mse_grad: the derivative of mse_loss with respect to each element of y_hat.
    // d/dy_hat of (1/m) 1/2 (y_hat - y)^2 is (y_hat - y) / m.
    const double m = static_cast<double>(y.cols());
    return (y_hat - y) / m;
    // END EXERCISE 2.2
}
//! [mse]

//! [bce]
double bce_with_logits_loss(const Matrix& z, const Matrix& y) {
    require_same_shape("bce_with_logits_loss", "z", z, "y", y);
    require_in_range("bce_with_logits_loss", "y", y, 0, 1);
    // Logits of +-inf: the limit, +inf where a target disagrees, else the same loss from finite logits.
    if (z.array().isInf().any())
        return binary_targets_miss_infinite_logits(z, y) ? std::numeric_limits<double>::infinity()
                                                         : bce_with_logits_loss(clamp_infinite_logits(z), y);
    // BEGIN EXERCISE 2.4 (ch02-bce): bce_with_logits_loss: max(z, 0) - z y + log(1 + e^-|z|), summed, over m.
    // -[y log s + (1 - y) log(1 - s)] with s = sigmoid(z), rewritten so that no e^z overflows
    // and no log sees 0: log1p(e^-|z|) is at most log 2.
    const double m = static_cast<double>(y.cols());
    const Eigen::ArrayXXd z_ = z.array();
    return (z_.max(0.0) - z_ * y.array() + (-z_.abs()).exp().log1p()).sum() / m;
    // END EXERCISE 2.4
}

Matrix bce_with_logits_grad(const Matrix& z, const Matrix& y) {
    require_same_shape("bce_with_logits_grad", "z", z, "y", y);
    require_in_range("bce_with_logits_grad", "y", y, 0, 1);
    // BEGIN EXERCISE 2.5 (ch02-bce): bce_with_logits_grad: (sigmoid(z) - y) / m.
    // dL/dz = dL/ds * ds/dz = (s - y) / (s (1 - s)) * s (1 - s) = s - y, over m.
    const double m = static_cast<double>(y.cols());
    return (sigmoid(z) - y) / m;
    // END EXERCISE 2.5
}
//! [bce]

//! [softmax_cross_entropy]
double softmax_cross_entropy_loss(const Matrix& z, const Matrix& y) {
    require_same_shape("softmax_cross_entropy_loss", "z", z, "y", y);
    require_distributions("softmax_cross_entropy_loss", "y", y);
    // Logits of +inf: the limit, +inf where a target is on another logit, else the same loss from finite logits.
    if (has_infinite_logits(z))
        return softmax_targets_miss_infinite_logits(z, y) ? std::numeric_limits<double>::infinity()
                                                          : softmax_cross_entropy_loss(finite_logits(z), y);
    // BEGIN EXERCISE 2.6 (ch02-softmax-ce): softmax_cross_entropy_loss: (1/m) sum over columns of log_sum_exp(z) - y . z.
    // -sum_i y_i log softmax(z)_i = -sum_i y_i (z_i - lse(z)) = lse(z) - y . z, as sum_i y_i = 1.
    const double m = static_cast<double>(y.cols());
    return (log_sum_exp(z).sum() - y.cwiseProduct(z).sum()) / m;
    // END EXERCISE 2.6
}

Matrix softmax_cross_entropy_grad(const Matrix& z, const Matrix& y) {
    require_same_shape("softmax_cross_entropy_grad", "z", z, "y", y);
    require_distributions("softmax_cross_entropy_grad", "y", y);
    // BEGIN EXERCISE 2.7 (ch02-softmax-ce-gradient): softmax_cross_entropy_grad: (softmax(z) - y) / m.
    const double m = static_cast<double>(y.cols());
    return (softmax(z) - y) / m;
    // END EXERCISE 2.7
}
//! [softmax_cross_entropy]

}  // namespace bp
