// Chapter 4 property tests: finite differences, the relative error, and a layer's check.
#include "check.hpp"

#include "bp/check/gradcheck.hpp"
#include "swish_dense.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using bp::Activation;
using bp::Matrix;

// ---- 4.1 numerical_gradient ----

// The mistake of stepping by a number of one's own instead of the h given, said as a failure's
// first line when the slopes show it: `got` and `again` are numerical_gradient's for two different
// steps (`calls`), the same, and close to the derivative `exact`; "" otherwise. Slopes off by
// different amounts at different elements are round-off: the step was far too small.
std::string own_step(const Matrix& exact, const Matrix& got, const Matrix& again, const std::string& calls) {
    if (!bp_test::near(got, again, 1e-12) || !bp_test::near(exact, got, 1e-2)) return "";
    const Eigen::ArrayXXd off = (got - exact).array();
    std::ostringstream out;
    out << calls << " gave the same slopes: the step used is one of your own, not the h given";
    if (off.maxCoeff() - off.minCoeff() > 1e-6)
        out << ", and one far too small: the slopes are off the derivative by up to " << std::setprecision(2) << off.abs().maxCoeff()
            << ", by a different amount at each element, the round-off of a tiny step (section Why not a smaller step? The V)";
    out << ". Step by the h given: x(i) = saved + h, then saved - h, and divide by 2 * h";
    return out.str();
}

TEST(Ex4_1, GivesThreeXSquaredPlusHSquaredForTheSumOfCubes) {
    // For x^3 the central difference is known exactly: ((x + h)^3 - (x - h)^3) / 2h = 3x^2 + h^2.
    // A large step keeps every usual mistake's slopes apart from it.
    const double h = 0.1;
    Matrix x = (Matrix(2, 2) << 0.5, -1, 2, 1.5).finished();
    const Matrix start = x;
    const auto f = [&x] { return x.array().cube().sum(); };
    const Matrix got = bp::numerical_gradient(f, bp::view(x), h);
    const Eigen::ArrayXXd three_x2 = 3 * start.array().square(), xh = start.array() * h;
    const Matrix expected = three_x2 + h * h;
    const Matrix forward = three_x2 + 3 * xh + h * h, backward = three_x2 - 3 * xh + h * h;
    const std::vector<bp_test::Mistake> mistakes = {
        {"A forward difference, (f(x_i + h) - f(x_i)) / h: its error is of order h (here 3 x_i h); the central one, "
         "(f(x_i + h) - f(x_i - h)) / 2h, has only h^2",
         forward},
        {"A backward difference, (f(x_i) - f(x_i - h)) / h: its error is of order h; step both ways, "
         "(f(x_i + h) - f(x_i - h)) / 2h",
         backward},
        {"(f(x_i + h) - f(x_i)) / 2h: x_i was stepped back to x_i instead of on to x_i - h (after x(i) += h, "
         "x(i) -= h only undoes the step); set x(i) = saved - h",
         Matrix(forward / 2)},
        {"(f(x_i + h) - f(x_i - h)) / h: the two points are 2h apart, so divide by 2h", Matrix(2 * expected)},
        {"(plus - minus) / 2 * h, which C++ reads as ((plus - minus) / 2) * h: write (plus - minus) / (2 * h)", Matrix(expected * h * h)},
        {"(f(x_i - h) - f(x_i + h)) / 2h: the difference is taken the wrong way round", Matrix(-expected)},
        {"Every element moved at once (x + h, then x - h): that measures the slope along all of them together, the sum "
         "of the partial derivatives; move one element at a time",
         Matrix::Constant(2, 2, expected.sum())},
        {"Slopes measured with a step of your own instead of the h given (with h = 0.1 they are 3x^2 + h^2, not 3x^2)", Matrix(three_x2)}};
    Matrix y = start;  // the same slopes with half the step
    const std::string ignores_h =
        own_step(three_x2, got, bp::numerical_gradient([&y] { return y.array().cube().sum(); }, bp::view(y), h / 2),
                 "numerical_gradient(f, x, 0.1) and numerical_gradient(f, x, 0.05)");
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "numerical_gradient(f, x, 0.1)", expected, got, mistakes,
        !ignores_h.empty()
            ? ignores_h
            : "The central difference of x^3 is exactly 3x^2 + h^2: (f(x_i + h) - f(x_i - h)) / 2h, for each element on its own."))
        << "for f = sum of x_i^3 at x =\n"
        << bp_test::format_matrix(start);
}

