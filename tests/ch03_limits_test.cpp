// Chapter 3's library checks at the edges: a ReLU's backward pass gives NaN where z is NaN
// (the library's callers of relu_prime and leaky_relu_prime put the NaN back).
#include "check.hpp"

#include "bp/autodiff/graph.hpp"
#include "bp/core/activations.hpp"
#include "bp/layers/activation_layer.hpp"

#include <cmath>

namespace {

using bp::Matrix;

// relu_prime and leaky_relu_prime (exercises 1.7 and 1.9) give 0 and alpha at a NaN (NaN > 0 is
// false); the library's backward passes put the NaN back, so that it is not hidden there.
TEST(Ch03NaN, AReLUsBackwardPassGivesNaNWhereZIsNaN) {
    const double nan = std::nan("");
    const Matrix z = (Matrix(1, 3) << -1.0, nan, 2.0).finished(), da = Matrix::Ones(1, 3);
    for (const bp::Activation f : {bp::Activation::relu, bp::Activation::leaky_relu}) {
        SCOPED_TRACE(bp::to_string(f));
        const Matrix d = bp::activate_prime(f, z);
        EXPECT_TRUE(std::isnan(d(1))) << "f'(nan) is " << d(1);
        EXPECT_EQ(d(2), 1.0);
        EXPECT_TRUE(std::isnan(bp::activation_backward(f, da, z)(1)));
    }
    bp::ActivationLayer leaky(bp::Activation::leaky_relu, 0.2);
    leaky.forward(z);
    const Matrix dz = leaky.backward(da);
    EXPECT_TRUE(std::isnan(dz(1)) && dz(0) == 0.2 && dz(2) == 1.0) << bp_test::format_matrix(dz);
    bp::Graph g;
    const bp::Var x = g.input(z, "z");
    g.backward(g.sum(g.relu(x)));
    EXPECT_TRUE(std::isnan(g.grad(x)(1)) && g.grad(x)(0) == 0.0 && g.grad(x)(2) == 1.0) << bp_test::format_matrix(g.grad(x));
}

}  // namespace
