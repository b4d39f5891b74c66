// Chapter 1 property tests: what must hold for any correct forward pass. Each suite ExN_M
// belongs to exercise N.M; a test calls only its own exercise's code where it can, so that
// finishing one exercise turns its tests green whatever state the others are in.
#include "check.hpp"

#include "bp/core/activations.hpp"
#include "bp/layers/dense.hpp"
#include "bp/core/linear.hpp"
#include "bp/layers/mlp.hpp"

#include <cmath>
#include <string>

namespace {

using bp::Activation;
using bp::Matrix;
using bp::Vector;
using bp_test::matches_or_names_mistake_first;
using bp_test::row;
using bp_test::scalar_sigmoid;

// Applies a scalar function to every element: the tests' own, independent formulas.
template <class F>
Matrix each(const Matrix& z, F f) {
    return z.unaryExpr(f);
}

// The central difference (f(z + h) - f(z - h)) / 2h, element by element.
template <class F>
Matrix numeric_derivative(const Matrix& z, F f, double h = 1e-5) {
    return each(z, [&](double x) { return (f(x + h) - f(x - h)) / (2 * h); });
}

const Matrix extremes = row({-1000.0, -40.0, 40.0, 1000.0});

// A result at the extremes that must be finite: on a failure, which z gave the inf or NaN and
// what usually computes it there.
::testing::AssertionResult finite_at_extremes(const std::string& what, const Matrix& got, const std::string& why) {
    for (bp::Index j = 0; j < got.size(); ++j)
        if (!std::isfinite(got(j)))
            return ::testing::AssertionFailure() << what << " is " << got(j) << " at z = " << extremes(j) << ": " << why << "\n"
                                                 << "  with z =\n"
                                                 << bp_test::format_matrix(extremes) << "  got:\n"
                                                 << bp_test::format_matrix(got);
    return ::testing::AssertionSuccess();
}

// ---- 1.1 linear_forward ----

TEST(Ex1_1, OutputHasOneColumnPerExample) {
    bp::Rng rng(3);
    const Matrix W = rng.uniform_matrix(4, 3, -1, 1), a_prev = rng.uniform_matrix(3, 7, -1, 1);
    const Vector b = Vector::Ones(4);
    BP_INPUTS(W, Matrix(b), a_prev);  // an Eigen assertion names their shapes
    const Matrix z = bp::linear_forward(W, b, a_prev);
    EXPECT_EQ(bp::shape(z), "4x7") << "z = W a_prev + b has n_out rows and one column per example";
}

TEST(Ex1_1, EachColumnIsComputedOnItsOwn) {
    bp::Rng rng(4);
    const Matrix W = rng.uniform_matrix(3, 2, -1, 1), a_prev = rng.uniform_matrix(2, 3, -1, 1);
    const Vector b = rng.uniform_matrix(3, 1, -1, 1).col(0);
    BP_INPUTS(W, Matrix(b), a_prev);
    const Matrix batch = bp::linear_forward(W, b, a_prev);
    ASSERT_EQ(bp::shape(batch), "3x3") << "linear_forward(W, b, a_prev) with W 3x2 and a_prev 2x3";
    for (bp::Index j = 0; j < a_prev.cols(); ++j)
        EXPECT_MATRIX_NEAR(Matrix(bp::linear_forward(W, b, a_prev.col(j))), Matrix(batch.col(j)))
            << "column " << j << " of the batch against that column alone";
}

TEST(Ex1_1, ASquareWIsNotTransposed) {
    // With n_out = n_in every shape fits W^T a_prev too: only the values tell.
    Matrix W(2, 2), a_prev(2, 3);
    W << 1, 2,  //
        -3, 0.5;
    a_prev << 1, 0, -1,  //
        2, 1, 0.5;
    const Vector b = (Vector(2) << 0.1, -0.2).finished();
    const Matrix expected = (W * a_prev).colwise() + b;  // the formula, written out here
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "z", expected, bp::linear_forward(W, b, a_prev),
        {{"W^T a_prev + b: W is transposed; W is n_out x n_in, row i the weights of neuron i, and z = W a_prev + b",
          (W.transpose() * a_prev).colwise() + b},
         {"W a_prev without the bias: z = W a_prev + b, with b added to every column", W * a_prev},
         {"W a_prev - b: the bias is subtracted, not added", (W * a_prev).colwise() - b}}))
        << "with the square, non-symmetric W =\n"
        << bp_test::format_matrix(W) << "b =\n"
        << bp_test::format_matrix(b) << "a_prev =\n"
        << bp_test::format_matrix(a_prev);
}

