// Library checks of the basics no exercise covers: the random numbers, Dense and Mlp as built,
// and the matrices' checks (an Eigen assertion becomes an exception; require_finite names the
// first value that is not finite) and argmax_per_column.
#include "check.hpp"

#include "bp/layers/dense.hpp"
#include "bp/core/init.hpp"
#include "bp/layers/mlp.hpp"
#include "bp/core/random.hpp"

#include <cmath>
#include <limits>

namespace {

using bp::Matrix;
using bp_test::error_of;
constexpr double inf = std::numeric_limits<double>::infinity();

// Pinned so that a change of algorithm, or a compiler that computes differently, shows up
// (the integers were checked against an independent Python version). xoshiro256** is integer arithmetic, and uniform() scales 53 of its
// bits exactly, so these hold bit for bit everywhere.
TEST(LibRandom, GivesThePinnedSequence) {
    bp::Rng rng(42);
    const std::uint64_t expected[] = {0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL, 0xae17533239e499a1ULL};
    for (std::uint64_t e : expected) EXPECT_EQ(e, rng.next_u64());
    bp::Rng again(42);
    EXPECT_EQ(static_cast<double>(0x15780b2e0c2ec716ULL >> 11) * 0x1.0p-53, again.uniform());
}

// Normals go through log, sqrt and cos, which a different maths library may round
// differently in the last bit: pinned to 1e-15.
TEST(LibRandom, GivesThePinnedNormals) {
    bp::Rng rng(7);
    const double expected[] = {-0.27902399102519809, 1.5277231859624536, 1.8997685786889567};
    for (double e : expected) EXPECT_NEAR(e, rng.normal(), 1e-15);
}

// Every kind of draw, pinned as g++ 12 computes it (hexadecimal literals are exact): clang++,
// another processor or -march must give the same initial weights and batches. Uniforms in
// [lo, hi) compute lo + (hi - lo) u, which a compiler allowed to fuse it into one FMA rounds
// differently (clang++ -march=native does): random.cpp is compiled with -ffp-contract=off.
TEST(LibRandom, GivesThePinnedNumbersOfEveryKind) {
    bp::Rng rng(2024);
    EXPECT_EQ(0x0e48715a13d7772eULL, rng.next_u64());
    EXPECT_EQ(0xc837f3ee8a7a1065ULL, rng.next_u64());
    EXPECT_EQ(0x1272314b15ee5001ULL, rng.next_u64());
    EXPECT_EQ(0x1.47191d355f15p-3, rng.uniform());
    EXPECT_EQ(0x1.8c1be764c2cc1p-1, rng.uniform());
    EXPECT_EQ(0x1.f57f8431e67a8p-3, rng.uniform());
    EXPECT_EQ(0x1.3ccc2d5a6b98p-3, rng.uniform(-3, 5));
    EXPECT_EQ(-0x1.e34c5acc3ae88p-1, rng.uniform(-3, 5));
    EXPECT_EQ(0x1.744bd34e731e4p+0, rng.uniform(-3, 5));
    for (bp::Index k : {4, 6, 1, 0}) EXPECT_EQ(k, rng.below(10));
    for (double e : {0.13999362332785178, -0.94490173802825672, 0.62562346809375158, 0.17264415403829844})
        EXPECT_NEAR(e, rng.normal(), 1e-15);
    bp::Rng again(2024);
    const double in_range[] = {-0x1.4143a615cc697p-1, 0x1.445627a5367a8p-2, -0x1.3670b30993c79p-1, -0x1.f82fad03b5658p-2,
                               0x1.3915599f94128p-2};
    for (double e : in_range) EXPECT_EQ(e, again.uniform(-0.7, 0.6));
    const Matrix m = again.uniform_matrix(2, 2, -1, 1);  // filled column by column
    const double m_expected[] = {-0x1.05403de70cc2cp-1, -0x1.b0ccf4a9651ap-3, -0x1.f1a62d661d744p-2, 0x1.d12f4d39cc79p-4};
    for (bp::Index k = 0; k < 4; ++k) EXPECT_EQ(m_expected[k], m(k)) << "element " << k;
    const Matrix n = again.normal_matrix(2, 2, 0.5);
    const double n_expected[] = {-0.029869987556489504, -0.1584483886174575, 0.85440074884738582, -0.78239231298654788};
    for (bp::Index k = 0; k < 4; ++k) EXPECT_NEAR(n_expected[k], n(k), 1e-15) << "element " << k;
}

TEST(LibRandom, SameSeedSameNumbers) {
    bp::Rng a(123), b(123), c(124);
    EXPECT_EQ(a.uniform_matrix(3, 3, -1, 1), b.uniform_matrix(3, 3, -1, 1));
    EXPECT_NE(a.next_u64(), c.next_u64());
}

TEST(LibRandom, DrawsFromTheStatedRanges) {
    bp::Rng rng(1);
    double sum = 0, sum_sq = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        const double u = rng.uniform();
        ASSERT_TRUE(u >= 0.0 && u < 1.0) << u;
        const bp::Index k = rng.below(6);
        ASSERT_TRUE(k >= 0 && k < 6) << k;
        const double x = rng.normal();
        sum += x;
        sum_sq += x * x;
    }
    EXPECT_NEAR(0.0, sum / n, 0.03);
    EXPECT_NEAR(1.0, sum_sq / n, 0.03);
    EXPECT_THROW(rng.below(0), std::invalid_argument);
}

