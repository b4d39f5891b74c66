// Chapter 3: the backward pass of z = W a_prev + b.
#include "bp/core/linear.hpp"

namespace bp {

//! [linear_backward]
Matrix linear_backward(const Matrix& dz, const Matrix& W, const Matrix& a_prev, Matrix& dW, Vector& db) {
    if (dz.rows() != W.rows() || a_prev.rows() != W.cols() || dz.cols() != a_prev.cols() || dW.rows() != W.rows() ||
        dW.cols() != W.cols() || db.size() != W.rows())
        throw ShapeError("linear_backward", "dz is " + shape(dz) + ", W is " + shape(W) + ", a_prev is " + shape(a_prev) + ", dW is " +
                                                shape(dW) + " and db is " + shape(db) +
                                                "; need dz n_out x m, W and dW n_out x n_in, a_prev n_in x m, db n_out");
    // BEGIN EXERCISE 3.1 (ch03-linear-backward): linear_backward: dW += dz a_prev^T, db += row sums of dz, return W^T dz.
    throw bp::NotImplemented("3.1", "exercises/ch03/linear_backward.cpp",
                             "Chapter 3, section 'The linear layer backward' (chapters/03-backward/chapter.md)");
    // END EXERCISE 3.1
}
//! [linear_backward]

}  // namespace bp