TEST(Ex4_1, GivesTwoXForTheSumOfSquares) {
    Matrix x = bp::Rng(81).uniform_matrix(3, 2, -2, 2);
    BP_INPUTS(x);
    const Matrix expected = 2 * x;  // before the call, which perturbs x
    const auto f = [&x] { return x.squaredNorm(); };
    const Matrix got = bp::numerical_gradient(f, bp::view(x));
    const ::testing::AssertionResult result = bp_test::matrices_near("numerical_gradient", expected, got, 1e-8);
    if (result) return;
    Matrix y = x;
    const std::string ignores_h = own_step(expected, got, bp::numerical_gradient([&y] { return y.squaredNorm(); }, bp::view(y), 1e-3),
                                           "numerical_gradient(f, x) and numerical_gradient(f, x, 1e-3)");
    EXPECT_HOLDS(bp_test::explained(ignores_h, result)) << "for f = the sum of x_i^2, whose slopes are 2x";
}

TEST(Ex4_1, LeavesXExactlyAsItWas) {
    Matrix x = bp::Rng(82).uniform_matrix(2, 3, -1, 1);
    BP_INPUTS(x);
    const Matrix before = x;
    bp::numerical_gradient([&x] { return x.array().exp().sum(); }, bp::view(x));
    if (x != before)
        ADD_FAILURE() << "numerical_gradient changed x. Every element must be put back exactly as it was: save it, "
                         "const double saved = x(i), and restore it with x(i) = saved. Undoing the steps with arithmetic "
                         "(x(i) += h, then -= 2h, then += h) leaves a rounding error in the last digits.\n"
                      << "x before, all 17 digits:\n"
                      << bp_test::format_matrix_exactly(before) << "x after:\n"
                      << bp_test::format_matrix_exactly(x) << "after - before:\n"
                      << bp_test::format_matrix_exactly(x - before);
}

TEST(Ex4_1, MeasuresEverySlopeWithTheOtherElementsInPlace) {
    // f = (x_0 + x_1 + ... )^3 couples every element: the slope along x_i depends on all the
    // others, so it comes out right only if each one is back in place when x_i moves.
    Matrix x = (Matrix(2, 2) << 0.5, -0.25, 1.0, 0.75).finished();
    const Matrix start = x;
    const auto f = [&x] { return std::pow(x.sum(), 3); };
    const Matrix expected = Matrix::Constant(2, 2, 3 * std::pow(start.sum(), 2));  // df/dx_i = 3 (sum x)^2
    const Matrix got = bp::numerical_gradient(f, bp::view(x), 1e-4);
    // The same differences with each element left at x_i - h once its slope is taken.
    Matrix drift = start, not_restored(2, 2);
    for (bp::Index i = 0; i < drift.size(); ++i) {
        const double saved = drift(i);
        drift(i) = saved + 1e-4;
        const double plus = std::pow(drift.sum(), 3);
        drift(i) = saved - 1e-4;
        not_restored(i) = (plus - std::pow(drift.sum(), 3)) / 2e-4;
    }
    EXPECT_HOLDS(bp_test::matches_or_names_mistake(
        "numerical_gradient(f, x, 1e-4)", expected, got,
        {{"leaving each element at x_i - h instead of putting it back before the next one (every later slope is "
          "then measured at the wrong point)",
          not_restored}},
        1e-7))
        << "for f = (sum of x)^3 at x =\n"
        << bp_test::format_matrix(start);
}

TEST(Ex4_1, LetsWhatFThrowsThrough) {
    Matrix x = (Matrix(1, 3) << 0.1, 0.2, 0.3).finished();
    const Matrix before = x;
    bp::numerical_gradient([&x] { return x.sum(); }, bp::view(x));  // an unwritten exercise stops here
    // f refuses x(2) > 0.3, which only the step x(2) + h reaches, after two slopes were taken.
    const auto f = [&x] {
        if (x(2) > 0.3) throw std::domain_error("f is not defined there");
        return x.squaredNorm();
    };
    const std::string error = bp_test::error_of<std::domain_error>([&] { bp::numerical_gradient(f, bp::view(x), 1e-3); });
    if (error != "f is not defined there")
        ADD_FAILURE() << "numerical_gradient must let what f throws through: a slope where f cannot be evaluated is not a "
                         "number to return. Catch nothing (the given RestoreOnThrow puts x back), or rethrow with throw;\n"
                      << "  f threw std::domain_error(\"f is not defined there\") at x(2) + h; numerical_gradient threw: " << error << "\n";
    EXPECT_TRUE(x == before) << "after f threw, x is\n" << bp_test::format_matrix_exactly(x);
}

