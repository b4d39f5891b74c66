/// \file
/// Gradient checking: compare the gradients a backward pass computes with the slopes that
/// finite differences measure. Run in double precision, with central differences.
#pragma once

#include "bp/layers/dense.hpp"
#include "bp/core/parameter.hpp"

#include <exception>
#include <functional>
#include <string>
#include <vector>

namespace bp {

/// The step for central differences in double precision (chapter 4 explains the choice).
inline constexpr double gradcheck_step = 1e-5;
/// relative_error's default floor: below it, a difference is measured in units of the floor.
inline constexpr double gradcheck_floor = 1e-8;
/// A relative error above this fails the check.
inline constexpr double gradcheck_threshold = 1e-6;
/// How many times the round-off of a central difference, eps max(|L|, 1) / h, a correct
/// gradient entry may be off by (chapter 4, "The thresholds").
inline constexpr double gradcheck_roundoff_margin = 100;

/// The absolute tolerance of a gradient check for a loss L and step h: gradcheck_roundoff_margin
/// times eps max(|L|, 1) / h, about 2e-9 for a loss of order 1 and h = 1e-5. Central
/// differences cannot resolve a difference smaller than this, however correct the gradient.
/// Throws std::invalid_argument unless h is positive and finite.
double gradcheck_absolute_tolerance(double loss, double h = gradcheck_step);

/// Throws std::invalid_argument("OP: the step h must be positive and finite, got inf") unless it
/// is: a step of 0, a negative one, inf or NaN gives slopes of NaN or 0 that look like answers.
void require_step(const char* op, double h);

/// Keeps a copy of x's values and writes them back if its scope is left by an exception, so
/// that a function that perturbs x (numerical_gradient) leaves it as it was even when the
/// function it evaluates throws midway.
class RestoreOnThrow {
public:
    explicit RestoreOnThrow(Eigen::Map<Matrix> x) : x_(x), saved_(x), exceptions_(std::uncaught_exceptions()) {}
    ~RestoreOnThrow() {
        if (std::uncaught_exceptions() > exceptions_) x_ = saved_;
    }
    RestoreOnThrow(const RestoreOnThrow&) = delete;
    RestoreOnThrow& operator=(const RestoreOnThrow&) = delete;

private:
    Eigen::Map<Matrix> x_;
    Matrix saved_;
    int exceptions_;
};

/// A view of a matrix's or vector's elements, as numerical_gradient takes.
inline Eigen::Map<Matrix> view(Matrix& m) { return {m.data(), m.rows(), m.cols()}; }
inline Eigen::Map<Matrix> view(Vector& v) { return {v.data(), v.size(), 1}; }

/// Exercise 4.1 (exercises/ch04/gradcheck.cpp): for each element x_i, the central difference
/// (f() with x_i + h  -  f() with x_i - h) / 2h, where f reads x. x is left as it was, also
/// when f throws. h must be positive and finite. Returns a matrix of x's shape.
Matrix numerical_gradient(const std::function<double()>& f, Eigen::Map<Matrix> x, double h = gradcheck_step);

/// Exercise 4.2: |a - n| / max(|a|, |n|, floor); 0 for two zeros, whatever the floor (they
/// agree). The floor must be finite and >= 0.
double relative_error(double analytic, double numeric, double floor = gradcheck_floor);

/// What a gradient check found: the worst element, and the worst error of each parameter.
/// An element passes when |a - n| <= max(absolute_tolerance, threshold max(|a|, |n|)): its
/// relative error, with the floor absolute_tolerance / threshold, is at most the threshold.
struct GradientCheck {
    bool passed = true;
    double threshold = gradcheck_threshold;
    double loss = 0;                ///< the loss at the point checked
    double absolute_tolerance = 0;  ///< gradcheck_absolute_tolerance(loss, h)
    double floor = 0;               ///< absolute_tolerance / threshold: below it the test is absolute
    Index checked = 0;              ///< how many elements were compared; 0 fails the check
    std::string parameter;          ///< the worst element's parameter, e.g. "layer1.W"
    Index row = 0, col = 0;
    double analytic = 0, numeric = 0, error = 0;
    std::vector<std::pair<std::string, double>> worst_by_parameter;

    /// "gradient check passed: 46 elements, worst relative error 3e-10 at layer1.W(2, 0) ...",
    /// the tolerances, and a line per parameter.
    std::string report() const;
};

/// The checker, for any layer, loss or network. `backward` must compute the analytic
/// gradients into every parameter's grad (zeroing them first); `loss` must evaluate the loss
/// from the parameters' current values. Every element of every parameter is perturbed (put
/// the input in `params` too, with its gradient, to check that), and restored, even when
/// `loss` throws. A check of nothing (no parameters, or only empty ones) fails, and so does
/// a loss that is not finite where the check starts (nothing is perturbed then). h must be
/// positive and finite.
GradientCheck check_gradients(const std::vector<Parameter>& params, const std::function<double()>& loss,
                              const std::function<void()>& backward, double h = gradcheck_step, double threshold = gradcheck_threshold);

/// Exercise 4.3: checks one layer on the input a_prev with the loss L = sum(G ⊙ a), G drawn
/// from rng (so dL/da = G): its W, its b, and its input, named "W", "b" and "a_prev".
GradientCheck check_dense_layer(Dense& layer, const Matrix& a_prev, Rng& rng);

class Rnn;
class Sequence;

/// Exercise 7.5 (exercises/ch07/rnn_check.cpp): this check of a whole recurrent layer (bp::Rnn, rnn.hpp) on the
/// loss L = sum_t sum(G_t ⊙ h_t), G drawn from rng (so dh_out = G): W_x, W_h and b, and also
/// the inputs and the start state, as parameters named "x" and "h0".
GradientCheck check_rnn_gradients(Rnn& rnn, const Sequence& x, const Matrix& h0, Rng& rng);

}  // namespace bp
