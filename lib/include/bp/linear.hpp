/// \file
/// The linear part of a layer: z = W a_prev + b.
#pragma once

#include "bp/matrix.hpp"

namespace bp {

/// Exercise 1.1 (exercises/ch01/linear.cpp).
/// W: n_out x n_in, b: n_out, a_prev: n_in x batch  ->  z: n_out x batch.
/// b is added to every column: each example gets the same bias.
Matrix linear_forward(const Matrix& W, const Vector& b, const Matrix& a_prev);

}  // namespace bp
