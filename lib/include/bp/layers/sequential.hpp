/// \file
/// A network as layers in a row: the output of each one is the input of the next. Layers are
/// numbered from 1 as in the textbook (layers[0] is layer 1); a^[0] is the input x.
#pragma once

#include "bp/layers/layer.hpp"

#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

namespace bp {

/// Layers in a row; itself a Layer, so that a Sequential can sit inside another model.
class Sequential : public Layer {
public:
    std::vector<std::unique_ptr<Layer>> layers;

    Sequential() = default;
    /// Copies every layer; a UsageError naming a null one.
    Sequential(const Sequential& other);
    Sequential& operator=(const Sequential& other);
    Sequential(Sequential&&) = default;
    Sequential& operator=(Sequential&&) = default;

    /// Appends a layer and returns it: net.add(bp::Dense(2, 3, bp::Activation::tanh, rng)).
    template <class L>
    L& add(L layer) {
        static_assert(std::is_base_of_v<Layer, L>, "Sequential::add takes a layer");
        layers.push_back(std::make_unique<L>(std::move(layer)));
        return static_cast<L&>(*layers.back());
    }
    /// The same for a layer made elsewhere; a UsageError if it is null.
    Layer& add(std::unique_ptr<Layer> layer);

    /// Throws UsageError naming `op` and the layer if some layers[i] is null (an empty pointer
    /// put into `layers` directly: add() refuses one), and, if `nonempty`, if there are no layers.
    /// Everything that walks the layers checks this first, so a null layer is an error, not a crash.
    void require_layers(const char* op, bool nonempty = true) const;

    std::size_t size() const { return layers.size(); }

    /// Layer i + 1 (layers[i]) as an L; a UsageError naming it, its kind and L if it is of
    /// another kind.
    template <class L = Layer>
    L& at(std::size_t i) {
        if (auto* l = dynamic_cast<L*>(&checked(i))) return *l;
        throw_wrong_kind(i, typeid(L));
    }
    /// The same, read-only, for a const network.
    template <class L = Layer>
    const L& at(std::size_t i) const {
        if (auto* l = dynamic_cast<const L*>(&checked(i))) return *l;
        throw_wrong_kind(i, typeid(L));
    }

    /// Exercise 1.12 (exercises/ch01/network.cpp): x is n_0 x batch; runs every layer in
    /// order and returns the last one's output. Each layer keeps what its backward needs.
    const Matrix& forward(const Matrix& x) override;

    /// Exercise 3.4 (exercises/ch03/network_backward.cpp): dy = dL/dy of the last layer's
    /// output -> every layer's gradients accumulate, from the last layer down; returns dL/dx
    /// (n_0 x batch).
    Matrix backward(const Matrix& dy) override;

    /// backward's pass for a training step: the layers from the last down to the second as
    /// exercise 3.4 runs them, then the first one's backward_parameters, which does not
    /// compute dL/dx (for a Dense first layer, the product W^T dz that nothing would read).
    void backward_parameters(const Matrix& dy) override;

    /// layer1, layer2, ...: so its parameters are layer1.W, layer1.b, layer2.W, ...
    std::vector<Child> children() override;
    std::string kind() const override { return "sequential"; }
    /// The first fixed n_in of its layers and the last fixed n_out.
    std::pair<Index, Index> sizes() const override;
    /// Throws ShapeError naming the first layer whose fixed n_in is not what the layers before
    /// it give out (a loaded model is checked so, not only at its first forward).
    void require_sizes_fit(const char* op) const;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<Sequential>(*this); }

private:
    Layer& checked(std::size_t i) const;
    [[noreturn]] void throw_wrong_kind(std::size_t i, const std::type_info& asked) const;
};

/// "layer3": the name of layers[i] inside a Sequential, in parameter names and messages.
std::string layer_name(std::size_t i);

}  // namespace bp
