// Chapter 6 property tests: gradient norms, saturation, initialisation scales, clipping by
// value, the skip connection's backward and batch normalization, each against the usual
// mistakes, named when they are made.
#include "ch06_batch_norm.hpp"
#include "check.hpp"

#include "bp/layers/dense.hpp"
#include "bp/train/gradient_monitor.hpp"
#include "bp/core/init.hpp"
#include "bp/train/optimizers.hpp"
#include "bp/layers/residual.hpp"

#include <cmath>
#include <memory>
#include <sstream>

namespace {

using bp::Activation;
using bp::Matrix;
using bp::Vector;
using bp_test::explained;
using bp_test::format_matrix;
using bp_test::weighted_sum;

bool same(const std::vector<double>& a, const std::vector<double>& b, double tolerance = 1e-12) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(std::abs(a[i] - b[i]) <= tolerance * std::max(1.0, std::abs(b[i])))) return false;
    return true;
}

std::string list(const std::vector<double>& v) {
    std::ostringstream out;
    out << "{";
    for (std::size_t i = 0; i < v.size(); ++i) out << (i ? ", " : "") << v[i];
    return out.str() + "}";
}

// A vector's elements, "(1.5, -0.7, 2)".
std::string values(const Vector& v) {
    std::ostringstream out;
    out << "(";
    for (bp::Index i = 0; i < v.size(); ++i) out << (i ? ", " : "") << v(i);
    return out.str() + ")";
}

// ---- 6.1 gradient_norms ----

TEST(Ex6_1, GivesTheNormOfEachGradientInOrder) {
    // dW = [3 0; 4 0; 0 12] has norm 13; db = (0, 5) has norm 5. The values have other norms.
    Matrix W = Matrix::Constant(3, 2, 2.0), dW(3, 2);
    dW << 3, 0, 4, 0, 0, 12;
    Vector b = Vector::Constant(2, -1.0), db(2);
    db << 0, 5;
    const std::vector<double> got = bp::gradient_norms({bp::Parameter("layer1.W", W, dW), bp::Parameter("layer1.b", b, db)});
    const std::vector<double> want = {13, 5};
    EXPECT_TRUE(same(got, want)) << "expected " << list(want) << " (||dW|| then ||db||), got " << list(got)
                                 << (same(got, {5, 13})     ? ": the order is reversed; keep the order of the parameters given"
                                     : same(got, {169, 25}) ? ": these are squared norms; take the square root"
                                     : same(got, {std::sqrt(24.0), std::sqrt(2.0)})
                                         ? ": these are the norms of the values W and b, not of the gradients dW and db"
                                     : same(got, {12, 5}) ? ": these are the largest |g| of each gradient (the max norm); the page "
                                                            "says the Frobenius norm, sqrt(sum of g_ij^2): sqrt(9 + 16 + 144) = 13"
                                     : same(got, {19, 5}) ? ": that is the sum of |g|, the L1 norm (3 + 4 + 12 = 19 for dW); the page says "
                                                            "||dW||_F = sqrt(sum of dW_ij^2), the Frobenius norm: sqrt(9 + 16 + 144) = 13, "
                                                            "p.grad().norm()"
                                                          : "")
                                 << "\n  with dW =\n"
                                 << format_matrix(dW) << "  and db = (0, 5)";
}

TEST(Ex6_1, GivesOneNormPerParameter) {
    bp::Rng rng(601);
    std::vector<Matrix> values, grads;
    for (int i = 0; i < 5; ++i) {
        values.push_back(rng.uniform_matrix(2 + i, 3, -1, 1));
        grads.push_back(rng.uniform_matrix(2 + i, 3, -1, 1));
    }
    std::vector<bp::Parameter> params;
    params.reserve(5);
    for (int i = 0; i < 5; ++i) params.emplace_back("p" + std::to_string(i), values[i], grads[i]);
    const std::vector<double> got = bp::gradient_norms(params);
    ASSERT_EQ(got.size(), 5u) << "one norm for each of the 5 parameters";
    for (int i = 0; i < 5; ++i)
        EXPECT_NEAR(grads[i].norm(), got[i], 1e-12)
            << "the norm of p" << i << "'s gradient: expected " << grads[i].norm() << ", got " << got[i]
            << (std::abs(got[i] - grads[i].cwiseAbs().sum()) < 1e-12
                    ? ": that is the sum of |g|, the L1 norm; the page says the Frobenius norm, sqrt(sum of g_ij^2)"
                : std::abs(got[i] - grads[i].sum()) < 1e-12
                    ? ": that is the sum of the elements of g, signs and all; the page says the Frobenius norm, sqrt(sum of g_ij^2)"
                    : "");
}

TEST(Ex6_1, GivesANormOfZeroForAnEmptyGradient) {
    // A parameter with no elements (a layer of 0 units, say): its gradient is 0x3 and its norm 0.
    // The monitor names each norm by its place, so a missing one shifts every name after it.
    Matrix W(2, 2), dW(2, 2), E(0, 3), dE(0, 3), b(1, 2), db(1, 2);
    W.setOnes(), b.setOnes();
    dW << 3, 0, 0, 4;
    db << 0, 2;
    const std::vector<double> got = bp::gradient_norms({bp::Parameter("W", W, dW), bp::Parameter("E", E, dE), bp::Parameter("b", b, db)});
    const std::vector<double> want = {5, 0, 2};
    EXPECT_TRUE(same(got, want)) << "expected " << list(want) << " (||dW||, ||dE|| of the 0x3 gradient dE, ||db||), got " << list(got)
                                 << (same(got, {5, 2})      ? ": the parameter with an empty gradient was skipped; its norm is 0, and "
                                                              "every parameter needs its norm in its place (the monitor pairs the "
                                                              "i-th norm with the i-th name, so b's norm would be reported as E's)"
                                     : same(got, {7, 0, 2}) ? ": that is the sum of |g|, the L1 norm (3 + 4 = 7 for dW); the page says "
                                                              "the Frobenius norm, sqrt(sum of g_ij^2): sqrt(9 + 16) = 5"
                                                            : "")
                                 << "\n  with dW = [3 0; 0 4], dE 0x3 (no elements) and db = (0, 2)";
}

// ---- 6.2 saturated_fraction ----

const char* const integer_division =
    ": 0 is what C++ gives when it divides one integer by another, as count() / a.size() does (the quotient is rounded "
    "down); divide by a double, the function's `elements` or `units`";