TEST(Ex1_1, BiasIsAddedToEveryColumn) {
    const Vector b = (Vector(2) << 0.5, -1.5).finished();
    const std::string inputs = "with W = 0 (2x3), b = (0.5, -1.5) and a_prev = 1 (3x4)";
    const std::string broadcast =
        "b has one entry per neuron (2x1) and W a_prev one column per example (2x4): b is added to every column, "
        "(W * a_prev).colwise() + b (section 'A batch is stored as columns')";
    Matrix z;
    try {
        z = bp::linear_forward(Matrix::Zero(2, 3), b, Matrix::Ones(3, 4));
    } catch (const bp::NotImplemented&) {
        throw;
    } catch (const std::exception& e) {
        FAIL() << broadcast << "\nlinear_forward(W, b, a_prev) " << inputs << " threw: " << e.what();
    }
    Matrix first_column_only = Matrix::Zero(2, 4);
    first_column_only.col(0) = b;
    EXPECT_HOLDS(matches_or_names_mistake_first("z", b.replicate(1, 4), z,
                                                {{"b is added to the first column only: " + broadcast, first_column_only}}))
        << inputs;
}

// ---- 1.2, 1.3 sigmoid ----

TEST(Ex1_2, SigmoidOfZeroIsOneHalf) { EXPECT_MATRIX_NEAR(Matrix::Constant(2, 2, 0.5), bp::sigmoid(Matrix::Zero(2, 2))); }

TEST(Ex1_2, IsFiniteAndSaturatesForLogitsOfPlusMinus1000) {
    const Matrix s = bp::sigmoid(extremes);
    EXPECT_HOLDS(finite_at_extremes("sigmoid(z)", s,
                                    "e^1000 is inf, and a formula with e^z above and below the line, such as e^z / (1 + e^z), "
                                    "gives inf / inf = NaN; 1 / (1 + e^-z) only ever divides 1 by inf, which is 0 (section 'Sigmoid')"));
    const Matrix expected = row({0.0, scalar_sigmoid(-40), scalar_sigmoid(40), 1.0});
    EXPECT_HOLDS(matches_or_names_mistake_first("sigmoid(z)", expected, s,
                                                {{"1 / (1 + e^z), which is sigmoid(-z) = 1 - sigmoid(z): the exponent is -z",
                                                  row({1.0, scalar_sigmoid(40), scalar_sigmoid(-40), 0.0})}}))
        << "with z =\n"
        << bp_test::format_matrix(extremes);
}

TEST(Ex1_2, IsTheLogisticFunction) {
    const Matrix z = bp::Rng(24).uniform_matrix(2, 4, -4, 4);
    BP_INPUTS(z);
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "sigmoid(z)", bp_test::sigmoid_of(z), bp::sigmoid(z),
        {{"(1 + tanh(z)) / 2: the identity is sigmoid(z) = (1 + tanh(z / 2)) / 2, with z / 2", Matrix((1.0 + z.array().tanh()) / 2.0)}}));
}

TEST(Ex1_2, IsSymmetric) {
    const Matrix z = bp::Rng(5).uniform_matrix(3, 3, -5, 5);
    BP_INPUTS(z);
    EXPECT_MATRIX_NEAR(Matrix(1.0 - bp::sigmoid(z).array()), bp::sigmoid(-z));
}

TEST(Ex1_3, MatchesTheSlopeOfSigmoid) {
    const Matrix z = bp::Rng(6).uniform_matrix(3, 4, -5, 5);
    BP_INPUTS(z);
    const Eigen::ArrayXXd s = bp_test::sigmoid_of(z).array();
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "sigmoid_prime(z)", numeric_derivative(z, scalar_sigmoid), bp::sigmoid_prime(z),
        {{"z (1 - z): the formula s (1 - s) takes s = sigmoid(z), not z itself", Matrix(z.array() * (1.0 - z.array()))},
         {"1 - s^2 with s = sigmoid(z): that is tanh's derivative; the sigmoid's is s (1 - s)", Matrix(1.0 - s.square())}},
        "", 1e-8));
}

TEST(Ex1_3, IsOneQuarterAtZeroAndFiniteAtTheExtremes) {
    EXPECT_MATRIX_NEAR(Matrix::Constant(1, 1, 0.25), bp::sigmoid_prime(Matrix::Zero(1, 1)));
    EXPECT_HOLDS(finite_at_extremes("sigmoid_prime(z)", bp::sigmoid_prime(extremes),
                                    "e^1000 is inf, and e^-z / (1 + e^-z)^2 is then inf / inf = NaN; s (1 - s) with "
                                    "s = sigmoid(z) stays finite (section 'Sigmoid')"));
}

