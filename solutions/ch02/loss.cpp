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
    // HINT 2.3 1: log-sum-exp, and the maximum that keeps it finite.
    // HINT 2.3 2: z is K x m; the result is a 1 x m row: one number per column.
    // HINT 2.3 3: z.colwise().maxCoeff() (1 x m); (z.rowwise() - max).array().exp().colwise().sum().log() is 1 x m; add max.array().
    // HINT 2.3 4: Column (1, 2, 3): 3 + log(e^-2 + e^-1 + e^0) = 3 + log(1.5032) = 3.4076. Columns 800 apart each need their own maximum.
    const Eigen::RowVectorXd max = z.colwise().maxCoeff();
    return max.array() + (z.rowwise() - max).array().exp().colwise().sum().log();
    // END EXERCISE 2.3
}
//! [log_sum_exp]

//! [mse]
double mse_loss(const Matrix& y_hat, const Matrix& y) {
    require_same_shape("mse_loss", "y_hat", y_hat, "y", y);
    // BEGIN EXERCISE 2.1 (ch02-mse): mse_loss: 1/2 the squared error, summed over outputs, averaged over the batch.
    // HINT 2.1 1: The squared error: the 1/2, the sum over outputs and the mean over the batch.
    // HINT 2.1 2: y_hat and y are both n x m; m = y.cols() is the batch size; the result is one double.
    // HINT 2.1 3: (y_hat - y).squaredNorm() is the sum of every squared element; divide by a double m (static_cast<double>(y.cols())).
    // HINT 2.1 4: y_hat = [1 2], y = [0 0] (one output, m = 2): 0.5 * (1 + 4) / 2 = 1.25.
    const double m = static_cast<double>(y.cols());
    return 0.5 * (y_hat - y).squaredNorm() / m;
    // END EXERCISE 2.1
}

Matrix mse_grad(const Matrix& y_hat, const Matrix& y) {
    require_same_shape("mse_grad", "y_hat", y_hat, "y", y);
    // BEGIN EXERCISE 2.2 (ch02-mse): mse_grad: the derivative of mse_loss with respect to each element of y_hat.
    // HINT 2.2 1: The derivative of the mean squared error with respect to each prediction.
    // HINT 2.2 2: Same shape as y_hat: n x m.
    // HINT 2.2 3: (y_hat - y) / m, with m a double.
    // HINT 2.2 4: y_hat = [1 2], y = [0 0]: [0.5 1].
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
    // HINT 2.4 1: Binary cross-entropy written from the logits, in the form that never overflows.
    // HINT 2.4 2: z and y are 1 x m (or n x m); the result is one double: the sum over every element, divided by m = y.cols().
    // HINT 2.4 3: Work on arrays: z.array().max(0.0) - z.array() * y.array() + (-z.array().abs()).exp().log1p(); then .sum() / m.
    // HINT 2.4 4: z = 0, y = 1: 0 - 0 + log(1 + 1) = log 2 = 0.6931. z = 1000, y = 0: 1000, not inf.
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
    // HINT 2.5 1: The gradient of binary cross-entropy with respect to the logits.
    // HINT 2.5 2: Same shape as z.
    // HINT 2.5 3: sigmoid(z) (exercise 1.2) minus y, divided by the double m.
    // HINT 2.5 4: z = [0 0], y = [1 0]: ([0.5 0.5] - [1 0]) / 2 = [-0.25 0.25].
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
    // HINT 2.6 1: Softmax cross-entropy written with log-sum-exp, for one-hot or soft targets.
    // HINT 2.6 2: z and y are K x m; log_sum_exp(z) is 1 x m; the result is one double, averaged over the m columns.
    // HINT 2.6 3: log_sum_exp(z).sum() (exercise 2.3), and y.cwiseProduct(z).sum() for the sum of y . z over all columns; divide by m.
    // HINT 2.6 4: One column z = (1, 2, 3), y = (0, 0, 1): 3.4076 - 3 = 0.4076.
    // -sum_i y_i log softmax(z)_i = -sum_i y_i (z_i - lse(z)) = lse(z) - y . z, as sum_i y_i = 1.
    const double m = static_cast<double>(y.cols());
    return (log_sum_exp(z).sum() - y.cwiseProduct(z).sum()) / m;
    // END EXERCISE 2.6
}

Matrix softmax_cross_entropy_grad(const Matrix& z, const Matrix& y) {
    require_same_shape("softmax_cross_entropy_grad", "z", z, "y", y);
    require_distributions("softmax_cross_entropy_grad", "y", y);
    // BEGIN EXERCISE 2.7 (ch02-softmax-ce-gradient): softmax_cross_entropy_grad: (softmax(z) - y) / m.
    // HINT 2.7 1: Why the gradient of softmax followed by cross-entropy is so simple.
    // HINT 2.7 2: Same shape as z: K x m.
    // HINT 2.7 3: softmax(z) (exercise 1.10) minus y, divided by the double m.
    // HINT 2.7 4: One column z = (1, 2, 3), y = (0, 0, 1): (0.0900, 0.2447, 0.6652 - 1) = (0.0900, 0.2447, -0.3348).
    const double m = static_cast<double>(y.cols());
    return (softmax(z) - y) / m;
    // END EXERCISE 2.7
}
//! [softmax_cross_entropy]

}  // namespace bp
