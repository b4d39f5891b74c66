// Chapter 4 property tests: finite differences, the relative error, and a layer's check.
#include "check.hpp"

#include "bp/gradcheck.hpp"

#include <cmath>

namespace {

using bp::Activation;
using bp::Matrix;

// ---- 4.1 numerical_gradient ----

TEST(Ex4_1, GivesTwoXForTheSumOfSquares) {
    Matrix x = bp::Rng(81).uniform_matrix(3, 2, -2, 2);
    const Matrix expected = 2 * x;  // before the call, which perturbs x
    const auto f = [&x] { return x.squaredNorm(); };
    const Matrix got = bp::numerical_gradient(f, bp::view(x));
    EXPECT_HOLDS(bp_test::matrices_near("numerical_gradient", expected, got, 1e-8));
}

TEST(Ex4_1, LeavesXExactlyAsItWas) {
    Matrix x = bp::Rng(82).uniform_matrix(2, 3, -1, 1);
    const Matrix before = x;
    bp::numerical_gradient([&x] { return x.array().exp().sum(); }, bp::view(x));
    EXPECT_TRUE(x == before) << "x after:\n" << bp_test::format_matrix(x) << "x before:\n" << bp_test::format_matrix(before);
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

TEST(Ex4_3, PassesForEveryActivationAndChecksTheInputToo) {
    for (Activation f : {Activation::identity, Activation::sigmoid, Activation::tanh, Activation::leaky_relu}) {
        bp::Rng rng(83);
        bp::Dense layer(4, 3, f, rng);
        const Matrix W = layer.W;
        const bp::GradientCheck check = bp::check_dense_layer(layer, rng.uniform_matrix(4, 5, -1, 1), rng);
        EXPECT_TRUE(check.passed) << bp::to_string(f) << ": " << check.report();
        ASSERT_EQ(check.worst_by_parameter.size(), 3u) << check.report();
        EXPECT_EQ(check.worst_by_parameter[0].first, "W");
        EXPECT_EQ(check.worst_by_parameter[1].first, "b");
        EXPECT_EQ(check.worst_by_parameter[2].first, "a_prev");
        EXPECT_TRUE(layer.W == W) << "the check must leave the weights as they were";
    }
}

}  // namespace
