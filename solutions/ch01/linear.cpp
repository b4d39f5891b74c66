// Chapter 1: the linear part of a layer.
#include "bp/core/linear.hpp"

namespace bp {

//! [linear_forward]
Matrix linear_forward(const Matrix& W, const Vector& b, const Matrix& a_prev) {
    if (W.cols() != a_prev.rows() || b.size() != W.rows())
        throw ShapeError("linear_forward", "W is " + shape(W) + ", b is " + shape(b) + " and a_prev is " + shape(a_prev) +
                                               "; need W.cols() == a_prev.rows() and b.size() == W.rows()");
    // BEGIN EXERCISE 1.1 (ch01-linear): linear_forward: z = W a_prev + b, with b added to every column of W a_prev.
    return (W * a_prev).colwise() + b;
    // END EXERCISE 1.1
}
//! [linear_forward]

}  // namespace bp
