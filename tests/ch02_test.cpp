// Chapter 2 property tests: the losses' values where they are known exactly, the batch
// convention (a mean over the columns), and finite results at the extremes.
#include "check.hpp"

#include "bp/core/loss.hpp"
#include "bp/core/random.hpp"

#include <cmath>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

using bp::Matrix;
using bp_test::col;
using bp_test::matches_or_names_mistake_first;
using bp_test::scalar;
using bp_test::scalar_sigmoid;

// A loss (one number) against the expected one, naming the mistake that gives it when one does.
::testing::AssertionResult loss_is(const std::string& what, double expected, double got,
                                   const std::vector<std::pair<std::string, double>>& mistakes) {
    std::vector<bp_test::Mistake> as_matrices;
    as_matrices.reserve(mistakes.size());
    for (const auto& [why, value] : mistakes) as_matrices.push_back({why, scalar(value)});
    return matches_or_names_mistake_first(what, scalar(expected), scalar(got), as_matrices, "", 1e-12);
}

// A loss at logits of +-1000 against the expected one: on a failure, the first line says what
// it is instead and `why` (the usual cause there, an overflow or a log of 0).
::testing::AssertionResult finite_loss_is(const std::string& what, double expected, double got, const std::string& why) {
    std::ostringstream first;
    first << what << " is " << got << ", not " << expected << ": " << why;
    return bp_test::explained(first.str(), bp_test::matrices_near(what, scalar(expected), scalar(got), 1e-12));
}

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
    const Matrix lse = bp::log_sum_exp(z);
    EXPECT_HOLDS(
        bp_test::explained("e^1000 is inf, and e^-1000 underflows (to 0, whose log is -inf, or to the tiniest number "
                           "Eigen's exp returns): take each column's largest logit out first, max + log(sum(e^(z - max))) "
                           "(section 'Log-sum-exp')",
                           bp_test::all_finite("log_sum_exp(z)", lse)))
        << "with z =\n"
        << bp_test::format_matrix(z);
    const Matrix without_max = (Matrix(1, 3) << std::log(2.0), std::log(2.0), 0).finished();
    EXPECT_HOLDS(matches_or_names_mistake_first("log_sum_exp(z)", expected, lse,
                                                {{"log(sum(e^(z - max))) without adding the column's max back: "
                                                  "max + log(sum(e^(z - max)))",
                                                  without_max}}))
        << "with z =\n"
        << bp_test::format_matrix(z);
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
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "log_sum_exp(z)", expected, bp::log_sum_exp(z),
        {{"shifting by the largest logit of the whole matrix (z.maxCoeff()) instead of each column's own "
          "(z.colwise().maxCoeff()): every e^z of column 1 underflows (to 0, or to the tiniest number Eigen's exp "
          "returns), and its log is -inf or wrong",
          global}}))
        << "with columns whose logits differ by 800, z =\n"
        << bp_test::format_matrix(z);
}

// ---- 2.1, 2.2 mean squared error ----

TEST(Ex2_1, DividesByTheBatchSizeOnly) {
    // 3 outputs, 4 examples, every error 2: the sum of squares is 48, and each way of
    // dividing it gives a different number.
    bp::Rng rng(46);
    const Matrix y = bp_test::one_hot(rng, 3, 4), y_hat = (y.array() + 2.0).matrix();
    BP_INPUTS(y_hat, y);
    EXPECT_HOLDS(loss_is("mse_loss(y_hat, y)", 48.0 / 2 / 4, bp::mse_loss(y_hat, y),
                         {{"without the 1/2: the page's loss is 1/2 ||y_hat - y||^2 per example", 48.0 / 4},
                          {"summed over the batch, not averaged: divide by m, the number of columns", 48.0 / 2},
                          {"averaged over every element (n m), as PyTorch's MSELoss does, not over the m examples", 48.0 / 2 / 12},
                          {"averaged over every element without the 1/2 (PyTorch's MSELoss), not 1/2 of the sum over "
                           "outputs, averaged over the m examples",
                           48.0 / 12},
                          {"divided by the number of outputs (rows), not by the batch size m (columns)", 48.0 / 2 / 3},
                          {"0: in C++, 1 / 2 is integer division and gives 0; write 0.5 or 1.0 / 2", 0.0},
                          {"the norm, not its square: squaredNorm() sums the squares", std::sqrt(48.0) / 2 / 4}}))
        << "with 3 outputs and m = 4 examples, every error 2 (the squares sum to 48)";
}

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
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "mse_grad(y_hat, y)", Matrix(y_hat / 4.0), bp::mse_grad(y_hat, y),
        {{"y_hat - y without the 1/m: the loss is a mean over the m = 4 examples, so its gradient is (y_hat - y) / m", y_hat},
         {"2 (y_hat - y) / m: the 1/2 in front of the loss cancels the 2 of the square", Matrix(2.0 * y_hat / 4.0)},
         {"(y_hat - y) / (n m): divided by every element's count (12), not by the batch size m = 4", Matrix(y_hat / 12.0)},
         {"(y_hat - y) / n: divided by the number of outputs (rows, 3), not by the batch size m (columns, 4)", Matrix(y_hat / 3.0)},
         {"(y - y_hat) / m: the sign is flipped", Matrix(-y_hat / 4.0)}}));
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
    const std::string stable =
        "computed from s = sigmoid(z), log(0) is -inf (and 0 times it NaN); log(1 + e^-z) overflows for z = -1000: "
        "write it as max(z, 0) - z y + log1p(e^-|z|), where no exponent is positive (section 'Binary cross-entropy, "
        "from logits')";
    EXPECT_HOLDS(finite_loss_is("bce_with_logits_loss(z = 1000, y = 1)", 0.0, bp::bce_with_logits_loss(col({1000.0}), col({1.0})), stable));
    EXPECT_HOLDS(
        finite_loss_is("bce_with_logits_loss(z = -1000, y = 0)", 0.0, bp::bce_with_logits_loss(col({-1000.0}), col({0.0})), stable));
    EXPECT_HOLDS(
        finite_loss_is("bce_with_logits_loss(z = -1000, y = 1)", 1000.0, bp::bce_with_logits_loss(col({-1000.0}), col({1.0})), stable));
    EXPECT_HOLDS(
        finite_loss_is("bce_with_logits_loss(z = 1000, y = 0)", 1000.0, bp::bce_with_logits_loss(col({1000.0}), col({0.0})), stable));
}

