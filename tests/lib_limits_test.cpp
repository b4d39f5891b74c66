// Library checks of the edges of chapters 1 and 2: infinite logits give the limit, not NaN,
// in softmax, log-sum-exp and both cross-entropies; targets that are not what a loss assumes
// (distributions, values in [0, 1]) are refused by name; require_finite names the first
// value that is not finite. NaN logits give NaN (they are not refused), and so does a ReLU's
// backward pass at a NaN.
#include "check.hpp"

#include "bp/autodiff/graph.hpp"
#include "bp/core/activations.hpp"
#include "bp/core/loss.hpp"
#include "bp/layers/activation_layer.hpp"

#include <cmath>
#include <limits>

namespace {

using bp::Matrix;
using bp_test::col;
using bp_test::error_of;
constexpr double inf = std::numeric_limits<double>::infinity();

TEST(Ch01InfiniteLogits, SoftmaxGivesTheLimit) {
    Matrix z(3, 5);
    z << inf, inf, -inf, -inf, 1,  //
        1, inf, -inf, 2, 2,        //
        -2, 0, -inf, 0, 3;
    const Matrix p = bp::softmax(z);
    EXPECT_HOLDS(bp_test::all_finite("softmax(z)", p));
    EXPECT_MATRIX_NEAR(col({1, 0, 0}), Matrix(p.col(0)));
    EXPECT_MATRIX_NEAR(col({0.5, 0.5, 0}), Matrix(p.col(1))) << "the +inf logits share the probability";
    EXPECT_MATRIX_NEAR(col({1.0 / 3, 1.0 / 3, 1.0 / 3}), Matrix(p.col(2))) << "a column of -inf: as equal logits";
    EXPECT_MATRIX_NEAR(Matrix(bp::softmax(col({2, 0})).col(0)), Matrix(p.col(3).tail(2)));
    EXPECT_MATRIX_NEAR(bp::softmax(col({1, 2, 3})), Matrix(p.col(4))) << "finite columns are untouched";
    const Matrix with_nan = bp::softmax(col({std::nan(""), 1}));
    EXPECT_TRUE(std::isnan(with_nan(0)) && std::isnan(with_nan(1))) << "NaN logits give NaN";
}

TEST(Ch02InfiniteLogits, LogSumExpGivesTheLimit) {
    Matrix z(2, 4);
    z << inf, -inf, 1, inf,  //
        0, -inf, -inf, inf;
    const Matrix lse = bp::log_sum_exp(z);
    EXPECT_EQ(inf, lse(0));
    EXPECT_EQ(-inf, lse(1));
    EXPECT_NEAR(1.0, lse(2), 1e-15);
    EXPECT_EQ(inf, lse(3));
}

TEST(Ch02InfiniteLogits, SoftmaxCrossEntropyGivesTheLimit) {
    // Column 0: the target is on the +inf logit (loss 0); column 1: on one of two (log 2).
    Matrix z(3, 2), y(3, 2);
    z << inf, inf,  //
        1, inf,     //
        -3, 0;
    y << 1, 0,  //
        0, 1,   //
        0, 0;
    EXPECT_NEAR(std::log(2.0) / 2, bp::softmax_cross_entropy_loss(z, y), 1e-15);
    // Next to a finite column, which keeps its own loss.
    Matrix z2(3, 2), y2(3, 2);
    z2 << inf, 0.5,  //
        1, -1,       //
        -3, 2;
    y2 << 1, 0,  //
        0, 1,    //
        0, 0;
    const double finite_column = bp::softmax_cross_entropy_loss(Matrix(z2.col(1)), Matrix(y2.col(1)));
    EXPECT_NEAR(finite_column / 2, bp::softmax_cross_entropy_loss(z2, y2), 1e-15);
    // The target on a logit that the +inf one outweighs: -log 0.
    y2.col(0) << 0, 1, 0;
    EXPECT_EQ(inf, bp::softmax_cross_entropy_loss(z2, y2));
    const Matrix dz = bp::softmax_cross_entropy_grad(z2, y2);
    EXPECT_HOLDS(bp_test::all_finite("softmax_cross_entropy_grad(z, y)", dz));
    EXPECT_MATRIX_NEAR(col({0.5, -0.5, 0}), Matrix(dz.col(0)));
}

TEST(Ch02InfiniteLogits, BinaryCrossEntropyGivesTheLimit) {
    Matrix z(2, 2), y(2, 2);
    z << inf, 0.5,  //
        -inf, -1;
    y << 1, 0.25,  //
        0, 1;
    // The infinite logits agree with their targets: they add nothing.
    const Matrix z_finite = (Matrix(1, 2) << 0.5, -1).finished(), y_finite = (Matrix(1, 2) << 0.25, 1).finished();
    EXPECT_NEAR(bp::bce_with_logits_loss(z_finite, y_finite), bp::bce_with_logits_loss(z, y), 1e-15);
    y(0, 0) = 0.5;  // sigmoid(+inf) = 1 against 0.5: -log 0 for the half that says 0
    EXPECT_EQ(inf, bp::bce_with_logits_loss(z, y));
    y(0, 0) = 1;
    y(1, 0) = 1e-3;
    EXPECT_EQ(inf, bp::bce_with_logits_loss(z, y));
    EXPECT_HOLDS(bp_test::all_finite("bce_with_logits_grad(z, y)", bp::bce_with_logits_grad(z, y)));
}

TEST(Ch02Targets, SoftmaxCrossEntropyNeedsDistributions) {
    const Matrix z = Matrix::Zero(3, 2);
    Matrix y(3, 2);
    y << 1, 0.5,  //
        0, 0.3,   //
        0, 0.1;   // column 1 sums to 0.9
    std::string e = error_of<bp::ValueError>([&] { bp::softmax_cross_entropy_loss(z, y); });
    EXPECT_MENTIONS(e, "softmax_cross_entropy_loss");
    EXPECT_MENTIONS(e, "y's column 1 sums to 0.9");
    e = error_of<bp::ValueError>([&] { bp::softmax_cross_entropy_grad(z, y); });
    EXPECT_MENTIONS(e, "softmax_cross_entropy_grad");
    y.col(1) << 1.2, -0.2, 0;
    e = error_of<bp::ValueError>([&] { bp::softmax_cross_entropy_loss(z, y); });
    EXPECT_MENTIONS(e, "-0.2 at row 1, column 1");
    y.col(1) << std::nan(""), 0.5, 0.5;
    EXPECT_MENTIONS(error_of<bp::ValueError>([&] { bp::softmax_cross_entropy_loss(z, y); }), "nan at row 0, column 1");
    y.col(1) << 0.2, 0.3, 0.5;  // a distribution that is not one-hot is fine
    EXPECT_NO_THROW(bp::softmax_cross_entropy_loss(z, y));
}

TEST(Ch02Targets, BinaryCrossEntropyNeedsTargetsInZeroOne) {
    const Matrix z = Matrix::Zero(1, 3);
    Matrix y = (Matrix(1, 3) << 0, 1.5, 1).finished();
    std::string e = error_of<bp::ValueError>([&] { bp::bce_with_logits_loss(z, y); });
    EXPECT_MENTIONS(e, "bce_with_logits_loss: y must lie in [0, 1], but is 1.5 at row 0, column 1");
    EXPECT_MENTIONS(error_of<bp::ValueError>([&] { bp::bce_with_logits_grad(z, y); }), "bce_with_logits_grad");
    y(1) = std::nan("");
    EXPECT_MENTIONS(error_of<bp::ValueError>([&] { bp::bce_with_logits_loss(z, y); }), "but is nan");
    y(1) = -0.0;
    EXPECT_NO_THROW(bp::bce_with_logits_loss(z, y));
}

TEST(LibMatrix, RequireFiniteNamesTheFirstValueThatIsNot) {
    Matrix g = Matrix::Ones(3, 2);
    EXPECT_NO_THROW(bp::require_finite("clip_grad_norm", "layer1.W's gradient", g));
    g(1, 0) = std::nan("");
    g(2, 1) = inf;
    EXPECT_MENTIONS(error_of<bp::ValueError>([&] { bp::require_finite("clip_grad_norm", "layer1.W's gradient", g); }),
                    "clip_grad_norm: layer1.W's gradient is not finite: nan at row 1, column 0");
    g(1, 0) = 0;
    const Eigen::Map<Matrix> view(g.data(), 3, 2);  // a Parameter's view works too
    EXPECT_MENTIONS(error_of<bp::ValueError>([&] { bp::require_finite("step", "b", view); }), "step: b is not finite: inf at row 2, column 1");
}

// relu_prime and leaky_relu_prime (exercises 1.7 and 1.9) give 0 and alpha at a NaN (NaN > 0 is
// false); the library's backward passes put the NaN back, so that it is not hidden there.
TEST(Ch03NaN, AReLUsBackwardPassGivesNaNWhereZIsNaN) {
    const double nan = std::nan("");
    const Matrix z = (Matrix(1, 3) << -1.0, nan, 2.0).finished(), da = Matrix::Ones(1, 3);
    for (const bp::Activation f : {bp::Activation::relu, bp::Activation::leaky_relu}) {
        SCOPED_TRACE(bp::to_string(f));
        const Matrix d = bp::activate_prime(f, z);
        EXPECT_TRUE(std::isnan(d(1))) << "f'(nan) is " << d(1);
        EXPECT_EQ(d(2), 1.0);
        EXPECT_TRUE(std::isnan(bp::activation_backward(f, da, z)(1)));
    }
    bp::ActivationLayer leaky(bp::Activation::leaky_relu, 0.2);
    leaky.forward(z);
    const Matrix dz = leaky.backward(da);
    EXPECT_TRUE(std::isnan(dz(1)) && dz(0) == 0.2 && dz(2) == 1.0) << bp_test::format_matrix(dz);
    bp::Graph g;
    const bp::Var x = g.input(z, "z");
    g.backward(g.sum(g.relu(x)));
    EXPECT_TRUE(std::isnan(g.grad(x)(1)) && g.grad(x)(0) == 0.0 && g.grad(x)(2) == 1.0) << bp_test::format_matrix(g.grad(x));
}

}  // namespace