// ---- 1.4, 1.5 tanh ----

TEST(Ex1_4, IsOddAndSaturates) {
    const Matrix z = bp::Rng(7).uniform_matrix(2, 5, -3, 3);
    BP_INPUTS(z);
    EXPECT_MATRIX_NEAR(Matrix(-bp::tanh(z)), bp::tanh(-z));
    EXPECT_HOLDS(finite_at_extremes("tanh(z)", bp::tanh(extremes),
                                    "e^1000 is inf, and (e^z - e^-z) / (e^z + e^-z) is then inf / inf = NaN; Eigen's "
                                    "z.array().tanh() stays finite (section 'Tanh')"));
    EXPECT_HOLDS(bp_test::matrices_near("tanh(z)", row({-1.0, -1.0, 1.0, 1.0}), bp::tanh(extremes))) << "with z =\n"
                                                                                                     << bp_test::format_matrix(extremes);
}

TEST(Ex1_4, IsTanhNotARescaledSigmoidOfZ) {
    const Matrix z = bp::Rng(25).uniform_matrix(2, 4, -3, 3);
    BP_INPUTS(z);
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "tanh(z)", bp_test::tanh_of(z), bp::tanh(z),
        {{"2 sigmoid(z) - 1: the identity is tanh(z) = 2 sigmoid(2z) - 1, with 2z", Matrix(2.0 * bp_test::sigmoid_of(z).array() - 1.0)}}));
}

TEST(Ex1_5, MatchesTheSlopeOfTanh) {
    const Matrix z = bp::Rng(8).uniform_matrix(3, 4, -3, 3);
    BP_INPUTS(z);
    const auto scalar_tanh = [](double x) { return std::tanh(x); };
    const Eigen::ArrayXXd t = z.array().tanh();
    EXPECT_HOLDS(
        matches_or_names_mistake_first("tanh_prime(z)", numeric_derivative(z, scalar_tanh), bp::tanh_prime(z),
                                       {{"1 - z^2: the formula 1 - t^2 takes t = tanh(z), not z itself", Matrix(1.0 - z.array().square())},
                                        {"1 - tanh(z): the square is missing, 1 - tanh(z)^2", Matrix(1.0 - t)}},
                                       "", 1e-8));
    EXPECT_MATRIX_NEAR(Matrix::Ones(1, 1), bp::tanh_prime(Matrix::Zero(1, 1)));
}

// ---- 1.6 - 1.9 ReLU and leaky ReLU ----

TEST(Ex1_6, ZeroesNegativesAndKeepsPositives) {
    EXPECT_MATRIX_NEAR(row({0.0, 0.0, 0.0, 0.5, 1000.0}), bp::relu(row({-1000.0, -0.5, 0.0, 0.5, 1000.0})));
}

TEST(Ex1_7, IsZeroForNegativesAndAtZeroOneForPositives) {
    EXPECT_MATRIX_NEAR(row({0.0, 0.0, 0.0, 1.0, 1.0}), bp::relu_prime(row({-1000.0, -0.5, 0.0, 0.5, 1000.0})));
}

TEST(Ex1_8, ScalesNegativesByAlpha) {
    const Matrix z = row({-100.0, -1.0, 0.0, 2.0});
    EXPECT_MATRIX_NEAR(row({-1.0, -0.01, 0.0, 2.0}), bp::leaky_relu(z));
    EXPECT_MATRIX_NEAR(row({-30.0, -0.3, 0.0, 2.0}), bp::leaky_relu(z, 0.3));
}

TEST(Ex1_9, IsAlphaForNegativesAndAtZeroOneForPositives) {
    const Matrix z = row({-100.0, -1.0, 0.0, 2.0});
    EXPECT_MATRIX_NEAR(row({0.01, 0.01, 0.01, 1.0}), bp::leaky_relu_prime(z));
    EXPECT_MATRIX_NEAR(row({0.3, 0.3, 0.3, 1.0}), bp::leaky_relu_prime(z, 0.3));
}

// ---- 1.10 softmax ----

