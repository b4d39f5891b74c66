// Chapter 2's public entry points, each given a bad shape.
#include "check.hpp"

#include "bp/core/loss.hpp"

namespace {

using bp::Matrix;

TEST(Ch02Shapes, EveryLossNamesItselfAndBothShapes) {
    const Matrix a = Matrix::Zero(3, 2), b = Matrix::Zero(2, 3);
    bp_test::expect_shape_error([&] { bp::mse_loss(a, b); }, {"mse_loss", "3x2", "2x3"});
    bp_test::expect_shape_error([&] { bp::mse_grad(a, b); }, {"mse_grad", "3x2", "2x3"});
    bp_test::expect_shape_error([&] { bp::bce_with_logits_loss(a, b); }, {"bce_with_logits_loss", "3x2", "2x3"});
    bp_test::expect_shape_error([&] { bp::bce_with_logits_grad(a, b); }, {"bce_with_logits_grad", "3x2", "2x3"});
    bp_test::expect_shape_error([&] { bp::softmax_cross_entropy_loss(a, b); }, {"softmax_cross_entropy_loss", "3x2", "2x3"});
    bp_test::expect_shape_error([&] { bp::softmax_cross_entropy_grad(a, b); }, {"softmax_cross_entropy_grad", "3x2", "2x3"});
}

TEST(Ch02Shapes, EmptyInputsAreRejected) {
    bp_test::expect_shape_error([] { bp::log_sum_exp(Matrix(0, 2)); }, {"log_sum_exp", "0x2"});
    bp_test::expect_shape_error([] { bp::mse_loss(Matrix(2, 0), Matrix(2, 0)); }, {"mse_loss", "2x0"});
}

}  // namespace
