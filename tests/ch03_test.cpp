// Chapter 3 property tests: every backward rule against the tests' own finite differences,
// accumulation, the batch, and reused values in the graph.
#include "check.hpp"

#include "bp/activations.hpp"
#include "bp/dense.hpp"
#include "bp/graph.hpp"
#include "bp/linear.hpp"
#include "bp/loss.hpp"
#include "bp/mlp.hpp"

namespace {

using bp::Activation;
using bp::Matrix;
using bp::Vector;

// A scalar loss with a known gradient: L = sum(G ⊙ out), so dL/d(out) = G.
double weighted_sum(const Matrix& G, const Matrix& out) { return G.cwiseProduct(out).sum(); }

// ---- 3.1 linear_backward ----

TEST(Ex3_1, MatchesFiniteDifferences) {
    bp::Rng rng(61);
    Matrix W = rng.uniform_matrix(3, 2, -1, 1), a_prev = rng.uniform_matrix(2, 4, -1, 1);
    Vector b = rng.uniform_matrix(3, 1, -1, 1).col(0);
    const Matrix G = rng.uniform_matrix(3, 4, -1, 1);
    const auto L = [&] { return weighted_sum(G, (W * a_prev).colwise() + b); };  // z written out here
    Matrix dW = Matrix::Zero(3, 2);
    Vector db = Vector::Zero(3);
    const Matrix da_prev = bp::linear_backward(G, W, a_prev, dW, db);
    EXPECT_HOLDS(bp_test::matrices_near("dW", bp_test::slopes(L, W), dW, 1e-7));
    EXPECT_HOLDS(bp_test::matrices_near("db", bp_test::slopes(L, b), Matrix(db), 1e-7));
    EXPECT_HOLDS(bp_test::matrices_near("da_prev", bp_test::slopes(L, a_prev), da_prev, 1e-7));
}

TEST(Ex3_1, AddsToTheGradientsInsteadOfOverwritingThem) {
    bp::Rng rng(62);
    const Matrix W = rng.uniform_matrix(2, 2, -1, 1), a_prev = rng.uniform_matrix(2, 3, -1, 1), dz = rng.uniform_matrix(2, 3, -1, 1);
    Matrix dW = Matrix::Zero(2, 2);
    Vector db = Vector::Zero(2);
    bp::linear_backward(dz, W, a_prev, dW, db);
    const Matrix once = dW;
    const Vector db_once = db;
    bp::linear_backward(dz, W, a_prev, dW, db);
    EXPECT_MATRIX_NEAR(Matrix(2 * once), dW) << "a second call should add the same amount again";
    EXPECT_MATRIX_NEAR(Matrix(2 * db_once), Matrix(db));
}

TEST(Ex3_1, SumsTheBiasGradientOverTheBatch) {
    Matrix dW = Matrix::Zero(2, 1);
    Vector db = Vector::Zero(2);
    Matrix dz(2, 3);
    dz << 1, 2, 3,  //
        -1, 0, 4;
    bp::linear_backward(dz, Matrix::Ones(2, 1), Matrix::Ones(1, 3), dW, db);
    EXPECT_MATRIX_NEAR((Matrix(2, 1) << 6, 3).finished(), Matrix(db)) << "with dz =\n" << bp_test::format_matrix(dz);
}

// ---- 3.2 activation_backward ----

TEST(Ex3_2, IsDaTimesTheSlopeOfF) {
    bp::Rng rng(63);
    Matrix z = rng.uniform_matrix(3, 4, -3, 3);
    const Matrix G = rng.uniform_matrix(3, 4, -1, 1);
    for (Activation f : {Activation::identity, Activation::sigmoid, Activation::tanh, Activation::relu, Activation::leaky_relu}) {
        const auto L = [&] { return weighted_sum(G, bp::activate(f, z)); };
        EXPECT_HOLDS(bp_test::matrices_near("dz", bp_test::slopes(L, z), bp::activation_backward(f, G, z), 1e-6))
            << "for f = " << bp::to_string(f);
    }
}

TEST(Ex3_2, ReluPassesNothingBackWhereZIsNegative) {
    Matrix z(1, 3), da(1, 3);
    z << -2, 0.5, 3;
    da << 7, 7, 7;
    EXPECT_MATRIX_NEAR((Matrix(1, 3) << 0, 7, 7).finished(), bp::activation_backward(Activation::relu, da, z));
}

// ---- 3.3 Dense::backward ----

TEST(Ex3_3, MatchesFiniteDifferencesForEveryParameterAndTheInput) {
    bp::Rng rng(64);
    bp::Dense layer(3, 2, Activation::tanh, rng);
    layer.b << 0.3, -0.2;
    Matrix x = rng.uniform_matrix(3, 4, -1, 1);
    const Matrix G = rng.uniform_matrix(2, 4, -1, 1);
    const auto L = [&] { return weighted_sum(G, layer.forward(x)); };
    layer.forward(x);
    const Matrix dx = layer.backward(G);
    const Matrix dW = layer.dW;
    const Vector db = layer.db;
    EXPECT_HOLDS(bp_test::matrices_near("dW", bp_test::slopes(L, layer.W), dW, 1e-7));
    EXPECT_HOLDS(bp_test::matrices_near("db", bp_test::slopes(L, layer.b), Matrix(db), 1e-7));
    EXPECT_HOLDS(bp_test::matrices_near("da_prev", bp_test::slopes(L, x), dx, 1e-7));
}

TEST(Ex3_3, TwoBackwardPassesAddUp) {
    bp::Rng rng(65);
    bp::Dense layer(2, 2, Activation::sigmoid, rng);
    layer.forward(rng.uniform_matrix(2, 3, -1, 1));
    const Matrix da = rng.uniform_matrix(2, 3, -1, 1);
    layer.backward(da);
    const Matrix once = layer.dW;
    layer.backward(da);
    EXPECT_MATRIX_NEAR(Matrix(2 * once), layer.dW) << "backward adds into dW; zero_grad() clears it";
}

// ---- 3.4 Sequential::backward ----

TEST(Ex3_4, MatchesFiniteDifferencesThroughEveryLayer) {
    bp::Rng rng(66);
    bp::Mlp net({3, 4, 3, 2}, Activation::tanh, Activation::identity, rng);
    Matrix x = rng.uniform_matrix(3, 5, -1, 1);
    const Matrix G = rng.uniform_matrix(2, 5, -1, 1);  // dz_out, as the output is z itself
    const auto L = [&] { return weighted_sum(G, net.forward(x)); };
    net.forward(x);
    const Matrix dx = net.backward(G);
    for (std::size_t l = 0; l < net.size(); ++l) {
        const Matrix dW = net.dense(l).dW;
        EXPECT_HOLDS(bp_test::matrices_near("dW", bp_test::slopes(L, net.dense(l).W), dW, 1e-7)) << "layer " << l + 1;
    }
    EXPECT_HOLDS(bp_test::matrices_near("dx", bp_test::slopes(L, x), dx, 1e-7));
}

TEST(Ex3_4, SoftmaxCrossEntropyStartsFromYHatMinusY) {
    bp::Rng rng(67);
    bp::Mlp net({2, 3, 3}, Activation::tanh, Activation::identity, rng);  // ends at the logits z
    const Matrix x = rng.uniform_matrix(2, 4, -1, 1);
    Matrix y = Matrix::Zero(3, 4);
    y(0, 0) = y(2, 1) = y(1, 2) = y(2, 3) = 1;
    // The cross-entropy written out: -(1/m) sum y log y_hat, y_hat = softmax(z).
    const auto L = [&] { return -(y.array() * bp::softmax(net.forward(x)).array().log()).sum() / 4.0; };
    const Matrix y_hat = bp::softmax(net.forward(x));
    net.backward(((y_hat - y) / 4.0).eval());  // dz = (y_hat - y) / m
    const Matrix dW1 = net.dense(0).dW;
    EXPECT_HOLDS(bp_test::matrices_near("dW1", bp_test::slopes(L, net.dense(0).W), dW1, 1e-6));
}

// ---- 3.5 - 3.7 the computational graph ----

TEST(Ex3_5, AValueUsedTwiceGetsBothContributions) {
    bp::Graph g;
    const bp::Var x = g.input((Matrix(1, 2) << 3, -1).finished(), "x");
    g.backward(g.sum(g.add(x, x)));  // L = sum(x + x)
    EXPECT_MATRIX_NEAR(Matrix::Constant(1, 2, 2.0), g.grad(x)) << "L = sum(x + x), so dL/dx = 2";
}

TEST(Ex3_5, ABackwardPassStartsFromZero) {
    bp::Graph g;
    const bp::Var x = g.input(Matrix::Ones(2, 2), "x");
    const bp::Var L = g.sum(g.tanh(x));
    g.backward(L);
    const Matrix first = g.grad(x);
    g.backward(L);
    EXPECT_MATRIX_NEAR(first, g.grad(x)) << "calling backward twice gives the same gradients, not twice them";
}

TEST(Ex3_6, GraphGivesTheSameGradientsAsTheLayerBackward) {
    bp::Rng rng(68);
    bp::Mlp net({3, 4, 2}, Activation::sigmoid, Activation::identity, rng);
    net.dense(0).b << 0.1, -0.1, 0.2, 0.0;
    const Matrix x = rng.uniform_matrix(3, 5, -1, 1);
    Matrix y = Matrix::Zero(2, 5);
    y.row(0) << 1, 0, 1, 1, 0;
    y.row(1) = 1.0 - y.row(0).array();

    net.backward(bp::softmax_cross_entropy_grad(net.forward(x), y));

    bp::Graph g;
    const bp::Var W1 = g.input(net.dense(0).W, "W1"), b1 = g.input(net.dense(0).b, "b1");
    const bp::Var W2 = g.input(net.dense(1).W, "W2"), b2 = g.input(net.dense(1).b, "b2");
    const bp::Var a1 = g.sigmoid(g.add_bias(g.matmul(W1, g.input(x, "x")), b1));
    const bp::Var z2 = g.add_bias(g.matmul(W2, a1), b2);
    g.backward(g.softmax_cross_entropy(z2, y));

    EXPECT_MATRIX_NEAR(net.dense(0).dW, g.grad(W1));
    EXPECT_MATRIX_NEAR(Matrix(net.dense(0).db), g.grad(b1));
    EXPECT_MATRIX_NEAR(net.dense(1).dW, g.grad(W2));
    EXPECT_MATRIX_NEAR(Matrix(net.dense(1).db), g.grad(b2));
}

TEST(Ex3_6, AWeightUsedTwiceGetsBothContributions) {
    bp::Rng rng(69);
    bp::Graph g;
    const Matrix Wv = rng.uniform_matrix(2, 2, -1, 1), xv = rng.uniform_matrix(2, 3, -1, 1);
    const bp::Var W = g.input(Wv, "W"), x = g.input(xv, "x");
    g.backward(g.sum(g.matmul(W, g.matmul(W, x))));  // L = sum(W W x): W is used twice
    Matrix w = Wv;
    const auto L = [&] { return (w * w * xv).sum(); };
    EXPECT_HOLDS(bp_test::matrices_near("dW", bp_test::slopes(L, w), g.grad(W), 1e-7));
}

TEST(Ex3_7, XTimesXHasGradientTwoX) {
    const Matrix x = (Matrix(1, 3) << 1, -2, 0.5).finished(), dn = Matrix::Ones(1, 3);
    Matrix dx = Matrix::Zero(1, 3);
    bp::mul_backward(dn, x, x, dx, dx);  // n = x ⊙ x: both shares land in the same gradient
    EXPECT_MATRIX_NEAR(Matrix(2 * x), dx) << "for n = x ⊙ x, dn/dx = 2x";
    bp::Graph g;
    const bp::Var v = g.input(x, "x");
    g.backward(g.sum(g.mul(v, v)));
    EXPECT_MATRIX_NEAR(Matrix(2 * x), g.grad(v)) << "in a graph: L = sum(x ⊙ x)";
}

}  // namespace