TEST(Ex6_2, SigmoidCountsBothFlatTails) {
    Matrix a(2, 3);
    a << 0.005, 0.5, 0.995,  //
        0.3, 0.999, 0.02;
    const double got = bp::saturated_fraction(Activation::sigmoid, a);
    // Counting only the tail near 1 and counting tanh's |a| > 0.99 (the sigmoid case falling through
    // into tanh's) give the same 2/6 on sigmoid outputs; a = -0.995 (no sigmoid output) tells them apart.
    const auto tanhs_rule = [] { return bp::saturated_fraction(Activation::sigmoid, bp_test::row({-0.995, 0.5})) == 0.5; };
    EXPECT_NEAR(0.5, got, 1e-12) << "3 of the 6 outputs are within 0.01 of 0 or of 1 (0.005, 0.995, 0.999)"
                                 << (std::abs(got - 2.0 / 6) < 1e-12 && tanhs_rule()
                                         ? ": that is tanh's count, |a| > 0.99: the sigmoid case runs on into the tanh case. "
                                           "A case of a switch falls through into the next unless it ends with return or break"
                                     : std::abs(got - 2.0 / 6) < 1e-12 ? ": you counted only the tail near 1; near 0 sigma' is as small"
                                     : std::abs(got - 1.0 / 6) < 1e-12 ? ": you counted only the tail near 0; near 1 sigma' is as small"
                                     : got == 0                        ? integer_division
                                                                       : "")
                                 << "\n  a =\n"
                                 << format_matrix(a);
}

TEST(Ex6_2, TanhCountsBothSigns) {
    const Matrix a = bp_test::row({-0.995, 0.2, 0.999, -0.5, 0.98});
    const double got = bp::saturated_fraction(Activation::tanh, a);
    EXPECT_NEAR(0.4, got, 1e-12) << "2 of the 5 outputs have |a| > 0.99 (-0.995 and 0.999)"
                                 << (std::abs(got - 0.2) < 1e-12 ? ": count |a| near 1, at -1 as at +1" : "") << "\n  a =\n"
                                 << format_matrix(a);
}

TEST(Ex6_2, ReluCountsUnitsDeadOnTheWholeBatch) {
    // 3 units (rows), 4 examples (columns): unit 1 is 0 for every example, the others only for
    // some; example 3 is 0 in every unit.
    Matrix a(3, 4);
    a << 0, 0, 0, 0,   //
        0, 1.5, 0, 2,  //
        0.1, 0.3, 0, 0.7;
    const double got = bp::saturated_fraction(Activation::relu, a);
    const char* the_page =
        "; the page says a ReLU unit is dead when it outputs 0 for every example of the batch, and one "
        "that is 0 for some examples is alive (it learns from the others): count the rows of a that are "
        "all 0, out of a.rows()";
    const bool elements_of_elements = std::abs(got - 7.0 / 12) < 1e-12, elements_of_units = std::abs(got - 7.0 / 3) < 1e-12,
               any_zero = std::abs(got - 1.0) < 1e-12;
    EXPECT_NEAR(1.0 / 3, got, 1e-12) << "expected 1/3 (1 of the 3 units, the rows, is dead: 0 for every example of the batch), got " << got
                                     << (elements_of_elements
                                             ? ": that is 7/12, the zero elements (7 of the 12 entries) counted instead of dead units"
                                         : elements_of_units
                                             ? ": that is 7/3, the 7 zero elements (entries) counted instead of dead units, "
                                               "divided by the 3 units"
                                         : any_zero ? ": that is 3/3, every unit with a zero for some example counted as dead"
                                         : std::abs(got - 0.25) < 1e-12 ? ": you counted columns; units are the rows, examples the columns"
                                         : std::abs(got - 1.0 / 12) < 1e-12
                                             ? ": that is 1/12, the dead unit divided by the 12 elements; the fraction is of the "
                                               "units, a.rows() = 3"
                                         : got == 0 ? integer_division
                                                    : "")
                                     << (elements_of_elements || elements_of_units || any_zero ? the_page : "") << "\n  a =\n"
                                     << format_matrix(a);
}

TEST(Ex6_2, TheBoundaryItselfIsNotSaturated) {
    // Exactly 0.01 from a tail is not "within 0.01": sigmoid counts a < 0.01 or a > 0.99, tanh |a| > 0.99.
    const Matrix s = bp_test::row({0.01, 0.99, 0.5, 0.009});
    const double got_sigmoid = bp::saturated_fraction(Activation::sigmoid, s);
    EXPECT_NEAR(0.25, got_sigmoid, 1e-12) << "of 0.01, 0.99, 0.5 and 0.009 only 0.009 is saturated (a < 0.01 or a > 0.99, strictly)"
                                          << (std::abs(got_sigmoid - 0.75) < 1e-12
                                                  ? ": you counted 0.01 and 0.99 too; use < and >, not <= and >= (a rule on the slope, "
                                                    "a (1 - a) < 0.01, counts them too: the page's rule is on a itself)"
                                                  : "");
    const Matrix t = bp_test::row({-0.99, 0.99, 0.991, 0});
    const double got_tanh = bp::saturated_fraction(Activation::tanh, t);
    EXPECT_NEAR(0.25, got_tanh, 1e-12) << "of -0.99, 0.99, 0.991 and 0 only 0.991 is saturated (|a| > 0.99, strictly)"
                                       << (std::abs(got_tanh - 0.75) < 1e-12 ? ": you counted |a| = 0.99 too; use >, not >=" : "");
}

TEST(Ex6_2, NothingSaturatesForIdentityAndLeakyRelu) {
    // Row 0 is 0 for every example: a dead unit if this were ReLU.
    Matrix a(2, 4);
    a << 0, 0, 0, 0,  //
        -3, 0.999, -0.5, 5;
    const double identity = bp::saturated_fraction(Activation::identity, a);
    EXPECT_EQ(0.0, identity) << "identity's slope is 1 everywhere: nothing saturates, so the fraction is 0 (got " << identity << ")";
    const double leaky = bp::saturated_fraction(Activation::leaky_relu, a);
    EXPECT_EQ(0.0, leaky) << "leaky ReLU's slope is alpha > 0 below 0: no unit ever dies, so the fraction is 0 (got " << leaky << ")"
                          << (std::abs(leaky - 0.5) < 1e-12 ? "; you counted the row of zeros as a dead unit, as for ReLU" : "");
}

// ---- 6.3 init_stddev ----