TEST(Ex1_10, EveryColumnIsAProbabilityDistribution) {
    const Matrix z = bp::Rng(9).uniform_matrix(5, 3, -4, 4);
    BP_INPUTS(z);
    const Matrix p = bp::softmax(z);
    const Eigen::ArrayXXd e = z.array().exp();  // small logits: the plain formula is safe here
    const Matrix by_column = (e.rowwise() / e.colwise().sum()).matrix();
    const Eigen::ArrayXXd shifted = e.rowwise() / e.colwise().maxCoeff();  // e^(z - the column's max)
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "softmax(z)", by_column, p,
        {{"softmax over the rows (each row sums to 1): a column is one example, and each column is divided by its own sum",
          Matrix((e.colwise() / e.rowwise().sum()).matrix())},
         {"each column divided by the sum of the whole matrix, not by its own sum", Matrix(shifted.matrix() / shifted.sum())},
         {"e^(z - max) not divided by its column's sum", Matrix(shifted.matrix())}}));
    EXPECT_TRUE((p.array() > 0.0).all()) << bp_test::format_matrix(p);
    EXPECT_MATRIX_NEAR(Matrix(Matrix::Ones(1, 3)), Matrix(p.colwise().sum()));
}

TEST(Ex1_10, AddingAConstantToAColumnChangesNothing) {
    const Matrix z = bp::Rng(10).uniform_matrix(4, 2, -2, 2);
    BP_INPUTS(z);
    Matrix shifted = z;
    shifted.col(0).array() += 100.0;
    shifted.col(1).array() -= 50.0;
    EXPECT_MATRIX_NEAR(bp::softmax(z), bp::softmax(shifted));
}

TEST(Ex1_10, IsFiniteAndExactForLogitsOfPlusMinus1000) {
    Matrix z(3, 3);
    z << 1000, -1000, 1000,  //
        -1000, -1000, 1000,  //
        0, -1000, 1000;
    const Matrix p = bp::softmax(z);
    EXPECT_HOLDS(
        bp_test::explained("e^1000 is inf, and inf / inf is NaN: subtract each column's largest logit before e^z "
                           "(section 'Softmax')",
                           bp_test::all_finite("softmax(z)", p)))
        << "with z =\n"
        << bp_test::format_matrix(z);
    Matrix expected(3, 3);
    expected << 1, 1.0 / 3, 1.0 / 3,  //
        0, 1.0 / 3, 1.0 / 3,          //
        0, 1.0 / 3, 1.0 / 3;
    EXPECT_MATRIX_NEAR(expected, p);
}

TEST(Ex1_10, EachColumnIsShiftedByItsOwnMaximum) {
    // Column 1's logits lie 800 below column 0's. Shifted by the largest logit of the whole
    // matrix, every e^z of column 1 underflows to 0 (e^-745 is the last double above 0).
    Matrix z(3, 2);
    z << 400, -400,  //
        399, -401,   //
        398, -399;
    const Matrix p = bp::softmax(z);
    Matrix expected(3, 2);  // each column on its own: softmax(0, -1, -2) and softmax(-1, -2, 0)
    const double e0 = 1.0, e1 = std::exp(-1.0), e2 = std::exp(-2.0), sum = e0 + e1 + e2;
    expected << e0 / sum, e1 / sum,  //
        e1 / sum, e2 / sum,          //
        e2 / sum, e0 / sum;
    const Eigen::ArrayXXd whole = (z.array() - z.maxCoeff()).exp();
    const Matrix global = (whole.rowwise() / whole.colwise().sum()).matrix();
    EXPECT_HOLDS(bp_test::matches_or_names_mistake(
        "softmax(z)", expected, p,
        {{"subtracting the largest logit of the whole matrix (z.maxCoeff()) instead of each column's own "
          "(z.colwise().maxCoeff()): every e^z of column 1 underflows (to 0, or to the tiniest number Eigen's exp "
          "returns), and the column comes out as NaN or as equal shares",
          global}}))
        << "with columns whose logits differ by 800, z =\n"
        << bp_test::format_matrix(z);
}

TEST(Ex1_10, OneRowGivesProbabilityOne) { EXPECT_MATRIX_NEAR(Matrix::Ones(1, 4), bp::softmax(row({-3.0, 0.0, 7.0, 1000.0}))); }

// ---- 1.11 Dense::forward ----

