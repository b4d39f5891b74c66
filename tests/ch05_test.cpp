// Chapter 5 property tests: what each optimizer's first steps must be, the schedules' ends,
// and clipping.
#include "check.hpp"

#include "bp/layers/mlp.hpp"
#include "bp/train/optimizers.hpp"
#include "bp/train/train.hpp"
#include "bp/train/training_step.hpp"

#include <cmath>
#include <functional>
#include <iomanip>
#include <sstream>
#include <string>

namespace {

using bp::Matrix;

// One parameter w with a fixed gradient g, stepped by an optimizer.
struct OneParameter {
    Matrix w = (Matrix(1, 3) << 1.0, -2.0, 0.5).finished();
    Matrix g = (Matrix(1, 3) << 0.5, -1.0, 2.0).finished();
    std::vector<bp::Parameter> params() { return {bp::Parameter("w", w, g)}; }
};

// The inputs, for failure messages.
const char* const starting_point = "starting from w = (1, -2, 0.5) with the gradient g = (0.5, -1, 2)";

// w after optimizer steps, element by element: w0 - (the steps' sum) as an expression of g.
Matrix minus(const Matrix& w0, const Eigen::ArrayXXd& step) { return (w0.array() - step).matrix(); }

TEST(Ex5_1, StepsAgainstTheGradient) {
    OneParameter p;
    const Matrix w0 = p.w, g = p.g;
    bp::Sgd(0.1).step(p.params());
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "w after one step", Matrix(w0 - 0.1 * g), p.w,
        {{"expected w - lr g, got w - g: that is the step without the learning rate; the page says w <- w - lr g; in Sgd::step "
          "(exercise 5.1)",
          Matrix(w0 - g)},
         {"expected w - lr g, got w + lr g: that is a step up the gradient, the sign turned; the page says w <- w - lr g; in "
          "Sgd::step (exercise 5.1)",
          Matrix(w0 + 0.1 * g)},
         {"expected w - lr g, got -lr g: that is w = -lr g, the step assigned instead of subtracted; the page says "
          "w <- w - lr g (p.value() -= ...); in Sgd::step (exercise 5.1)",
          Matrix(-0.1 * g)}}))
        << "lr = 0.1, " << starting_point;
}

TEST(Ex5_2, ConstantGradientsBuildUpVelocity) {
    OneParameter p;
    const Matrix w0 = p.w;
    const Eigen::ArrayXXd g = p.g.array();
    bp::Momentum opt(0.1, 0.9);
    opt.step(p.params());
    opt.step(p.params());
    // v1 = g, v2 = 0.9 g + g: the second step is 1.9 times the first
    const std::string in = "; the page says v <- beta v + g, then w <- w - lr v; in Momentum::step (exercise 5.2)";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "w after two steps", minus(w0, 0.1 * 2.9 * g), p.w,
        {{"expected steps of lr v, got steps of v: that is the step without the learning rate" + in, minus(w0, 2.9 * g)},
         {"expected w - lr v, got w + lr v: that is a step up the gradient, the sign turned" + in, minus(w0, -0.29 * g)},
         {"expected v = beta v + g, got v = beta v + (1 - beta) g: that is an average of the gradients, ten times smaller "
          "(PyTorch's dampening)" +
              in,
          minus(w0, 0.1 * (0.1 + 0.19) * g)},
         {"expected v = beta v + g, got v = (1 - beta) v + beta g: that is beta and 1 - beta swapped" + in,
          minus(w0, 0.1 * (0.9 + 0.99) * g)},
         {"expected v = beta v + g, got v = v + beta g: that is beta on the gradient instead of the velocity" + in,
          minus(w0, 0.1 * (0.9 + 1.8) * g)},
         {"expected steps of lr v with v updated first, got w stepped before v is updated: that is the step taken with the "
          "last step's velocity (0 at the first step)" +
              in,
          minus(w0, 0.1 * g)},
         {"expected the velocity to grow from step to step, got two steps of lr g: that is a velocity that is not kept; "
          "write into v, the reference to velocity.at(p.name), not into a copy" +
              in,
          minus(w0, 0.2 * g)}}))
        << "two steps with the same g, lr = 0.1, beta = 0.9, " << starting_point;
}

TEST(Ex5_2, KeepsTheLearningRateOutOfTheVelocity) {
    // A schedule changes lr between steps: v, the sum of past gradients, must not carry the old lr.
    OneParameter p;
    const Matrix w0 = p.w;
    bp::Momentum opt(0.1, 0.9);
    opt.step(p.params());
    opt.lr = 0.05;
    opt.step(p.params());
    // v1 = g, w1 = w0 - 0.1 g; v2 = 0.9 g + g = 1.9 g, w2 = w1 - 0.05 (1.9 g)
    const Matrix expected = w0 - (0.1 + 0.05 * 1.9) * p.g;
    // v <- beta v - lr g; w <- w + v: v1 = -0.1 g, v2 = -(0.9 (0.1) + 0.05) g
    const Matrix lr_in_velocity = w0 - (0.1 + 0.9 * 0.1 + 0.05) * p.g;
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "w after two steps", expected, p.w,
        {{"The velocity holds lr (v <- beta v - lr g; w <- w + v): the same steps while lr stays put, but when a schedule "
          "changes lr, the velocity still carries the old one. The page keeps v <- beta v + g and multiplies by lr in the step, "
          "w <- w - lr v (section Momentum)",
          lr_in_velocity}}))
        << "a step with lr = 0.1, then lr = 0.05 (as a schedule changes it) and a second step, beta = 0.9, " << starting_point;
    EXPECT_HOLDS(bp_test::matrices_near("opt.velocity.at(\"w\")", Matrix(1.9 * p.g), opt.velocity.at("w")))
        << "the velocity after two steps with the same g is v2 = 0.9 g + g = 1.9 g, without lr: the page's v <- beta v + g";
}

TEST(Ex5_3, LooksAheadByOneMomentumStep) {
    OneParameter p;
    const Matrix w0 = p.w;
    const Eigen::ArrayXXd g = p.g.array();
    bp::Nesterov opt(0.1, 0.9);
    opt.step(p.params());
    opt.step(p.params());
    // v1 = g, v2 = 1.9 g; the steps are lr (g + 0.9 v1) = 1.9 lr g and lr (g + 0.9 v2) = 2.71 lr g
    const std::string in =
        "; the page says v <- beta v + g, then w <- w - lr (g + beta v) with the new v; in Nesterov::step "
        "(exercise 5.3)";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "w after two steps", minus(w0, 0.1 * 4.61 * g), p.w,
        {{"expected steps of lr (g + beta v), got steps of lr v: that is plain momentum (exercise 5.2), or the look-ahead "
          "taken with v from before its update, which is the same" +
              in,
          minus(w0, 0.1 * 2.9 * g)},
         {"expected steps of lr (g + beta v), got steps of lr beta v: that is the look-ahead without g" + in,
          minus(w0, 0.1 * 0.9 * 2.9 * g)},
         {"expected steps of lr (g + beta v), got steps of lr (g + v): that is the look-ahead without beta" + in, minus(w0, 0.1 * 4.9 * g)},
         {"expected steps of lr (g + beta v), got steps of g + beta v: that is the step without the learning rate" + in,
          minus(w0, 4.61 * g)},
         {"expected v = beta v + g, got v = beta v + (1 - beta) g: that is an average of the gradients (PyTorch's dampening)" + in,
          minus(w0, 0.1 * (1.09 + 1.171) * g)}}))
        << "two steps with the same g, lr = 0.1, beta = 0.9, " << starting_point;
}