TEST(Ex6_3, GivesEachSchemesStandardDeviation) {
    // n_in = 300 inputs, n_out = 100 outputs: different fans, so a swap shows.
    struct Mistake {
        double gives;
        const char* what;
    };
    struct Case {
        bp::Init::Scheme scheme;
        const char* name;
        double variance, swapped_variance;
        Mistake own[2];  // mistakes of this scheme's own
    } cases[] = {{bp::Init::Scheme::lecun, "LeCun", 1.0 / 300, 1.0 / 100, {{0, ""}, {0, ""}}},
                 {bp::Init::Scheme::xavier,
                  "Xavier",
                  2.0 / 400,
                  2.0 / 400,
                  {{std::sqrt(6.0 / 400),
                    ": that is the limit r = sqrt(6 / (n_in + n_out)) of the uniform distribution the library draws "
                    "Xavier's weights from, sqrt(3) times too large; its standard deviation is r / sqrt(3)"},
                   {std::sqrt(1.0 / 400),
                    ": that is sqrt(1 / (n_in + n_out)): the 2 is missing; Xavier's variance is 2 / (n_in + n_out), "
                    "the harmonic mean of the forward pass's 1 / n_in and the backward pass's 1 / n_out"}}},
                 {bp::Init::Scheme::he,
                  "He",
                  2.0 / 300,
                  2.0 / 100,
                  {{std::sqrt(1.0 / 300),
                    ": that is sqrt(1 / n_in), LeCun's; He's variance is 2 / n_in, the 2 making up for the half "
                    "of the units ReLU sets to 0"},
                   {0, ""}}}};
    for (const Case& c : cases) {
        const double got = bp::init_stddev(c.scheme, 300, 100);
        EXPECT_NEAR(std::sqrt(c.variance), got, 1e-12)
            << c.name << " for n_in = 300, n_out = 100"
            << (std::abs(got - c.variance) < 1e-12 ? ": that is the variance; the standard deviation is its square root"
                : std::abs(got - std::sqrt(c.swapped_variance)) < 1e-12
                    ? ": n_in and n_out are swapped (the fan-in is the number of inputs, W's columns)"
                : got == 0 ? ": 0: n_in and n_out are integers, so 1 / n_in divides integers and rounds down to 0; use fan_in and "
                             "fan_out, the doubles the function gives you (or write 1.0)"
                : c.own[0].gives > 0 && std::abs(got - c.own[0].gives) < 1e-12 ? c.own[0].what
                : c.own[1].gives > 0 && std::abs(got - c.own[1].gives) < 1e-12 ? c.own[1].what
                                                                               : "");
    }
}

TEST(Ex6_3, MatchesTheLibrarysInitialisers) {
    // The standard deviation of 30,000 weights drawn by each initialiser of bp/core/init.hpp is
    // within 2 % of the formula.
    bp::Rng rng(602);
    const Matrix drawn[] = {bp::lecun_normal(100, 300, rng), bp::xavier_uniform(100, 300, rng), bp::he_normal(100, 300, rng)};
    const bp::Init::Scheme schemes[] = {bp::Init::Scheme::lecun, bp::Init::Scheme::xavier, bp::Init::Scheme::he};
    const char* names[] = {"lecun_normal", "xavier_uniform", "he_normal"};
    for (int i = 0; i < 3; ++i) {
        const double measured = std::sqrt(drawn[i].squaredNorm() / static_cast<double>(drawn[i].size()));
        const double got = bp::init_stddev(schemes[i], 300, 100);
        EXPECT_NEAR(measured, got, 0.02 * measured)
            << "the weights that " << names[i] << "(100, 300, rng) draws (100 outputs, 300 inputs) have a standard deviation of "
            << measured
            << (std::abs(got - std::sqrt(3.0) * measured) < 0.02 * got ? ": you returned sqrt(3) times that, the uniform's limit r"
                : i == 2 && std::abs(std::sqrt(2.0) * got - measured) < 0.02 * measured
                    ? ": you returned 1/sqrt(2) times that; He's variance is 2 / n_in"
                    : "");
    }
}

// ---- 6.4 clip_grad_value ----

TEST(Ex6_4, LimitsEachElementAndLeavesTheRestAlone) {
    // The weights lie beyond the limit too: clipping them instead of the gradient shows.
    Matrix W = bp_test::row({2, -0.7, 1.5, -4, 0.9, -0.6}), g = bp_test::row({-3, -0.5, -0.2, 0.2, 0.5, 2});
    const Matrix W_before = W, g_before = g;
    bp::clip_grad_value({bp::Parameter("W", W, g)}, 0.5);
    const bool weights_clipped = W == W_before.cwiseMax(-0.5).cwiseMin(0.5);
    EXPECT_HOLDS(bp_test::matrices_near("W", W_before, W, 0))
        << "clip_grad_value changed the weights W"
        << (weights_clipped ? ": it clipped them instead of the gradients; clip p.grad(), never p.value()"
                            : "; it changes the gradients only");
    const Matrix want = bp_test::row({-0.5, -0.5, -0.2, 0.2, 0.5, 0.5});
    const char* why = weights_clipped ? ""
                      : g == g_before ? "; g is as it was: clip p.grad() itself (Matrix g = p.grad() is a copy, and clipping it "
                                        "leaves the gradient alone)"
                      : g(0) == 0.5   ? "; -3 became 0.5: an element below -max_value becomes -max_value, it keeps its sign"
                                      : "";
    EXPECT_MATRIX_NEAR(want, g) << "clipped to [-0.5, 0.5]: values beyond it on either side become -0.5 or 0.5, the others "
                                   "(exactly +-0.5 too) stay"
                                << why << "\n  g before =\n"
                                << format_matrix(g_before);
}

TEST(Ex6_4, NoElementsGiveZeroAndAnEmptyGradientIsSkipped) {
    // No parameter, or a gradient without elements: the largest |g| of no elements is 0, and
    // Eigen's maxCoeff() has no answer for an empty matrix (it fails an assertion).
    double none = -1;
    if (bp_test::call_or_explain(
            "clip_grad_value({}, 1.0)", [&] { none = bp::clip_grad_value({}, 1.0); },
            "with no parameters there is nothing to clip: return 0")) {
        EXPECT_EQ(0.0, none) << "clip_grad_value with no parameters returns 0, the largest |g| of no elements";
    }
    Matrix E(0, 3), dE(0, 3), b = Matrix::Zero(2, 1), db = bp_test::col({-2, 0.5});
    double largest = -1;
    if (bp_test::call_or_explain(
            "clip_grad_value({E with a 0x3 gradient, b with db = (-2, 0.5)}, 1.0)",
            [&] {
                largest = bp::clip_grad_value({bp::Parameter("E", E, dE), bp::Parameter("b", b, db)}, 1.0);
            },
            "a gradient without elements has nothing to clip: skip it (maxCoeff() of an empty matrix has no answer)")) {
        EXPECT_EQ(2.0, largest) << "the largest |g| is |-2|, in db; E's 0x3 gradient adds nothing"
                                << (largest == 0.5 ? ": 0.5 is the largest g, not the largest |g|" : "");
        if (db(0) == -2.0)
            ADD_FAILURE() << "db(0) = -2 was left as it was: values below -max_value are clipped too, every element goes "
                             "into [-max_value, max_value] (-2 becomes -1 here)";
        else EXPECT_MATRIX_NEAR(bp_test::col({-1, 0.5}), db) << "db clipped to [-1, 1] after the empty gradient";
    }
}

TEST(Ex6_4, ClipsEveryParameterAndReturnsTheLargestMagnitude) {
    Matrix W = Matrix::Zero(2, 2), dW(2, 2), b = Matrix::Zero(2, 1), db(2, 1);
    dW << 0.1, -7, 0.3, 0.4;
    db << 4, -0.05;
    const double largest = bp::clip_grad_value({bp::Parameter("W", W, dW), bp::Parameter("b", b, db)}, 1.0);
    EXPECT_DOUBLE_EQ(7.0, largest) << "the largest |g| before clipping, over every parameter, is |-7|"
                                   << (largest == 1.0 ? ": 1 is max_value, the largest |g| after clipping; take it before"
                                       : largest == 4.0
                                           ? ": 4 is db's largest |g|; dW's |-7| is larger (keep the largest over every parameter, of |g|)"
                                           : "");
    EXPECT_MATRIX_NEAR((Matrix(2, 2) << 0.1, -1, 0.3, 0.4).finished(), dW);
    EXPECT_MATRIX_NEAR((Matrix(2, 1) << 1, -0.05).finished(), db) << "every parameter is clipped, not only the first";
}

