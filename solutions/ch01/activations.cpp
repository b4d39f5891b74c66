// Chapter 1: activation functions and their derivatives, element by element.
#include "bp/core/activations.hpp"

#include <cmath>

namespace bp {

//! [sigmoid]
Matrix sigmoid(const Matrix& z) {
    // BEGIN EXERCISE 1.2 (ch01-sigmoid): sigmoid: 1 / (1 + e^-z) for every element of z.
    // For z = -1000, e^-z overflows to inf and 1 / inf is 0: still the right answer.
    return (1.0 + (-z.array()).exp()).inverse().matrix();
    // END EXERCISE 1.2
}

Matrix sigmoid_prime(const Matrix& z) {
    // BEGIN EXERCISE 1.3 (ch01-sigmoid): sigmoid_prime: s (1 - s) with s = 1 / (1 + e^-z), element by element.
    const Eigen::ArrayXXd s = (1.0 + (-z.array()).exp()).inverse();
    return (s * (1.0 - s)).matrix();
    // END EXERCISE 1.3
}
//! [sigmoid]

//! [tanh]
Matrix tanh(const Matrix& z) {
    // BEGIN EXERCISE 1.4 (ch01-tanh): tanh: tanh of every element (Eigen arrays have .tanh()).
    return z.array().tanh().matrix();
    // END EXERCISE 1.4
}

Matrix tanh_prime(const Matrix& z) {
    // BEGIN EXERCISE 1.5 (ch01-tanh): tanh_prime: 1 - tanh(z)^2, element by element.
    return (1.0 - z.array().tanh().square()).matrix();
    // END EXERCISE 1.5
}
//! [tanh]

//! [relu]
Matrix relu(const Matrix& z) {
    // BEGIN EXERCISE 1.6 (ch01-relu): relu: max(0, z) for every element.
    return z.cwiseMax(0.0);
    // END EXERCISE 1.6
}

Matrix relu_prime(const Matrix& z) {
    // BEGIN EXERCISE 1.7 (ch01-relu): relu_prime: 1 where z > 0, else 0 (also at z = 0).
    return (z.array() > 0.0).cast<double>().matrix();
    // END EXERCISE 1.7
}
//! [relu]

//! [leaky_relu]
Matrix leaky_relu(const Matrix& z, double alpha) {
    // BEGIN EXERCISE 1.8 (ch01-leaky-relu): leaky_relu: z where z > 0, else alpha z.
    return (z.array() > 0.0).select(z, alpha * z);
    // END EXERCISE 1.8
}

Matrix leaky_relu_prime(const Matrix& z, double alpha) {
    // BEGIN EXERCISE 1.9 (ch01-leaky-relu): leaky_relu_prime: 1 where z > 0, else alpha (also at z = 0).
    return (z.array() > 0.0).select(Matrix::Ones(z.rows(), z.cols()), Matrix::Constant(z.rows(), z.cols(), alpha));
    // END EXERCISE 1.9
}
//! [leaky_relu]

//! [softmax]
Matrix softmax(const Matrix& z) {
    require_nonempty("softmax", "z", z);
    // A logit of +inf would make the formula below compute inf - inf = NaN; its limit is the
    // softmax of finite logits that the library substitutes (see finite_logits).
    if (has_infinite_logits(z)) return softmax(finite_logits(z));
    // BEGIN EXERCISE 1.10 (ch01-softmax): softmax: per column, subtract its max, exponentiate, divide by the sum.
    // Subtracting the column's max changes nothing mathematically (it cancels in the
    // ratio) but keeps every exponent <= 0, so e^z cannot overflow.
    const Eigen::RowVectorXd max = z.colwise().maxCoeff();
    const Matrix e = (z.rowwise() - max).array().exp().matrix();
    return e.array().rowwise() / e.colwise().sum().array();
    // END EXERCISE 1.10
}
//! [softmax]

}  // namespace bp
