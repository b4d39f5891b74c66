// Chapter 4 property tests: finite differences, the relative error, and a layer's check.
#include "check.hpp"

#include "bp/check/gradcheck.hpp"
#include "swish_dense.hpp"

#include <cmath>

namespace {

using bp::Activation;
using bp::Matrix;

// ---- 4.1 numerical_gradient ----

TEST(Ex4_1, GivesTwoXForTheSumOfSquares) {
    Matrix x = bp::Rng(81).uniform_matrix(3, 2, -2, 2);
    BP_INPUTS(x);
    const Matrix expected = 2 * x;  // before the call, which perturbs x
    const auto f = [&x] { return x.squaredNorm(); };
    const Matrix got = bp::numerical_gradient(f, bp::view(x));
    EXPECT_HOLDS(bp_test::matrices_near("numerical_gradient", expected, got, 1e-8));
}

TEST(Ex4_1, LeavesXExactlyAsItWas) {
    Matrix x = bp::Rng(82).uniform_matrix(2, 3, -1, 1);
    BP_INPUTS(x);
    const Matrix before = x;
    bp::numerical_gradient([&x] { return x.array().exp().sum(); }, bp::view(x));
    EXPECT_TRUE(x == before) << "numerical_gradient changed x. Every element must be put back exactly as it was: save it, "
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

TEST(Ex4_3, ZeroesTheLayersGradientsBeforeItsBackward) {
    // A layer that has already run backward holds gradients. Backward ADDS into dW and db, so
    // the check's own backward must start from zero, or it reports the old gradients too.
    bp::Rng rng(84);
    bp::Dense layer(3, 2, Activation::tanh, rng);
    const Matrix x = rng.uniform_matrix(3, 4, -1, 1);
    layer.dW.setConstant(0.5);  // what an earlier backward pass left
    layer.db.setConstant(-0.25);
    const bp::GradientCheck check = bp::check_dense_layer(layer, x, rng);
    EXPECT_TRUE(check.passed) << "check_dense_layer on a layer whose dW and db already held gradients from an earlier backward pass. "
                                 "Backward adds into them: call layer.zero_grad() in your backward closure, before layer.backward(G).\n"
                              << check.report();
}

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

    // Three mistakes, with their gradients: the planted one, and two more of the same kind.
    const Eigen::ArrayXXd z = layer.z.array(), s = 1.0 / (1.0 + (-z).exp());
    const auto gradients = [&](const Eigen::ArrayXXd& f_prime) {
        const Matrix dz = (G.array() * f_prime).matrix();
        return std::vector<Matrix>{dz * x.transpose(), dz.rowwise().sum(), W0.transpose() * dz};
    };
    const std::vector<Matrix> planted = gradients(s + z * (1.0 - s)), no_product_rule = gradients(s),
                              sigmoid_only = gradients(s * (1.0 - s));
    const auto mistakes = [&](std::size_t k) {
        return std::vector<bp_test::Mistake>{
            {"the given BuggySwishDense::backward: its mistake is still there", planted[k]},
            {"f'(z) = sigmoid(z), without the product rule's second term z ⊙ sigmoid'(z)", no_product_rule[k]},
            {"f'(z) = sigmoid'(z), the derivative of the sigmoid rather than of z ⊙ sigmoid(z)", sigmoid_only[k]}};
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