TEST(Ex6_4, GoesOnPastAParameterWithinTheLimit) {
    // dW needs no clipping, db does: a loop that returns (or breaks) at the first parameter with
    // nothing beyond the limit, instead of going on to the next, leaves db as it was.
    Matrix W = Matrix::Zero(1, 3), dW = bp_test::row({0.2, -0.3, 0.1}), b = Matrix::Zero(2, 1), db = bp_test::col({5, -0.4});
    const double largest = bp::clip_grad_value({bp::Parameter("W", W, dW), bp::Parameter("b", b, db)}, 1.0);
    const char* stopped = db(0) == 5.0 ? ": db was left as it was, after dW, which had nothing beyond the limit: a parameter with "
                                         "nothing to clip is passed over (continue), it does not end the loop (return or break)"
                                       : "";
    EXPECT_MATRIX_NEAR(bp_test::col({1, -0.4}), db) << "db = (5, -0.4) clipped to [-1, 1]" << stopped;
    EXPECT_MATRIX_NEAR(bp_test::row({0.2, -0.3, 0.1}), dW) << "dW = (0.2, -0.3, 0.1) is within [-1, 1]: it stays as it was";
    EXPECT_EQ(5.0, largest) << "the largest |g| before clipping, over both parameters, is |5|, in db" << stopped;
}

TEST(Ex6_4, ChangesTheDirectionUnlikeClippingByNorm) {
    Matrix W = Matrix::Zero(1, 2), g(1, 2);
    g << 10, 1;
    bp::clip_grad_value({bp::Parameter("W", W, g)}, 2.0);
    EXPECT_MATRIX_NEAR((Matrix(1, 2) << 2, 1).finished(), g)
        << "(10, 1) clipped by value to 2 is (2, 1): not a multiple of (10, 1), so the step points elsewhere";
}

// ---- 6.5 Residual::backward ----

// A branch F(x) = c x, written here (it calls no exercise), that counts its backward passes.
struct Scale : bp::Layer {
    double c;
    int* backward_calls;
    Matrix y;
    Scale(double c_, int* calls) : c(c_), backward_calls(calls) {}
    const Matrix& forward(const Matrix& x) override { return y = c * x; }
    Matrix backward(const Matrix& dy) override {
        ++*backward_calls;
        return c * dy;
    }
    std::string kind() const override { return "scale"; }
    std::unique_ptr<bp::Layer> clone() const override { return std::make_unique<Scale>(*this); }
};

TEST(Ex6_5, AZeroBranchPassesTheGradientThroughExactly) {
    bp::Rng rng(603);
    int calls = 0;
    bp::Residual block(Scale(0.0, &calls));
    const Matrix x = rng.uniform_matrix(3, 4, -1, 1), dy = rng.uniform_matrix(3, 4, -1, 1);
    block.forward(x);
    const Matrix dx = block.backward(dy);
    EXPECT_TRUE(dx == dy) << "with F(x) = 0 x, F passes nothing back, so dx must be dy itself (the identity path)\n  dy =\n"
                          << format_matrix(dy) << "  dx =\n"
                          << format_matrix(dx);
}

TEST(Ex6_5, AddsTheIdentityPathToWhatTheBranchPassesBack) {
    bp::Rng rng(616);
    int calls = 0;
    bp::Residual block(Scale(0.5, &calls));  // y = x + 0.5 x, so dx = dy + 0.5 dy
    const Matrix x = rng.uniform_matrix(2, 3, -1, 1), dy = rng.uniform_matrix(2, 3, -1, 1);
    block.forward(x);
    const Matrix dx = block.backward(dy);
    EXPECT_HOLDS(bp_test::matrices_near("dx", Matrix(1.5 * dy), dx))
        << "with F(x) = 0.5 x: dx = dy (the identity path) + 0.5 dy (F's backward of dy)"
        << (bp_test::near(dy, dx) ? "; you returned dy alone, without F's part" : "")
        << (bp_test::near(Matrix(0.5 * dy), dx) ? "; you returned F's part alone, without the identity path" : "");
    EXPECT_EQ(calls, 1) << "backward calls F's backward once (each call adds into F's gradients again)";
}

TEST(Ex6_5, MatchesFiniteDifferencesWithARandomUpstreamGradient) {
    bp::Rng rng(604);
    bp::Dense inner(3, 3, Activation::tanh, rng);
    inner.W << 0.9, -0.4, 0.1, 0.7, 0.2, -0.8, -0.3, 0.6, 0.5;  // not symmetric: a transposed W shows
    inner.b << 0.1, -0.2, 0.3;
    bp::Residual block(inner);
    Matrix x = rng.uniform_matrix(3, 5, -1, 1);
    const Matrix G = rng.uniform_matrix(3, 5, -1, 1);
    auto& F = block.inner_as<bp::Dense>();
    const auto L = [&] { return weighted_sum(G, block.forward(x)); };
    block.zero_grad();
    block.forward(x);
    const Matrix dx = block.backward(G);
    const Matrix want_dx = bp_test::slopes(L, x);
    EXPECT_HOLDS(bp_test::matrices_near("dx", want_dx, dx, 1e-7))
        << (bp_test::near(Matrix(want_dx - G), dx, 1e-7) ? "dx lacks dy: y = x + F(x), so x reaches y directly too\n" : "")
        << (bp_test::near(G, dx, 1e-7) ? "dx lacks F's part: x also reaches y through F\n" : "");
    EXPECT_HOLDS(bp_test::matrices_near("the inner layer's dW", bp_test::slopes(L, F.W), F.dW, 1e-7));
    EXPECT_HOLDS(bp_test::matrices_near("the inner layer's db", bp_test::slopes(L, F.b), Matrix(F.db), 1e-7));
}

TEST(Ex6_5, CallsTheInnerBackwardOnceAndAccumulates) {
    bp::Rng rng(605);
    bp::Dense alone(4, 4, Activation::sigmoid, rng);
    bp::Residual block(alone);
    const Matrix x = rng.uniform_matrix(4, 3, -1, 1), G = rng.uniform_matrix(4, 3, -1, 1);
    alone.forward(x);
    alone.backward(G);
    block.forward(x);
    block.backward(G);
    const auto& F = block.inner_as<bp::Dense>();
    EXPECT_MATRIX_NEAR(alone.dW, F.dW) << "one backward of the block gives F the gradients one backward of F gives it";
    block.forward(x);
    block.backward(G);
    EXPECT_MATRIX_NEAR(Matrix(2 * alone.dW), F.dW) << "a second backward adds the same again: dW accumulates, as in chapter 3";
}

// ---- 6.6 BatchNorm::forward, training mode ----

// The mean and the variance (1/m) of each row of y.
Vector row_means(const Matrix& y) { return y.rowwise().mean(); }
Vector row_variances(const Matrix& y) {
    const Matrix centred = y.colwise() - row_means(y);
    return centred.rowwise().squaredNorm() / static_cast<double>(y.cols());
}