TEST(Ex4_1, IsCentralSoItsErrorShrinksLikeHSquared) {
    Matrix x = (Matrix(1, 3) << -1, 0.5, 2).finished();
    const Matrix expected = x.array().exp();  // before the call, which perturbs x
    const auto f = [&x] { return x.array().exp().sum(); };
    // With h = 1e-3 a central difference is off by about h^2/6 e^x (< 2e-6 here); a one-sided
    // difference by h/2 e^x (about 4e-3).
    const Matrix got = bp::numerical_gradient(f, bp::view(x), 1e-3);
    EXPECT_HOLDS(bp_test::matrices_near("numerical_gradient(f, x, 1e-3)", expected, got, 1e-5));
}

// ---- 4.2 relative_error ----

TEST(Ex4_2, GivesTheRelativeErrorOnSmallCases) {
    // One case a column: analytic a, numeric n, floor. Each usual mistake gets some of them wrong.
    const Matrix cases = (Matrix(3, 8) << 1, 2, -2, -1, 1e-12, 3e-3, 0, 5,  // a
                          2, 1, -1, 3, 0, 1e-3, 1e-3, 5,                    // n
                          1e-8, 1e-8, 1e-8, 1e-8, 1e-8, 0.5, 1e-8, 1e-8)    // floor
                             .finished();
    const auto each = [&](const std::function<double(double, double, double)>& formula) {
        Matrix out(1, cases.cols());
        for (bp::Index j = 0; j < cases.cols(); ++j) out(j) = formula(cases(0, j), cases(1, j), cases(2, j));
        return out;
    };
    const Matrix got = each([](double a, double n, double floor) { return bp::relative_error(a, n, floor); });
    // Two zeros never occur here, so each formula may divide as it is written.
    const Matrix expected = each([](double a, double n, double floor) {
        return std::abs(a - n) / std::max({std::abs(a), std::abs(n), floor});
    });
    using std::abs, std::max;
    const std::vector<bp_test::Mistake> mistakes = {
        {"The floor is not used: |a - n| / max(|a|, |n|) makes a difference of 1e-12 between 1e-12 and 0 an error of 1 (100 %)",
         each([](double a, double n, double) { return abs(a - n) / max(abs(a), abs(n)); })},
        {"The floor used is bp::gradcheck_floor (1e-8), not the floor given: the checker passes its own",
         each([](double a, double n, double) {
             return abs(a - n) / max({abs(a), abs(n), bp::gradcheck_floor});
         })},
        {"The absolute error |a - n|, not divided by anything: 1e-6 off is then as bad for a gradient of 10 as for one of 1e-6",
         each([](double a, double n, double) { return abs(a - n); })},
        {"Divided by |a| (and the floor) alone: the error must not depend on which of the two is called analytic, so divide by "
         "the larger of |a| and |n|",
         each([](double a, double n, double floor) { return abs(a - n) / max(abs(a), floor); })},
        {"Divided by |n| (and the floor) alone: the error must not depend on which of the two is called numeric, so divide by "
         "the larger of |a| and |n|",
         each([](double a, double n, double floor) { return abs(a - n) / max(abs(n), floor); })},
        {"Divided by |a| + |n|, a different convention (at most 1): this course divides by max(|a|, |n|, floor)",
         each([](double a, double n, double floor) { return abs(a - n) / max(abs(a) + abs(n), floor); })},
        {"Divided by the mean of |a| and |n|: this course divides by max(|a|, |n|, floor)",
         each([](double a, double n, double floor) { return abs(a - n) / max((abs(a) + abs(n)) / 2, floor); })},
        {"Divided by the smaller of |a| and |n|: divide by the larger, max(|a|, |n|, floor)",
         each([](double a, double n, double floor) { return abs(a - n) / max(std::min(abs(a), abs(n)), floor); })},
        {"The floor is added to the denominator, max(|a|, |n|) + floor: it is one more candidate for the maximum, "
         "max(|a|, |n|, floor)",
         each([](double a, double n, double floor) { return abs(a - n) / (max(abs(a), abs(n)) + floor); })},
        {"The denominator takes the maximum of a and n themselves, not of |a| and |n|: for two negative gradients that is the "
         "floor (or the wrong one)",
         each([](double a, double n, double floor) {
             return abs(a - n) / max({a, n, floor});
         })},
        {"The numerator is ||a| - |n||, not |a - n|: gradients of opposite signs look alike", each([](double a, double n, double floor) {
             return abs(abs(a) - abs(n)) / max({abs(a), abs(n), floor});
         })},
        {"The error has a sign, (a - n) / ...: take |a - n|", each([](double a, double n, double floor) {
             return (a - n) / max({abs(a), abs(n), floor});
         })},
        {"|a - n| was cut to a whole number (here 0 for every difference below 1): the difference went through an int (an "
         "abs that takes an int, such as C's abs(int), or a cast); std::abs(a - n) on the double keeps the fraction",
         each([](double a, double n, double floor) {
             return abs(std::trunc(a - n)) / max({abs(a), abs(n), floor});
         })},
        {"Below the floor the plain difference |a - n| is returned: it must be divided by the floor, |a - n| / floor",
         each(
             [](double a, double n, double floor) { return max(abs(a), abs(n)) < floor ? abs(a - n) : abs(a - n) / max(abs(a), abs(n)); })},
        {"Below the floor the error is 0: a difference there must still count, in units of the floor",
         each([](double a, double n, double floor) { return max(abs(a), abs(n)) < floor ? 0.0 : abs(a - n) / max(abs(a), abs(n)); })}};
    std::ostringstream table;
    table << "the cases, one a column (relative_error(a, n, floor)):\n  a:     " << cases.row(0) << "\n  n:     " << cases.row(1)
          << "\n  floor: " << cases.row(2) << "\n";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first("relative_error(a, n, floor) for each case", expected, got, mistakes,
                                                         "The relative error is |a - n| / max(|a|, |n|, floor).", 1e-12))
        << table.str();
}

