/// \file
/// An activation on its own, as a layer: a = f(z), for networks that keep the linear step and
/// the activation apart (batch normalization goes between them in chapter 6).
#pragma once

#include "bp/activations.hpp"
#include "bp/layer.hpp"

namespace bp {

/// a = f(z) element by element; backward is dz = da ⊙ f'(z) (activation_backward, exercise 3.2).
class ActivationLayer : public Layer {
public:
    explicit ActivationLayer(Activation f);

    const Matrix& forward(const Matrix& z) override;
    Matrix backward(const Matrix& da) override;
    std::string kind() const override { return "activation"; }
    std::unique_ptr<Layer> clone() const override { return std::make_unique<ActivationLayer>(*this); }

    Activation f;
    Matrix z, a;  ///< what forward stored: f'(z) needs z
    bool has_forward = false;
};

}  // namespace bp
