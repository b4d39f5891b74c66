// Chapter 6: the backward pass of a skip connection.
#include "bp/layers/residual.hpp"

namespace bp {

//! [residual_backward]
Matrix Residual::backward(const Matrix& dy) {
    if (!has_forward) throw UsageError("Residual::backward", "run forward first");
    if (dy.rows() != y.rows() || dy.cols() != y.cols())
        throw ShapeError("Residual::backward", "dy is " + shape(dy) + " but this block's y is " + shape(y));
    // BEGIN EXERCISE 6.5 (ch06-skip-connections): Residual::backward: y = x + F(x), so dx is dy (the identity path) plus what F's backward returns for dy; call F's backward once.
    // HINT 6.5 1: The skip connection's backward rules: da_prev = da + W^T dz, the identity path plus the branch's, and why F's backward is called only once.
    // HINT 6.5 2: dy has the shape of x and y (n x m); F's backward takes dy and returns a matrix of that shape too; dx is the sum of the two.
    // HINT 6.5 3: inner().backward(dy) returns F's dx and adds into F's own gradients; the rest is a plain Matrix +.
    // HINT 6.5 4: F(x) = 0.5 x, so y = 1.5 x: dy = (1, -2) gives dx = (1, -2) + (0.5, -1) = (1.5, -3). A second call of inner().backward(dy) would double F's dW.
    return dy + inner().backward(dy);
    // END EXERCISE 6.5
}
//! [residual_backward]

}  // namespace bp