TEST(Ex5_3, KeepsTheLearningRateOutOfTheVelocity) {
    // As for momentum (exercise 5.2): a schedule changes lr between steps.
    OneParameter p;
    const Matrix w0 = p.w;
    bp::Nesterov opt(0.1, 0.9);
    opt.step(p.params());
    opt.lr = 0.05;
    opt.step(p.params());
    // v1 = g, w1 = w0 - 0.1 (g + 0.9 v1); v2 = 0.9 g + g = 1.9 g, w2 = w1 - 0.05 (g + 0.9 v2)
    const Matrix expected = w0 - (0.1 * 1.9 + 0.05 * (1 + 0.9 * 1.9)) * p.g;
    // v <- beta v - lr g; w <- w - lr g + beta v: v1 = -0.1 g, v2 = -(0.9 (0.1) + 0.05) g
    const Matrix lr_in_velocity = w0 - (0.1 * 1.9 + 0.05 + 0.9 * (0.9 * 0.1 + 0.05)) * p.g;
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "w after two steps", expected, p.w,
        {{"The velocity holds lr (v <- beta v - lr g; w <- w - lr g + beta v): the same steps while lr stays put, but when a "
          "schedule changes lr, the velocity still carries the old one. The page keeps v <- beta v + g and multiplies by lr in "
          "the step, w <- w - lr (g + beta v) (section Nesterov momentum)",
          lr_in_velocity}}))
        << "a step with lr = 0.1, then lr = 0.05 (as a schedule changes it) and a second step, beta = 0.9, " << starting_point;
    EXPECT_HOLDS(bp_test::matrices_near("opt.velocity.at(\"w\")", Matrix(1.9 * p.g), opt.velocity.at("w")))
        << "the velocity after two steps with the same g is v2 = 0.9 g + g = 1.9 g, without lr: the page's v <- beta v + g";
}

TEST(Ex5_4, DividesByTheRootMeanSquare) {
    OneParameter p;
    const Matrix w0 = p.w;
    const Eigen::ArrayXXd g = p.g.array(), s = 0.1 * g.square();
    bp::RmsProp opt(0.01, 0.9, 1e-8);
    opt.step(p.params());
    // s = 0.1 g^2, so the step is lr g / (sqrt(0.1) |g| + eps): about lr sign(g) / sqrt(0.1)
    const std::string in =
        "; the page says s <- rho s + (1 - rho) g^2, then w <- w - lr g / (sqrt(s) + eps) with the new s; in "
        "RmsProp::step (exercise 5.4)";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "w after one step", minus(w0, 0.01 * g / (s.sqrt() + 1e-8)), p.w,
        {{"expected lr g / (sqrt(s) + eps), got lr g / (s + eps): that is the square root left out" + in, minus(w0, 0.01 * g / (s + 1e-8))},
         {"expected s = rho s + (1 - rho) g^2, got s = (1 - rho) s + rho g^2: that is rho and 1 - rho swapped" + in,
          minus(w0, 0.01 * g / ((0.9 * g.square()).sqrt() + 1e-8))},
         {"expected s from g^2, got s from g: that is the gradient not squared (cwiseAbs2() or .square())" + in,
          minus(w0, 0.01 * g / ((0.1 * g).sqrt() + 1e-8))},
         {"expected a step of lr g / (sqrt(s) + eps) with the new s, got one of lr g / eps: that is w stepped before s is "
          "updated, with the last step's s (0 at the first step)" +
              in,
          minus(w0, 0.01 * g / 1e-8)},
         {"expected a step of lr g / (sqrt(s) + eps), got one of g / (sqrt(s) + eps): that is the step without the learning "
          "rate" +
              in,
          minus(w0, g / (s.sqrt() + 1e-8))},
         {"expected lr g / (sqrt(s) + eps), got lr g / sqrt(s + eps): that is eps inside the square root" + in,
          minus(w0, 0.01 * g / (s + 1e-8).sqrt())}}))
        << "the first step from s = 0, lr = 0.01, rho = 0.9, eps = 1e-8, " << starting_point;
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "opt.mean_square.at(\"w\")", Matrix(s.matrix()), opt.mean_square.at("w"),
        {{"expected s = 0.1 g^2 kept for the next step, got s = 0: that is s computed into a copy; write into s, the "
          "reference to mean_square.at(p.name)" +
              in,
          Matrix::Zero(1, 3)}}))
        << "the mean square after one step from s = 0, rho = 0.9";
}

TEST(Ex5_4, KeepsEpsOutsideTheSquareRoot) {
    // With eps = 1e-8 the place of eps hardly shows; with eps = 0.5 it does.
    OneParameter p;
    const Matrix w0 = p.w;
    const Eigen::ArrayXXd g = p.g.array(), s = 0.1 * g.square();
    bp::RmsProp(0.01, 0.9, 0.5).step(p.params());
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "w after one step", minus(w0, 0.01 * g / (s.sqrt() + 0.5)), p.w,
        {{"expected lr g / (sqrt(s) + eps), got lr g / sqrt(s + eps): that is eps inside the square root; the page adds it "
          "after, sqrt(s) + eps (PyTorch does the same); in RmsProp::step (exercise 5.4)",
          minus(w0, 0.01 * g / (s + 0.5).sqrt())},
         {"expected lr g / (sqrt(s) + eps), got lr g / (s + eps): that is the square root left out; in RmsProp::step "
          "(exercise 5.4)",
          minus(w0, 0.01 * g / (s + 0.5))}}))
        << "the first step from s = 0, lr = 0.01, rho = 0.9, eps = 0.5, " << starting_point;
}

