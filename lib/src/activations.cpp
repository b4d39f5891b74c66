#include "bp/activations.hpp"

namespace bp {

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
        case Activation::relu: return relu_prime(z);
        case Activation::leaky_relu: return leaky_relu_prime(z);
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
