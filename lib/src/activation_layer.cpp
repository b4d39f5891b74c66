#include "bp/activation_layer.hpp"

namespace bp {

ActivationLayer::ActivationLayer(Activation f_) : f(f_) {
    if (f == Activation::softmax)
        throw UsageError("ActivationLayer", "softmax has no element-wise derivative; end the network at its logits and "
                                            "use the softmax cross-entropy loss (chapter 2)");
}

const Matrix& ActivationLayer::forward(const Matrix& input) {
    z = input;
    a = activate(f, z);
    has_forward = true;
    return a;
}

Matrix ActivationLayer::backward(const Matrix& da) {
    if (!has_forward) throw UsageError("ActivationLayer::backward", "run forward first: backward needs the stored z");
    return activation_backward(f, da, z);  // dz = da ⊙ f'(z)
}

}  // namespace bp