TEST(Ex5_5, BiasCorrectionMakesTheFirstStepLrTimesTheSign) {
    OneParameter p;
    const Matrix w0 = p.w;
    const Eigen::ArrayXXd g = p.g.array(), m = 0.1 * g, v = 0.001 * g.square();  // m and v after one step
    bp::Adam opt(0.01);
    opt.step(p.params());
    const auto step = [&](const Eigen::ArrayXXd& m_hat, const Eigen::ArrayXXd& v_hat) {
        return minus(w0, 0.01 * m_hat / (v_hat.sqrt() + 1e-8));
    };
    const std::string in =
        "; the page says t <- t + 1, m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t), "
        "w <- w - lr m_hat / (sqrt(v_hat) + eps); in Adam::step (exercise 5.5)";
    const Eigen::ArrayXXd shared = 0.999 * m + 0.001 * g.square();  // v written into m's matrix
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "w after one step", step(g, g.square()), p.w,
        {{"expected a finite step, got NaN: that is t still 0 when the bias correction is computed, 1 - beta^0 = 0 dividing by "
          "zero; count the step (++t) before using t, once per call of step()" +
              in,
          Matrix::Constant(1, 3, std::nan(""))},
         {"expected lr m_hat / (sqrt(v_hat) + eps), got lr m_hat / (v_hat + eps): that is the square root left out" + in,
          minus(w0, 0.01 * g / (g.square() + 1e-8))},
         {"expected m_hat = m / (1 - beta1^t) and v_hat = v / (1 - beta2^t), got only m corrected: that is the bias "
          "correction applied to m only" +
              in,
          step(g, v)},
         {"expected m_hat = m / (1 - beta1^t) and v_hat = v / (1 - beta2^t), got only v corrected: that is the bias "
          "correction applied to v only" +
              in,
          step(m, g.square())},
         {"expected the bias-corrected m_hat and v_hat, got m and v as they are: that is the bias correction left out" + in, step(m, v)},
         {"expected m <- beta1 m + (1 - beta1) g and v <- beta2 v + (1 - beta2) g^2, got m averaged with beta2 and v with beta1: "
          "that is beta1 and beta2 swapped between m and v" +
              in,
          step(0.001 * g / 0.1, 0.1 * g.square() / 0.001)},
         {"expected m <- beta1 m + (1 - beta1) g, got m <- (1 - beta1) m + beta1 g: that is beta1 and 1 - beta1 swapped" + in,
          step(0.9 * g / 0.1, g.square())},
         {"expected v from g^2, got v from g: that is the gradient not squared (cwiseAbs2() or .square())" + in,
          step(g, 0.001 * g / 0.001)},
         {"expected m and v to be two matrices, got v written into m's: that is v taken from m.at(p.name) instead of "
          "v.at(p.name)" +
              in,
          step(shared / 0.1, shared / 0.001)},
         {"expected a step of lr m_hat / (sqrt(v_hat) + eps), got one of m_hat / (sqrt(v_hat) + eps): that is the step "
          "without the learning rate" +
              in,
          minus(w0, g / (g.abs() + 1e-8))}}))
        << "m_hat = g and v_hat = g^2 after one step, lr = 0.01, " << starting_point;
    EXPECT_EQ(opt.t, 1) << "t counts the calls of step(): 1 after the first";
}

// Three steps of Adam (lr = 0.01, the default betas and eps) on a constant gradient, as the page
// writes them, or with a known mistake: the bias correction stored back into m and v, or one
// with t fixed at 1.
Matrix adam_three_steps(const Matrix& w0, const Matrix& g, const std::string& mistake) {
    Eigen::ArrayXXd w = w0.array(), m = Eigen::ArrayXXd::Zero(w0.rows(), w0.cols()), v = m;
    for (int t = 1; t <= 3; ++t) {
        m = 0.9 * m + 0.1 * g.array();
        v = 0.999 * v + 0.001 * g.array().square();
        const double t_used = mistake == "t fixed at 1" ? 1 : t;
        const Eigen::ArrayXXd m_hat = m / (1 - std::pow(0.9, t_used)), v_hat = v / (1 - std::pow(0.999, t_used));
        if (mistake == "corrected in place") {
            m = m_hat;
            v = v_hat;
        }
        w -= 0.01 * m_hat / (v_hat.sqrt() + 1e-8);
    }
    return w.matrix();
}

TEST(Ex5_5, CountsStepsOncePerCallForEveryParameter) {
    Matrix a = bp_test::row({1, -2}), da = bp_test::row({0.5, -1}), b = bp_test::scalar(0.5), db = bp_test::scalar(2);
    bp::Adam opt(0.01);
    for (int s = 0; s < 3; ++s) opt.step({bp::Parameter("a", a, da), bp::Parameter("b", b, db)});
    if (opt.t == 6)
        ADD_FAILURE() << "expected t = 3 after three calls of step() on two parameters, got 6: that is t counted once per "
                         "parameter, inside the loop; the page's t is the number of steps taken, ++t once per call, before "
                         "the loop over the parameters; in Adam::step (exercise 5.5)";
    EXPECT_EQ(3, opt.t) << "t after three calls of step()";
    const std::string in =
        "; the page says m_hat = m / (1 - beta1^t) and v_hat = v / (1 - beta2^t), new matrices for the step "
        "that leave m and v as they are; in Adam::step (exercise 5.5)";
    const auto expect_three_steps = [&in](const std::string& name, const Matrix& w, const Matrix& w0, const Matrix& g) {
        EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
            name + " after three steps", adam_three_steps(w0, g, ""), w,
            {{"expected Adam's three steps, got other ones from the second on: that is the bias correction stored back into m and "
              "v (m /= 1 - beta1^t), so that the next step averages corrected values and corrects them again" +
                  in,
              adam_three_steps(w0, g, "corrected in place")},
             {"expected Adam's three steps, got other ones from the second on: that is the bias correction with t fixed at 1, "
              "1 - beta at every step; it must shrink as t grows" +
                  in,
              adam_three_steps(w0, g, "t fixed at 1")}}))
            << "three steps with the same gradient, lr = 0.01, on the parameters a = (1, -2) with g = (0.5, -1) and b = 0.5 "
               "with g = 2";
    };
    expect_three_steps("a", a, bp_test::row({1, -2}), da);
    expect_three_steps("b", b, bp_test::scalar(0.5), db);
}

TEST(Ex5_5, KeepsEpsOutsideTheSquareRoot) {
    // With eps = 1e-8 the place of eps hardly shows; with eps = 0.5 it does. After one step,
    // m_hat = g and v_hat = g^2.
    OneParameter p;
    const Matrix w0 = p.w;
    const Eigen::ArrayXXd g = p.g.array();
    bp::Adam(0.01, 0.9, 0.999, 0.5).step(p.params());
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "w after one step", minus(w0, 0.01 * g / (g.abs() + 0.5)), p.w,
        {{"expected lr m_hat / (sqrt(v_hat) + eps), got lr m_hat / sqrt(v_hat + eps): that is eps inside the square root; "
          "the page adds it after, sqrt(v_hat) + eps (PyTorch does the same); in Adam::step (exercise 5.5)",
          minus(w0, 0.01 * g / (g.square() + 0.5).sqrt())}}))
        << "the first step, lr = 0.01, eps = 0.5, " << starting_point;
}

TEST(Ex5_6, DecaysTheWeightsApartFromTheGradient) {
    OneParameter p;
    p.g.setZero();
    const Matrix w0 = p.w;
    bp::AdamW(0.01, 0.1).step(p.params());
    const std::string in = "; the page says w <- w - lr lambda w, then Adam's step; in AdamW::step (exercise 5.6)";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "w after one step", Matrix(w0 * (1 - 0.01 * 0.1)), p.w,
        {{"expected w (1 - lr lambda), got w (1 - lambda): that is the decay without the learning rate" + in, Matrix(w0 * 0.9)},
         {"expected w (1 - lr lambda), got w (1 + lr lambda): that is the decay with the sign turned, the weights grow" + in,
          Matrix(w0 * (1 + 0.01 * 0.1))},
         {"expected w (1 - lr lambda), got w - lr lambda: that is lr lambda subtracted, not lr lambda w" + in,
          Matrix(w0.array() - 0.01 * 0.1)},
         {"expected w (1 - lr lambda), got w (1 - lr lambda)^2: that is the decay taken twice" + in,
          Matrix(w0 * (1 - 0.01 * 0.1) * (1 - 0.01 * 0.1))},
         {"expected w (1 - lr lambda), got Adam's step on g + lambda w: that is the decay added to the gradient (L2), which "
          "AdamW decouples from it" +
              in,
          minus(w0, 0.01 * 0.1 * w0.array() / (0.1 * w0.array().abs() + 1e-8))}}))
        << "with g = 0, only the decay w <- w - lr lambda w acts (lr = 0.01, lambda = 0.1), " << starting_point;
}

