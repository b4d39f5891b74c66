/// \file
/// What every layer of a network does, whatever it computes: a forward pass that keeps what
/// the backward pass needs, and a backward pass that adds into the gradients of its
/// parameters and returns the gradient of its input. The rest of the contract (parameters,
/// zero_grad, training mode, kind) is every module's (bp::Module).
#pragma once

#include "bp/core/module.hpp"

#include <memory>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

namespace bp {

/// A layer y = F(x) on a batch stored as columns: x is n_in x m, y is n_out x m.
// [layer]
class Layer : public Module {
public:
    /// y = F(x). Keeps what backward needs (its input, its z, ...) and returns its output,
    /// which stays valid until the next forward.
    virtual const Matrix& forward(const Matrix& x) = 0;

    /// dy = dL/dy (n_out x m) -> ADDS the gradients of the parameters into their gradient
    /// matrices and returns dx = dL/dx (n_in x m). Throws UsageError before any forward.
    virtual Matrix backward(const Matrix& dy) = 0;
    /// backward for a caller with no use for dx (a training step: x is data, it does not
    /// learn): adds the same gradients into the parameters. This default runs backward and
    /// drops dx; Sequential and Dense skip computing the first layer's dx.
    virtual void backward_parameters(const Matrix& dy) { backward(dy); }

    /// A copy of the layer, of its own kind (Sequential copies its layers with it).
    virtual std::unique_ptr<Layer> clone() const = 0;

    /// {n_in, n_out}: the rows it takes in and gives out, where they are fixed; 0 where any
    /// number will do (an activation layer). A loaded model's layers must fit one another.
    virtual std::pair<Index, Index> sizes() const { return {0, 0}; }
};
// [layer]

/// The C++ name of a layer type, "bp::Dense", for the errors of a request for a layer of a
/// given type (Sequential::at<L>, Residual::inner_as<L>).
std::string layer_type_name(const std::type_info& type);

}  // namespace bp
