// Chapter 3 property tests: every backward rule against the tests' own finite differences,
// accumulation, the batch, and reused values in the graph.
#include "check.hpp"

#include "bp/core/activations.hpp"
#include "bp/layers/dense.hpp"
#include "bp/autodiff/graph.hpp"
#include "bp/core/linear.hpp"
#include "bp/core/loss.hpp"
#include "bp/layers/mlp.hpp"

namespace {

using bp::Activation;
using bp::Matrix;
using bp::Vector;
using bp_test::weighted_sum;

// A square W that is not symmetric: a transposed formula fits every shape and only the
// values can tell. W^T differs from W in every off-diagonal element.
Matrix square_weights() {
    Matrix W(3, 3);
    W << 0.5, -1.0, 0.25,  //
        0.75, 0.2, -0.6,   //
        -0.3, 0.9, 0.4;
    return W;
}

const char* const layers_in_reverse_hint =
    "The gradient of the network's output is the gradient of the LAST layer's output: the backward pass starts "
    "there and goes down, each layer getting the gradient that the layer above it returned.";

const char* const shapes_hint =
    "Each gradient has the shape of what it is the gradient of: dW is n_out x n_in like W, "
    "dz a_prev^T = (n_out x m)(m x n_in); da_prev is n_in x m like a_prev, W^T dz = (n_in x n_out)(n_out x m).";

// ---- 3.1 linear_backward ----

TEST(Ex3_1, MatchesFiniteDifferences) {
    bp::Rng rng(61);
    Matrix W = rng.uniform_matrix(3, 2, -1, 1), a_prev = rng.uniform_matrix(2, 4, -1, 1);
    Vector b = rng.uniform_matrix(3, 1, -1, 1).col(0);
    const Matrix G = rng.uniform_matrix(3, 4, -1, 1);
    BP_INPUTS(W, Matrix(b), a_prev, G);
    const auto L = [&] { return weighted_sum(G, (W * a_prev).colwise() + b); };  // z written out here
    Matrix dW = Matrix::Zero(3, 2);
    Vector db = Vector::Zero(3);
    Matrix da_prev;
    if (!bp_test::call_or_explain(
            "linear_backward(dz, W, a_prev, dW, db) with W 3x2, a_prev 2x4 and dz 3x4",
            [&] { da_prev = bp::linear_backward(G, W, a_prev, dW, db); }, shapes_hint))
        return;
    EXPECT_HOLDS(bp_test::matrices_near("dW", bp_test::slopes(L, W), dW, 1e-7));
    EXPECT_HOLDS(bp_test::matrices_near("db", bp_test::slopes(L, b), Matrix(db), 1e-7));
    EXPECT_HOLDS(bp_test::matrices_near("da_prev", bp_test::slopes(L, a_prev), da_prev, 1e-7));
}

TEST(Ex3_1, ASquareWNeedsTheRightTransposes) {
    const Matrix W = square_weights();
    bp::Rng rng(70);
    const Matrix a_prev = rng.uniform_matrix(3, 4, -1, 1), dz = rng.uniform_matrix(3, 4, -1, 1);
    BP_INPUTS(W, a_prev, dz);
    Matrix dW = Matrix::Zero(3, 3);
    Vector db = Vector::Zero(3);
    Matrix da_prev;
    if (!bp_test::call_or_explain(
            "linear_backward(dz, W, a_prev, dW, db)", [&] { da_prev = bp::linear_backward(dz, W, a_prev, dW, db); }, shapes_hint))
        return;
    const std::string inputs = "with the square, non-symmetric W =\n" + bp_test::format_matrix(W);
    EXPECT_HOLDS(bp_test::matches_or_names_mistake("dW", dz * a_prev.transpose(), dW,
                                                   {{"a_prev dz^T (the transpose of dz a_prev^T)", a_prev * dz.transpose()}}))
        << inputs;
    EXPECT_HOLDS(bp_test::matches_or_names_mistake("da_prev", W.transpose() * dz, da_prev, {{"W dz (it must be W^T dz)", W * dz}}))
        << inputs;
}

TEST(Ex3_1, NonSquareShapesFitOnlyTheRightFormulas) {
    bp::Rng rng(71);
    const Matrix W = rng.uniform_matrix(2, 5, -1, 1), a_prev = rng.uniform_matrix(5, 3, -1, 1), dz = rng.uniform_matrix(2, 3, -1, 1);
    BP_INPUTS(W, a_prev, dz);
    Matrix dW = Matrix::Zero(2, 5);
    Vector db = Vector::Zero(2);
    Matrix da_prev;
    if (!bp_test::call_or_explain(
            "linear_backward(dz, W, a_prev, dW, db) with W 2x5, a_prev 5x3 and dz 2x3",
            [&] { da_prev = bp::linear_backward(dz, W, a_prev, dW, db); }, shapes_hint))
        return;
    EXPECT_MATRIX_NEAR(Matrix(dz * a_prev.transpose()), dW);
    EXPECT_MATRIX_NEAR(Matrix(dz.rowwise().sum()), Matrix(db));
    EXPECT_MATRIX_NEAR(Matrix(W.transpose() * dz), da_prev);
}

TEST(Ex3_1, AddsToTheGradientsInsteadOfOverwritingThem) {
    bp::Rng rng(62);
    const Matrix W = rng.uniform_matrix(2, 2, -1, 1), a_prev = rng.uniform_matrix(2, 3, -1, 1), dz = rng.uniform_matrix(2, 3, -1, 1);
    BP_INPUTS(W, a_prev, dz);
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
    if (!bp_test::call_or_explain(
            "linear_backward(dz, W, a_prev, dW, db) with W 2x1, a_prev 1x3 and dz 2x3",
            [&] { bp::linear_backward(dz, Matrix::Ones(2, 1), Matrix::Ones(1, 3), dW, db); }, shapes_hint))
        return;
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
    BP_INPUTS(layer.W, Matrix(layer.b), x, G);
    layer.forward(x);
    const Matrix dx = layer.backward(G);
    const Matrix dW = layer.dW;
    const Vector db = layer.db;
    EXPECT_HOLDS(bp_test::matrices_near("dW", bp_test::slopes(L, layer.W), dW, 1e-7));
    EXPECT_HOLDS(bp_test::matrices_near("db", bp_test::slopes(L, layer.b), Matrix(db), 1e-7));
    EXPECT_HOLDS(bp_test::matrices_near("da_prev", bp_test::slopes(L, x), dx, 1e-7));
}

TEST(Ex3_3, ASquareLayerNeedsTheRightTransposesAndFPrimeOfZ) {
    bp::Rng rng(72);
    bp::Dense layer(square_weights(), (Vector(3) << 0.1, -0.2, 0.3).finished(), Activation::sigmoid);
    const Matrix x = rng.uniform_matrix(3, 4, -2, 2), da = rng.uniform_matrix(3, 4, -1, 1);
    BP_INPUTS(layer.W, Matrix(layer.b), x, da);
    // What the forward pass stores, written out here.
    layer.a_prev = x;
    layer.z = (layer.W * x).colwise() + layer.b;
    layer.a = (1.0 / (1.0 + (-layer.z.array()).exp())).matrix();
    layer.has_forward = true;
    const auto sigmoid_prime = [](const Matrix& v) {
        const Eigen::ArrayXXd s = 1.0 / (1.0 + (-v.array()).exp());
        return Matrix((s * (1.0 - s)).matrix());
    };
    const Matrix dz = da.cwiseProduct(sigmoid_prime(layer.z));
    const Matrix dz_of_a = da.cwiseProduct(sigmoid_prime(layer.a));  // f' applied to the output
    Matrix dx;
    if (!bp_test::call_or_explain(
            "layer.backward(da)", [&] { dx = layer.backward(da); }, shapes_hint))
        return;
    const std::string inputs = "for a sigmoid layer with the square, non-symmetric W =\n" + bp_test::format_matrix(layer.W);
    EXPECT_HOLDS(bp_test::matches_or_names_mistake(
        "dW", dz * x.transpose(), layer.dW,
        {{"a_prev dz^T (the transpose of dz a_prev^T)", x * dz.transpose()},
         {"dz = da ⊙ f'(a), the derivative taken at the output a instead of at z,", dz_of_a * x.transpose()},
         {"da a_prev^T (dz without the factor f'(z))", da * x.transpose()}}))
        << inputs;
    EXPECT_HOLDS(bp_test::matches_or_names_mistake(
        "da_prev", layer.W.transpose() * dz, dx,
        {{"W dz (it must be W^T dz)", layer.W * dz},
         {"W^T da (dz without the factor f'(z))", layer.W.transpose() * da},
         {"dz = da ⊙ f'(a), the derivative taken at the output a instead of at z,", layer.W.transpose() * dz_of_a}}))
        << inputs;
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
    BP_INPUTS(x, G);
    const auto L = [&] { return weighted_sum(G, net.forward(x)); };
    net.forward(x);
    Matrix dx;
    if (!bp_test::call_or_explain(
            "net.backward(dz_out) for a 3-4-3-2 network", [&] { dx = net.backward(G); }, layers_in_reverse_hint))
        return;
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
    if (!bp_test::call_or_explain(
            "net.backward((y_hat - y) / m) for a 2-3-3 network", [&] { net.backward(((y_hat - y) / 4.0).eval()); }, layers_in_reverse_hint))
        return;
    const Matrix dW1 = net.dense(0).dW;
    EXPECT_HOLDS(bp_test::matrices_near("dW1", bp_test::slopes(L, net.dense(0).W), dW1, 1e-6));
}

TEST(Ex3_4, VisitsTheLayersLastToFirstEachFromTheOneAbove) {
    // Every layer is 3 wide, so any order of the layers fits every shape: only the values tell.
    bp::Rng rng(73);
    bp::Mlp net({3, 3, 3, 3}, Activation::tanh, Activation::identity, rng);
    for (std::size_t l = 0; l < net.size(); ++l) net.dense(l).b = rng.uniform_matrix(3, 1, -0.5, 0.5).col(0);
    const Matrix x = rng.uniform_matrix(3, 4, -1, 1), dy = rng.uniform_matrix(3, 4, -1, 1);
    // The forward pass, stored as each layer's forward would store it, written out here.
    Matrix a = x;
    for (std::size_t l = 0; l < net.size(); ++l) {
        bp::Dense& layer = net.dense(l);
        layer.a_prev = a;
        layer.z = (layer.W * a).colwise() + layer.b;
        layer.a = l + 1 < net.size() ? Matrix(layer.z.array().tanh().matrix()) : layer.z;
        layer.has_forward = true;
        a = layer.a;
    }
    const bp::Mlp before = net;  // for the mistakes below
    Matrix dx;
    if (!bp_test::call_or_explain(
            "net.backward(dy)", [&] { dx = net.backward(dy); }, ""))
        return;

    // The backward pass, written out here: the last layer first, each from the da above it.
    std::vector<Matrix> dW(net.size());
    Matrix da = dy;
    for (std::size_t l = net.size(); l-- > 0;) {
        const bp::Dense& layer = before.dense(l);
        const Matrix dz = l + 1 < net.size() ? Matrix(da.array() * (1.0 - layer.z.array().tanh().square())) : da;
        dW[l] = dz * layer.a_prev.transpose();
        da = layer.W.transpose() * dz;
    }
    // Two mistakes, made with the layers' own backward on copies of the network.
    bp::Mlp first_to_last = before, same_dy = before;
    Matrix d = dy, d_same;
    for (std::size_t l = 0; l < net.size(); ++l) d = first_to_last.dense(l).backward(d);
    for (std::size_t l = net.size(); l-- > 0;) d_same = same_dy.dense(l).backward(dy);
    const std::string forward_order =
        "visiting the layers first to last (the backward pass starts at the last "
        "layer: for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer))";
    const std::string every_dy = "giving every layer dy (each layer must get the gradient that the layer above it returned)";
    for (std::size_t l = 0; l < net.size(); ++l)
        EXPECT_HOLDS(bp_test::matches_or_names_mistake("dW", dW[l], net.dense(l).dW,
                                                       {{forward_order, first_to_last.dense(l).dW}, {every_dy, same_dy.dense(l).dW}}))
            << "layer " << l + 1 << " of a 3-3-3-3 network (tanh, identity output)";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake("dx", da, dx, {{forward_order, d}, {every_dy, d_same}}))
        << "the gradient of the input x, returned by net.backward(dy)";
}

