// Chapter 2's library checks at the edges: infinite logits give the limit, not NaN, in
// log-sum-exp and both cross-entropies; targets that are not what a loss assumes
// (distributions, values in [0, 1]) are refused by name. (Softmax's: ch01_limits_test.cpp.)
#include "check.hpp"

#include "bp/core/activations.hpp"
#include "bp/core/loss.hpp"

#include <cmath>
#include <limits>

namespace {

using bp::Matrix;
using bp_test::col;
using bp_test::error_of;
constexpr double inf = std::numeric_limits<double>::infinity();

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

}  // namespace