// The mistake of computing the variance uncentred, var = (1/m) sum_k z_ik^2 (the mean of z^2
// instead of the mean of (z - mean)^2), and what forward then gives.
bp_test::BatchNormForward with_uncentred_variance(const Matrix& z, const bp::BatchNorm& bn) {
    bp_test::BatchNormForward f = bp_test::batch_norm_forward(z, bn.gamma, bn.shift, bn.eps);
    f.var = z.array().square().rowwise().mean().matrix();
    f.inv_std = (f.var.array() + bn.eps).rsqrt().matrix();
    f.zhat = ((z.colwise() - f.mean).array().colwise() * f.inv_std.array()).matrix();
    f.y = ((f.zhat.array().colwise() * bn.gamma.array()).colwise() + bn.shift.array()).matrix();
    return f;
}

const char* const uncentred_variance =
    "that is the variance computed uncentred, the mean of z^2 instead of the mean of (z - mean)^2 (larger by mean^2); "
    "the page says sigma_i^2 = (1/m) sum_k (z_ik - mu_i)^2, the mean of the squared deviations from the row's mean: "
    "(z.colwise() - mean).rowwise().squaredNorm() / m";

TEST(Ex6_6, EachRowGetsMeanShiftAndVarianceGammaSquared) {
    bp::Rng rng(606);
    bp::BatchNorm bn = bp_test::some_batch_norm(1e-5);
    const Matrix z = rng.uniform_matrix(3, 5, -2, 3);  // 3 features, 5 examples: not square, so the wrong axis shows
    const Matrix y = bn.forward(z);
    ASSERT_EQ(bp::shape(y), "3x5") << "y has z's shape";
    const char* why = bp_test::near(Matrix(z.rowwise().sum() / 3.0), Matrix(bn.mean))
                          ? "; bn.mean is each row's sum divided by 3, the number of features (z.rows()); a row's mean over "
                            "the batch divides by the batch size m = z.cols() = 5"
                      : bp_test::near(y, bn.zhat) ? "; y is zhat itself: y = gamma ⊙ zhat + shift, row i times gamma_i plus shift_i"
                      : bn.inv_std.size() == z.rows() && bp_test::near(Matrix((z.array().colwise() * bn.inv_std.array()).matrix()), bn.zhat)
                          ? "; zhat is z ⊙ inv_std, not centred: zhat = (z - mean) ⊙ inv_std"
                          : "";
    EXPECT_MATRIX_NEAR(Matrix(bn.shift), Matrix(row_means(y)))
        << "the mean of each row of y (over the batch) is shift_i" << why << "\n  z =\n"
        << format_matrix(z) << "  y =\n"
        << format_matrix(y);
    const Vector var = row_variances(z), want = bn.gamma.cwiseAbs2().cwiseProduct(var).cwiseQuotient((var.array() + bn.eps).matrix());
    // eps outside the root, (z - mean) / (sqrt(var) + eps), gives gamma_i^2 var_i / (sqrt(var_i) + eps)^2.
    const Vector eps_outside = (bn.gamma.array().square() * var.array() / (var.array().sqrt() + bn.eps).square()).matrix();
    const Vector got = row_variances(y);
    const bool uncentred = bp_test::near(Matrix(row_variances(with_uncentred_variance(z, bn).y)), Matrix(got), 1e-9);
    EXPECT_HOLDS(explained(uncentred ? std::string("the variance of each row of y: expected gamma_i^2 var_i / (var_i + eps), got "
                                                   "gamma_i^2 var_i / (mean_i(z^2) + eps): ") +
                                           uncentred_variance
                                     : std::string(),
                           bp_test::matrices_near("the variance of each row of y", Matrix(want), Matrix(got), 1e-9)))
        << "expected gamma_i^2 var_i / (var_i + eps) with var over the batch, with 1/m"
        << (bp_test::near(Matrix(want * 4.0 / 5), Matrix(got), 1e-4) ? ": you divided by m - 1; the batch's variance uses 1/m"
            : bp_test::near(Matrix(bn.gamma.cwiseAbs2()), Matrix(got), 1e-10)
                ? ": that is gamma_i^2 exactly, the variance without eps; eps goes inside the root: zhat = (z - mean) / "
                  "sqrt(var + eps)"
            : bp_test::near(Matrix(eps_outside), Matrix(got), 1e-12)
                ? ": eps is outside the root; it goes inside: zhat = (z - mean) / sqrt(var + eps)"
                : "")
        << "\n  z =\n"
        << format_matrix(z);
}

TEST(Ex6_6, TheVarianceIsOfTheDeviationsFromTheMean) {
    // One feature, a batch of two: z = (1, 3) has mean 2, deviations -1 and 1, variance 1.
    bp::BatchNorm bn(1, 1e-5);
    bn.forward(bp_test::row({1, 3}));
    ASSERT_EQ(bn.var.size(), 1) << "bn.var has one entry per feature (row of z), here 1";
    const double got = bn.var(0);
    EXPECT_NEAR(1.0, got, 1e-12) << "expected bn.var = 1 for the row z = (1, 3) (mean 2, deviations -1 and 1), got " << got
                                 << (std::abs(got - 5) < 1e-12 ? std::string(", which is (1^2 + 3^2) / 2: ") + uncentred_variance
                                     : std::abs(got - 2) < 1e-12
                                         ? std::string(": that is ((-1)^2 + 1^2) / (m - 1), the sample variance; the batch's "
                                                       "variance uses 1/m")
                                     : std::abs(got - (1 + 1e-5)) < 1e-12
                                         ? std::string(": that is var + eps; bn.var holds the variance itself, and eps goes into "
                                                       "inv_std only")
                                         : std::string());
}

TEST(Ex6_6, MatchesTheFormulaWithEpsInsideTheRoot) {
    bp::Rng rng(607);
    bp::BatchNorm bn = bp_test::some_batch_norm(0.1);  // a large eps, so that where it goes shows
    const Matrix z = rng.uniform_matrix(3, 4, -1, 1);
    const bp_test::BatchNormForward want = bp_test::batch_norm_forward(z, bn.gamma, bn.shift, bn.eps);
    const Matrix y = bn.forward(z);
    const Matrix centred = z.colwise() - want.mean;
    const Matrix eps_outside = (centred.array().colwise() / (want.var.array().sqrt() + bn.eps)).matrix();
    const Matrix without_eps = (centred.array().colwise() * want.var.array().rsqrt()).matrix();
    const bool uncentred = bp_test::near(with_uncentred_variance(z, bn).y, y);
    EXPECT_HOLDS(explained(uncentred ? std::string("y: expected gamma (z - mean) / sqrt(var + eps) + shift, got it with var = the "
                                                   "mean of z^2: ") +
                                           uncentred_variance
                                     : std::string(),
                           bp_test::matrices_near("y", want.y, y)))
        << (bp_test::near(Matrix((eps_outside.array().colwise() * bn.gamma.array()).colwise() + bn.shift.array()), y)
                ? "eps goes inside the root: zhat = (z - mean) / sqrt(var + eps)\n"
            : bp_test::near(Matrix((without_eps.array().colwise() * bn.gamma.array()).colwise() + bn.shift.array()), y)
                ? "eps is missing: zhat = (z - mean) / sqrt(var + eps), so that a row constant over the batch does not "
                  "divide by 0\n"
                : "")
        << "  with eps = 0.1, gamma = (1.5, -0.7, 2), shift = (0.3, -1.2, 0.5) and z =\n"
        << format_matrix(z);
}

