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
    // z_ik = sum_j W_ij a_prev_jk + b_i, so dL/dW_ij = sum_k dz_ik a_prev_jk: dz a_prev^T.
    // noalias(): dW is not an operand of the product, so Eigen adds it straight into dW, with no temporary.
    dW.noalias() += dz * a_prev.transpose();
    // b_i reaches every column k of z_ik: dL/db_i = sum_k dz_ik.
    db += dz.rowwise().sum();
    // a_prev_jk reaches every z_ik through W_ij: dL/da_prev_jk = sum_i W_ij dz_ik: W^T dz.
    return W.transpose() * dz;
    // END EXERCISE 3.1
}
//! [linear_backward]

}  // namespace bp
