// Chapter 1's public entry points, each given a bad shape: the error is a ShapeError whose
// message names the operation and the shapes, never an abort or a wrong answer. These checks
// sit outside the exercise regions, so they hold on the stubs too.
#include "check.hpp"

#include "bp/core/activations.hpp"
#include "bp/layers/dense.hpp"
#include "bp/core/linear.hpp"
#include "bp/layers/mlp.hpp"

namespace {

using bp::Activation;
using bp::Matrix;
using bp::Vector;

TEST(Ch01Shapes, LinearForwardNamesAllThreeShapes) {
    bp_test::expect_shape_error([] { bp::linear_forward(Matrix::Zero(3, 2), Vector::Zero(3), Matrix::Zero(3, 4)); },
                                {"linear_forward", "3x2", "3x4"});
    bp_test::expect_shape_error([] { bp::linear_forward(Matrix::Zero(3, 2), Vector::Zero(2), Matrix::Zero(2, 4)); },
                                {"linear_forward", "b is 2x1"});
}

TEST(Ch01Shapes, SoftmaxRejectsAnEmptyMatrix) {
    bp_test::expect_shape_error([] { bp::softmax(Matrix(0, 3)); }, {"softmax", "0x3"});
}

TEST(Ch01Shapes, SoftmaxHasNoElementwiseDerivative) {
    EXPECT_THROW(bp::activate_prime(Activation::softmax, Matrix::Zero(2, 2)), bp::UsageError);
}

TEST(Ch01Shapes, DenseRejectsEmptyLayersAndWrongInputs) {
    bp::Rng rng(1);
    bp_test::expect_shape_error([&] { bp::Dense(0, 3, Activation::relu, rng); }, {"Dense", "n_in = 0"});
    bp::Dense layer(3, 2, Activation::relu, rng);
    bp_test::expect_shape_error([&] { layer.forward(Matrix::Zero(4, 5)); }, {"Dense::forward", "4x5", "3 rows"});
}

TEST(Ch01Shapes, MlpRejectsTooFewSizesAndWrongInputs) {
    bp::Rng rng(2);
    bp_test::expect_shape_error([&] { bp::Mlp({4}, Activation::relu, Activation::softmax, rng); }, {"Mlp", "1 size"});
    bp::Mlp net({4, 3, 2}, Activation::relu, Activation::softmax, rng);
    bp_test::expect_shape_error([&] { net.forward(Matrix::Zero(3, 1)); }, {"Dense::forward", "3x1", "4 rows"});
    EXPECT_THROW(bp::Sequential().forward(Matrix::Zero(3, 1)), bp::UsageError);
}

TEST(Ch01Shapes, ParametersMustMatchTheirGradients) {
    Matrix W = Matrix::Zero(2, 2), dW = Matrix::Zero(2, 3);
    const bp::Parameter p("W", W, dW);
    bp_test::expect_shape_error([&] { p.value(); }, {"Parameter W", "2x2", "2x3"});
    bp_test::expect_shape_error([&] { p.grad(); }, {"Parameter W", "2x2", "2x3"});
}

}  // namespace