TEST(Ex2_4, SumsOverOutputsAndAveragesOverTheBatch) {
    // 3 outputs, 2 examples: the per-element losses summed, over m = 2.
    Matrix z(3, 2), y(3, 2);
    z << 0, 2,  //
        0, 2,   //
        2, 0;
    y << 1, 1,  //
        0, 0,   //
        1, 1;
    const double sum = 3 * std::log(2.0) - 2 * std::log(scalar_sigmoid(2.0)) - std::log(1 - scalar_sigmoid(2.0));
    EXPECT_HOLDS(loss_is("bce_with_logits_loss(z, y)", sum / 2, bp::bce_with_logits_loss(z, y),
                         {{"summed over the batch, not averaged: divide by m, the number of columns", sum},
                          {"averaged over every element (n m), not summed over the outputs and averaged over the m examples", sum / 6},
                          {"divided by the number of outputs (rows), not by the batch size m (columns)", sum / 3}}))
        << "with 3 outputs and m = 2 examples, z =\n"
        << bp_test::format_matrix(z) << "y =\n"
        << bp_test::format_matrix(y);
}

TEST(Ex2_5, IsSigmoidMinusTargetOverTheBatchSize) {
    Matrix z(1, 4), y(1, 4), expected(1, 4);
    z << -1000, 0, 2, 1000;
    y << 1, 1, 0, 0;
    expected << -1, scalar_sigmoid(0) - 1, scalar_sigmoid(2), 1;
    const Matrix slope = (Matrix(1, 4) << 0, 0.25, scalar_sigmoid(2) * (1 - scalar_sigmoid(2)), 0).finished();
    EXPECT_HOLDS(
        matches_or_names_mistake_first("bce_with_logits_grad(z, y)", Matrix(expected / 4.0), bp::bce_with_logits_grad(z, y),
                                       {{"sigmoid(z) - y without the 1/m: the loss is a mean over the m = 4 examples", expected},
                                        {"(y - sigmoid(z)) / m: the sign is flipped", Matrix(-expected / 4.0)},
                                        {"(sigmoid(z) - y) sigmoid'(z) / m: the sigmoid's slope cancels against the log's, so dL/dz is "
                                         "(sigmoid(z) - y) / m with no sigmoid' (section 'Binary cross-entropy, from logits')",
                                         Matrix(expected.cwiseProduct(slope) / 4.0)}}))
        << "with z =\n"
        << bp_test::format_matrix(z) << "y =\n"
        << bp_test::format_matrix(y);
}

TEST(Ex2_5, DividesByTheBatchSizeNotTheOutputs) {
    const Matrix z = bp::Rng(47).uniform_matrix(2, 3, -2, 2);
    Matrix y(2, 3);
    y << 1, 0, 1,  //
        0, 0, 1;
    BP_INPUTS(z, y);
    const Matrix diff = bp_test::sigmoid_of(z) - y;  // the tests' own sigmoid
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "bce_with_logits_grad(z, y)", Matrix(diff / 3.0), bp::bce_with_logits_grad(z, y),
        {{"(sigmoid(z) - y) / n: divided by the number of outputs (rows, 2), not by the batch size m (columns, 3)", Matrix(diff / 2.0)},
         {"(sigmoid(z) - y) / (n m): divided by every element's count (6), not by the batch size m = 3", Matrix(diff / 6.0)}}));
}

