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
    throw bp::NotImplemented("2.3", "exercises/ch02/loss.cpp",
                             "Chapter 2, section 'Log-sum-exp' (chapters/02-loss/chapter.md)");
    // END EXERCISE 2.3
}
//! [log_sum_exp]

//! [mse]
double mse_loss(const Matrix& y_hat, const Matrix& y) {
    require_same_shape("mse_loss", "y_hat", y_hat, "y", y);
    // BEGIN EXERCISE 2.1 (ch02-mse): mse_loss: 1/2 the squared error, summed over outputs, averaged over the batch.
    throw bp::NotImplemented("2.1", "exercises/ch02/loss.cpp",
                             "Chapter 2, section 'Mean squared error' (chapters/02-loss/chapter.md)");
    // END EXERCISE 2.1
}

Matrix mse_grad(const Matrix& y_hat, const Matrix& y) {
    require_same_shape("mse_grad", "y_hat", y_hat, "y", y);
    // BEGIN EXERCISE 2.2 (ch02-mse): mse_grad: the derivative of mse_loss with respect to each element of y_hat.
    throw bp::NotImplemented("2.2", "exercises/ch02/loss.cpp",
                             "Chapter 2, section 'Mean squared error' (chapters/02-loss/chapter.md)");
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
    throw bp::NotImplemented("2.4", "exercises/ch02/loss.cpp",
                             "Chapter 2, section 'Binary cross-entropy, from logits' (chapters/02-loss/chapter.md)");
    // END EXERCISE 2.4
}

Matrix bce_with_logits_grad(const Matrix& z, const Matrix& y) {
    require_same_shape("bce_with_logits_grad", "z", z, "y", y);
    require_in_range("bce_with_logits_grad", "y", y, 0, 1);
    // BEGIN EXERCISE 2.5 (ch02-bce): bce_with_logits_grad: (sigmoid(z) - y) / m.
    throw bp::NotImplemented("2.5", "exercises/ch02/loss.cpp",
                             "Chapter 2, section 'Binary cross-entropy, from logits' (chapters/02-loss/chapter.md)");
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
    throw bp::NotImplemented("2.6", "exercises/ch02/loss.cpp",
                             "Chapter 2, section 'Softmax cross-entropy' (chapters/02-loss/chapter.md)");
    // END EXERCISE 2.6
}

Matrix softmax_cross_entropy_grad(const Matrix& z, const Matrix& y) {
    require_same_shape("softmax_cross_entropy_grad", "z", z, "y", y);
    require_distributions("softmax_cross_entropy_grad", "y", y);
    // BEGIN EXERCISE 2.7 (ch02-softmax-ce-gradient): softmax_cross_entropy_grad: (softmax(z) - y) / m.
    throw bp::NotImplemented("2.7", "exercises/ch02/loss.cpp",
                             "Chapter 2, section 'The gradient of softmax with cross-entropy: dz = y_hat - y' (chapters/02-loss/chapter.md)");
    // END EXERCISE 2.7
}
//! [softmax_cross_entropy]

}  // namespace bp
