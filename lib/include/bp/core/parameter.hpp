/// \file
/// A parameter as an optimizer sees it: a value and the gradient of the loss with respect to
/// it, side by side. Layers hand these out; optimizers (chapter 5) and the gradient checker
/// (chapter 4) walk them without knowing which layer they came from.
#pragma once

#include "bp/core/matrix.hpp"

#include <optional>
#include <string>

namespace bp {

/// One of a layer's matrices or vectors, referred to by the object itself rather than by its
/// memory: after `layer.W = new_weights` it reads the new weights, whatever their shape.
class TensorRef {
public:
    TensorRef(Matrix& m) : matrix_(&m) {}  // NOLINT: implicit, so that a Matrix or a Vector can be passed
    TensorRef(Vector& v) : vector_(&v) {}  // NOLINT

    Index rows() const { return matrix_ ? matrix_->rows() : vector_->size(); }
    Index cols() const { return matrix_ ? matrix_->cols() : 1; }
    /// The elements as a rows() x cols() matrix, read and written in place. Take it afresh
    /// after the matrix may have been replaced.
    Eigen::Map<Matrix> map() const {
        return matrix_ ? Eigen::Map<Matrix>(matrix_->data(), matrix_->rows(), matrix_->cols())
                       : Eigen::Map<Matrix>(vector_->data(), vector_->size(), 1);
    }

private:
    Matrix* matrix_ = nullptr;
    Vector* vector_ = nullptr;
};

/// A trainable value and its gradient, e.g. a layer's W and dW, named "layer1.W". value()
/// and grad() read the layer's matrices as they are now, so replacing one of them
/// (`layer.dW = some_function()`) is safe; if value and gradient then differ in shape, both
/// throw a ShapeError naming the parameter.
struct Parameter {
    Parameter(std::string name_, Matrix& value, Matrix& grad) : name(std::move(name_)), value_(value), grad_(grad) {}
    Parameter(std::string name_, Vector& value, Vector& grad) : name(std::move(name_)), value_(value), grad_(grad) {}

    std::string name;  ///< e.g. "layer1.W"

    Eigen::Map<Matrix> value() const;  ///< w, in place: `p.value() -= lr * p.grad();` updates the layer
    Eigen::Map<Matrix> grad() const;   ///< dL/dw, the same shape
    Index rows() const { return value_.rows(); }
    Index cols() const { return value_.cols(); }

private:
    TensorRef value_, grad_;
    void require_same_shape() const;
};

/// "prefix.name", or "name" when the prefix is empty: the names of nested parameters.
std::string join_name(const std::string& prefix, const std::string& name);

/// Gives a gradient its value's shape, as zeros, if it has another: after a weight was
/// replaced by one of another shape, the layer's parameters() still pair matching matrices.
template <class Tensor>
void fit_grad(const Tensor& value, Tensor& grad) {
    if (grad.rows() != value.rows() || grad.cols() != value.cols()) grad.setZero(value.rows(), value.cols());
}

}  // namespace bp