TEST(Ex6_6, KeepsWhatBackwardNeeds) {
    bp::Rng rng(608);
    bp::BatchNorm bn = bp_test::some_batch_norm();
    const Matrix z = rng.uniform_matrix(3, 6, -1, 2);
    bn.forward(z);
    const bp_test::BatchNormForward want = bp_test::batch_norm_forward(z, bn.gamma, bn.shift, bn.eps);
    EXPECT_MATRIX_NEAR(Matrix(want.mean), Matrix(bn.mean)) << "bn.mean: each row's mean over the batch";
    const bool uncentred = bp_test::near(Matrix(with_uncentred_variance(z, bn).var), Matrix(bn.var));
    EXPECT_HOLDS(explained(uncentred ? std::string("bn.var: expected each row's variance about its mean, got each row's mean of "
                                                   "z^2: ") +
                                           uncentred_variance
                                     : std::string(),
                           bp_test::matrices_near("Matrix(bn.var)", Matrix(want.var), Matrix(bn.var))))
        << "bn.var: each row's variance over the batch, with 1/m"
        << (bp_test::near(Matrix(want.var.array() + bn.eps), Matrix(bn.var)) ? ": bn.var holds var + eps; eps goes into inv_std only" : "");
    EXPECT_MATRIX_NEAR(Matrix(want.inv_std), Matrix(bn.inv_std)) << "bn.inv_std: 1 / sqrt(var + eps)";
    EXPECT_MATRIX_NEAR(want.zhat, bn.zhat) << "bn.zhat: (z - mean) * inv_std, row by row";
}

TEST(Ex6_6, TheRunningAveragesFollowTheBatch) {
    bp::Rng rng(609);
    bp::BatchNorm bn(2, 1e-5, 0.1);
    const Matrix z = rng.uniform_matrix(2, 4, 1, 3);
    bn.forward(z);
    const bp_test::BatchNormForward f = bp_test::batch_norm_forward(z, bn.gamma, bn.shift, bn.eps);
    EXPECT_MATRIX_NEAR(Matrix(0.1 * f.mean), Matrix(bn.running_mean))
        << "after one batch, running_mean = 0.9 * 0 + 0.1 * the batch's mean (the library does this from bn.mean)"
        << (bp_test::near(Matrix(0.19 * f.mean), Matrix(bn.running_mean))
                ? ": it is 0.19 * the batch's mean, the update made twice; the library's code after yours makes it, so your "
                  "exercise leaves running_mean and running_var alone"
                : "");
    const bool uncentred =
        bp_test::near(Matrix(0.9 * Vector::Ones(2) + 0.1 * (4.0 / 3.0) * with_uncentred_variance(z, bn).var), Matrix(bn.running_var));
    EXPECT_HOLDS(explained(uncentred ? std::string("bn.running_var: expected it from each row's variance about its mean, got it "
                                                   "from each row's mean of z^2, which bn.var held: ") +
                                           uncentred_variance
                                     : std::string(),
                           bp_test::matrices_near("Matrix(bn.running_var)", Matrix(0.9 * Vector::Ones(2) + 0.1 * (4.0 / 3.0) * f.var),
                                                  Matrix(bn.running_var))))
        << "after one batch of m = 4, running_var = 0.9 * 1 + 0.1 * (4/3) * the batch's 1/m variance: the unbiased estimate "
           "(the library does this from bn.var, which must hold the 1/m variance)";
}

// ---- 6.7 BatchNorm::backward, training mode ----

// The loss sum(G ⊙ y) as a function of z, gamma and shift, through the tests' own forward.
struct BatchNormLoss {
    bp::BatchNorm& bn;
    const Matrix& G;
    Matrix& z;
    double operator()() const { return weighted_sum(G, bp_test::batch_norm_forward(z, bn.gamma, bn.shift, bn.eps).y); }
};

TEST(Ex6_7, MatchesFiniteDifferencesWithARandomUpstreamGradient) {
    bp::Rng rng(610);
    bp::BatchNorm bn = bp_test::some_batch_norm(0.1);
    Matrix z = rng.uniform_matrix(3, 5, -1, 2);
    const Matrix G = rng.uniform_matrix(3, 5, -1, 1);  // random: with G = 1 (L = sum y), dz = 0 whatever the formula
    bp_test::as_after_forward(bn, z);                  // the tests' own forward, so that this exercise is tested on its own
    const Matrix dz = bn.backward(G);
    const BatchNormLoss L{bn, G, z};
    const Matrix want = bp_test::slopes(L, z);
    const Matrix naive = (G.array().colwise() * (bn.gamma.array() * bn.inv_std.array())).matrix();
    const Matrix without_gamma = (want.array().colwise() / bn.gamma.array()).matrix();  // dz is linear in dzhat = dy ⊙ gamma
    std::string why;
    if (bp_test::near(naive, dz, 1e-7))
        why =
            "this is dzhat / sqrt(var + eps), as if the mean and the variance were constants; each depends on every z of "
            "its row, and those paths add to dz\n";
    else if (bp_test::near(Matrix(-want), dz, 1e-7)) why = "dz has the opposite sign of the right one, everywhere\n";
    else if (bp_test::near(without_gamma, dz, 1e-7))
        why = "this is dz without gamma: y = gamma zhat + shift, so dzhat = dy ⊙ gamma, row i times gamma_i\n";
    else if (dz.rows() == 3 && dz.cols() == 5)
        for (bp::Index i = 0; i < 3; ++i)
            if (std::abs(dz.row(i).sum()) > 1e-9 * std::max(1.0, dz.row(i).cwiseAbs().sum())) {
                std::ostringstream out;
                out << "row " << i << " of dz sums to " << dz.row(i).sum() << ", not 0: shifting a row of z shifts its mean with it, "
                    << "and y does not change, so every row of dz must sum to 0 (the mean's path is missing or wrong)\n";
                why = out.str();
                break;
            }
    EXPECT_HOLDS(bp_test::matrices_near("dz", want, dz, 1e-7)) << why << "  with eps = 0.1, gamma = (1.5, -0.7, 2), z =\n"
                                                               << format_matrix(z) << "  and the upstream gradient G =\n"
                                                               << format_matrix(G);
    // dgamma_i = sum_k G_ik zhat_ik and dshift_i = sum_k G_ik, and what the usual slips give instead.
    const Vector sum_gz = G.cwiseProduct(bn.zhat).rowwise().sum(), sum_g = G.rowwise().sum();
    const std::vector<bp_test::Mistake> dgamma_mistakes = {
        {"dgamma is the mean over the batch of dy ⊙ zhat, 1/m of what it should be: the loss sums over the batch, so "
         "dgamma_i = sum_k dy_ik zhat_ik",
         Matrix(sum_gz / 5.0)},
        {"dgamma is the sum of dy alone, without zhat: y = gamma zhat + shift, so dgamma_i = sum_k dy_ik zhat_ik", Matrix(sum_g)},
        {"dgamma has gamma in it (the sum of dzhat ⊙ zhat): y = gamma zhat + shift, so dgamma_i = sum_k dy_ik zhat_ik",
         Matrix(bn.gamma.cwiseProduct(sum_gz))},
        {"dgamma is the sum of dy ⊙ y: y = gamma zhat + shift, so dgamma_i = sum_k dy_ik zhat_ik",
         Matrix(G.cwiseProduct(bn.y).rowwise().sum())}};
    const std::vector<bp_test::Mistake> dshift_mistakes = {
        {"dshift is the mean of dy over the batch, 1/m of what it should be: dshift_i = sum_k dy_ik", Matrix(sum_g / 5.0)},
        {"dshift has gamma in it: y = gamma zhat + shift, so dshift_i = sum_k dy_ik", Matrix(bn.gamma.cwiseProduct(sum_g))}};
    EXPECT_HOLDS(
        bp_test::matches_or_names_mistake_first("dgamma", bp_test::slopes(L, bn.gamma), Matrix(bn.dgamma), dgamma_mistakes, "", 1e-7));
    EXPECT_HOLDS(
        bp_test::matches_or_names_mistake_first("dshift", bp_test::slopes(L, bn.shift), Matrix(bn.dshift), dshift_mistakes, "", 1e-7));
}