TEST(Ex5_6, ShrinksFirstThenTakesAdamsStep) {
    OneParameter p;
    const Matrix w0 = p.w, g0 = p.g;
    bp::AdamW(0.1, 0.5).step(p.params());
    // decay first: w0 (1 - lr lambda), then Adam's first step, lr g / (|g| + eps)
    const Eigen::ArrayXXd adam = 0.1 * g0.array() / (g0.array().abs() + 1e-8);
    const std::string in = "; the page says w <- w - lr lambda w, then Adam's step; in AdamW::step (exercise 5.6)";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "w after one step", minus(w0 * (1 - 0.1 * 0.5), adam), p.w,
        {{"expected the decay, then Adam's step, got Adam's step, then the decay: that is the order turned" + in,
          Matrix(minus(w0, adam) * (1 - 0.1 * 0.5))},
         {"expected the decay and Adam's step, got the decay alone: that is Adam's step left out, call Adam::step(params)" + in,
          Matrix(w0 * (1 - 0.1 * 0.5))},
         {"expected w (1 - lr lambda) before Adam's step, got w (1 - lambda): that is the decay without the learning rate" + in,
          minus(w0 * 0.5, adam)}}))
        << "lr = 0.1, weight_decay = 0.5, " << starting_point;
    EXPECT_TRUE(p.g == g0) << "step must not change the gradient (the decay is not added to it); got g = " << p.g;
}

// A schedule's rates at steps or epochs 0 ... n - 1, as a row.
Matrix rates(int n, const std::function<double(int)>& rate) {
    Matrix r(1, n);
    for (int i = 0; i < n; ++i) r(i) = rate(i);
    return r;
}

TEST(Ex5_7, DropsByGammaEveryFewEpochs) {
    const std::string in =
        "; the page says lr0 gamma^floor(e / k), with epoch / every between ints, which is the floor; in "
        "step_schedule (exercise 5.7)";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "the rates of epochs 0 to 6", bp_test::row({0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125}),
        rates(7, [](int e) { return bp::step_schedule(0.1, e, 2, 0.5); }),
        {{"expected the rate to drop every 2 epochs, got it falling at every epoch: that is epoch / every divided as "
          "doubles, gamma^(e / k) without the floor" +
              in,
          rates(7, [](int e) { return 0.1 * std::pow(0.5, e / 2.0); })},
         {"expected the rate to drop at epochs 2, 4, 6, got drops at 1, 3, 5: that is floor(e / k) rounded up instead "
          "(ceil, round or (epoch + 1) / every)" +
              in,
          rates(7,
                [](int e) {
                    const int drops = (e + 1) / 2;
                    return 0.1 * std::pow(0.5, drops);
                })},
         {"expected lr0 gamma^floor(e / k), got lr0 gamma floor(e / k): that is a product where the page has a power "
          "(std::pow)" +
              in,
          rates(7,
                [](int e) {
                    const int drops = e / 2;
                    return 0.1 * 0.5 * drops;
                })},
         {"expected lr0 gamma^floor(e / k), got lr0 gamma^(e mod k): that is % where the page has /" + in,
          rates(7, [](int e) { return 0.1 * std::pow(0.5, e % 2); })}}))
        << "step_schedule(0.1, epoch, 2, 0.5) for epoch = 0 ... 6";
}

TEST(Ex5_8, GoesFromLr0ToLrMinAlongHalfACosine) {
    const double pi = 3.14159265358979323846;
    const auto cosine = [pi](double t) { return 0.01 + 0.09 * (1 + std::cos(pi * t / 4)) / 2; };
    const std::string in =
        "; the page says lr_min + (lr0 - lr_min) (1 + cos(pi t / T)) / 2 up to step T, and lr_min after "
        "it; in cosine_schedule (exercise 5.8)";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "the rates of steps 0 to 6", rates(7, [&](int t) { return t >= 4 ? 0.01 : cosine(t); }),
        rates(7, [](int t) { return bp::cosine_schedule(0.1, t, 4, 0.01); }),
        {{"expected lr_min after step T = 4, got the cosine going on, back up toward lr0: that is the schedule not held at "
          "lr_min once step >= total" +
              in,
          rates(7, cosine)},
         {"expected lr_min after step T = 4, got 0: that is 0 returned after the end instead of lr_min" + in,
          rates(7, [&](int t) { return t >= 4 ? 0.0 : cosine(t); })},
         {"expected lr0 at step 0, got the rate of step 1: that is the cosine one step ahead, cos(pi (t + 1) / T)" + in,
          rates(7, [&](int t) { return t >= 4 ? 0.01 : cosine(t + 1); })},
         {"expected the rate to fall at every step, got lr0 until step T: that is step / total divided as longs, which is 0 "
          "before the end; divide as doubles" +
              in,
          rates(7, [](int t) { return t >= 4 ? 0.01 : 0.1; })},
         {"expected (1 + cos(pi t / T)) / 2, got 1 + cos(pi t / T): that is the cosine's half left out, so step 0 gives "
          "2 lr0 - lr_min" +
              in,
          rates(7, [pi](int t) { return t >= 4 ? 0.01 : 0.01 + 0.09 * (1 + std::cos(pi * t / 4)); })},
         {"expected lr_min + (lr0 - lr_min) (1 + cos) / 2, got lr0 (1 + cos) / 2: that is lr_min left out of the formula" + in,
          rates(7, [pi](int t) { return t >= 4 ? 0.01 : 0.1 * (1 + std::cos(pi * t / 4)) / 2; })},
         {"expected cos(pi t / T), got cos(t / T): that is the cosine without pi, only a third of its half period" + in,
          rates(7, [](int t) { return t >= 4 ? 0.01 : 0.01 + 0.09 * (1 + std::cos(t / 4.0)) / 2; })},
         {"expected lr0 at step 0 and lr_min at step T, got the reverse: that is (1 - cos) where the page has (1 + cos)" + in,
          rates(7, [pi](int t) { return t >= 4 ? 0.01 : 0.01 + 0.09 * (1 - std::cos(pi * t / 4)) / 2; })}}))
        << "cosine_schedule(0.1, step, 4, 0.01) for step = 0 ... 6";
}