TEST(LibDense, StartsWithZeroBiasAndZeroGradients) {
    bp::Rng rng(3);
    bp::Dense layer(4, 3, bp::Activation::tanh, rng);
    EXPECT_EQ(bp::shape(layer.W), "3x4");
    EXPECT_EQ(layer.n_in(), 4);
    EXPECT_EQ(layer.n_out(), 3);
    EXPECT_TRUE(layer.b.isZero() && layer.dW.isZero() && layer.db.isZero());
    EXPECT_FALSE(layer.has_forward);
}

TEST(LibDense, ParametersReachTheLayer) {
    bp::Rng rng(4);
    bp::Dense layer(2, 3, bp::Activation::relu, rng);
    auto params = layer.parameters("layer1");
    ASSERT_EQ(params.size(), 2u);
    EXPECT_EQ(params[0].name, "layer1.W");
    EXPECT_EQ(params[1].name, "layer1.b");
    EXPECT_EQ(bp::shape(Matrix(params[1].value())), "3x1");
    params[0].value()(1, 0) = 5.0;  // an optimizer's update reaches the layer
    params[1].grad()(2, 0) = 7.0;
    EXPECT_EQ(layer.W(1, 0), 5.0);
    EXPECT_EQ(layer.db(2), 7.0);
    layer.dW.setOnes();
    layer.zero_grad();
    EXPECT_TRUE(layer.dW.isZero() && layer.db.isZero());
}

TEST(LibMlp, BuildsTheLayersInOrder) {
    bp::Rng rng(5);
    bp::Mlp net({784, 256, 128, 10}, bp::Activation::relu, bp::Activation::identity, rng);
    ASSERT_EQ(net.size(), 3u);
    EXPECT_EQ(bp::shape(net.dense(1).W), "128x256");
    EXPECT_EQ(net.dense(0).f, bp::Activation::relu);
    EXPECT_EQ(net.dense(2).f, bp::Activation::identity);
    EXPECT_EQ(net.input_size(), 784);
    EXPECT_EQ(net.output_size(), 10);
    const auto params = net.parameters();
    ASSERT_EQ(params.size(), 6u);
    EXPECT_EQ(params[4].name, "layer3.W");
}

TEST(LibMatrix, EigenAssertionsBecomeExceptions) {
    Matrix m = Matrix::Zero(2, 2);
    EXPECT_THROW(m(5, 0) = 1.0, std::logic_error);
    EXPECT_THROW(Matrix(m * Matrix::Zero(3, 3)), std::logic_error);
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
    EXPECT_MENTIONS(error_of<bp::ValueError>([&] { bp::require_finite("step", "b", view); }),
                    "step: b is not finite: inf at row 2, column 1");
}

TEST(LibMatrix, ArgmaxPerColumnGivesEachColumnsLargestRow) {
    Matrix logits(3, 4);
    logits << 0.1, -2, 5, 1,  //
        0.7, -1, 5, 1,        //
        0.2, -3, 4, 1;
    // The first row on a tie (columns 2 and 3), as Eigen's maxCoeff.
    EXPECT_EQ(bp::argmax_per_column(logits), (std::vector<int>{1, 1, 0, 0}));
    // float, as the fast engine's logits, and a block of columns.
    const Eigen::MatrixXf in_float = logits.cast<float>();
    EXPECT_EQ(bp::argmax_per_column(in_float.middleCols(1, 2)), (std::vector<int>{1, 0}));
    EXPECT_TRUE(bp::argmax_per_column(Matrix(3, 0)).empty());
}

}  // namespace
