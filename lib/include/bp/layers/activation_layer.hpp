/// \file
/// An activation on its own, as a layer: a = f(z), for networks that keep the linear step and
/// the activation apart (batch normalization goes between them in chapter 6).
#pragma once

#include "bp/core/activations.hpp"
#include "bp/layers/layer.hpp"

namespace bp {

/// a = f(z) element by element; backward is dz = da ⊙ f'(z) (activation_backward, exercise 3.2).
/// For leaky ReLU the slope alpha below 0 is the layer's own (chapter 6).
class ActivationLayer : public Layer {
public:
    /// Any element-wise activation (softmax is refused: end the network at its logits). alpha,
    /// for Activation::leaky_relu, must be finite and in [0, 1).
    explicit ActivationLayer(Activation f, double alpha = leaky_relu_slope);

    const Matrix& forward(const Matrix& z) override;
    Matrix backward(const Matrix& da) override;
    std::string kind() const override { return "activation"; }
    std::unique_ptr<Layer> clone() const override { return std::make_unique<ActivationLayer>(*this); }
    std::vector<double> settings() const override { return {static_cast<double>(f), alpha}; }  ///< f and alpha
    std::optional<ActivationOutput> activation_output() const override {
        if (!has_forward) return std::nullopt;
        return ActivationOutput{f, a};
    }

    Activation f;
    double alpha;  ///< leaky ReLU's slope for z <= 0 (unused by the other activations)
    Matrix z, a;   ///< what forward stored: f'(z) needs z
    bool has_forward = false;
};

}  // namespace bp
