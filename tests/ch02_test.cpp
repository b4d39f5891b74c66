// Chapter 2 property tests: the losses' values where they are known exactly, the batch
// convention (a mean over the columns), and finite results at the extremes.
#include "check.hpp"

#include "bp/core/loss.hpp"
#include "bp/core/random.hpp"

#include <cmath>

namespace {

using bp::Matrix;
using bp_test::col;
using bp_test::scalar_sigmoid;

// ---- 2.3 log_sum_exp ----

TEST(Ex2_3, MatchesTheNaiveFormulaOnSmallLogits) {
    const Matrix z = bp::Rng(41).uniform_matrix(4, 3, -2, 2);
    BP_INPUTS(z);
    EXPECT_MATRIX_NEAR(Matrix(z.array().exp().colwise().sum().log()), bp::log_sum_exp(z));
}

TEST(Ex2_3, IsExactForLogitsOfPlusMinus1000) {
    Matrix z(2, 3);
    z << 1000, -1000, 1000,  //
        1000, -1000, -1000;
    Matrix expected(1, 3);
    expected << 1000 + std::log(2.0), -1000 + std::log(2.0), 1000;
    EXPECT_MATRIX_NEAR(expected, bp::log_sum_exp(z));
}

TEST(Ex2_3, EachColumnIsShiftedByItsOwnMaximum) {
    // Column 1's logits lie 800 below column 0's: shifted by the largest logit of the whole
    // matrix, every e^z of column 1 underflows to 0, and log 0 is -inf.
    Matrix z(3, 2);
    z << 400, -400,  //
        399, -401,   //
        398, -399;
    const double lse_0_1_2 = std::log(1 + std::exp(-1.0) + std::exp(-2.0));  // log(e^0 + e^-1 + e^-2)
    const Matrix expected = (Matrix(1, 2) << 400 + lse_0_1_2, -399 + lse_0_1_2).finished();
    const Matrix global = (z.maxCoeff() + (z.array() - z.maxCoeff()).exp().colwise().sum().log()).matrix();
    EXPECT_HOLDS(bp_test::matches_or_names_mistake(
        "log_sum_exp(z)", expected, bp::log_sum_exp(z),
        {{"shifting by the largest logit of the whole matrix (z.maxCoeff()) instead of each column's own "
          "(z.colwise().maxCoeff()): every e^z of column 1 underflows (to 0, or to the tiniest number Eigen's exp "
          "returns), and its log is -inf or wrong",
          global}}))
        << "with columns whose logits differ by 800, z =\n"
        << bp_test::format_matrix(z);
}

// ---- 2.1, 2.2 mean squared error ----

TEST(Ex2_1, IsHalfTheSquaredErrorAveragedOverTheBatch) {
    Matrix y_hat(2, 2), y(2, 2);
    y_hat << 1, 0,  //
        2, 0;
    y << 0, 0,  //
        0, 3;
    // column 1: 1/2 (1 + 4) = 2.5; column 2: 1/2 9 = 4.5; mean 3.5
    EXPECT_NEAR(3.5, bp::mse_loss(y_hat, y), 1e-12);
    EXPECT_EQ(0.0, bp::mse_loss(y, y));
}

TEST(Ex2_1, ProbabilitiesOfExactlyZeroAndOneAreFine) { EXPECT_NEAR(0.5, bp::mse_loss(col({0.0, 1.0}), col({1.0, 1.0})), 1e-12); }

TEST(Ex2_2, IsTheErrorOverTheBatchSize) {
    const Matrix y_hat = bp::Rng(42).uniform_matrix(3, 4, 0, 1), y = Matrix::Zero(3, 4);
    BP_INPUTS(y_hat, y);
    EXPECT_MATRIX_NEAR(Matrix(y_hat / 4.0), bp::mse_grad(y_hat, y));
}

TEST(Ex2_2, MatchesTheSlopeOfTheLoss) {
    const Matrix y_hat = bp::Rng(43).uniform_matrix(2, 3, 0, 1), y = bp::Rng(44).uniform_matrix(2, 3, 0, 1);
    BP_INPUTS(y_hat, y);
    const auto loss = [&](const Matrix& p) { return 0.5 * (p - y).squaredNorm() / 3.0; };  // written out here
    Matrix numeric(2, 3);
    for (bp::Index i = 0; i < y_hat.size(); ++i) {
        Matrix plus = y_hat, minus = y_hat;
        plus(i) += 1e-6;
        minus(i) -= 1e-6;
        numeric(i) = (loss(plus) - loss(minus)) / 2e-6;
    }
    EXPECT_HOLDS(bp_test::matrices_near("mse_grad", numeric, bp::mse_grad(y_hat, y), 1e-7));
}

// ---- 2.4, 2.5 binary cross-entropy from logits ----

TEST(Ex2_4, HasTheKnownValues) {
    EXPECT_NEAR(std::log(2.0), bp::bce_with_logits_loss(col({0.0}), col({1.0})), 1e-12);
    EXPECT_NEAR(-std::log(scalar_sigmoid(2.0)), bp::bce_with_logits_loss(col({2.0}), col({1.0})), 1e-12);
    EXPECT_NEAR(-std::log(1 - scalar_sigmoid(2.0)), bp::bce_with_logits_loss(col({2.0}), col({0.0})), 1e-12);
}

TEST(Ex2_4, IsFiniteAndCorrectForLogitsOfPlusMinus1000) {
    // sigmoid(+-1000) is exactly 1 or 0 in double: a confident right answer costs 0, a
    // confident wrong one costs 1000.
    EXPECT_NEAR(0.0, bp::bce_with_logits_loss(col({1000.0}), col({1.0})), 1e-12);
    EXPECT_NEAR(0.0, bp::bce_with_logits_loss(col({-1000.0}), col({0.0})), 1e-12);
    EXPECT_NEAR(1000.0, bp::bce_with_logits_loss(col({-1000.0}), col({1.0})), 1e-9);
    EXPECT_NEAR(1000.0, bp::bce_with_logits_loss(col({1000.0}), col({0.0})), 1e-9);
}

TEST(Ex2_4, SumsOverOutputsAndAveragesOverTheBatch) {
    Matrix z(2, 2), y(2, 2);
    z << 0, 2,  //
        0, 2;
    y << 1, 1,  //
        0, 0;
    const double expected = (2 * std::log(2.0) - std::log(scalar_sigmoid(2.0)) - std::log(1 - scalar_sigmoid(2.0))) / 2;
    EXPECT_NEAR(expected, bp::bce_with_logits_loss(z, y), 1e-12);
}

TEST(Ex2_5, IsSigmoidMinusTargetOverTheBatchSize) {
    Matrix z(1, 4), y(1, 4), expected(1, 4);
    z << -1000, 0, 2, 1000;
    y << 1, 1, 0, 0;
    expected << -1, scalar_sigmoid(0) - 1, scalar_sigmoid(2), 1;
    EXPECT_MATRIX_NEAR(Matrix(expected / 4.0), bp::bce_with_logits_grad(z, y));
}

// ---- 2.6, 2.7 softmax cross-entropy ----

TEST(Ex2_6, IsMinusTheLogOfTheRightClassProbability) {
    const Matrix z = col({1.0, 2.0, 3.0});
    const double p2 = std::exp(2.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
    EXPECT_NEAR(-std::log(p2), bp::softmax_cross_entropy_loss(z, col({0.0, 1.0, 0.0})), 1e-12);
    EXPECT_NEAR(std::log(3.0), bp::softmax_cross_entropy_loss(Matrix::Zero(3, 1), col({1.0, 0.0, 0.0})), 1e-12);
}

TEST(Ex2_6, IsFiniteAndCorrectForLogitsOfPlusMinus1000) {
    EXPECT_NEAR(0.0, bp::softmax_cross_entropy_loss(col({1000.0, -1000.0}), col({1.0, 0.0})), 1e-12);
    EXPECT_NEAR(2000.0, bp::softmax_cross_entropy_loss(col({1000.0, -1000.0}), col({0.0, 1.0})), 1e-9);
}

TEST(Ex2_6, TakesAnyTargetDistributionNotOnlyOneHot) {
    // Soft targets, such as label smoothing makes: the loss is lse(z) - y . z for any y whose
    // column sums to 1, not the loss of one class.
    Matrix z(3, 2), y(3, 2);
    z << 1, 0.5,  //
        2, -1,    //
        3, 0;
    y << 0.2, 0.9,  //
        0.3, 0.05,  //
        0.5, 0.05;
    const Matrix lse = z.array().exp().colwise().sum().log();  // small logits: the plain formula is safe
    const double expected = (lse.sum() - y.cwiseProduct(z).sum()) / 2;
    double one_hot = 0;  // what the loss of the most likely class alone gives
    for (bp::Index k = 0; k < 2; ++k) {
        bp::Index label = 0;
        y.col(k).maxCoeff(&label);
        one_hot += (lse(0, k) - z(label, k)) / 2;
    }
    EXPECT_HOLDS(bp_test::matches_or_names_mistake("softmax_cross_entropy_loss(z, y)", Matrix::Constant(1, 1, expected),
                                                   Matrix::Constant(1, 1, bp::softmax_cross_entropy_loss(z, y)),
                                                   {{"taking only the class with the largest target, as if y were one-hot, instead of "
                                                     "lse(z) - y . z, which weighs every class's logit by its target",
                                                     Matrix::Constant(1, 1, one_hot)}},
                                                   1e-12))
        << "with soft targets (each column of y sums to 1), z =\n"
        << bp_test::format_matrix(z) << "y =\n"
        << bp_test::format_matrix(y);
}

TEST(Ex2_6, AveragesOverTheBatch) {
    Matrix z(2, 2), y(2, 2);
    z << 0, 1000,  //
        0, -1000;
    y << 1, 0,  //
        0, 1;
    EXPECT_NEAR((std::log(2.0) + 2000.0) / 2, bp::softmax_cross_entropy_loss(z, y), 1e-9);
}

TEST(Ex2_7, IsSoftmaxMinusTargetOverTheBatchSize) {
    Matrix z(2, 2), y(2, 2), expected(2, 2);
    z << 0, 1000,  //
        0, -1000;
    y << 1, 0,  //
        0, 1;
    expected << -0.5, 1,  //
        0.5, -1;
    EXPECT_MATRIX_NEAR(Matrix(expected / 2.0), bp::softmax_cross_entropy_grad(z, y));
}

TEST(Ex2_7, EachColumnSumsToZero) {
    bp::Rng rng(45);
    const Matrix z = rng.uniform_matrix(5, 3, -3, 3);
    Matrix y = Matrix::Zero(5, 3);
    y(1, 0) = y(4, 1) = y(0, 2) = 1;
    BP_INPUTS(z, y);
    EXPECT_MATRIX_NEAR(Matrix::Zero(1, 3), Matrix(bp::softmax_cross_entropy_grad(z, y).colwise().sum()));
}

}  // namespace
