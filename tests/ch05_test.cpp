// Chapter 5 property tests: what each optimizer's first steps must be, the schedules' ends,
// and clipping.
#include "check.hpp"

#include "bp/optimizers.hpp"

#include <cmath>

namespace {

using bp::Matrix;

// One parameter w with a fixed gradient g, stepped by an optimizer.
struct OneParameter {
    Matrix w = (Matrix(1, 3) << 1.0, -2.0, 0.5).finished();
    Matrix g = (Matrix(1, 3) << 0.5, -1.0, 2.0).finished();
    std::vector<bp::Parameter> params() { return {bp::Parameter("w", w, g)}; }
};

// The inputs, for failure messages.
const char* const start = "starting from w = (1, -2, 0.5) with the gradient g = (0.5, -1, 2)";

TEST(Ex5_1, StepsAgainstTheGradient) {
    OneParameter p;
    const Matrix w0 = p.w;
    bp::Sgd(0.1).step(p.params());
    EXPECT_MATRIX_NEAR(Matrix(w0 - 0.1 * p.g), p.w) << "w - lr g with lr = 0.1, " << start;
}

TEST(Ex5_2, ConstantGradientsBuildUpVelocity) {
    OneParameter p;
    const Matrix w0 = p.w;
    bp::Momentum opt(0.1, 0.9);
    opt.step(p.params());
    opt.step(p.params());
    // v1 = g, v2 = 0.9 g + g: the second step is 1.9 times the first
    EXPECT_MATRIX_NEAR(Matrix(w0 - 0.1 * (1 + 1.9) * p.g), p.w) << "two steps with the same g, lr = 0.1, beta = 0.9, " << start;
}

TEST(Ex5_3, LooksAheadByOneMomentumStep) {
    OneParameter p;
    const Matrix w0 = p.w;
    bp::Nesterov(0.1, 0.9).step(p.params());
    // v1 = g; the step is lr (g + 0.9 v1) = 1.9 lr g
    EXPECT_MATRIX_NEAR(Matrix(w0 - 0.1 * 1.9 * p.g), p.w) << "the first step from v = 0, lr = 0.1, beta = 0.9, " << start;
}

TEST(Ex5_4, DividesByTheRootMeanSquare) {
    OneParameter p;
    const Matrix w0 = p.w;
    bp::RmsProp(0.01, 0.9, 1e-8).step(p.params());
    // s = 0.1 g^2, so the step is lr g / (sqrt(0.1) |g| + eps): about lr sign(g) / sqrt(0.1)
    const Matrix expected = (w0.array() - 0.01 * p.g.array() / (std::sqrt(0.1) * p.g.array().abs() + 1e-8)).matrix();
    EXPECT_MATRIX_NEAR(expected, p.w) << "the first step from s = 0, lr = 0.01, rho = 0.9, " << start;
}

TEST(Ex5_5, BiasCorrectionMakesTheFirstStepLrTimesTheSign) {
    OneParameter p;
    const Matrix w0 = p.w;
    bp::Adam opt(0.01);
    opt.step(p.params());
    const Matrix expected = (w0.array() - 0.01 * p.g.array() / (p.g.array().abs() + 1e-8)).matrix();
    EXPECT_MATRIX_NEAR(expected, p.w) << "m_hat = g and v_hat = g^2 after one step, lr = 0.01, " << start;
    EXPECT_EQ(opt.t, 1);
}

TEST(Ex5_6, DecaysTheWeightsApartFromTheGradient) {
    OneParameter p;
    p.g.setZero();
    const Matrix w0 = p.w;
    bp::AdamW(0.01, 0.1).step(p.params());
    EXPECT_MATRIX_NEAR(Matrix(w0 * (1 - 0.01 * 0.1)), p.w) << "with g = 0, only the decay w <- w - lr lambda w acts";
}

TEST(Ex5_6, ShrinksFirstThenTakesAdamsStep) {
    OneParameter p;
    const Matrix w0 = p.w, g0 = p.g;
    bp::AdamW(0.1, 0.5).step(p.params());
    // decay first: w0 (1 - lr lambda), then Adam's first step, lr g / (|g| + eps)
    const Matrix expected = (w0.array() * (1 - 0.1 * 0.5) - 0.1 * g0.array() / (g0.array().abs() + 1e-8)).matrix();
    EXPECT_MATRIX_NEAR(expected, p.w) << "lr = 0.1, weight_decay = 0.5, " << start
                                      << "; decaying after Adam's step, or through the gradient, gives other numbers";
    EXPECT_TRUE(p.g == g0) << "step must not change the gradient; got g = " << p.g;
}

TEST(Ex5_7, DropsByGammaEveryFewEpochs) {
    EXPECT_DOUBLE_EQ(0.1, bp::step_schedule(0.1, 0, 2, 0.5));
    EXPECT_DOUBLE_EQ(0.1, bp::step_schedule(0.1, 1, 2, 0.5));
    EXPECT_DOUBLE_EQ(0.05, bp::step_schedule(0.1, 2, 2, 0.5));
    EXPECT_DOUBLE_EQ(0.025, bp::step_schedule(0.1, 5, 2, 0.5));
}

TEST(Ex5_8, GoesFromLr0ToLrMinAlongHalfACosine) {
    EXPECT_NEAR(0.1, bp::cosine_schedule(0.1, 0, 100, 0.0), 1e-15);
    EXPECT_NEAR(0.05, bp::cosine_schedule(0.1, 50, 100, 0.0), 1e-15);
    EXPECT_NEAR(0.01, bp::cosine_schedule(0.1, 100, 100, 0.01), 1e-15);
    EXPECT_NEAR(0.01, bp::cosine_schedule(0.1, 150, 100, 0.01), 1e-15) << "after the end it stays at lr_min";
}

TEST(Ex5_9, ScalesEveryGradientByOneFactor) {
    Matrix w = Matrix::Zero(1, 2), g = (Matrix(1, 2) << 3, 0).finished(), v = Matrix::Zero(1, 1), h = Matrix::Constant(1, 1, 4);
    const double norm = bp::clip_grad_norm({bp::Parameter("w", w, g), bp::Parameter("v", v, h)}, 1.0);
    EXPECT_DOUBLE_EQ(5.0, norm) << "the global norm of (3, 0) and (4) is 5";
    EXPECT_MATRIX_NEAR((Matrix(1, 2) << 0.6, 0).finished(), g) << "gradients (3, 0) and (4) clipped to a global norm of 1";
    EXPECT_MATRIX_NEAR(Matrix::Constant(1, 1, 0.8), h) << "gradients (3, 0) and (4) clipped to a global norm of 1";
}

TEST(Ex5_9, LeavesSmallGradientsAlone) {
    Matrix w = Matrix::Zero(1, 2), g = (Matrix(1, 2) << 0.3, 0.4).finished();
    EXPECT_DOUBLE_EQ(0.5, bp::clip_grad_norm({bp::Parameter("w", w, g)}, 1.0));
    EXPECT_MATRIX_NEAR((Matrix(1, 2) << 0.3, 0.4).finished(), g);
}

}  // namespace