TEST(Ex4_2, IsRelativeAndSymmetric) {
    EXPECT_DOUBLE_EQ(0.0, bp::relative_error(2.5, 2.5));
    EXPECT_DOUBLE_EQ(0.5, bp::relative_error(1.0, 2.0));
    EXPECT_DOUBLE_EQ(0.5, bp::relative_error(2.0, 1.0));
    EXPECT_NEAR(bp::relative_error(1e3, 1.001e3), bp::relative_error(1.0, 1.001), 1e-12) << "the same error at any scale";
}

TEST(Ex4_2, UsesTheFloorForTinyGradients) {
    EXPECT_EQ(0.0, bp::relative_error(0.0, 0.0)) << "0 / 0 must not happen";
    EXPECT_NEAR(1e-12 / bp::gradcheck_floor, bp::relative_error(1e-12, 0.0), 1e-15);
}

// ---- 4.3 check_dense_layer ----

// What a failed check of a correct layer says about the check itself: the likely mistake in
// check_dense_layer, read from the report ("" if it shows none).
std::string likely_mistake(const bp::GradientCheck& check) {
    if (check.passed || check.checked == 0) return "";
    if (check.threshold != bp::gradcheck_threshold || check.absolute_tolerance != bp::gradcheck_absolute_tolerance(check.loss))
        return "The check ran with a step or a threshold of its own: return check_gradients(params, loss, backward), with its "
               "defaults (h = 1e-5, threshold 1e-6).";
    const auto worst = [&](const std::string& name) {
        for (const auto& [parameter, error] : check.worst_by_parameter)
            if (parameter == name) return error;
        return 0.0;
    };
    const bool W_wrong = worst("W") > check.threshold, b_wrong = worst("b") > check.threshold,
               input_wrong = worst("a_prev") > check.threshold;
    if (check.parameter == "a_prev" && !W_wrong && !b_wrong) {
        if (check.analytic == 0)
            return "a_prev's analytic gradient is 0: keep what layer.backward(G) returns, dx = layer.backward(G), in the backward "
                   "closure.";
        if (check.numeric == 0)
            return "a_prev's numerical gradient is 0: moving it does not change the loss. Give bp::Parameter(\"a_prev\", x, dx) "
                   "the matrix x that the loss reads, not a copy of it.";
        if (std::abs(check.analytic + check.numeric) <= 1e-6 * std::abs(check.numeric))
            return "a_prev's analytic gradient has the wrong sign: dx = layer.backward(G), as it is.";
    }
    if ((check.parameter == "W" || check.parameter == "b") && check.analytic == 0)
        return "The analytic gradient of " + check.parameter +
               " is 0: layer.zero_grad() clears the gradients, so it must come before layer.backward(G), not after it.";
    if (W_wrong && b_wrong && input_wrong)
        return "Every gradient is off: the backward closure must call layer.backward(G) with the G the loss uses (dL/da = G), "
               "after layer.zero_grad() and layer.forward(x).";
    return "";
}

