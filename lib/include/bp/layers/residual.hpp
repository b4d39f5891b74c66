/// \file
/// A skip connection (chapter 6): y = x + F(x), for an inner layer F whose output has the
/// shape of its input. The identity path carries the gradient past F unchanged.
#pragma once

#include "bp/layers/layer.hpp"

#include <memory>
#include <type_traits>
#include <typeinfo>

namespace bp {

/// y = x + F(x). Backward: dx = dy + F.backward(dy), the identity path plus F's.
class Residual : public Layer {
public:
    /// Wraps a copy of `inner`, e.g. Residual(Dense(64, 64, Activation::relu, rng)).
    template <class L, std::enable_if_t<std::is_base_of_v<Layer, L> && !std::is_same_v<L, Residual>, int> = 0>
    explicit Residual(L inner) : Residual(std::unique_ptr<Layer>(std::make_unique<L>(std::move(inner)))) {}
    explicit Residual(std::unique_ptr<Layer> inner);
    Residual(const Residual& other);
    Residual& operator=(const Residual& other);
    Residual(Residual&&) = default;  // net.add(Residual(...)) moves the inner layer, not copies it
    Residual& operator=(Residual&&) = default;

    /// y = x + F(x); a ShapeError if F does not keep the shape of x.
    const Matrix& forward(const Matrix& x) override;
    /// Exercise 6.5 (exercises/ch06/residual.cpp): dy (the shape of x) -> dx = dy + F's dx for
    /// dy; F's parameters' gradients accumulate. Throws UsageError before any forward.
    Matrix backward(const Matrix& dy) override;
    /// F, named "inner": its parameters are inner.W, ...
    std::vector<Child> children() override { return {{"inner", *inner_}}; }
    std::string kind() const override { return "residual"; }
    std::pair<Index, Index> sizes() const override { return inner_->sizes(); }
    std::unique_ptr<Layer> clone() const override { return std::make_unique<Residual>(*this); }

    Layer& inner() { return *inner_; }
    const Layer& inner() const { return *inner_; }

    /// The inner layer as the type it is, `block.inner_as<Dense>().W`, with no cast of yours; a
    /// UsageError naming both kinds if it is of another ("the inner layer is a batch_norm
    /// layer, not a bp::Dense").
    template <class L>
    L& inner_as() {
        if (auto* l = dynamic_cast<L*>(inner_.get())) return *l;
        throw_wrong_kind(typeid(L));
    }
    template <class L>
    const L& inner_as() const {
        if (auto* l = dynamic_cast<const L*>(inner_.get())) return *l;
        throw_wrong_kind(typeid(L));
    }

    Matrix y;  ///< x + F(x), what forward returns
    bool has_forward = false;

private:
    std::unique_ptr<Layer> inner_;
    [[noreturn]] void throw_wrong_kind(const std::type_info& asked) const;
};

}  // namespace bp
