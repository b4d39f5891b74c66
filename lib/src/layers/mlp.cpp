#include "bp/layers/mlp.hpp"

namespace bp {

Mlp::Mlp(const std::vector<Index>& sizes, Activation hidden, Activation output, Rng& rng, Init init) {
    if (sizes.size() < 2)
        throw ShapeError("Mlp", "sizes must list at least the input and the output size, got " + std::to_string(sizes.size()) + " size(s)");
    for (std::size_t l = 1; l < sizes.size(); ++l) {
        const Activation f = (l + 1 == sizes.size()) ? output : hidden;
        add(Dense(sizes[l - 1], sizes[l], f, rng, init));
    }
}

void Mlp::require_logits_out(const char* op) const {
    // Today's only caller of a softmax output is chapter 1's forward demo; training one would
    // otherwise stop inside the last layer's activate_prime, which cannot say which network.
    if (!layers.empty() && dense(size() - 1).f == Activation::softmax)
        throw UsageError(op, layer_name(size() - 1) +
                                 " ends in softmax, which backward cannot go through: the network "
                                 "should end at its logits (output = Activation::identity) and the loss applies "
                                 "softmax (softmax_cross_entropy, chapter 2)");
}

Matrix Mlp::backward(const Matrix& dy) {
    require_logits_out("Mlp::backward");
    return Sequential::backward(dy);
}

void Mlp::backward_parameters(const Matrix& dy) {
    require_logits_out("Mlp::backward_parameters");
    Sequential::backward_parameters(dy);
}

}  // namespace bp
