// Chapter 1: activation functions and their derivatives, element by element.
#include "bp/core/activations.hpp"

#include <cmath>

namespace bp {

//! [sigmoid]
Matrix sigmoid(const Matrix& z) {
    // BEGIN EXERCISE 1.2 (ch01-sigmoid): sigmoid: 1 / (1 + e^-z) for every element of z.
    // HINT 1.2 1: The sigmoid's formula, and why a very negative z is no problem.
    // HINT 1.2 2: z is any R x C matrix; the result has the same shape, one sigmoid per element.
    // HINT 1.2 3: Element by element is Eigen's array world: z.array(), then .exp(), .inverse() (1/x) or 1.0 / (...); back with .matrix().
    // HINT 1.2 4: sigmoid(0) = 0.5, sigmoid(2) = 0.8808, sigmoid(-2) = 0.1192; sigmoid(-1000) must give 0, not nan.
    // For z = -1000, e^-z overflows to inf and 1 / inf is 0: still the right answer.
    return (1.0 + (-z.array()).exp()).inverse().matrix();
    // END EXERCISE 1.2
}

Matrix sigmoid_prime(const Matrix& z) {
    // BEGIN EXERCISE 1.3 (ch01-sigmoid): sigmoid_prime: s (1 - s) with s = 1 / (1 + e^-z), element by element.
    // HINT 1.3 1: The derivative of the sigmoid, written with s = sigmoid(z) itself.
    // HINT 1.3 2: Same shape as z: one derivative per element.
    // HINT 1.3 3: Compute s as an array (Eigen::ArrayXXd s = ...), then s * (1.0 - s) multiplies element by element; .matrix() at the end.
    // HINT 1.3 4: At z = 0: s = 0.5, so s (1 - s) = 0.25, the largest it gets; at z = 2: 0.8808 * 0.1192 = 0.1050.
    const Eigen::ArrayXXd s = (1.0 + (-z.array()).exp()).inverse();
    return (s * (1.0 - s)).matrix();
    // END EXERCISE 1.3
}
//! [sigmoid]

//! [tanh]
Matrix tanh(const Matrix& z) {
    // BEGIN EXERCISE 1.4 (ch01-tanh): tanh: tanh of every element (Eigen arrays have .tanh()).
    // HINT 1.4 1: tanh and how it relates to the sigmoid.
    // HINT 1.4 2: Same shape as z.
    // HINT 1.4 3: Eigen arrays have .tanh(): z.array().tanh().matrix().
    // HINT 1.4 4: tanh(0) = 0, tanh(1) = 0.7616, tanh(-1) = -0.7616.
    return z.array().tanh().matrix();
    // END EXERCISE 1.4
}

Matrix tanh_prime(const Matrix& z) {
    // BEGIN EXERCISE 1.5 (ch01-tanh): tanh_prime: 1 - tanh(z)^2, element by element.
    // HINT 1.5 1: The derivative of tanh in terms of tanh itself.
    // HINT 1.5 2: Same shape as z.
    // HINT 1.5 3: z.array().tanh() gives t; 1.0 - t.square() is element by element; .matrix() to return a Matrix.
    // HINT 1.5 4: At z = 0: 1 - 0^2 = 1; at z = 1: 1 - 0.7616^2 = 0.4200.
    return (1.0 - z.array().tanh().square()).matrix();
    // END EXERCISE 1.5
}
//! [tanh]

//! [relu]
Matrix relu(const Matrix& z) {
    // BEGIN EXERCISE 1.6 (ch01-relu): relu: max(0, z) for every element.
    // HINT 1.6 1: ReLU: the positive part of z.
    // HINT 1.6 2: Same shape as z.
    // HINT 1.6 3: z.cwiseMax(0.0) takes the larger of each element and 0 (or z.array().max(0.0).matrix()).
    // HINT 1.6 4: z = [-2 0 3] gives [0 0 3].
    return z.cwiseMax(0.0);
    // END EXERCISE 1.6
}

Matrix relu_prime(const Matrix& z) {
    // BEGIN EXERCISE 1.7 (ch01-relu): relu_prime: 1 where z > 0, else 0 (also at z = 0).
    // HINT 1.7 1: ReLU's derivative, and the convention at z = 0.
    // HINT 1.7 2: Same shape as z: 1.0 or 0.0 in each element.
    // HINT 1.7 3: (z.array() > 0.0) is an array of bools; .cast<double>() turns them into 1.0 and 0.0; then .matrix().
    // HINT 1.7 4: z = [-2 0 3] gives [0 0 1]: at exactly 0 the derivative is taken as 0.
    return (z.array() > 0.0).cast<double>().matrix();
    // END EXERCISE 1.7
}
//! [relu]

//! [leaky_relu]
Matrix leaky_relu(const Matrix& z, double alpha) {
    // BEGIN EXERCISE 1.8 (ch01-leaky-relu): leaky_relu: z where z > 0, else alpha z.
    // HINT 1.8 1: Leaky ReLU: a small slope alpha instead of 0 for negative z.
    // HINT 1.8 2: Same shape as z; alpha is a double.
    // HINT 1.8 3: condition.select(then, else) picks per element: (z.array() > 0.0).select(z, alpha * z).
    // HINT 1.8 4: alpha = 0.1, z = [-2 0 3] gives [-0.2 0 3].
    return (z.array() > 0.0).select(z, alpha * z);
    // END EXERCISE 1.8
}

Matrix leaky_relu_prime(const Matrix& z, double alpha) {
    // BEGIN EXERCISE 1.9 (ch01-leaky-relu): leaky_relu_prime: 1 where z > 0, else alpha (also at z = 0).
    // HINT 1.9 1: Leaky ReLU's derivative, and the convention at z = 0.
    // HINT 1.9 2: Same shape as z: 1.0 where z > 0, alpha elsewhere.
    // HINT 1.9 3: (z.array() > 0.0).select(Matrix::Ones(z.rows(), z.cols()), Matrix::Constant(z.rows(), z.cols(), alpha)).
    // HINT 1.9 4: alpha = 0.1, z = [-2 0 3] gives [0.1 0.1 1].
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
    // HINT 1.10 1: Softmax over each column, and the trick that keeps e^z from overflowing.
    // HINT 1.10 2: z is K x m (K classes, m examples); the result is K x m and each column sums to 1. The column maxima are a 1 x m row.
    // HINT 1.10 3: z.colwise().maxCoeff() is a RowVectorXd of maxima; (z.rowwise() - max) subtracts it from every row; .array().exp();
    // HINT 1.10 3: then e.array().rowwise() / e.colwise().sum().array() divides each column by its own sum.
    // HINT 1.10 4: One column z = (1, 2, 3): minus the max gives (-2, -1, 0), e^ that is (0.1353, 0.3679, 1), the sum 1.5032,
    // HINT 1.10 4: softmax = (0.0900, 0.2447, 0.6652). Adding 1000 to every z gives the same answer, not nan.
    // Subtracting the column's max changes nothing mathematically (it cancels in the
    // ratio) but keeps every exponent <= 0, so e^z cannot overflow.
    const Eigen::RowVectorXd max = z.colwise().maxCoeff();
    const Matrix e = (z.rowwise() - max).array().exp().matrix();
    return e.array().rowwise() / e.colwise().sum().array();
    // END EXERCISE 1.10
}
//! [softmax]

}  // namespace bp
