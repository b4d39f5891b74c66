// The gradient checker itself: its mixed absolute and relative test passes the tiny but
// correct gradients of a deep sigmoid network and still catches a bug there; a check of
// nothing fails; a loss that throws leaves the parameters as they were.
#include "check.hpp"

#include "bp/check/gradcheck.hpp"
#include "bp/core/loss.hpp"
#include "bp/layers/mlp.hpp"

#include <cmath>
#include <functional>
#include <stdexcept>

namespace {

using bp::Activation;
using bp::Matrix;

// A 10-layer sigmoid network of width 8 with softmax cross-entropy: each layer multiplies the
// gradient by at most 1/4 times its weights, so the first layers' gradients are around 1e-7
// and some of their elements below 1e-8, the round-off of central differences about 2e-11.
struct DeepSigmoid {
    bp::Rng rng{61};
    bp::Mlp net{{4, 8, 8, 8, 8, 8, 8, 8, 8, 8, 3}, Activation::sigmoid, Activation::identity, rng};  // logits out
    Matrix x = rng.uniform_matrix(4, 6, -1, 1), y = bp_test::one_hot(rng, 3, 6);

    // `mistake` may change the gradients after the backward pass, as a bug would.
    bp::GradientCheck check(const std::function<void(bp::Mlp&)>& mistake = [](bp::Mlp&) {}) {
        const auto loss = [&] { return bp::softmax_cross_entropy_loss(net.forward(x), y); };
        const auto backward = [&] {
            net.zero_grad();
            net.backward(bp::softmax_cross_entropy_grad(net.forward(x), y));
            mistake(net);
        };
        return bp::check_gradients(net.parameters(), loss, backward);
    }
};

TEST(Ch04Checker, PassesTheTinyCorrectGradientsOfADeepSigmoidNetwork) {
    DeepSigmoid deep;
    const bp::GradientCheck c = deep.check();
    EXPECT_TRUE(c.passed) << c.report();
    EXPECT_EQ(c.checked, (8 * 4 + 8) + 8 * (8 * 8 + 8) + (3 * 8 + 3)) << c.report();
    // The point of the test: gradients this small failed a purely relative test with a floor of 1e-8.
    const double largest = deep.net.dense(0).dW.cwiseAbs().maxCoeff(), smallest = deep.net.dense(0).dW.cwiseAbs().minCoeff();
    EXPECT_LT(largest, 1e-6);
    EXPECT_LT(smallest, 1e-8);
}

TEST(Ch04Checker, StillCatchesABugInAnEarlyLayerOfTheDeepNetwork) {
    DeepSigmoid deep;
    const bp::GradientCheck doubled = deep.check([](bp::Mlp& net) { net.dense(1).dW *= 2; });
    EXPECT_FALSE(doubled.passed) << doubled.report();
    EXPECT_EQ(doubled.parameter, "layer2.W") << doubled.report();
    const bp::GradientCheck sign = deep.check([](bp::Mlp& net) { net.dense(0).db = -net.dense(0).db; });
    EXPECT_FALSE(sign.passed) << sign.report();
    EXPECT_EQ(sign.parameter, "layer1.b") << sign.report();
    // A tenth too much in the first layer's weights, whose gradients are below 1e-6.
    const bp::GradientCheck slightly = deep.check([](bp::Mlp& net) { net.dense(0).dW *= 1.1; });
    EXPECT_FALSE(slightly.passed) << slightly.report();
    EXPECT_EQ(slightly.parameter, "layer1.W") << slightly.report();
}

TEST(Ch04Checker, AbsoluteBelowTheFloorRelativeAbove) {
    // For a loss of order 1 and h = 1e-5: |a - n| up to about 2e-9 is round-off, not a bug.
    const double tolerance = bp::gradcheck_absolute_tolerance(0.5);
    EXPECT_NEAR(100 * 2.220446e-16 / 1e-5, tolerance, 1e-12);
    EXPECT_EQ(tolerance, bp::gradcheck_absolute_tolerance(-1.0)) << "below 1, the loss's own size does not count";
    EXPECT_NEAR(10 * tolerance, bp::gradcheck_absolute_tolerance(10.0), 1e-15);

    Matrix p = (Matrix(1, 3) << 1e-9, 2.0, 3.0).finished(), dp = Matrix::Zero(1, 3);
    const std::vector<bp::Parameter> params = {bp::Parameter("p", p, dp)};
    const auto loss = [&] { return 0.5 * p.squaredNorm(); };  // dL/dp = p
    const bp::GradientCheck exact = bp::check_gradients(params, loss, [&] { dp = p; });
    EXPECT_TRUE(exact.passed) << exact.report();
    EXPECT_NEAR(exact.floor, exact.absolute_tolerance / bp::gradcheck_threshold, 1e-18);
    // 1e-9 twice over is below what central differences resolve: not a failure...
    EXPECT_TRUE(bp::check_gradients(params, loss, [&] {
                    dp = p;
                    dp(0) = 2e-9;
                }).passed);
    // ...but 1e-6 off is, however small the gradient, and so is a relative 1e-5 on 2.
    const bp::GradientCheck off = bp::check_gradients(params, loss, [&] {
        dp = p;
        dp(0) = 1e-6;
    });
    EXPECT_FALSE(off.passed) << off.report();
    EXPECT_EQ(off.col, 0);
    EXPECT_FALSE(bp::check_gradients(params, loss, [&] {
                     dp = p;
                     dp(1) = 2.00002;
                 }).passed);
}

TEST(Ch04Checker, FailsWhenItChecksNothing) {
    const auto loss = [] { return 1.0; };
    const auto backward = [] {};
    const bp::GradientCheck none = bp::check_gradients({}, loss, backward);
    EXPECT_FALSE(none.passed);
    EXPECT_NE(none.report().find("nothing was checked (no parameters)"), std::string::npos) << none.report();
    Matrix empty, d_empty;
    const bp::GradientCheck empties = bp::check_gradients({bp::Parameter("empty", empty, d_empty)}, loss, backward);
    EXPECT_FALSE(empties.passed);
    EXPECT_NE(empties.report().find("every parameter is empty"), std::string::npos) << empties.report();
}

TEST(Ch04Checker, FailsForALossThatIsNotFinite) {
    Matrix p = Matrix::Ones(1, 2), dp = Matrix::Zero(1, 2);
    const bp::GradientCheck c = bp::check_gradients(
        {bp::Parameter("p", p, dp)}, [] { return std::nan(""); }, [] {});
    EXPECT_FALSE(c.passed);
    EXPECT_NE(c.report().find("the loss is nan"), std::string::npos) << c.report();
}

TEST(Ch04Checker, RestoresTheParametersWhenTheLossThrows) {
    Matrix p = (Matrix(2, 2) << 0.1, 0.2, 0.3, 0.4).finished(), dp = Matrix::Zero(2, 2);
    const Matrix before = p;
    // The loss refuses a value that only a perturbation of p(1, 0) gives, midway through.
    const auto loss = [&] {
        if (p(1, 0) > 0.3) throw std::domain_error("the loss is not defined there");
        return p.sum();
    };
    EXPECT_THROW(bp::check_gradients({bp::Parameter("p", p, dp)}, loss, [&] { dp.setOnes(); }), std::domain_error);
    EXPECT_TRUE(p == before) << "after the exception, p is\n" << bp_test::format_matrix(p);
}

TEST(Ch04Checker, RefusesABadStepAndSaysWhenNothingCanBeCompared) {
    Matrix p = Matrix::Ones(1, 2), dp = Matrix::Zero(1, 2);
    const auto loss = [&] { return p.sum(); };
    const auto backward = [&] { dp.setOnes(); };
    EXPECT_ERROR_MENTIONS(bp::check_gradients({bp::Parameter("p", p, dp)}, loss, backward, HUGE_VAL),
                          "check_gradients: the step h must be positive and finite, got inf");
    EXPECT_ERROR_MENTIONS(bp::gradcheck_absolute_tolerance(1.0, 0.0),
                          "gradcheck_absolute_tolerance: the step h must be positive and finite, got 0");
    // A threshold so small that the floor (absolute tolerance / threshold) overflows: nothing
    // can be compared, and the report says so rather than passing everything.
    const bp::GradientCheck tiny = bp::check_gradients({bp::Parameter("p", p, dp)}, loss, backward, 1e-5, 1e-320);
    EXPECT_FALSE(tiny.passed);
    EXPECT_MENTIONS(tiny.report(), "the floor below which the test is absolute is inf, so nothing can be compared");
}

// numerical_gradient's given lines (around exercise 4.1): a bad step is refused, and x is put
// back when f throws. On the stub, the first holds and the second waits for exercise 4.1.
TEST(Ch04NumericalGradient, RefusesAStepThatIsNotPositiveAndFinite) {
    Matrix x = Matrix::Ones(2, 2);
    const auto f = [&x] { return x.sum(); };
    for (const double h : {HUGE_VAL, -HUGE_VAL, std::nan(""), 0.0, -1e-5})
        EXPECT_ERROR_MENTIONS(bp::numerical_gradient(f, bp::view(x), h), "numerical_gradient: the step h must be positive and finite, got");
    EXPECT_ERROR_MENTIONS(bp::numerical_gradient(f, bp::view(x), HUGE_VAL), "got inf");
    EXPECT_ERROR_MENTIONS(bp::numerical_gradient(f, bp::view(x), std::nan("")), "got nan");
    EXPECT_TRUE(x == Matrix::Ones(2, 2));
}

TEST(Ch04NumericalGradient, PutsXBackWhenFThrowsMidway) {
    Matrix x = (Matrix(2, 2) << 0.1, 0.2, 0.3, 0.4).finished();
    const Matrix before = x;
    // f refuses a value that only a perturbation of x(1, 0) gives: after x(0, 0) was measured.
    const auto f = [&] {
        if (x(1, 0) > 0.3) throw std::domain_error("f is not defined there");
        return x.squaredNorm();
    };
    EXPECT_ERROR_MENTIONS(bp::numerical_gradient(f, bp::view(x), 1e-3), "f is not defined there");
    EXPECT_TRUE(x == before) << "after the exception, x is\n" << bp_test::format_matrix_exactly(x);
}

// relative_error's given lines (around exercise 4.2): two zeros agree whatever the floor, and a
// floor that is not a finite number >= 0 is refused.
TEST(Ch04RelativeError, TwoZerosAgreeAndABadFloorIsRefused) {
    EXPECT_EQ(0.0, bp::relative_error(0.0, 0.0, 0.0)) << "0 / 0 with a floor of 0: two zeros agree";
    EXPECT_EQ(0.0, bp::relative_error(-0.0, 0.0, 0.0));
    EXPECT_ERROR_MENTIONS(bp::relative_error(1.0, 2.0, std::nan("")), "relative_error: the floor must be finite and >= 0, got nan");
    EXPECT_ERROR_MENTIONS(bp::relative_error(1.0, 2.0, -1e-8), "relative_error: the floor must be finite and >= 0, got -1e-08");
    EXPECT_ERROR_MENTIONS(bp::relative_error(1.0, 2.0, HUGE_VAL), "relative_error: the floor must be finite and >= 0, got inf");
}

}  // namespace