TEST(Ex5_9, ScalesEveryGradientByOneFactor) {
    // g = (1, 2) and h = (2): the global norm is sqrt(1 + 4 + 4) = 3; with max_norm = 1.5, one factor of 0.5.
    Matrix w = Matrix::Zero(1, 2), g = bp_test::row({1, 2}), v = Matrix::Zero(1, 1), h = bp_test::scalar(2);
    const double norm = bp::clip_grad_norm({bp::Parameter("w", w, g), bp::Parameter("v", v, h)}, 1.5);
    const std::string in =
        "; the page says n = sqrt(sum of every gradient element squared), over all the parameters, and "
        "if n > max_norm every gradient *= max_norm / n; in clip_grad_norm (exercise 5.9)";
    const double sum_of_norms = std::sqrt(5.0) + 2;
    Matrix both(1, 3);
    both << g, h;
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "the gradients g and h side by side", bp_test::row({0.5, 1, 1}), both,
        {{"expected (0.5, 1) and (1), got (1, 1.5) and (1.5): that is clipping by value, each element limited to max_norm; "
          "clipping by norm scales the whole gradient, keeping its direction" +
              in,
          bp_test::row({1, 1.5, 1.5})},
         {"expected (0.5, 1) and (1), got each gradient clipped by its own norm: that is one norm per parameter; the norm is "
          "one over all of them, and one factor scales all" +
              in,
          bp_test::row({1.5 / std::sqrt(5.0), 3 / std::sqrt(5.0), 1.5})},
         {"expected (0.5, 1) and (1), got a global norm of 1: that is g / n, without max_norm: the factor is max_norm / n" + in,
          bp_test::row({1.0 / 3, 2.0 / 3, 2.0 / 3})},
         {"expected (0.5, 1) and (1), got (2, 4) and (4): that is the factor turned over, n / max_norm" + in, bp_test::row({2, 4, 4})},
         {"expected (0.5, 1) and (1), got the gradients scaled by max_norm / 9: that is n without the square root, the sum "
          "of squares" +
              in,
          bp_test::row({1.5 / 9, 3.0 / 9, 3.0 / 9})},
         {"expected (0.5, 1) and (1), got the gradients scaled by max_norm / (|g| + |h|): that is the norms of the "
          "parameters added, where the page adds their squares" +
              in,
          bp_test::row({1.5 / sum_of_norms, 3 / sum_of_norms, 3 / sum_of_norms})},
         {"expected (0.5, 1) and (1), got (1, 2) and (1): that is only the last parameter's gradient scaled" + in, bp_test::row({1, 2, 1})},
         {"expected (0.5, 1) and (1), got the gradients as they were: that is nothing scaled, or the weights p.value() "
          "scaled instead of the gradients p.grad()" +
              in,
          bp_test::row({1, 2, 2})}}))
        << "the gradients g = (1, 2) and h = (2) clipped to a global norm of 1.5";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "the returned norm", bp_test::scalar(3), bp_test::scalar(norm),
        {{"expected 3, the norm before clipping, got 1.5, max_norm: that is the norm after clipping returned; the page "
          "returns n from before, worth logging; in clip_grad_norm (exercise 5.9)",
          bp_test::scalar(1.5)},
         {"expected 3, got 9: that is n without the square root" + in, bp_test::scalar(9)},
         {"expected 3, got |g| + |h|: that is the norms of the parameters added, where the page adds their squares" + in,
          bp_test::scalar(sum_of_norms)}}))
        << "the global norm of g = (1, 2) and h = (2) is 3";
}

TEST(Ex5_9, LeavesSmallGradientsAlone) {
    Matrix w = Matrix::Zero(1, 2), g = (Matrix(1, 2) << 0.3, 0.4).finished();
    const double norm = bp::clip_grad_norm({bp::Parameter("w", w, g)}, 1.0);
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "g", bp_test::row({0.3, 0.4}), g,
        {{"expected (0.3, 0.4) left as it is, got (0.6, 0.8), scaled to max_norm: that is clipping although n = 0.5 <= "
          "max_norm = 1; the page scales only if n > max_norm; in clip_grad_norm (exercise 5.9)",
          bp_test::row({0.6, 0.8})}}))
        << "the gradient (0.3, 0.4) has norm 0.5, below max_norm = 1, so it stays as it is";
    EXPECT_DOUBLE_EQ(0.5, norm) << "clip_grad_norm returns the global norm, 0.5 here, whether it clips or not";
}

// ---- 5.10 basic_train_step ----

// Every parameter of a model, one after the other in one column: two models compare as one.
Matrix flat(bp::Layer& model) {
    Matrix all(0, 1);
    for (const bp::Parameter& p : model.parameters()) {
        const Eigen::Map<Matrix> v = p.value();
        Matrix grown(all.rows() + v.size(), 1);
        grown << all, Eigen::Map<const Matrix>(v.data(), v.size(), 1);
        all = grown;
    }
    return all;
}

// Every parameter of a model by name, as it is now.
using Snapshot = std::vector<std::pair<std::string, Matrix>>;
Snapshot snapshot(bp::Layer& model) {
    Snapshot all;
    for (const bp::Parameter& p : model.parameters()) all.emplace_back(p.name, Matrix(p.value()));
    return all;
}

// What a run of training steps did: the loss each step returned, and every weight after it.
struct Run {
    std::vector<double> losses;
    std::vector<Snapshot> weights;
};

// The first parameter of `got` that differs from `expected`'s, as a failed comparison.
::testing::AssertionResult same_weights(const Snapshot& expected, const Snapshot& got) {
    for (std::size_t i = 0; i < expected.size(); ++i)
        if (auto near = bp_test::matrices_near(expected[i].first, expected[i].second, got[i].second); !near) return near;
    return ::testing::AssertionSuccess();
}

// A step: (model, loss, optimizer, x, y, step index) -> the loss it returns.
using Step = std::function<double(bp::Layer&, const bp::Loss&, bp::Optimizer&, const Matrix&, const Matrix&, long)>;

// Four steps of `step` on a copy of `start`, with Adam, on four seeded batches of 6 examples.
Run four_steps(const bp::Mlp& start, const bp::Loss& loss, const Step& step) {
    bp::Mlp net = start;
    bp::Adam adam(0.05);
    bp::Rng rng(90);
    Run run;
    for (long s = 0; s < 4; ++s) {
        const Matrix x = rng.uniform_matrix(start.input_size(), 6, -1, 1);
        Matrix y = Matrix::Zero(start.output_size(), 6);
        for (bp::Index k = 0; k < 6; ++k) y(rng.below(start.output_size()), k) = 1;
        run.losses.push_back(step(net, loss, adam, x, y, s));
        run.weights.push_back(snapshot(net));
    }
    return run;
}

bool same_run(const Run& a, const Run& b) {
    for (std::size_t s = 0; s < a.losses.size(); ++s)
        if (!bp_test::near(Matrix::Constant(1, 1, a.losses[s]), Matrix::Constant(1, 1, b.losses[s])) ||
            !same_weights(a.weights[s], b.weights[s]))
            return false;
    return true;
}

