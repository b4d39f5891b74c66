// Every layer and loss of the library, gradient-checked with the library's own checker.
// These are library checks: they also need chapters 1-4 done, and wait for them until then.
#include "check.hpp"

#include "bp/check/gradcheck.hpp"
#include "bp/autodiff/graph.hpp"
#include "bp/core/loss.hpp"
#include "bp/layers/mlp.hpp"
#include "swish_dense.hpp"

namespace {

using bp::Activation;
using bp::Matrix;
using bp_test::one_hot;

#define EXPECT_CHECK_PASSES(check)             \
    do {                                       \
        const bp::GradientCheck c_ = (check);  \
        EXPECT_TRUE(c_.passed) << c_.report(); \
    } while (false)

// A network with a loss on its output, checked in every parameter and in its input.
bp::GradientCheck check_network(bp::Mlp& net, Matrix x, const bp::Loss& loss_fn, const Matrix& y) {
    Matrix dx = Matrix::Zero(x.rows(), x.cols());
    std::vector<bp::Parameter> params = net.parameters();
    params.emplace_back("x", x, dx);
    const auto loss = [&] { return loss_fn.value(net.forward(x), y); };
    const auto backward = [&] {
        net.zero_grad();
        dx = net.backward(loss_fn.grad(net.forward(x), y));
    };
    return bp::check_gradients(params, loss, backward);
}

TEST(Ch04GradCheck, EveryActivationInADenseLayer) {
    for (Activation f : {Activation::identity, Activation::sigmoid, Activation::tanh, Activation::relu, Activation::leaky_relu}) {
        bp::Rng rng(91);
        bp::Dense layer(4, 3, f, rng);
        layer.b << 0.1, -0.2, 0.3;
        const bp::GradientCheck c = bp::check_dense_layer(layer, rng.uniform_matrix(4, 6, -1, 1), rng);
        EXPECT_TRUE(c.passed) << bp::to_string(f) << ": " << c.report();
    }
}

TEST(Ch04GradCheck, NetworkWithSoftmaxCrossEntropy) {
    bp::Rng rng(92);
    bp::Mlp net({4, 5, 3}, Activation::tanh, Activation::identity, rng);
    const Matrix y = one_hot(rng, 3, 6);
    EXPECT_CHECK_PASSES(check_network(net, rng.uniform_matrix(4, 6, -1, 1), bp::softmax_cross_entropy(), y));
}

TEST(Ch04GradCheck, NetworkWithSigmoidOutputAndSquaredError) {
    bp::Rng rng(93);
    bp::Mlp net({3, 4, 4, 2}, Activation::leaky_relu, Activation::sigmoid, rng);
    const Matrix y = rng.uniform_matrix(2, 5, 0, 1);
    EXPECT_CHECK_PASSES(check_network(net, rng.uniform_matrix(3, 5, -1, 1), bp::mean_squared_error(), y));
}

TEST(Ch04GradCheck, NetworkWithBinaryCrossEntropyFromLogits) {
    bp::Rng rng(94);
    bp::Mlp net({3, 4, 2}, Activation::tanh, Activation::identity, rng);
    Matrix y = Matrix::Zero(2, 5);
    y << 1, 0, 1, 1, 0,  //
        0, 0, 1, 0, 1;
    EXPECT_CHECK_PASSES(check_network(net, rng.uniform_matrix(3, 5, -1, 1), bp::binary_cross_entropy_with_logits(), y));
}

TEST(Ch04GradCheck, EveryLossOnItsOwn) {
    bp::Rng rng(95);
    Matrix p = rng.uniform_matrix(3, 4, -2, 2), dp = Matrix::Zero(3, 4);
    const Matrix y = one_hot(rng, 3, 4), t = rng.uniform_matrix(3, 4, 0, 1);
    const std::vector<bp::Parameter> params = {bp::Parameter("input", p, dp)};
    // dp = f() hands dp a new buffer; the Parameter reads dp itself, so it sees it.
    EXPECT_CHECK_PASSES(bp::check_gradients(
        params, [&] { return bp::mse_loss(p, t); }, [&] { dp = bp::mse_grad(p, t); }));
    EXPECT_CHECK_PASSES(bp::check_gradients(
        params, [&] { return bp::bce_with_logits_loss(p, t); }, [&] { dp = bp::bce_with_logits_grad(p, t); }));
    EXPECT_CHECK_PASSES(bp::check_gradients(
        params, [&] { return bp::softmax_cross_entropy_loss(p, y); }, [&] { dp = bp::softmax_cross_entropy_grad(p, y); }));
}

TEST(Ch04GradCheck, EveryGraphOperation) {
    bp::Rng rng(96);
    Matrix W = rng.uniform_matrix(3, 2, -1, 1), x = rng.uniform_matrix(2, 4, -1, 1), b = rng.uniform_matrix(3, 1, -1, 1);
    Matrix dW, dx, db;
    const Matrix y = one_hot(rng, 3, 4), t = rng.uniform_matrix(3, 4, 0, 1);
    // L = softmax_ce(relu(u) + tanh(u) ⊙ sigmoid(u), y) + mse(u, t) + sum(u), u = W x + b: every op once.
    const auto build = [&](bp::Graph& g, bp::Var& vW, bp::Var& vx, bp::Var& vb) {
        vW = g.input(W, "W");
        vx = g.input(x, "x");
        vb = g.input(b, "b");
        const bp::Var u = g.add_bias(g.matmul(vW, vx), vb);
        const bp::Var h = g.add(g.relu(u), g.mul(g.tanh(u), g.sigmoid(u)));
        return g.add(g.add(g.softmax_cross_entropy(h, y), g.mse(u, t)), g.sum(u));
    };
    const auto loss = [&] {
        bp::Graph g;
        bp::Var vW, vx, vb;
        return g.value(build(g, vW, vx, vb))(0, 0);
    };
    const auto backward = [&] {
        bp::Graph g;
        bp::Var vW, vx, vb;
        g.backward(build(g, vW, vx, vb));
        dW = g.grad(vW);
        dx = g.grad(vx);
        db = g.grad(vb);
    };
    dW = Matrix::Zero(3, 2), dx = Matrix::Zero(2, 4), db = Matrix::Zero(3, 1);
    EXPECT_CHECK_PASSES(
        bp::check_gradients({bp::Parameter("W", W, dW), bp::Parameter("x", x, dx), bp::Parameter("b", b, db)}, loss, backward));
}

TEST(Ch04FindTheBug, TheCheckerCatchesTheGivenLayersMistake) {
    // Exercise 4.4's premise: the given backward pass is wrong, and the checker says where.
    bp::Rng rng(44);
    bp::BuggySwishDense suspect(4, 3, rng);
    const bp::GradientCheck c = bp::check_dense_layer(suspect, rng.uniform_matrix(4, 5, -2, 2), rng);
    EXPECT_FALSE(c.passed) << c.report();
    ASSERT_EQ(c.worst_by_parameter.size(), 3u) << c.report();
    for (const auto& [name, worst] : c.worst_by_parameter) EXPECT_GT(worst, 1e-3) << name << " should be visibly wrong:\n" << c.report();
}

TEST(Ch04GradCheck, CatchesAWrongGradientAndNamesIt) {
    bp::Rng rng(97);
    Matrix p = rng.uniform_matrix(2, 4, -1, 1), dp = Matrix::Zero(2, 4);
    const Matrix t = rng.uniform_matrix(2, 4, 0, 1);
    // A classic mistake: forgetting the batch mean's 1/m.
    const bp::GradientCheck c = bp::check_gradients(
        {bp::Parameter("y_hat", p, dp)}, [&] { return bp::mse_loss(p, t); }, [&] { dp = p - t; });
    EXPECT_FALSE(c.passed) << c.report();
    EXPECT_EQ(c.parameter, "y_hat");
    EXPECT_NEAR(0.75, c.error, 1e-6) << "analytic 4x the numeric: |4n - n| / 4n";
    EXPECT_NE(c.report().find("FAILED"), std::string::npos);
}

}  // namespace