TEST(Ex6_7, EachRowOfDzSumsToZeroAndIsOrthogonalToZhat) {
    bp::Rng rng(611);
    bp::BatchNorm bn = bp_test::some_batch_norm(1e-10);  // a tiny eps: the second sum is eps / (var + eps) of the first's size
    const Matrix z = rng.uniform_matrix(3, 7, -2, 2), G = rng.uniform_matrix(3, 7, -1, 1);
    bp_test::as_after_forward(bn, z);
    const Matrix dz = bn.backward(G);
    ASSERT_EQ(bp::shape(dz), "3x7") << "dz has z's shape";
    // Adding c to a row of z, or scaling the row about its mean, leaves zhat (nearly) as it is.
    for (bp::Index i = 0; i < 3; ++i) {
        EXPECT_NEAR(0.0, dz.row(i).sum(), 1e-12) << "row " << i
                                                 << " of dz must sum to 0: shifting a row of z shifts its mean "
                                                    "with it, and y does not change";
        EXPECT_NEAR(0.0, dz.row(i).dot(bn.zhat.row(i)), 1e-8)
            << "row " << i
            << " of dz times zhat must sum to 0 (with a tiny eps): stretching a row of z about its mean "
               "stretches its deviation with it";
    }
}

TEST(Ex6_7, SumsDgammaAndDshiftOverTheBatchAndAccumulates) {
    bp::Rng rng(612);
    bp::BatchNorm bn = bp_test::some_batch_norm();
    const Matrix z = rng.uniform_matrix(3, 4, -1, 1), G = rng.uniform_matrix(3, 4, -1, 1);
    bp_test::as_after_forward(bn, z);
    bn.backward(G);
    const Vector dgamma = G.cwiseProduct(bn.zhat).rowwise().sum(), dshift = G.rowwise().sum();
    EXPECT_MATRIX_NEAR(Matrix(dgamma), Matrix(bn.dgamma)) << "dgamma_i = sum over the batch k of dy_ik zhat_ik";
    EXPECT_MATRIX_NEAR(Matrix(dshift), Matrix(bn.dshift)) << "dshift_i = sum over the batch k of dy_ik";
    bn.backward(G);
    EXPECT_MATRIX_NEAR(Matrix(2 * dgamma), Matrix(bn.dgamma)) << "a second backward adds to dgamma, as every backward adds";
    EXPECT_MATRIX_NEAR(Matrix(2 * dshift), Matrix(bn.dshift));
}

TEST(Ex6_7, DzDoesNotDependOnTheGradientsAlreadyAdded) {
    // dgamma and dshift hold an earlier backward's sums (not zeroed in between, as when the
    // gradients of two batches are added): this backward's dz is the same as on a fresh layer.
    // gamma ⊙ dshift and gamma ⊙ dgamma equal the two sums dz needs only after the first backward.
    bp::Rng rng(619);
    bp::BatchNorm bn = bp_test::some_batch_norm(0.1), fresh = bp_test::some_batch_norm(0.1);
    Matrix z = rng.uniform_matrix(3, 5, -1, 2);
    const Matrix G = rng.uniform_matrix(3, 5, -1, 1);
    bp_test::as_after_forward(bn, z);
    bp_test::as_after_forward(fresh, z);
    bn.dgamma << 0.8, -1.1, 0.4;
    bn.dshift << -0.6, 0.9, 1.3;
    const Matrix dz = bn.backward(G), dz_fresh = fresh.backward(G);
    const Matrix want = bp_test::slopes(BatchNormLoss{fresh, G, z}, z);
    const std::string stale = bp_test::near(want, dz_fresh, 1e-7) && !bp_test::near(want, dz, 1e-7)
                                  ? "dz depends on what dgamma and dshift held before this backward: it is right on a layer whose "
                                    "dgamma and dshift were 0, wrong here, where they hold (0.8, -1.1, 0.4) and (-0.6, 0.9, 1.3) "
                                    "from an earlier backward. dgamma and dshift add up every backward's sums; dz needs this dy's "
                                    "own, the sums over the batch of dzhat and of dzhat ⊙ zhat"
                                  : "";
    EXPECT_HOLDS(explained(stale, bp_test::matrices_near("dz", want, dz, 1e-7))) << "  with eps = 0.1, gamma = (1.5, -0.7, 2), z =\n"
                                                                                 << format_matrix(z) << "  and the upstream gradient G =\n"
                                                                                 << format_matrix(G);
}

// ---- 6.8 BatchNorm::forward, evaluation mode ----

// Evaluation mode written out: y = gamma (z - mean) / sqrt(var + eps) + shift, row by row.
Matrix evaluation_forward(const bp::BatchNorm& bn, const Matrix& z, const Vector& mean, const Vector& var) {
    Matrix y(z.rows(), z.cols());
    for (bp::Index i = 0; i < z.rows(); ++i)
        for (bp::Index k = 0; k < z.cols(); ++k) y(i, k) = bn.gamma(i) * (z(i, k) - mean(i)) / std::sqrt(var(i) + bn.eps) + bn.shift(i);
    return y;
}

