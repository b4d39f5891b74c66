/// \file
/// Gradient checking: compare the gradients a backward pass computes with the slopes that
/// finite differences measure. Run in double precision, with central differences.
#pragma once

#include "bp/dense.hpp"
#include "bp/parameter.hpp"

#include <functional>
#include <string>
#include <vector>

namespace bp {

/// The step for central differences in double precision (chapter 4 explains the choice).
inline constexpr double gradcheck_step = 1e-5;
/// Below this magnitude, gradients are compared absolutely rather than relatively.
inline constexpr double gradcheck_floor = 1e-8;
/// A relative error above this fails the check.
inline constexpr double gradcheck_threshold = 1e-6;

/// A view of a matrix's or vector's elements, as numerical_gradient takes.
inline Eigen::Map<Matrix> view(Matrix& m) { return {m.data(), m.rows(), m.cols()}; }
inline Eigen::Map<Matrix> view(Vector& v) { return {v.data(), v.size(), 1}; }

/// Exercise 4.1 (exercises/ch04/gradcheck.cpp): for each element x_i, the central difference
/// (f() with x_i + h  -  f() with x_i - h) / 2h, where f reads x. x is left as it was.
/// Returns a matrix of x's shape.
Matrix numerical_gradient(const std::function<double()>& f, Eigen::Map<Matrix> x, double h = gradcheck_step);

/// Exercise 4.2: |a - n| / max(|a|, |n|, floor).
double relative_error(double analytic, double numeric, double floor = gradcheck_floor);

/// What a gradient check found: the worst element, and the worst error of each parameter.
struct GradientCheck {
    bool passed = true;
    double threshold = gradcheck_threshold;
    std::string parameter;  ///< the worst element's parameter, e.g. "layer1.W"
    Index row = 0, col = 0;
    double analytic = 0, numeric = 0, error = 0;
    std::vector<std::pair<std::string, double>> worst_by_parameter;

    /// "gradient check passed: worst relative error 3e-10 at layer1.W(2, 0) ..." and a line
    /// per parameter.
    std::string report() const;
};

/// The checker, for any layer, loss or network. `backward` must compute the analytic
/// gradients into every parameter's grad (zeroing them first); `loss` must evaluate the loss
/// from the parameters' current values. Every element of every parameter is perturbed (put
/// the input in `params` too, with its gradient, to check that).
GradientCheck check_gradients(const std::vector<Parameter>& params, const std::function<double()>& loss,
                              const std::function<void()>& backward, double h = gradcheck_step,
                              double threshold = gradcheck_threshold);

/// Exercise 4.3: checks one layer on the input a_prev with the loss L = sum(G ⊙ a), G drawn
/// from rng (so dL/da = G): its W, its b, and its input, named "W", "b" and "a_prev".
GradientCheck check_dense_layer(Dense& layer, const Matrix& a_prev, Rng& rng);

}  // namespace bp