// A check that passes, or a failure whose first line says why: `why`, or the likely mistake
// in check_dense_layer that the report shows; then the report.
::testing::AssertionResult passes(const bp::GradientCheck& check, const std::string& why) {
    if (check.passed) return ::testing::AssertionSuccess();
    const std::string mistake = likely_mistake(check);
    return ::testing::AssertionFailure() << (mistake.empty() ? why : mistake) << "\n" << check.report();
}

// The names in the report, in order: "W, b, a_prev".
std::string names_in(const bp::GradientCheck& check) {
    std::string names;
    for (const auto& [name, error] : check.worst_by_parameter) names += (names.empty() ? "" : ", ") + name;
    return names;
}

TEST(Ex4_3, PassesForEveryActivationAndChecksTheInputToo) {
    for (Activation f : {Activation::identity, Activation::sigmoid, Activation::tanh, Activation::leaky_relu}) {
        bp::Rng rng(83);
        bp::Dense layer(4, 3, f, rng);
        const Matrix W = layer.W;
        const bp::GradientCheck check = bp::check_dense_layer(layer, rng.uniform_matrix(4, 5, -1, 1), rng);
        EXPECT_HOLDS(passes(check, "check_dense_layer failed a correct Dense layer with " + bp::to_string(f) + "."));
        if (names_in(check) != "W, b, a_prev")
            ADD_FAILURE() << "The report must name what was checked as W, b, a_prev: layer.parameters() (W and b), then "
                             "bp::Parameter(\"a_prev\", x, dx), in that order.\n"
                          << check.report();
        EXPECT_TRUE(layer.W == W) << "the check must leave the weights as they were";
        if (!check.passed || names_in(check) != "W, b, a_prev") break;  // one report is enough
    }
}

TEST(Ex4_3, ZeroesTheLayersGradientsBeforeItsBackward) {
    // A layer that has already run backward holds gradients. Backward ADDS into dW and db, so
    // the check's own backward must start from zero, or it reports the old gradients too.
    bp::Rng rng(84);
    bp::Dense layer(3, 2, Activation::tanh, rng);
    const Matrix x = rng.uniform_matrix(3, 4, -1, 1);
    bp::Dense fresh = layer;  // the same layer, without gradients
    const bp::GradientCheck on_fresh = bp::check_dense_layer(fresh, x, rng);
    if (const auto fresh_ok = passes(on_fresh, "check_dense_layer failed a correct tanh layer"); !fresh_ok) {
        ADD_FAILURE() << fresh_ok.message();
        return;
    }
    layer.dW.setConstant(0.5);  // what an earlier backward pass left
    layer.db.setConstant(-0.25);
    EXPECT_HOLDS(passes(bp::check_dense_layer(layer, x, rng),
                        "check_dense_layer failed a correct layer whose dW and db already held gradients from an earlier "
                        "backward pass. Backward adds into them: call layer.zero_grad() in your backward closure, before "
                        "layer.backward(G)."));
}

// A Dense layer whose backward pass has a small mistake: dW 0.1 % too large.
struct SlightlyWrongDense : bp::Dense {
    using bp::Dense::Dense;
    Matrix backward(const Matrix& da) override {
        const Matrix before = dW;
        Matrix da_prev = bp::Dense::backward(da);
        dW = before + 1.001 * (dW - before);
        return da_prev;
    }
};

