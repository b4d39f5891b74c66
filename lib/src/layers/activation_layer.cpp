#include "bp/layers/activation_layer.hpp"

#include <stdexcept>
#include <string>

namespace bp {

ActivationLayer::ActivationLayer(Activation f_, double alpha_) : f(f_), alpha(alpha_) {
    if (!(alpha >= 0 && alpha < 1))
        throw std::invalid_argument("ActivationLayer: leaky ReLU's alpha must be in [0, 1), got " + std::to_string(alpha));
    if (f == Activation::softmax)
        throw UsageError("ActivationLayer",
                         "softmax has no element-wise derivative; end the network at its logits and "
                         "use the softmax cross-entropy loss (chapter 2)");
}

const Matrix& ActivationLayer::forward(const Matrix& input) {
    z = input;
    a = f == Activation::leaky_relu ? leaky_relu(z, alpha) : activate(f, z);
    has_forward = true;
    return a;
}

Matrix ActivationLayer::backward(const Matrix& da) {
    if (!has_forward) throw UsageError("ActivationLayer::backward", "run forward first: backward needs the stored z");
    if (f == Activation::leaky_relu) {
        if (da.rows() != z.rows() || da.cols() != z.cols())
            throw ShapeError("ActivationLayer::backward", "da is " + shape(da) + " but z is " + shape(z) + "; they must match");
        return da.cwiseProduct(keep_nan(z, leaky_relu_prime(z, alpha)));  // dz = da ⊙ f'(z), with this layer's alpha
    }
    return activation_backward(f, da, z);  // dz = da ⊙ f'(z)
}

}  // namespace bp