// The library's step, and steps with the mistakes a training step is prone to, made here from
// the library's pieces: when yours behaves like one of them, the failure says which.
Step library_step(double clip) {
    return [clip](bp::Layer& m, const bp::Loss& loss, bp::Optimizer& opt, const Matrix& x, const Matrix& y, long s) {
        bp::EpochOptions options;
        options.clip_norm = clip;
        return bp::train_step(m, loss, opt, x, y, options, s);
    };
}
Step mistaken_step(double clip, const std::string& mistake) {
    return [clip, mistake](bp::Layer& m, const bp::Loss& loss, bp::Optimizer& opt, const Matrix& x, const Matrix& y, long) {
        const Matrix output = m.forward(x);
        const double L = loss.value(output, y);
        const bool zero_first = mistake != "no zero_grad" && mistake != "zero_grad after backward" && mistake != "zero_grad after the step";
        if (zero_first) m.zero_grad();
        m.backward(loss.grad(output, y));
        if (mistake == "zero_grad after backward") m.zero_grad();
        if (clip > 0 && mistake != "no clipping") bp::clip_grad_norm(m.parameters(), clip);
        opt.step(m.parameters());
        if (mistake == "zero_grad after the step") m.zero_grad();
        return mistake == "the loss after the step" ? loss.value(m.forward(x), y) : L;
    };
}

const std::vector<std::pair<std::string, std::string>> step_mistakes = {
    {"no zero_grad", "a step without model.zero_grad(): backward adds each step's gradients to the last step's"},
    {"zero_grad after backward",
     "a step that calls zero_grad() after backward, or opt.step() before backward: the optimizer then sees "
     "gradients of 0"},
    {"zero_grad after the step",
     "a step that calls zero_grad() after opt.step() instead of before backward: the gradients the model came with "
     "were added to this step's"},
    // Clipping after the step changes only gradients that the next zero_grad() clears, and clipping
    // before backward only the zeros: the same weights as no clipping, so one mistake names all three.
    {"no clipping",
     "a step that clips after opt.step() or before backward, or does not clip at all: the step used the unclipped "
     "gradients; with "
     "clip_norm > 0, clip_grad_norm(model.parameters(), clip_norm) goes after backward and before the step"},
    {"the loss after the step",
     "a step that returns the loss after its update: return the loss of the forward pass "
     "that the gradients came from"}};

// Yours against the library's, step by step; on a difference, the mistake it matches (first, the
// line the progress report shows), the step and the numbers.
void expect_same_steps(const bp::Mlp& start, const bp::Loss& loss, double clip, const std::string& setting) {
    const Run yours =
        four_steps(start, loss, [clip](bp::Layer& m, const bp::Loss& l, bp::Optimizer& opt, const Matrix& x, const Matrix& y, long) {
            return bp::basic_train_step(m, l, opt, x, y, clip);
        });
    const Run library = four_steps(start, loss, library_step(clip));
    for (std::size_t s = 0; s < library.losses.size(); ++s) {
        const auto loss_near =
            bp_test::matrices_near("the returned loss", Matrix::Constant(1, 1, library.losses[s]), Matrix::Constant(1, 1, yours.losses[s]));
        const auto weights_near = same_weights(library.weights[s], yours.weights[s]);
        if (loss_near && weights_near) continue;
        std::string named;
        for (const auto& [key, text] : step_mistakes)
            if (same_run(yours, four_steps(start, loss, mistaken_step(clip, key))))
                named += (named.empty() ? "basic_train_step matches, step for step, " : "; or ") + text;
        std::string what = loss_near ? "" : std::string(loss_near.message());
        if (!weights_near) what += "after the step, " + std::string(weights_near.message());
        if (what.back() != '\n') what += "\n";
        if (!named.empty())
            named += "; the page's order: forward, loss, zero_grad, backward, clip, step; in basic_train_step (exercise 5.10)\n";
        ADD_FAILURE() << named << "basic_train_step differs from the library's train_step at step " << s + 1 << " of 4 (" << setting
                      << ", Adam with lr = 0.05, batches of 6):\n"
                      << what;
        return;
    }
}

TEST(Ex5_10, TakesTheSameStepsAsTheLibrarysTrainStep) {
    bp::Rng rng(91);
    const bp::Mlp net({3, 5, 4, 3}, bp::Activation::tanh, bp::Activation::identity, rng);
    expect_same_steps(net, bp::softmax_cross_entropy(), 0, "a 3-5-4-3 classifier, softmax cross-entropy, no clipping");
}

TEST(Ex5_10, ClipsAfterBackwardAndBeforeTheStep) {
    bp::Rng rng(92);
    const bp::Mlp net({3, 5, 4, 3}, bp::Activation::tanh, bp::Activation::identity, rng);
    expect_same_steps(net, bp::softmax_cross_entropy(), 0.05,
                      "a 3-5-4-3 classifier, softmax cross-entropy, clip_norm = 0.05 (every step clips)");
}

TEST(Ex5_10, ClearsTheGradientsTheModelCameWith) {
    // The model arrives with gradients in it, as after a backward pass of another batch: a
    // step must start from 0 all the same. (Set here directly, so that no other exercise runs.)
    bp::Rng rng(100);
    bp::Mlp net({3, 5, 4, 3}, bp::Activation::tanh, bp::Activation::identity, rng);
    for (const bp::Parameter& p : net.parameters()) p.grad() = rng.uniform_matrix(p.grad().rows(), p.grad().cols(), -1, 1);
    expect_same_steps(net, bp::softmax_cross_entropy(), 0,
                      "a 3-5-4-3 classifier that arrives with gradients left in it, softmax cross-entropy, no clipping");
}

TEST(Ex5_10, TrainsAnyModelWithAnyLoss) {
    bp::Rng rng(93);
    const bp::Mlp net({3, 4, 3}, bp::Activation::relu, bp::Activation::sigmoid, rng);
    expect_same_steps(net, bp::mean_squared_error(), 0, "a 3-4-3 network with sigmoid outputs, squared error");
}

// ---- 5.11 check_initial_loss ----

// The softmax cross-entropy of logits z against one-hot y, written out here.
double cross_entropy(const Matrix& z, const Matrix& y) {
    const Eigen::RowVectorXd max = z.colwise().maxCoeff();
    const Matrix lse = max.array() + (z.rowwise() - max).array().exp().colwise().sum().log();
    return (lse.sum() - y.cwiseProduct(z).sum()) / static_cast<double>(z.cols());
}

// A 5-4 classifier (one hidden layer of 16) with its output layer scaled, and a batch of 7.
struct Classifier {
    bp::Mlp net;
    Matrix x, y;
    Classifier(double output_scale, std::uint64_t seed) : net(make(seed)) {
        bp::Rng rng(seed + 1);
        net.dense(1).W *= output_scale;
        x = rng.uniform_matrix(5, 7, -1, 1);
        y = Matrix::Zero(4, 7);
        for (bp::Index k = 0; k < 7; ++k) y(rng.below(4), k) = 1;
    }
    static bp::Mlp make(std::uint64_t seed) {
        bp::Rng rng(seed);
        return bp::Mlp({5, 16, 4}, bp::Activation::relu, bp::Activation::identity, rng);
    }
};