// ---- 2.6, 2.7 softmax cross-entropy ----

TEST(Ex2_6, DividesByTheBatchSizeNotTheClasses) {
    // 3 classes, 2 examples: the two columns' losses, over m = 2.
    Matrix z(3, 2), y(3, 2);
    z << 1, 0,  //
        2, 0,   //
        3, 0;
    y << 0, 1,  //
        1, 0,   //
        0, 0;
    const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) + std::log(3.0);  // both columns'
    const double sum = lse - 2;                                                                  // y . z is 2 + 0
    const double cross_terms = (y.transpose() * z).sum();  // every column of y against every column of z
    EXPECT_HOLDS(loss_is("softmax_cross_entropy_loss(z, y)", sum / 2, bp::softmax_cross_entropy_loss(z, y),
                         {{"summed over the batch, not averaged: divide by m, the number of columns", sum},
                          {"divided by the number of classes (rows, 3), not by the batch size m (columns, 2)", sum / 3},
                          {"averaged over every element (K m), not over the m examples", sum / 6},
                          {"y . z - log_sum_exp(z): the sign is flipped; the loss is log_sum_exp(z) - y . z", -sum / 2},
                          {"log_sum_exp(z) alone: the term - y . z is missing", lse / 2},
                          {"(y^T z).sum() for y . z: that product also pairs each example's targets with the other "
                           "examples' logits; y.cwiseProduct(z).sum() pairs each element with its own",
                           (lse - cross_terms) / 2}}))
        << "with 3 classes and m = 2 examples, z =\n"
        << bp_test::format_matrix(z) << "y =\n"
        << bp_test::format_matrix(y);
}

TEST(Ex2_6, IsMinusTheLogOfTheRightClassProbability) {
    const Matrix z = col({1.0, 2.0, 3.0});
    const double p2 = std::exp(2.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
    EXPECT_NEAR(-std::log(p2), bp::softmax_cross_entropy_loss(z, col({0.0, 1.0, 0.0})), 1e-12);
    EXPECT_NEAR(std::log(3.0), bp::softmax_cross_entropy_loss(Matrix::Zero(3, 1), col({1.0, 0.0, 0.0})), 1e-12);
}

TEST(Ex2_6, IsFiniteAndCorrectForLogitsOfPlusMinus1000) {
    const std::string stable =
        "a softmax probability of logits 2000 apart underflows (to 0, whose log is -inf and 0 times that NaN, or to "
        "the tiniest number Eigen's exp returns, whose log is about -709, not -2000); write the loss as "
        "log_sum_exp(z) - y . z, which never takes the log of a probability (section 'Softmax cross-entropy')";
    EXPECT_HOLDS(finite_loss_is("softmax_cross_entropy_loss(z = (1000, -1000), y = (1, 0))", 0.0,
                                bp::softmax_cross_entropy_loss(col({1000.0, -1000.0}), col({1.0, 0.0})), stable));
    EXPECT_HOLDS(finite_loss_is("softmax_cross_entropy_loss(z = (1000, -1000), y = (0, 1))", 2000.0,
                                bp::softmax_cross_entropy_loss(col({1000.0, -1000.0}), col({0.0, 1.0})), stable));
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

TEST(Ex2_7, DividesByTheBatchSizeNotTheClasses) {
    const Matrix z = bp::Rng(48).uniform_matrix(3, 2, -2, 2);
    Matrix y(3, 2);
    y << 0, 1,  //
        1, 0,   //
        0, 0;
    BP_INPUTS(z, y);
    const Eigen::ArrayXXd e = z.array().exp();  // small logits: the plain softmax is safe here
    const Matrix diff = (e.rowwise() / e.colwise().sum()).matrix() - y;
    const Matrix over_rows = (e.colwise() / e.rowwise().sum()).matrix() - y;
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "softmax_cross_entropy_grad(z, y)", Matrix(diff / 2.0), bp::softmax_cross_entropy_grad(z, y),
        {{"softmax(z) - y without the 1/m: the loss is a mean over the m = 2 examples", diff},
         {"(softmax(z) - y) / K: divided by the number of classes (rows, 3), not by the batch size m (columns, 2)", Matrix(diff / 3.0)},
         {"(softmax(z) - y) / (K m): divided by every element's count (6), not by the batch size m = 2", Matrix(diff / 6.0)},
         {"(y - softmax(z)) / m: the sign is flipped", Matrix(-diff / 2.0)},
         {"softmax(z) / m: the target y is not subtracted", Matrix((diff + y) / 2.0)},
         {"(sigmoid(z) - y) / m: that is binary cross-entropy's gradient; this loss's is (softmax(z) - y) / m",
          Matrix((bp_test::sigmoid_of(z) - y) / 2.0)},
         {"a softmax over the rows: each column (one example) is its own distribution", Matrix(over_rows / 2.0)}}));
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