TEST(Ex4_3, FailsALayerWhoseGradientsAreWrong) {
    // A checker that passes wrong gradients is no check: it must fail a layer whose dW is a
    // tenth of a percent off (a relative error of 1e-3, a thousand times the threshold), and
    // the layer of the find-the-bug exercise.
    bp::Rng rng(88);
    SlightlyWrongDense slightly(4, 3, Activation::tanh, rng);
    const Matrix x = rng.uniform_matrix(4, 5, -1, 1);
    const bp::GradientCheck check = bp::check_dense_layer(slightly, x, rng);
    if (check.passed)
        ADD_FAILURE() << "check_dense_layer passed a Dense layer whose backward pass makes dW 0.1 % too large: a check "
                         "that passes wrong gradients is no check. Return check_gradients(params, loss, backward) as it "
                         "comes, with its default step and threshold (h = 1e-5, 1e-6).\n"
                      << check.report();
    else if (check.parameter != "W")
        ADD_FAILURE() << "The worst element should be in W, the one gradient that is wrong (dW 0.1 % too large).\n" << check.report();
    bp::BuggySwishDense buggy(4, 3, rng);
    const bp::GradientCheck on_buggy = bp::check_dense_layer(buggy, x, rng);
    if (on_buggy.passed)
        ADD_FAILURE() << "check_dense_layer passed BuggySwishDense, whose backward pass has a mistake.\n" << on_buggy.report();
}

// ---- 4.4 find the bug: SwishDense::backward ----

// A SwishDense layer after a forward pass, stored here without chapter 1's code: z = W x + b,
// a = z ⊙ sigmoid(z).
bp::SwishDense swish_after_forward(const Matrix& W, const Matrix& b, const Matrix& x) {
    bp::SwishDense layer(W, b.col(0));
    layer.a_prev = x;
    layer.z = (W * x).colwise() + b.col(0);
    layer.a = (layer.z.array() / (1.0 + (-layer.z.array()).exp())).matrix();
    layer.has_forward = true;
    return layer;
}

TEST(Ex4_4, GivesSwishPrimeWhereItIsKnown) {
    // With W = I, b = 0 and da = 1, z is the input and db = dz = f'(z): the derivative itself,
    // at points where it is easy to work out (f'(0) = 1/2).
    const Matrix z = bp_test::col({-3, -1, 0, 1, 3});
    bp::SwishDense layer = swish_after_forward(Matrix::Identity(5, 5), Matrix::Zero(5, 1), z);
    layer.backward(Matrix::Ones(5, 1));
    const Eigen::ArrayXXd s = bp_test::sigmoid_of(z).array(), zs = z.array();
    const Matrix expected = s + zs * s * (1 - s);
    Matrix nan_at_0 = expected;
    nan_at_0(2) = std::nan("");
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "db", expected, Matrix(layer.db),
        {{"This is the given BuggySwishDense::backward: its mistake is still there. Work out f'(z) for f(z) = z sigmoid(z) "
          "with the product rule, and compare it with the code",
          Matrix(s + zs * (1 - s))},
         {"f'(z) = sigmoid(z): the product rule's second term, z sigmoid'(z), is missing", Matrix(s)},
         {"f'(z) = sigmoid'(z) = s (1 - s): that is the sigmoid's derivative, not that of z sigmoid(z)", Matrix(s * (1 - s))},
         {"f'(z) = z sigmoid'(z): the product rule's first term, sigmoid(z), is missing", Matrix(zs * s * (1 - s))},
         {"f'(z) = sigmoid(z) - z sigmoid'(z): the product rule adds its two terms", Matrix(s - zs * s * (1 - s))},
         {"NaN at z = 0 only: sigmoid(z) computed as a / z, which is 0 / 0 there; take sigmoid(z)", nan_at_0}},
        "SiLU's derivative is f'(z) = s + z s (1 - s) with s = sigmoid(z): 1/2 at z = 0."))
        << "for z = (-3, -1, 0, 1, 3) as one column (W = I, b = 0) and da = 1, so that db = f'(z)";
}

