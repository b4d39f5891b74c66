/// \file
/// A multi-layer perceptron: a Sequential of Dense layers built from a list of sizes.
#pragma once

#include "bp/layers/dense.hpp"
#include "bp/layers/sequential.hpp"

#include <vector>

namespace bp {

/// Dense layers in a row, the a of each one the a_prev of the next.
class Mlp : public Sequential {
public:
    /// sizes = {n_0, n_1, ..., n_L}: n_0 inputs, n_L outputs. Hidden layers use `hidden`, the
    /// last one `output`; a classifier's last layer is `Activation::identity`, so that the
    /// network ends at its logits and the loss applies softmax (chapter 2). Weights are drawn
    /// from rng in layer order, as `init` says.
    ///
    /// `output = Activation::softmax` is built, for a forward pass that shows probabilities
    /// (chapter 1's demo), but such a network cannot learn: backward refuses it.
    Mlp(const std::vector<Index>& sizes, Activation hidden, Activation output, Rng& rng, Init init = Init::automatic());

    /// Sequential::backward, after refusing a softmax output layer with a UsageError saying why,
    /// before any gradient changes: softmax has no element-wise derivative, so the network
    /// should end at its logits and the loss apply softmax (chapter 2).
    Matrix backward(const Matrix& dy) override;
    /// Sequential::backward_parameters, after the same refusal of a softmax output layer.
    void backward_parameters(const Matrix& dy) override;

    /// Layer i + 1 (layers[i]), a Dense layer.
    Dense& dense(std::size_t i) { return at<Dense>(i); }
    const Dense& dense(std::size_t i) const { return at<Dense>(i); }

    Index input_size() const { return dense(0).n_in(); }
    Index output_size() const { return dense(size() - 1).n_out(); }

    std::unique_ptr<Layer> clone() const override { return std::make_unique<Mlp>(*this); }

private:
    void require_logits_out(const char* op) const;
};

}  // namespace bp