TEST(Ex5_11, AnUntrainedClassifierScoresNearLnK) {
    Classifier c(0.01, 94);  // logits near 0: every class about 1/4
    const Matrix before = flat(c.net);
    const bp::SanityCheck check = bp::check_initial_loss(c.net, c.x, c.y, 0.1);
    EXPECT_EQ(check.what, "initial loss");
    EXPECT_HOLDS(bp_test::matches_or_names_mistake(
        "check.expected", Matrix::Constant(1, 1, std::log(4.0)), Matrix::Constant(1, 1, check.expected),
        {{"ln of the batch size, y.cols() = 7; K is the number of classes, y.rows()", Matrix::Constant(1, 1, std::log(7.0))},
         {"ln(1/K) = -ln K: the loss is MINUS the log of the probability 1/K", Matrix::Constant(1, 1, -std::log(4.0))}},
        1e-12))
        << "for K = 4 classes and a batch of 7";
    EXPECT_NEAR(cross_entropy(c.net.forward(c.x), c.y), check.measured, 1e-12)
        << "measured: the softmax cross-entropy of the model's logits on (x, y)";
    EXPECT_DOUBLE_EQ(0.1, check.tolerance);
    EXPECT_TRUE(check.passed) << check.report();
    EXPECT_TRUE(flat(c.net) == before) << "a sanity check must not change the model: it only runs forward";
}

TEST(Ex5_11, LogitsFarTooLargeFail) {
    Classifier c(50.0, 95);  // an output layer drawn 50 times too large
    const bp::SanityCheck check = bp::check_initial_loss(c.net, c.x, c.y, 0.5);
    EXPECT_GT(check.measured, std::log(4.0) + 0.5) << check.report();
    EXPECT_FALSE(check.passed) << check.report();
}

TEST(Ex5_11, ALossFarBelowLnKFailsToo) {
    // Targets that are the model's own confident predictions: a loss far below ln K before
    // any training is as suspicious as one far above (the labels leak into the inputs, say).
    Classifier c(50.0, 96);
    const Matrix logits = c.net.forward(c.x);
    Matrix own = Matrix::Zero(4, 7);
    const std::vector<int> best = bp::argmax_per_column(logits);
    for (bp::Index k = 0; k < 7; ++k) own(best[static_cast<std::size_t>(k)], k) = 1;
    const bp::SanityCheck check = bp::check_initial_loss(c.net, c.x, own, 0.5);
    EXPECT_LT(check.measured, std::log(4.0) - 0.5) << check.report();
    EXPECT_FALSE(check.passed) << "the check is |measured - ln K| <= tolerance, on both sides: " << check.report();
}

// ---- 5.12 check_overfits ----

// 20 points of the spirals: every 15th of 300, so all three arms.
void twenty_spiral_points(Matrix& x, Matrix& y) {
    bp::Rng rng(97);
    const bp::Dataset spirals = bp::spiral(3, 100, 0.1, rng);
    std::vector<bp::Index> twenty;
    for (bp::Index k = 0; k < 300; k += 15) twenty.push_back(k);
    spirals.batch(twenty, 0, 20, x, y);
}

// An optimizer that keeps the global norm of the gradients it is given at each step, then lets
// `inner` take the step.
struct NormKeeping : bp::Optimizer {
    explicit NormKeeping(bp::Optimizer& inner_) : bp::Optimizer(inner_.lr), inner(inner_) {}
    bp::Optimizer& inner;
    std::vector<double> norms;
    void step(std::vector<bp::Parameter> params) override {
        double squares = 0;
        for (const bp::Parameter& p : params) squares += p.grad().squaredNorm();
        norms.push_back(std::sqrt(squares));
        inner.step(std::move(params));
    }
};

// Plain gradient descent, w <- w - lr g, written out here.
struct PlainSgd : bp::Optimizer {
    using bp::Optimizer::Optimizer;
    void step(std::vector<bp::Parameter> params) override {
        for (const bp::Parameter& p : params) p.value() -= lr * p.grad();
    }
};

// The global norm of the gradients of the softmax cross-entropy of `start` on (x, y): what the
// optimizer's first step must see.
double first_gradient_norm(const bp::Mlp& start, const Matrix& x, const Matrix& y) {
    bp::Mlp net = start;
    net.zero_grad();
    const Matrix out = net.forward(x);
    net.backward(bp::softmax_cross_entropy().grad(out, y));
    double squares = 0;
    for (const bp::Parameter& p : net.parameters()) squares += p.grad().squaredNorm();
    return std::sqrt(squares);
}

// If the optimizer's first step saw smaller gradients than backward gives, the mistake that
// does it, as a failure's first line; else "".
std::string clipped(const NormKeeping& opt, double unclipped) {
    if (opt.norms.empty() || !(opt.norms[0] < unclipped * (1 - 1e-9))) return "";
    std::ostringstream out;
    out << "The optimizer's first step saw gradients of global norm " << opt.norms[0] << " where backward gives " << unclipped
        << ": they were clipped. check_overfits takes plain steps: call basic_train_step(model, loss, opt, "
        << "x, y) without a clip norm (it defaults to 0, no clipping)\n";
    return out.str();
}

TEST(Ex5_12, ASmallNetworkOverfitsTwentyExamples) {
    Matrix x, y;
    twenty_spiral_points(x, y);
    bp::Rng rng(98);
    const bp::Mlp start({2, 32, 32, 3}, bp::Activation::relu, bp::Activation::identity, rng);
    bp::Mlp net = start;
    bp::Adam inner(0.01);
    NormKeeping adam(inner);
    const bp::SanityCheck check = bp::check_overfits(net, bp::softmax_cross_entropy(), adam, x, y, 200, 0.05);
    const std::string clip = clipped(adam, first_gradient_norm(start, x, y));
    EXPECT_EQ(check.what, "overfit one batch");
    EXPECT_DOUBLE_EQ(0.05, check.expected);
    // The same 200 steps with the library's train_step, then the loss once more.
    bp::Mlp same = start;
    bp::Adam adam2(0.01);
    double last_step = 0;
    Matrix after_199;
    for (long s = 0; s < 200; ++s) {
        if (s == 199) after_199 = flat(same);
        last_step = bp::train_step(same, bp::softmax_cross_entropy(), adam2, x, y, {}, s);
    }
    const Matrix after_200 = flat(same);
    const double after = bp::softmax_cross_entropy_loss(same.forward(x), y);
    const double one_more = bp::train_step(same, bp::softmax_cross_entropy(), adam2, x, y, {}, 200);
    // The loss the 200th step returned is the loss after 199 steps: which mistake gave it, the
    // model's weights tell (after 200 steps, or after 199).
    const Matrix yours = flat(net);
    const std::string measured_before =
        "the loss the last step returned, which basic_train_step measures before its update: "
        "measure the model once more after the last step";
    const std::string too_few =
        "199 steps instead of 200 (the model's weights are those after 199 steps): the loop runs "
        "`steps` times, for (int s = 0; s < steps; ++s)";
    const std::string either = bp_test::near(after_200, yours, 1e-6)   ? measured_before
                               : bp_test::near(after_199, yours, 1e-6) ? too_few
                                                                       : "either " + measured_before + ", or " + too_few;
    // A clipped step is named first: it is the line the progress report shows.
    const Matrix expected = Matrix::Constant(1, 1, after), got = Matrix::Constant(1, 1, check.measured);
    const std::vector<bp_test::Mistake> mistakes = {{either, Matrix::Constant(1, 1, last_step)},
                                                    {"201 steps instead of 200", Matrix::Constant(1, 1, one_more)}};
    const char* about = "the loss on the 20 examples after 200 steps of Adam (lr = 0.01) on a 2-32-32-3 network";
    // With clipping, the loss is off by some factor: the clipping is what to name.
    if (clip.empty()) {
        EXPECT_HOLDS(bp_test::matches_or_names_mistake("check.measured", expected, got, mistakes, 1e-6)) << about;
    } else {
        EXPECT_HOLDS(bp_test::matrices_near(clip + "check.measured", expected, got, 1e-6)) << about;
    }
    EXPECT_TRUE(check.passed) << check.report();
}