// ---- 3.5 - 3.7 the computational graph ----

TEST(Ex3_5, AValueUsedTwiceGetsBothContributions) {
    bp::Graph g;
    const bp::Var x = g.input((Matrix(1, 2) << 3, -1).finished(), "x");
    g.backward(g.sum(g.add(x, x)));  // L = sum(x + x)
    EXPECT_HOLDS(bp_test::matches_or_names_mistake(
        "dL/dx", Matrix::Constant(1, 2, 2.0), g.grad(x),
        {{"a backward pass that never sets dL/dL = 1, or that visits the nodes from 0 up to the loss (then each "
          "node passes its gradient on before the nodes that use it have added theirs)",
          Matrix::Zero(1, 2)}}))
        << "for L = sum(x + x), so dL/dx = 2";
}

TEST(Ex3_5, VisitsEveryNodeAfterTheNodesThatUseIt) {
    bp::Graph g;
    const Matrix xv = (Matrix(1, 3) << 0.5, -1, 2).finished();
    const bp::Var x = g.input(xv, "x");
    g.backward(g.sum(g.tanh(g.scale(x, 3.0))));  // L = sum(tanh(3x)): dL/dx = 3 (1 - tanh^2(3x))
    const Matrix expected = (3.0 * (1.0 - (3.0 * xv.array()).tanh().square())).matrix();
    EXPECT_HOLDS(bp_test::matches_or_names_mistake(
        "dL/dx", expected, g.grad(x),
        {{"a backward pass that never sets dL/dL = 1, or that visits the nodes from 0 up to the loss (then each "
          "node passes its gradient on before the nodes that use it have added theirs)",
          Matrix::Zero(1, 3)}}))
        << "for L = sum(tanh(3x)) with x = (0.5, -1, 2): four nodes in a chain";
}