TEST(Ex4_4, MatchesFiniteDifferencesForEveryParameterAndTheInput) {
    bp::Rng rng(85);
    const Matrix W0 = rng.uniform_matrix(3, 4, -1, 1), b0 = rng.uniform_matrix(3, 1, -0.5, 0.5);
    Matrix x = rng.uniform_matrix(4, 5, -2, 2);
    const Matrix G = rng.uniform_matrix(3, 5, -1, 1);
    BP_INPUTS(W0, b0, x, G);
    bp::SwishDense layer = swish_after_forward(W0, b0, x);
    const Matrix dx = layer.backward(G);

    // The tests' own slopes of L = sum(G ⊙ a), with a = z ⊙ sigmoid(z) written out here.
    Matrix W = W0, b = b0;
    const auto L = [&] {
        const Eigen::ArrayXXd z = ((W * x).colwise() + b.col(0)).array();
        return (G.array() * z / (1.0 + (-z).exp())).sum();
    };
    const Matrix dW_numeric = bp_test::slopes(L, W), db_numeric = bp_test::slopes(L, b), dx_numeric = bp_test::slopes(L, x);

    // The planted mistake and others of the same kind, with their gradients.
    const Eigen::ArrayXXd z = layer.z.array(), s = 1.0 / (1.0 + (-z).exp()), s_prime = s * (1.0 - s);
    const auto from_dz = [&](const Matrix& dz) { return std::vector<Matrix>{dz * x.transpose(), dz.rowwise().sum(), W0.transpose() * dz}; };
    const auto gradients = [&](const Eigen::ArrayXXd& f_prime) { return from_dz((G.array() * f_prime).matrix()); };
    const std::vector<Matrix> planted = gradients(s + z * (1.0 - s)), no_product_rule = gradients(s), sigmoid_only = gradients(s_prime),
                              no_s_term = gradients(z * s_prime), minus = gradients(s - z * s_prime),
                              no_da = from_dz((s + z * s_prime).matrix());
    const auto mistakes = [&](std::size_t k) {
        std::vector<bp_test::Mistake> known = {
            {"the given BuggySwishDense::backward: its mistake is still there", planted[k]},
            {"f'(z) = sigmoid(z), without the product rule's second term z ⊙ sigmoid'(z)", no_product_rule[k]},
            {"f'(z) = sigmoid'(z), the derivative of the sigmoid rather than of z ⊙ sigmoid(z)", sigmoid_only[k]},
            {"f'(z) = z ⊙ sigmoid'(z), without the product rule's first term sigmoid(z)", no_s_term[k]},
            {"f'(z) = sigmoid(z) - z ⊙ sigmoid'(z): the product rule adds its two terms", minus[k]},
            {"dz = f'(z) without the factor da: the chain rule multiplies by the gradient that arrives, dz = da ⊙ f'(z)", no_da[k]}};
        if (k == 2) known.push_back({"da_prev = W^T da: it is W^T dz, with dz = da ⊙ f'(z)", Matrix(W0.transpose() * G)});
        return known;
    };
    const std::string layer_text = "for a SwishDense layer (a = z ⊙ sigmoid(z)) with W =\n" + bp_test::format_matrix(W0);
    EXPECT_HOLDS(bp_test::matches_or_names_mistake("dW", dW_numeric, layer.dW, mistakes(0), 1e-7)) << layer_text;
    EXPECT_HOLDS(bp_test::matches_or_names_mistake("db", db_numeric, Matrix(layer.db), mistakes(1), 1e-7)) << layer_text;
    EXPECT_HOLDS(bp_test::matches_or_names_mistake("da_prev", dx_numeric, dx, mistakes(2), 1e-7)) << layer_text;
}

TEST(Ex4_4, TwoBackwardPassesAddUp) {
    bp::Rng rng(86);
    bp::SwishDense layer =
        swish_after_forward(rng.uniform_matrix(2, 3, -1, 1), rng.uniform_matrix(2, 1, -1, 1), rng.uniform_matrix(3, 4, -1, 1));
    const Matrix da = rng.uniform_matrix(2, 4, -1, 1);
    layer.backward(da);
    const Matrix once = layer.dW;
    layer.backward(da);
    EXPECT_MATRIX_NEAR(Matrix(2 * once), layer.dW) << "backward adds into dW, as every layer's does; zero_grad() clears it";
}

TEST(Ex4_4, YourCheckerPassesTheFixedLayer) {
    bp::Rng rng(87);
    const Matrix x = rng.uniform_matrix(4, 6, -2, 2);
    bp::SwishDense layer = swish_after_forward(rng.uniform_matrix(3, 4, -1, 1), Matrix::Zero(3, 1), x);
    layer.backward(Matrix::Zero(3, 6));  // your backward first, so that an unwritten one stops here
    const bp::GradientCheck check = bp::check_dense_layer(layer, x, rng);
    EXPECT_TRUE(check.passed) << "check_dense_layer on your SwishDense:\n" << check.report();
}

}  // namespace