TEST(Ex1_11, StoresAPrevZAndAForTheBackwardPass) {
    bp::Rng rng(20);
    bp::Dense layer(3, 2, Activation::sigmoid, rng);
    layer.b << 0.1, -0.2;
    const Matrix x = rng.uniform_matrix(3, 5, -1, 1);
    BP_INPUTS(layer.W, Matrix(layer.b), x);
    const Matrix& a = layer.forward(x);
    const Matrix z = (layer.W * x).colwise() + layer.b;  // the formula, written out here
    EXPECT_MATRIX_NEAR(x, layer.a_prev);
    EXPECT_MATRIX_NEAR(z, layer.z);
    EXPECT_MATRIX_NEAR(each(z, scalar_sigmoid), layer.a);
    EXPECT_EQ(&a, &layer.a) << "forward returns a reference to the stored a";
    EXPECT_TRUE(layer.has_forward);
}

TEST(Ex1_11, AppliesTheLayersOwnActivation) {
    bp::Rng rng(26);
    bp::Dense layer(3, 2, Activation::tanh, rng);
    const Matrix x = rng.uniform_matrix(3, 4, -1, 1);
    BP_INPUTS(layer.W, Matrix(layer.b), x);
    layer.forward(x);
    const Matrix z = (layer.W * x).colwise() + layer.b;  // the formula, written out here
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "layer.a", bp_test::tanh_of(z), layer.a,
        {{"a = sigmoid(z) in a tanh layer: activate(f, z) applies the layer's own activation f", bp_test::sigmoid_of(z)},
         {"a = z: the activation is missing, a = activate(f, z)", z}}))
        << "in a Dense layer with f = Activation::tanh";
}

TEST(Ex1_11, ASecondCallReplacesTheStoredValues) {
    bp::Rng rng(21);
    bp::Dense layer(2, 2, Activation::relu, rng);
    layer.forward(rng.uniform_matrix(2, 3, -1, 1));
    const Matrix x = rng.uniform_matrix(2, 1, -1, 1);
    layer.forward(x);
    EXPECT_MATRIX_NEAR(x, layer.a_prev);
    EXPECT_EQ(bp::shape(layer.z), "2x1");
}

// ---- 1.12 Sequential::forward ----

TEST(Ex1_12, EachLayerStoresItsOwnValuesAndFeedsTheNext) {
    bp::Rng rng(22);
    bp::Mlp net({4, 5, 3, 2}, Activation::tanh, Activation::softmax, rng);
    const Matrix x = rng.uniform_matrix(4, 6, -1, 1);
    BP_INPUTS(x);
    const Matrix* returned = nullptr;
    if (!bp_test::call_or_explain(
            "net.forward(x) with layers of sizes 4, 5, 3, 2 and x 4x6", [&] { returned = &net.forward(x); },
            "Each layer reads the output of the layer before it: layer 1 reads x (4 rows), layer 2 "
            "layer 1's a (5 rows), layer 3 layer 2's a (3 rows), in that order (section 'Stacking "
            "layers: a network')."))
        return;
    const Matrix& y_hat = *returned;
    EXPECT_MATRIX_NEAR(x, net.dense(0).a_prev) << "layer 1's a_prev should be the input x";
    for (std::size_t l = 1; l < net.size(); ++l)
        EXPECT_MATRIX_NEAR(net.dense(l - 1).a, net.dense(l).a_prev) << "layer " << l + 1 << "'s a_prev should be layer " << l << "'s a";
    const Matrix& last = net.dense(net.size() - 1).a;
    EXPECT_HOLDS(bp_test::matrices_near("net.forward(x)", last, y_hat)) << "forward returns the last layer's output, a^[L]";
    EXPECT_TRUE(&y_hat == &last) << "forward should return a reference to the last layer's stored a (the value "
                                    "layer->forward returned), not to a copy or to another matrix";
    EXPECT_EQ(bp::shape(y_hat), "2x6");
    for (std::size_t l = 0; l < net.size(); ++l) EXPECT_TRUE(net.dense(l).has_forward) << "layer " << l + 1 << " never ran forward";
}

TEST(Ex1_12, ABatchGivesTheSameAnswersAsOneExampleAtATime) {
    bp::Rng rng(23);
    bp::Mlp net({3, 4, 2}, Activation::relu, Activation::sigmoid, rng);
    const Matrix x = rng.uniform_matrix(3, 4, -1, 1);
    BP_INPUTS(x);
    const Matrix batch = net.forward(x);
    ASSERT_EQ(bp::shape(batch), "2x4") << "net.forward(x) with x 3x4 should give 2x4";
    for (bp::Index j = 0; j < x.cols(); ++j)
        EXPECT_MATRIX_NEAR(Matrix(batch.col(j)), net.forward(x.col(j))) << "column " << j << " of the batch against that column alone";
}

}  // namespace
