#include "bp/layers/residual.hpp"

namespace bp {

Residual::Residual(std::unique_ptr<Layer> inner) : inner_(std::move(inner)) {
    if (!inner_) throw UsageError("Residual", "the inner layer is null");
}

void Residual::throw_wrong_kind(const std::type_info& asked) const {
    throw UsageError("Residual::inner_as", "the inner layer is a " + inner_->kind() + " layer, not a " + layer_type_name(asked));
}

Residual::Residual(const Residual& other) : Layer(other), y(other.y), has_forward(other.has_forward), inner_(other.inner_->clone()) {}

Residual& Residual::operator=(const Residual& other) {
    if (this != &other) {
        Layer::operator=(other);
        y = other.y;
        has_forward = other.has_forward;
        inner_ = other.inner_->clone();
    }
    return *this;
}

//! [residual_forward]
const Matrix& Residual::forward(const Matrix& x) {
    const Matrix& f = inner_->forward(x);
    if (f.rows() != x.rows() || f.cols() != x.cols())
        throw ShapeError("Residual::forward", "the inner " + inner_->kind() + " layer maps x of " + shape(x) + " to " + shape(f) +
                                                  "; a skip connection needs the same shape in and out");
    y = x + f;
    has_forward = true;
    return y;
}
//! [residual_forward]

// Residual::backward is exercise 6.5 (exercises/ch06/residual.cpp).

}  // namespace bp
