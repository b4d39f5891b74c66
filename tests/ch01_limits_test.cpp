// Chapter 1's library checks at the edges: infinite logits give the limit in softmax, not NaN;
// NaN logits give NaN (they are not refused). (The losses': ch02_limits_test.cpp.)
#include "check.hpp"

#include "bp/core/activations.hpp"

#include <cmath>
#include <limits>

namespace {

using bp::Matrix;
using bp_test::col;
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

}  // namespace