// The mistake of updating the running averages in evaluation mode, named if they moved.
std::string running_averages_moved(const bp::BatchNorm& bn, const Vector& mean_before, const Vector& var_before) {
    if (bn.running_mean.size() == mean_before.size() && bn.running_var.size() == var_before.size() && bn.running_mean == mean_before &&
        bn.running_var == var_before)
        return "";
    return "the running averages changed: evaluation mode updates nothing (only a training-mode forward moves them, "
           "after exercise 6.6's code)\n  running_mean before =\n" +
           format_matrix(mean_before) + "  after =\n" + format_matrix(bn.running_mean) + "  running_var before =\n" +
           format_matrix(var_before) + "  after =\n" + format_matrix(bn.running_var);
}

TEST(Ex6_8, UsesTheRunningAveragesNotTheBatch) {
    bp::Rng rng(613);
    bp::BatchNorm bn = bp_test::some_batch_norm();
    bn.running_mean << 0.5, -1, 2;
    bn.running_var << 4, 0.25, 1;
    const Vector mean_before = bn.running_mean, var_before = bn.running_var;
    bn.set_training(false);
    const Matrix z = rng.uniform_matrix(3, 4, -1, 1);
    const Matrix y = bn.forward(z);
    // Each mistake with the variance, as the variance that gives it under the right formula's root.
    const Vector without_eps = var_before.array() - bn.eps, without_root = (var_before.array() + bn.eps).square() - bn.eps,
                 unbiased = var_before * 4.0 / 3.0;
    EXPECT_HOLDS(bp_test::matrices_near("y", evaluation_forward(bn, z, mean_before, var_before), y))
        << (bp_test::near(bp_test::batch_norm_forward(z, bn.gamma, bn.shift, bn.eps).y, y)
                ? "these are the batch's own statistics; evaluation mode uses running_mean and running_var\n"
            : bp_test::near(evaluation_forward(bn, z, mean_before, without_eps), y)
                ? "eps is missing: y = gamma (z - running_mean) / sqrt(running_var + eps) + shift\n"
            : bp_test::near(evaluation_forward(bn, z, mean_before, without_root), y)
                ? "this divides by running_var + eps; inv_std is 1 / sqrt(running_var + eps), with the root\n"
            : bp_test::near(evaluation_forward(bn, z, mean_before, unbiased), y)
                ? "this uses m/(m - 1) running_var: running_var is already the estimate to use, the m/(m - 1) went into "
                  "it when it was updated\n"
            : bp_test::near(bn.zhat, y) ? "y is zhat itself: y = gamma ⊙ zhat + shift\n"
                                        : "")
        << running_averages_moved(bn, mean_before, var_before)
        << "  y = gamma (z - running_mean) / sqrt(running_var + eps) + shift, row by row, with eps = " << bn.eps
        << ", gamma = " << values(bn.gamma) << ", shift = " << values(bn.shift)
        << ", running_mean = (0.5, -1, 2), running_var = (4, 0.25, 1) and z =\n"
        << format_matrix(z);
}

TEST(Ex6_8, UpdatesNoRunningAverage) {
    bp::Rng rng(617);
    bp::BatchNorm bn = bp_test::some_batch_norm();
    bn.running_mean << 0.5, -1, 2;
    bn.running_var << 4, 0.25, 1;
    const Vector mean_before = bn.running_mean, var_before = bn.running_var;
    bn.set_training(false);
    bn.forward(rng.uniform_matrix(3, 4, -1, 3));
    bn.forward(rng.uniform_matrix(3, 6, -2, 1));
    if (const std::string moved = running_averages_moved(bn, mean_before, var_before); !moved.empty())
        ADD_FAILURE() << "after two forward passes in evaluation mode, " << moved;
}

TEST(Ex6_8, AnExamplesOutputDoesNotDependOnItsBatch) {
    bp::Rng rng(614);
    bp::BatchNorm bn = bp_test::some_batch_norm();
    bn.running_mean << 0.1, 0.2, 0.3;
    bn.running_var << 2, 3, 0.5;
    const Vector mean_before = bn.running_mean, var_before = bn.running_var;
    bn.set_training(false);
    const Matrix z = rng.uniform_matrix(3, 5, -2, 2);
    const Matrix batch = bn.forward(z);
    const Matrix alone = bn.forward(z.col(2));  // one example: fine in evaluation mode
    EXPECT_MATRIX_NEAR(Matrix(batch.col(2)), alone) << "example 2 alone and in a batch of 5 must give the same output\n"
                                                    << running_averages_moved(bn, mean_before, var_before);
}

TEST(Ex6_8, KeepsWhatBackwardNeeds) {
    bp::Rng rng(615);
    bp::BatchNorm bn = bp_test::some_batch_norm(0.1);
    bn.running_mean << 0.1, -0.2, 0.3;
    bn.running_var << 0.5, 2, 1.5;
    const Vector mean_before = bn.running_mean, var_before = bn.running_var;
    bn.set_training(false);
    Matrix z = rng.uniform_matrix(3, 4, -1, 1);
    const Matrix G = rng.uniform_matrix(3, 4, -1, 1);
    const auto L = [&] { return weighted_sum(G, bn.forward(z)); };
    bn.forward(z);
    const Matrix dz = bn.backward(G);  // the library's evaluation-mode backward reads zhat and inv_std
    EXPECT_HOLDS(bp_test::matrices_near("dz", bp_test::slopes(L, z), dz, 1e-7))
        << "backward after an evaluation-mode forward reads bn.zhat and bn.inv_std: store them as training mode does\n"
        << running_averages_moved(bn, mean_before, var_before);
    EXPECT_HOLDS(bp_test::matrices_near("dgamma", bp_test::slopes(L, bn.gamma), Matrix(bn.dgamma), 1e-7));
}

TEST(Ex6_8, StoresTheStatisticsItUsed) {
    // After a training-mode forward (written out by the tests) has left the batch's statistics
    // in mean and var, an evaluation-mode forward stores the running ones it used instead.
    bp::Rng rng(618);
    bp::BatchNorm bn = bp_test::some_batch_norm(0.1);
    bp_test::as_after_forward(bn, rng.uniform_matrix(3, 5, -2, 2));
    bn.running_mean << 0.4, -0.3, 1.2;
    bn.running_var << 0.8, 1.7, 0.3;
    const Vector training_mean = bn.mean, running_var = bn.running_var;
    bn.set_training(false);
    bn.forward(rng.uniform_matrix(3, 4, -1, 1));
    const char* stale = bn.mean == training_mean ? ": it still holds the last training batch's mean; in evaluation mode, store "
                                                   "the running mean the forward pass used (mean = running_mean, var = running_var)"
                                                 : "";
    EXPECT_MATRIX_NEAR((Matrix(3, 1) << 0.4, -0.3, 1.2).finished(), Matrix(bn.mean)) << "bn.mean after an evaluation-mode forward" << stale;
    EXPECT_MATRIX_NEAR((Matrix(3, 1) << 0.8, 1.7, 0.3).finished(), Matrix(bn.var))
        << "bn.var after an evaluation-mode forward: the running variance";
    EXPECT_MATRIX_NEAR(Matrix((running_var.array() + 0.1).rsqrt().matrix()), Matrix(bn.inv_std))
        << "bn.inv_std: 1 / sqrt(running_var + eps)";
}

}  // namespace
