/// \file
/// A parameter as an optimizer sees it: a value and the gradient of the loss with respect to
/// it, side by side. Layers hand these out; optimizers (chapter 5) and the gradient checker
/// (chapter 4) walk them without knowing which layer they came from.
#pragma once

#include "bp/matrix.hpp"

#include <string>
#include <vector>

namespace bp {

/// A value and its gradient, as views into a layer's storage. Update through the views, or
/// assign into the layer's matrices; but do not move a new matrix into them
/// (`layer.dW = some_function()` hands the layer a new buffer) while views exist.
struct Parameter {
    std::string name;          ///< e.g. "layer1.W"
    Eigen::Map<Matrix> value;  ///< views into the layer's own storage, so an update
    Eigen::Map<Matrix> grad;   ///< through them changes the layer; same shape as value
};

/// Both views of one parameter (a matrix or a vector) and its gradient.
Parameter make_parameter(std::string name, Matrix& value, Matrix& grad);
Parameter make_parameter(std::string name, Vector& value, Vector& grad);

}  // namespace bp
