/// \file
/// Activation functions a = f(z) and their derivatives f'(z), applied to every element of z
/// (softmax works on each column instead). Chapter 1 writes them; chapter 3 uses f'(z) in
/// dz = da ⊙ f'(z).
#pragma once

#include "bp/core/matrix.hpp"

#include <string>

namespace bp {

/// Which f a layer applies; activate() and activate_prime() dispatch on it.
enum class Activation { identity, sigmoid, tanh, relu, leaky_relu, softmax };

// Exercises 1.2-1.10 (exercises/ch01/activations.cpp). Each takes and returns the same shape.
Matrix sigmoid(const Matrix& z);        ///< 1 / (1 + e^-z)
Matrix sigmoid_prime(const Matrix& z);  ///< sigmoid(z) (1 - sigmoid(z))
Matrix tanh(const Matrix& z);
Matrix tanh_prime(const Matrix& z);  ///< 1 - tanh(z)^2
Matrix relu(const Matrix& z);        ///< max(0, z)
Matrix relu_prime(const Matrix& z);  ///< 1 where z > 0, else 0 (we take 0 at z = 0)

inline constexpr double leaky_relu_slope = 0.01;                            ///< the slope alpha for z <= 0
Matrix leaky_relu(const Matrix& z, double alpha = leaky_relu_slope);        ///< z or alpha z
Matrix leaky_relu_prime(const Matrix& z, double alpha = leaky_relu_slope);  ///< 1 or alpha

/// Each column of z becomes a probability distribution: e^z_i / sum_k e^z_k, computed
/// without overflow for logits as large as +-1000. z must not be empty. Infinite logits give
/// the limit: the logits of +inf in a column share its probability equally, the others get
/// 0, and a column of -inf is taken as equal logits; a NaN logit gives NaN in its column.
Matrix softmax(const Matrix& z);

/// Whether some column of z has a logit of +inf, or only logits of -inf: the columns whose
/// softmax and log-sum-exp are limits that the usual formulas would turn into NaN (inf - inf).
bool has_infinite_logits(const Matrix& z);

/// z with each such column replaced by finite logits with the same softmax in the limit: its
/// +inf logits become 0 and the others -1000 (whose e^z is exactly 0 in double), and a column
/// of -inf becomes 0s. `shift`, if given, receives what each column lost, +inf, -inf or 0, so
/// that log_sum_exp(z) = log_sum_exp(finite_logits(z)) + shift. Columns with NaN stay as they are.
Matrix finite_logits(const Matrix& z, Eigen::RowVectorXd* shift = nullptr);

/// d with NaN wherever z holds a NaN. relu_prime and leaky_relu_prime (the exercises) give 0 and
/// alpha there, since NaN > 0 is false, which would hide the NaN from a backward pass: every
/// caller of theirs in the library (activate_prime, ActivationLayer, Graph::relu) passes its
/// result through this.
Matrix keep_nan(const Matrix& z, Matrix d);

/// a = f(z) for any activation.
Matrix activate(Activation f, const Matrix& z);

/// f'(z) for the element-wise activations; NaN where z is NaN. Softmax has no element-wise derivative (each
/// output depends on the whole column): it throws, and chapter 2 pairs softmax with the
/// cross-entropy loss, whose combined gradient is dz = y_hat - y.
Matrix activate_prime(Activation f, const Matrix& z);

/// Exercise 3.2 (exercises/ch03/activation_backward.cpp): dz = da ⊙ f'(z), for the
/// element-wise activations. da and z have the same shape; softmax throws (see above).
Matrix activation_backward(Activation f, const Matrix& da, const Matrix& z);

std::string to_string(Activation f);

}  // namespace bp
