#include "bp/core/activations.hpp"

#include <cmath>
#include <limits>

namespace bp {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

// +1 for a column with a logit of +inf, -1 for a column of -inf only, 0 otherwise.
int infinite_kind(const Matrix& z, Index j) {
    bool all_minus_inf = z.rows() > 0;
    for (Index i = 0; i < z.rows(); ++i) {
        if (z(i, j) == infinity) return 1;
        all_minus_inf = all_minus_inf && z(i, j) == -infinity;
    }
    return all_minus_inf ? -1 : 0;
}

}  // namespace

bool has_infinite_logits(const Matrix& z) {
    for (Index j = 0; j < z.cols(); ++j)
        if (infinite_kind(z, j) != 0) return true;
    return false;
}

Matrix finite_logits(const Matrix& z, Eigen::RowVectorXd* shift) {
    Matrix finite = z;
    if (shift) shift->setZero(z.cols());
    for (Index j = 0; j < z.cols(); ++j) {
        const int kind = infinite_kind(z, j);
        if (kind == 1) finite.col(j) = (z.col(j).array() == infinity).select(0.0, Matrix::Constant(z.rows(), 1, -1000.0));
        if (kind == -1) finite.col(j).setZero();
        if (shift && kind != 0) (*shift)(j) = kind * infinity;
    }
    return finite;
}

Matrix keep_nan(const Matrix& z, Matrix d) {
    if (d.rows() != z.rows() || d.cols() != z.cols())
        throw ShapeError("keep_nan", "z is " + shape(z) + " but its derivative is " + shape(d) + "; they must match");
    if (!z.hasNaN()) return d;  // the common case, in one vectorised pass
    for (Index i = 0; i < z.size(); ++i)
        if (std::isnan(z(i))) d(i) = z(i);
    return d;
}

Matrix activate(Activation f, const Matrix& z) {
    switch (f) {
        case Activation::identity: return z;
        case Activation::sigmoid: return sigmoid(z);
        case Activation::tanh: return tanh(z);
        case Activation::relu: return relu(z);
        case Activation::leaky_relu: return leaky_relu(z);
        case Activation::softmax: return softmax(z);
    }
    throw std::invalid_argument("activate: unknown activation");
}

Matrix activate_prime(Activation f, const Matrix& z) {
    switch (f) {
        case Activation::identity: return Matrix::Ones(z.rows(), z.cols());
        case Activation::sigmoid: return sigmoid_prime(z);
        case Activation::tanh: return tanh_prime(z);
        case Activation::relu: return keep_nan(z, relu_prime(z));
        case Activation::leaky_relu: return keep_nan(z, leaky_relu_prime(z));
        case Activation::softmax:
            throw UsageError("activate_prime",
                             "softmax has no element-wise derivative; pair it with the softmax "
                             "cross-entropy loss, whose gradient is dz = y_hat - y (chapter 2)");
    }
    throw std::invalid_argument("activate_prime: unknown activation");
}

std::string to_string(Activation f) {
    switch (f) {
        case Activation::identity: return "identity";
        case Activation::sigmoid: return "sigmoid";
        case Activation::tanh: return "tanh";
        case Activation::relu: return "relu";
        case Activation::leaky_relu: return "leaky_relu";
        case Activation::softmax: return "softmax";
    }
    return "unknown";
}

}  // namespace bp
