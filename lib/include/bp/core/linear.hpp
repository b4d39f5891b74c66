/// \file
/// The linear part of a layer: z = W a_prev + b.
#pragma once

#include "bp/core/matrix.hpp"

namespace bp {

/// Exercise 1.1 (exercises/ch01/linear.cpp).
/// W: n_out x n_in, b: n_out, a_prev: n_in x batch  ->  z: n_out x batch.
/// b is added to every column: each example gets the same bias.
Matrix linear_forward(const Matrix& W, const Vector& b, const Matrix& a_prev);

/// Exercise 3.1 (exercises/ch03/linear_backward.cpp). Given dz = dL/dz (n_out x batch) and the
/// forward pass's W and a_prev, ADDS dz a_prev^T to dW and the row sums of dz to db, and
/// returns da_prev = W^T dz (n_in x batch).
Matrix linear_backward(const Matrix& dz, const Matrix& W, const Matrix& a_prev, Matrix& dW, Vector& db);

}  // namespace bp