TEST(Ex3_5, ABackwardPassStartsFromZero) {
    bp::Graph g;
    const bp::Var x = g.input(Matrix::Ones(2, 2), "x");
    const bp::Var L = g.sum(g.tanh(x));
    g.backward(L);
    const Matrix first = g.grad(x);
    g.backward(L);
    // Without zeroing, the second pass adds to what the first left, at every node on the way.
    const std::string no_zeroing =
        "a backward pass that does not set every node's grad to zero first: the rules ADD "
        "into the grads, so a second pass adds to what the first left (n.grad.setZero() "
        "for every node, before dL/dL = 1)";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake(
        "dL/dx after a second backward(L)", first, g.grad(x),
        {{no_zeroing, Matrix(2 * first)}, {no_zeroing, Matrix(3 * first)}, {no_zeroing, Matrix(4 * first)}}))
        << "for L = sum(tanh(x)): calling backward(L) twice must give the same gradients";
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

TEST(Ex3_6, ASquareWNeedsTheRightTransposes) {
    const Matrix W = square_weights();
    bp::Rng rng(74);
    const Matrix a = rng.uniform_matrix(3, 2, -1, 1), dn = rng.uniform_matrix(3, 2, -1, 1);
    BP_INPUTS(W, a, dn);
    Matrix dW = Matrix::Zero(3, 3), da = Matrix::Zero(3, 2);
    if (!bp_test::call_or_explain(
            "matmul_backward(dn, W, a, dW, da)", [&] { bp::matmul_backward(dn, W, a, dW, da); }, shapes_hint))
        return;
    const std::string inputs = "for n = W a with the square, non-symmetric W =\n" + bp_test::format_matrix(W);
    EXPECT_HOLDS(
        bp_test::matches_or_names_mistake("dW", dn * a.transpose(), dW, {{"a dn^T (the transpose of dn a^T)", a * dn.transpose()}}))
        << inputs;
    EXPECT_HOLDS(bp_test::matches_or_names_mistake("da", W.transpose() * dn, da, {{"W dn (it must be W^T dn)", W * dn}})) << inputs;
}

TEST(Ex3_6, NonSquareShapesFitOnlyTheRightFormulas) {
    bp::Rng rng(75);
    const Matrix W = rng.uniform_matrix(4, 2, -1, 1), a = rng.uniform_matrix(2, 3, -1, 1), dn = rng.uniform_matrix(4, 3, -1, 1);
    BP_INPUTS(W, a, dn);
    Matrix dW = Matrix::Zero(4, 2), da = Matrix::Zero(2, 3);
    if (!bp_test::call_or_explain(
            "matmul_backward(dn, W, a, dW, da) with W 4x2, a 2x3 and dn 4x3", [&] { bp::matmul_backward(dn, W, a, dW, da); },
            "dW has W's shape: dn a^T = (4x3)(3x2); da has a's shape: W^T dn = (2x4)(4x3)."))
        return;
    EXPECT_MATRIX_NEAR(Matrix(dn * a.transpose()), dW);
    EXPECT_MATRIX_NEAR(Matrix(W.transpose() * dn), da);
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
