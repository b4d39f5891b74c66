// Chapter 6: the backward pass of a skip connection.
#include "bp/layers/residual.hpp"

namespace bp {

//! [residual_backward]
Matrix Residual::backward(const Matrix& dy) {
    if (!has_forward) throw UsageError("Residual::backward", "run forward first");
    if (dy.rows() != y.rows() || dy.cols() != y.cols())
        throw ShapeError("Residual::backward", "dy is " + shape(dy) + " but this block's y is " + shape(y));
    // BEGIN EXERCISE 6.5 (ch06-skip-connections): Residual::backward: y = x + F(x), so dx = dy + F's backward(dy); call it once.
    return dy + inner().backward(dy);
    // END EXERCISE 6.5
}
//! [residual_backward]

}  // namespace bp
