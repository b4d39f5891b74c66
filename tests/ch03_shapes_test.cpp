// Chapter 3's public entry points, given a bad shape or called out of order.
#include "check.hpp"

#include "bp/core/activations.hpp"
#include "bp/layers/dense.hpp"
#include "bp/autodiff/graph.hpp"
#include "bp/core/linear.hpp"
#include "bp/layers/mlp.hpp"

namespace {

using bp::Activation;
using bp::Matrix;
using bp::Vector;

TEST(Ch03Shapes, BackwardBeforeForwardIsAClearError) {
    bp::Rng rng(1);
    bp::Dense layer(3, 2, Activation::relu, rng);
    EXPECT_THROW(layer.backward(Matrix::Zero(2, 1)), bp::UsageError);
    try {
        layer.backward(Matrix::Zero(2, 1));
    } catch (const bp::UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("forward"), std::string::npos) << e.what();
    }
}

TEST(Ch03Shapes, BackwardRulesNameTheirShapes) {
    Matrix dW = Matrix::Zero(3, 2);
    Vector db = Vector::Zero(3);
    bp_test::expect_shape_error([&] { bp::linear_backward(Matrix::Zero(3, 4), Matrix::Zero(3, 2), Matrix::Zero(2, 5), dW, db); },
                                {"linear_backward", "3x4", "2x5"});
    bp_test::expect_shape_error([] { bp::activation_backward(Activation::tanh, Matrix::Zero(2, 3), Matrix::Zero(3, 2)); },
                                {"activation_backward", "2x3", "3x2"});
    Matrix d2 = Matrix::Zero(2, 2), d3 = Matrix::Zero(3, 3);
    bp_test::expect_shape_error([&] { bp::matmul_backward(Matrix::Zero(2, 2), Matrix::Zero(2, 3), Matrix::Zero(2, 2), d2, d2); },
                                {"matmul_backward", "2x3"});
    bp_test::expect_shape_error([&] { bp::mul_backward(Matrix::Zero(2, 2), Matrix::Zero(2, 2), Matrix::Zero(3, 3), d2, d3); },
                                {"mul_backward", "3x3"});
}

TEST(Ch03Shapes, LayersRejectAGradientOfTheWrongShape) {
    bp::Rng rng(2);
    bp::Dense layer(3, 2, Activation::sigmoid, rng);
    layer.forward(Matrix::Zero(3, 4));
    bp_test::expect_shape_error([&] { layer.backward(Matrix::Zero(2, 5)); }, {"Dense::backward", "2x5", "2x4"});
    bp::Mlp net({3, 2}, Activation::relu, Activation::identity, rng);
    net.forward(Matrix::Zero(3, 4));
    bp_test::expect_shape_error([&] { net.backward(Matrix::Zero(3, 4)); }, {"Dense::backward", "3x4", "2x4"});
    EXPECT_THROW(bp::Sequential().backward(Matrix::Zero(3, 4)), bp::UsageError);
}

TEST(Ch03Shapes, GraphChecksItsInputs) {
    bp::Graph g;
    const bp::Var W = g.input(Matrix::Zero(2, 3), "W"), x = g.input(Matrix::Zero(2, 1), "x");
    bp_test::expect_shape_error([&] { g.matmul(W, x); }, {"Graph::matmul", "2x3", "2x1"});
    bp_test::expect_shape_error([&] { g.add_bias(W, g.input(Matrix::Zero(3, 1), "b")); }, {"Graph::add_bias", "3x1"});
    bp_test::expect_shape_error([&] { g.backward(W); }, {"Graph::backward", "2x3"});
    EXPECT_THROW(g.grad(W), bp::UsageError) << "no gradient before backward";
    EXPECT_THROW(g.value(bp::Var{42}), bp::UsageError);
}

}  // namespace