TEST(Ex5_12, ALossEqualToTheTargetPasses) {
    // The same check twice from the same start: the first run's measured loss is the second's
    // target, met exactly.
    Matrix x, y;
    twenty_spiral_points(x, y);
    bp::Rng rng(98);
    const bp::Mlp start({2, 32, 32, 3}, bp::Activation::relu, bp::Activation::identity, rng);
    bp::Mlp first = start, second = start;
    bp::Adam inner(0.01), inner2(0.01);
    NormKeeping adam(inner), adam2(inner2);
    const double measured = bp::check_overfits(first, bp::softmax_cross_entropy(), adam, x, y, 20, 1.0).measured;
    const bp::SanityCheck check = bp::check_overfits(second, bp::softmax_cross_entropy(), adam2, x, y, 20, measured);
    const double unclipped = first_gradient_norm(start, x, y);
    ASSERT_EQ(measured, check.measured) << clipped(adam, unclipped) + clipped(adam2, unclipped)
                                        << "the same 20 steps from the same start must measure the same loss, whatever the target";
    EXPECT_TRUE(check.passed) << "the target is a bound the loss must not exceed: passed = measured <= target. Here the "
                                 "loss equals the target exactly ("
                              << std::setprecision(17) << measured << ") and the check failed"
                              << (check.expected == measured ? ": that is measured < target; use <=" : "") << "\n"
                              << check.report();
}

TEST(Ex5_12, TakesPlainStepsWithoutClipping) {
    // An output layer drawn 30 times too large: the gradients' norm is far above any clip norm.
    Matrix x, y;
    twenty_spiral_points(x, y);
    bp::Rng rng(96);
    bp::Mlp start({2, 8, 3}, bp::Activation::tanh, bp::Activation::identity, rng);
    start.dense(1).W *= 30;
    bp::Mlp net = start, same = start;
    PlainSgd sgd(0.001), library(0.001);
    NormKeeping yours(sgd);
    const bp::SanityCheck check = bp::check_overfits(net, bp::softmax_cross_entropy(), yours, x, y, 3, 0.05);
    for (long s = 0; s < 3; ++s) bp::train_step(same, bp::softmax_cross_entropy(), library, x, y, {}, s);
    ASSERT_EQ(yours.norms.size(), 3u) << "check_overfits with steps = 3 must take 3 steps of the optimizer given";
    const double unclipped = first_gradient_norm(start, x, y);
    const std::string why = clipped(yours, unclipped);
    EXPECT_HOLDS(bp_test::matrices_near(why + "the gradients' global norm at step 1", Matrix::Constant(1, 1, unclipped),
                                        Matrix::Constant(1, 1, yours.norms[0])))
        << "a 2-8-3 tanh network with its output layer drawn 30 times too large, on 20 spiral points, plain SGD (lr = 0.001)";
    EXPECT_HOLDS(bp_test::matrices_near(why + "check.measured", Matrix::Constant(1, 1, bp::softmax_cross_entropy_loss(same.forward(x), y)),
                                        Matrix::Constant(1, 1, check.measured), 1e-9))
        << "the loss after 3 plain steps of SGD (lr = 0.001)";
}

// The course's squared error (chapter 2), written out here: 1/2 the squared error, summed over
// the outputs, averaged over the batch; its gradient (y_hat - y) / m.
bp::Loss squared_error() {
    return {"squared error",
            [](const Matrix& out, const Matrix& y) { return 0.5 * (out - y).squaredNorm() / static_cast<double>(out.cols()); },
            [](const Matrix& out, const Matrix& y) { return Matrix((out - y) / static_cast<double>(out.cols())); }};
}

TEST(Ex5_12, TrainsAndMeasuresWithTheLossItIsGiven) {
    Matrix x, y;
    twenty_spiral_points(x, y);
    bp::Rng rng(95);
    const bp::Mlp start({2, 8, 3}, bp::Activation::tanh, bp::Activation::identity, rng);
    const bp::Loss mse = squared_error(), cross_entropy = bp::softmax_cross_entropy();
    bp::Mlp net = start;
    PlainSgd sgd(0.5);
    const bp::SanityCheck check = bp::check_overfits(net, mse, sgd, x, y, 5, 0.05);
    // The same 5 steps with the library's train_step: with the squared error, as asked, and with
    // the softmax cross-entropy, the loss of every other test of check_overfits.
    const auto five_steps = [&](const bp::Loss& loss) {
        bp::Mlp same = start;
        PlainSgd library(0.5);
        for (long s = 0; s < 5; ++s) bp::train_step(same, loss, library, x, y, {}, s);
        return same;
    };
    bp::Mlp with_mse = five_steps(mse), with_ce = five_steps(cross_entropy);
    const auto measured = [&](const bp::Loss& loss, bp::Mlp& m) { return Matrix::Constant(1, 1, loss.value(m.forward(x), y)); };
    const std::string given =
        "check_overfits takes its steps and measures with the loss it is given, here the squared error: "
        "basic_train_step(model, loss, opt, x, y), then loss.value(model.forward(x), y)";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "check.measured", measured(mse, with_mse), Matrix::Constant(1, 1, check.measured),
        {{"The softmax cross-entropy in place of `loss`, in the steps and in the measurement. " + given, measured(cross_entropy, with_ce)},
         {"The softmax cross-entropy measured in place of `loss` (the steps used it). " + given, measured(cross_entropy, with_mse)},
         {"Steps taken with the softmax cross-entropy in place of `loss` (the measurement used it). " + given, measured(mse, with_ce)}},
        given))
        << "the squared error (1/2 the squared error, summed over the outputs, averaged over the batch) on 20 spiral points "
           "after 5 steps of plain SGD (lr = 0.5) on a 2-8-3 tanh network, with that squared error as the loss";
}

TEST(Ex5_12, ANetworkThatCannotLearnFails) {
    Matrix x, y;
    twenty_spiral_points(x, y);
    bp::Rng rng(99);
    bp::Mlp net({2, 32, 32, 3}, bp::Activation::relu, bp::Activation::identity, rng);
    net.dense(0).b.setConstant(-5);  // every unit of layer 1 off: no gradient reaches the layers below the last
    bp::Adam adam(0.01);
    const bp::SanityCheck check = bp::check_overfits(net, bp::softmax_cross_entropy(), adam, x, y, 100, 0.05);
    EXPECT_GT(check.measured, 0.5) << check.report();
    EXPECT_FALSE(check.passed) << "a network whose first layer is dead cannot overfit 20 points: " << check.report();
}

}  // namespace
