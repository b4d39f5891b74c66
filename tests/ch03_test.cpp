// Chapter 3 property tests: every backward rule against the tests' own finite differences,
// accumulation, the batch, and reused values in the graph.
#include "check.hpp"

#include "bp/core/activations.hpp"
#include "bp/layers/dense.hpp"
#include "bp/autodiff/graph.hpp"
#include "bp/core/linear.hpp"
#include "bp/core/loss.hpp"
#include "bp/layers/mlp.hpp"

#include <string>
#include <tuple>

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

// The batch mean's 1/m is in dz already (chapter 2): dividing again is a mistake of every rule.
const std::string divided_by_m =
    "divided by the batch size m: the loss's 1/m is already inside dz (chapter 2's dz = (y_hat - y)/m), so the sums over the "
    "batch are right as they stand (section The linear layer backward)";

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
    const double m = 4;
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first("dW", bp_test::slopes(L, W), dW,
                                                         {{"dW is " + divided_by_m, G * a_prev.transpose() / m}}, "", 1e-7));
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "db", bp_test::slopes(L, b), Matrix(db),
        {{"db is the mean of each row of dz (dz.rowwise().mean()), or its sum " + divided_by_m + ": db += dz.rowwise().sum()",
          G.rowwise().mean()},
         {"Every db_i got the sum of ALL of dz (dz.sum()): b_i reaches row i of z only, so db_i = sum_k dz_ik, the row sums: "
          "db += dz.rowwise().sum()",
          Matrix::Constant(3, 1, G.sum())},
         {"db is left as it was: b_i reaches every column k of z_ik with slope 1, so db += dz.rowwise().sum() "
          "(section The linear layer backward)",
          Matrix::Zero(3, 1)}},
        "", 1e-7));
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first("da_prev", bp_test::slopes(L, a_prev), da_prev,
                                                         {{"da_prev is " + divided_by_m, W.transpose() * G / m}}, "", 1e-7));
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
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "dW", dz * a_prev.transpose(), dW,
        {{"dW = a_prev dz^T, the transpose of dz a_prev^T: with a square W both have W's shape, and only the values tell "
          "(dW_ij = sum_k dz_ik a_prev_jk, so dW = dz a_prev^T)",
          a_prev * dz.transpose()}}))
        << inputs;
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "da_prev", W.transpose() * dz, da_prev,
        {{"da_prev = W dz: it is W^T dz (a_prev_jk reaches z_ik through W_ij, so the sum runs over i, down W's columns); "
          "with a square W both fit every shape",
          W * dz}}))
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
    const std::string overwrites =
        " the gradient instead of adding to it: a second call must add the same amount again, so that a parameter used in "
        "several places gets every contribution (section The linear layer backward)";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first("dW after two calls", Matrix(2 * once), dW,
                                                         {{"dW = dz a_prev^T overwrites" + overwrites + ": dW.noalias() += ...", once}}));
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first("db after two calls", Matrix(2 * db_once), Matrix(db),
                                                         {{"db = dz.rowwise().sum() overwrites" + overwrites + ": db += ...", db_once}}));
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
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "db", bp_test::col({6, 3}), Matrix(db),
        {{"db is the mean of each row of dz, not its sum: the loss's 1/m is already inside dz, so db += dz.rowwise().sum()",
          bp_test::col({2, 1})},
         {"Every db_i got the sum of all of dz (dz.sum()): db_i is the sum of row i alone, db += dz.rowwise().sum()",
          bp_test::col({9, 9})}},
        "db_i = sum_k dz_ik, the sum of row i of dz (section The linear layer backward)"))
        << "with dz =\n"
        << bp_test::format_matrix(dz);
}

// ---- 3.2 activation_backward ----

TEST(Ex3_2, IsDaTimesTheSlopeOfF) {
    bp::Rng rng(63);
    Matrix z = rng.uniform_matrix(3, 4, -3, 3);
    const Matrix G = rng.uniform_matrix(3, 4, -1, 1);
    for (Activation f : {Activation::identity, Activation::sigmoid, Activation::tanh, Activation::relu, Activation::leaky_relu}) {
        const auto L = [&] { return weighted_sum(G, bp::activate(f, z)); };
        const Matrix expected = bp_test::slopes(L, z);
        Matrix got;
        if (!bp_test::call_or_explain(
                "activation_backward(" + bp::to_string(f) + ", da, z) with da and z 3x4", [&] { got = bp::activation_backward(f, G, z); },
                "⊙ multiplies element by element: da.cwiseProduct(activate_prime(f, z)); * is the matrix product, which needs "
                "da's columns to be as many as f'(z)'s rows."))
            return;
        EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
            "dz", expected, got,
            {{"dz = da ⊙ f'(a), the derivative taken at the output a = f(z): take it at z, activate_prime(f, z)",
              G.cwiseProduct(bp::activate_prime(f, bp::activate(f, z)))},
             {"dz = da ⊙ f(z): that is the activation itself, not its derivative activate_prime(f, z)", G.cwiseProduct(bp::activate(f, z))},
             {"dz = f'(z) alone: the chain rule multiplies it by the gradient arriving from above, da ⊙ f'(z)", bp::activate_prime(f, z)},
             {"dz = da alone: a = f(z) has slope f'(z), so dz = da ⊙ f'(z)", G},
             {"dz is " + divided_by_m, G.cwiseProduct(bp::activate_prime(f, z)) / 4.0}},
            "", 1e-6))
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
    // The mistakes, on the dz each one makes (the test's own tanh).
    const Matrix z = (layer.W * x).colwise() + layer.b, a = bp_test::tanh_of(z);
    const Matrix tanh_prime = (1.0 - a.array().square()).matrix(), at_a = (1.0 - bp_test::tanh_of(a).array().square()).matrix();
    const Matrix dz = G.cwiseProduct(tanh_prime);
    const std::string no_f_prime =
        "dz = da, without the factor f'(z): a = f(z) first, so dz = da ⊙ f'(z), activation_backward(f, da, z) (exercise 3.2)";
    const std::string f_prime_at_a = "f' taken at the output a instead of at z: dz = activation_backward(f, da, z), with the stored z";
    const std::string by_m = "The gradients are " + divided_by_m;
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "dW", bp_test::slopes(L, layer.W), dW,
        {{no_f_prime, G * x.transpose()}, {f_prime_at_a, G.cwiseProduct(at_a) * x.transpose()}, {by_m, dz * x.transpose() / 4.0}}, "",
        1e-7));
    EXPECT_HOLDS(bp_test::matrices_near("db", bp_test::slopes(L, layer.b), Matrix(db), 1e-7));
    EXPECT_HOLDS(
        bp_test::matches_or_names_mistake_first("da_prev", bp_test::slopes(L, x), dx,
                                                {{no_f_prime, layer.W.transpose() * G},
                                                 {f_prime_at_a, layer.W.transpose() * G.cwiseProduct(at_a)},
                                                 {"da_prev is dz, this layer's own gradient: return W^T dz, the gradient of a_prev", dz},
                                                 {by_m, layer.W.transpose() * dz / 4.0}},
                                                "", 1e-7));
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
    const std::string f_prime_at_a =
        "dz = da ⊙ f'(a), the derivative taken at the output a instead of at z: activation_backward(f, da, z), with the stored z";
    const std::string no_f_prime = "dz = da, without the factor f'(z): dz = da ⊙ f'(z), activation_backward(f, da, z)";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "dW", dz * x.transpose(), layer.dW,
        {{"dW = a_prev dz^T, the transpose of dz a_prev^T (with a square W both fit every shape)", x * dz.transpose()},
         {"dW = dz a^T, with the layer's output a: dW multiplies by its input, dz a_prev^T", dz * layer.a.transpose()},
         {f_prime_at_a, dz_of_a * x.transpose()},
         {no_f_prime, da * x.transpose()}}))
        << inputs;
    EXPECT_HOLDS(
        bp_test::matches_or_names_mistake_first("da_prev", layer.W.transpose() * dz, dx,
                                                {{"da_prev = W dz: it is W^T dz (with a square W both fit every shape)", layer.W * dz},
                                                 {"da_prev is dz, this layer's own gradient: return W^T dz, the gradient of a_prev", dz},
                                                 {no_f_prime, layer.W.transpose() * da},
                                                 {f_prime_at_a, layer.W.transpose() * dz_of_a}}))
        << inputs;
}

TEST(Ex3_3, TwoBackwardPassesAddUp) {
    bp::Rng rng(65);
    bp::Dense layer(2, 2, Activation::sigmoid, rng);
    layer.forward(rng.uniform_matrix(2, 3, -1, 1));
    const Matrix da = rng.uniform_matrix(2, 3, -1, 1);
    layer.backward(da);
    const Matrix once = layer.dW, db_once = layer.db;
    layer.backward(da);
    const std::string adds =
        " instead of adding to it: backward ADDS into dW and db (linear_backward does), and zero_grad() clears them, before each "
        "training step (section The linear layer backward)";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first("dW after two backward passes", Matrix(2 * once), layer.dW,
                                                         {{"The second pass overwrote dW" + adds, once}}));
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first("db after two backward passes", Matrix(2 * db_once), Matrix(layer.db),
                                                         {{"The second pass overwrote db" + adds, db_once}}));
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
        EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
            "dW", bp_test::slopes(L, net.dense(l).W), dW,
            {{"This layer's backward never ran (its dW is still 0): the loop must visit every layer, from the last down to the "
              "first, for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer)",
              Matrix::Zero(dW.rows(), dW.cols())}},
            "", 1e-7))
            << "layer " << l + 1;
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
    Matrix da = dy, last_layers_da;
    for (std::size_t l = net.size(); l-- > 0;) {
        const bp::Dense& layer = before.dense(l);
        const Matrix dz = l + 1 < net.size() ? Matrix(da.array() * (1.0 - layer.z.array().tanh().square())) : da;
        dW[l] = dz * layer.a_prev.transpose();
        da = layer.W.transpose() * dz;
        if (l + 1 == net.size()) last_layers_da = da;
    }
    // Two mistakes, made with the layers' own backward on copies of the network.
    bp::Mlp first_to_last = before, same_dy = before, without_last = before;
    Matrix d = dy, d_same, d_without_last = dy;
    for (std::size_t l = 0; l < net.size(); ++l) d = first_to_last.dense(l).backward(d);
    for (std::size_t l = net.size(); l-- > 0;) d_same = same_dy.dense(l).backward(dy);
    for (std::size_t l = net.size() - 1; l-- > 0;) d_without_last = without_last.dense(l).backward(d_without_last);
    const std::string forward_order =
        "The layers were visited first to last: the backward pass starts at the last layer and goes down, "
        "for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer)";
    const std::string every_dy =
        "Every layer got dy: each layer must get the gradient that the layer above it returned, da = (*layer)->backward(da)";
    const std::string last_skipped =
        "The last layer's backward never ran (the loop started one layer too low): dy is the gradient of the last layer's "
        "output, and the loop starts there, for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer)";
    for (std::size_t l = 0; l < net.size(); ++l)
        EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
            "dW", dW[l], net.dense(l).dW,
            {{forward_order, first_to_last.dense(l).dW}, {every_dy, same_dy.dense(l).dW}, {last_skipped, without_last.dense(l).dW}}))
            << "layer " << l + 1 << " of a 3-3-3-3 network (tanh, identity output)";
    const std::string returns_first_layers = ": return what the first layer's backward returned, dL/dx, the da left after the loop";
    EXPECT_HOLDS(
        bp_test::matches_or_names_mistake_first("dx", da, dx,
                                                {{forward_order, d},
                                                 {every_dy, d_same},
                                                 {last_skipped, d_without_last},
                                                 {"net.backward returned dy, the gradient it was given" + returns_first_layers, dy},
                                                 {"net.backward returned the last layer's da" + returns_first_layers, last_layers_da}}))
        << "the gradient of the input x, returned by net.backward(dy)";
}

TEST(Ex3_4, TwoBackwardPassesAddUpInEveryLayer) {
    bp::Rng rng(76);
    bp::Mlp net({3, 4, 2}, Activation::tanh, Activation::identity, rng);
    const Matrix x = rng.uniform_matrix(3, 5, -1, 1), dy = rng.uniform_matrix(2, 5, -1, 1);
    BP_INPUTS(x, dy);
    net.forward(x);
    if (!bp_test::call_or_explain(
            "net.backward(dy) for a 3-4-2 network", [&] { net.backward(dy); }, layers_in_reverse_hint))
        return;
    std::vector<Matrix> once;
    once.reserve(net.size());
    for (std::size_t l = 0; l < net.size(); ++l) once.push_back(net.dense(l).dW);
    net.backward(dy);
    for (std::size_t l = 0; l < net.size(); ++l)
        EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
            "dW after two net.backward(dy)", Matrix(2 * once[l]), net.dense(l).dW,
            {{"net.backward cleared the gradients (zero_grad()) before its pass: backward only ADDS to them, like each layer's "
              "backward, and the training step calls zero_grad() itself before the backward pass (chapter 5)",
              once[l]}}))
            << "layer " << l + 1 << " of a 3-4-2 network";
}

// ---- 3.5 - 3.7 the computational graph ----

const char* const reverse_order_hint =
    "Nodes are stored in the order they were made, every node after its inputs: walking them from loss.id down to 0 "
    "visits every node after all the nodes that use it (section Computational graphs)";

TEST(Ex3_5, AValueUsedTwiceGetsBothContributions) {
    bp::Graph g;
    const bp::Var x = g.input((Matrix(1, 2) << 3, -1).finished(), "x");
    g.backward(g.sum(g.add(x, x)));  // L = sum(x + x)
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "dL/dx", Matrix::Constant(1, 2, 2.0), g.grad(x),
        {{std::string("No gradient reached x: dL/dL = 1 was never set (or set before the grads were zeroed), or the nodes "
                      "were visited from 0 up to the loss, each passing its gradient on before the nodes that use it had "
                      "added theirs. ") +
              reverse_order_hint,
          Matrix::Zero(1, 2)}}))
        << "for L = sum(x + x), so dL/dx = 2";
}

TEST(Ex3_5, VisitsEveryNodeAfterTheNodesThatUseIt) {
    bp::Graph g;
    const Matrix xv = (Matrix(1, 3) << 0.5, -1, 2).finished();
    const bp::Var x = g.input(xv, "x");
    g.backward(g.sum(g.tanh(g.scale(x, 3.0))));  // L = sum(tanh(3x)): dL/dx = 3 (1 - tanh^2(3x))
    const Matrix expected = (3.0 * (1.0 - (3.0 * xv.array()).tanh().square())).matrix();
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "dL/dx", expected, g.grad(x),
        {{std::string("No gradient reached x: dL/dL = 1 was never set (or set before the grads were zeroed), or the nodes "
                      "were visited from 0 up to the loss, each passing its gradient on before the nodes that use it had "
                      "added theirs. ") +
              reverse_order_hint,
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
        "The grads were not all set to zero first: the rules ADD into the grads, so a second pass adds to what the "
        "first left (n.grad.setZero() for every node, before dL/dL = 1)";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "dL/dx after a second backward(L)", first, g.grad(x),
        {{no_zeroing, Matrix(2 * first)}, {no_zeroing, Matrix(3 * first)}, {no_zeroing, Matrix(4 * first)}}))
        << "for L = sum(tanh(x)): calling backward(L) twice must give the same gradients";
}

TEST(Ex3_5, ANodeUsedTwicePassesItsGradientOnOnlyWhenComplete) {
    // u = 3x feeds two nodes, add and tanh: u must be visited after both have added their
    // shares. Both orders of add's operands, so that a walk from the loss that visits one
    // operand before the other (depth first, say) meets u too early in one of them.
    const Matrix xv = (Matrix(1, 3) << 0.5, -1, 0.2).finished();
    const Matrix expected = (3.0 * (2.0 - (3.0 * xv.array()).tanh().square())).matrix();  // 3 (1 + tanh'(3x))
    // A walk that visits u once per user passes it on twice: once early (3 more), or both
    // times complete (twice the gradient), by the order of the walk.
    const std::string twice = std::string(
                                  "u passed its gradient on twice, once for each node that uses it (a walk from the loss "
                                  "that visits a node again each time it is reached): visit every node once. ") +
                              reverse_order_hint;
    for (const bool u_first : {true, false}) {
        bp::Graph g;
        const bp::Var x = g.input(xv, "x");
        const bp::Var u = g.scale(x, 3.0);
        const bp::Var t = g.tanh(u);
        g.backward(g.sum(u_first ? g.add(u, t) : g.add(t, u)));
        EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
            "dL/dx", expected, g.grad(x),
            {{std::string("u was visited before tanh(u) added its share, so it passed on only add's share: a node passes its "
                          "gradient on only once every node that uses it is done. ") +
                  reverse_order_hint,
              Matrix::Constant(1, 3, 3.0)},
             {twice, Matrix((expected.array() + 3.0).matrix())},
             {twice, Matrix(2 * expected)}}))
            << "for u = 3x, L = sum(" << (u_first ? "u + tanh(u)" : "tanh(u) + u") << ") with x = (0.5, -1, 0.2)";
    }
}

TEST(Ex3_5, StartsFromTheLossItIsGivenNotTheLastNode) {
    bp::Graph g;
    const Matrix xv = (Matrix(1, 3) << 0.5, -1, 2).finished();
    const bp::Var x = g.input(xv, "x");
    const bp::Var L = g.sum(g.tanh(x));
    g.scale(L, 2.0);  // made after L: the last node is not the loss
    g.backward(L);
    const Matrix expected = (1.0 - xv.array().tanh().square()).matrix();
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "dL/dx", expected, g.grad(x),
        {{"dL/dL = 1 went to the last node made (here 2L, made after L), not to the loss given: nodes_[loss.id].grad(0, 0) = 1.0, "
          "then from loss.id down to 0",
          Matrix(2 * expected)}}))
        << "for L = sum(tanh(x)), then 2L made after it, and backward(L)";
}

TEST(Ex3_5, VisitsNodeZeroAndTheLeavesToo) {
    // A leaf made by parameter() hands its gradient to its parameter when it is visited:
    // chapter 7's GRU makes its weights so, first, as nodes 0, 1, ...
    Matrix w = (Matrix(1, 3) << 0.5, -1, 2).finished(), dw = Matrix::Zero(1, 3);
    const bp::Parameter p("w", w, dw);
    bp::Graph g;
    const bp::Var wv = g.parameter(p);  // node 0
    g.backward(g.sum(g.tanh(wv)));      // L = sum(tanh(w))
    const Matrix expected = (1.0 - w.array().tanh().square()).matrix();
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "the parameter's gradient dw", expected, dw,
        {{"Node 0 (a leaf made by parameter()) was not visited: the loop must run down to node 0 and call propagate on the "
          "leaves too, since propagate hands a parameter() leaf's gradient to its parameter: for (int i = loss.id; i >= 0; --i)",
          Matrix::Zero(1, 3)}}))
        << "for w a parameter() leaf, node 0, and L = sum(tanh(w))";
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

    // matmul_backward dividing dW, da or both by the batch size m = 5: W2's product divides dW2
    // and the gradient it sends down, W1's product divides dW1 again. Named only when all three
    // gradients show the same division, and once, on the first gradient it shows in.
    const double m = 5;
    std::string why;
    for (const auto& [dW_by, da_by, what] : {std::tuple<double, double, const char*>{m, 1, "dW is "},
                                             {1, m, "da (the gradient sent down to the layer below) is "},
                                             {m, m, "dW and da are "}})
        if (why.empty() && bp_test::near(net.dense(1).dW / dW_by, g.grad(W2)) && bp_test::near(net.dense(0).db / da_by, g.grad(b1)) &&
            bp_test::near(net.dense(0).dW / (dW_by * da_by), g.grad(W1)))
            why = std::string("In matmul_backward, ") + what + divided_by_m;
    const ::testing::AssertionResult results[] = {
        bp_test::matrices_near("dW1", net.dense(0).dW, g.grad(W1)), bp_test::matrices_near("db1", Matrix(net.dense(0).db), g.grad(b1)),
        bp_test::matrices_near("dW2", net.dense(1).dW, g.grad(W2)), bp_test::matrices_near("db2", Matrix(net.dense(1).db), g.grad(b2))};
    for (const ::testing::AssertionResult& result : results) {
        if (result) continue;
        ADD_FAILURE() << bp_test::explained(why, result).message();
        if (!why.empty()) return;
    }
}

TEST(Ex3_6, AWeightUsedTwiceGetsBothContributions) {
    bp::Rng rng(69);
    bp::Graph g;
    const Matrix Wv = rng.uniform_matrix(2, 2, -1, 1), xv = rng.uniform_matrix(2, 3, -1, 1);
    const bp::Var W = g.input(Wv, "W"), x = g.input(xv, "x");
    g.backward(g.sum(g.matmul(W, g.matmul(W, x))));  // L = sum(W W x): W is used twice
    Matrix w = Wv;
    const auto L = [&] { return (w * w * xv).sum(); };
    // The two shares: from the outer product n2 = W n1 (dn2 = ones), then from n1 = W x.
    const Matrix ones = Matrix::Ones(2, 3), outer = ones * (Wv * xv).transpose(), inner = (Wv.transpose() * ones) * xv.transpose();
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "dW", bp_test::slopes(L, w), g.grad(W),
        {{"dW holds only the share of the last use of W visited: dW = ... overwrote what the other use had added. Each use "
          "adds its share, dW += dn * a.transpose() (section Rules, and values used twice)",
          inner},
         {"dW holds only the share of the outer W in W (W x): the inner product W x got no gradient to pass on (da += W^T dn "
          "gives it), or its share was not added (dW += dn * a.transpose())",
          outer},
         {"dW is " + divided_by_m, Matrix((outer + inner) / 3.0)},  // x has m = 3 columns
         {"da is " + divided_by_m, Matrix(outer + inner / 3.0)},
         {"dW and da are " + divided_by_m, Matrix(outer / 3.0 + inner / 9.0)}},
        "", 1e-7))
        << "for L = sum(W W x): W is used twice";
}

TEST(Ex3_6, AddsToTheGradientsItIsGiven) {
    bp::Rng rng(77);
    const Matrix W = rng.uniform_matrix(2, 3, -1, 1), a = rng.uniform_matrix(3, 4, -1, 1), dn = rng.uniform_matrix(2, 4, -1, 1);
    const Matrix dW0 = rng.uniform_matrix(2, 3, -1, 1), da0 = rng.uniform_matrix(3, 4, -1, 1);
    BP_INPUTS(W, a, dn, dW0, da0);
    Matrix dW = dW0, da = da0;
    if (!bp_test::call_or_explain(
            "matmul_backward(dn, W, a, dW, da) with W 2x3, a 3x4 and dn 2x4", [&] { bp::matmul_backward(dn, W, a, dW, da); }, shapes_hint))
        return;
    const std::string adds = ": the rule ADDS to the gradients it is given (+=), so that a value used twice gets both shares";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first("dW", Matrix(dW0 + dn * a.transpose()), dW,
                                                         {{"dW = dn a^T overwrote the dW it was given" + adds, dn * a.transpose()},
                                                          {"dW was left as it was: W gets its share, dW += dn * a.transpose()", dW0},
                                                          {"dn a^T is " + divided_by_m, dW0 + dn * a.transpose() / 4.0}}))
        << "dW started as dW0, not 0";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first("da", Matrix(da0 + W.transpose() * dn), da,
                                                         {{"da = W^T dn overwrote the da it was given" + adds, W.transpose() * dn},
                                                          {"da was left as it was: a gets its share too, da += W.transpose() * dn", da0},
                                                          {"W^T dn is " + divided_by_m, da0 + W.transpose() * dn / 4.0}}))
        << "da started as da0, not 0";
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
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "dW", dn * a.transpose(), dW,
        {{"dW = a dn^T, the transpose of dn a^T (with a square W both fit every shape): dW += dn * a.transpose()", a * dn.transpose()},
         {"dW is " + divided_by_m, dn * a.transpose() / 2.0}}))  // a has m = 2 columns
        << inputs;
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "da", W.transpose() * dn, da,
        {{"da = W dn: it is W^T dn (with a square W both fit every shape)", W * dn}, {"da is " + divided_by_m, W.transpose() * dn / 2.0}}))
        << inputs;
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
    EXPECT_HOLDS(
        bp_test::matches_or_names_mistake_first("dW", dn * a.transpose(), dW, {{"dW is " + divided_by_m, dn * a.transpose() / 3.0}}));
    EXPECT_HOLDS(
        bp_test::matches_or_names_mistake_first("da", W.transpose() * dn, da, {{"da is " + divided_by_m, W.transpose() * dn / 3.0}}));
}

TEST(Ex3_7, XTimesXHasGradientTwoX) {
    const Matrix x = (Matrix(1, 3) << 1, -2, 0.5).finished(), dn = Matrix::Ones(1, 3);
    Matrix dx = Matrix::Zero(1, 3);
    bp::mul_backward(dn, x, x, dx, dx);  // n = x ⊙ x: both shares land in the same gradient
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first(
        "dx", Matrix(2 * x), dx,
        {{"dx holds one share only: for x ⊙ x, dx and dy are the same matrix, and the second share overwrote the first. Two "
          "separate +=, dx += dn ⊙ y and then dy += dn ⊙ x, each adding to what is there (section Rules, and values used twice)",
          x}}))
        << "for n = x ⊙ x, dn/dx = 2x";
    bp::Graph g;
    const bp::Var v = g.input(x, "x");
    g.backward(g.sum(g.mul(v, v)));
    EXPECT_MATRIX_NEAR(Matrix(2 * x), g.grad(v)) << "in a graph: L = sum(x ⊙ x)";
}

TEST(Ex3_7, EachInputGetsTheOthersValueTimesDn) {
    bp::Rng rng(78);
    const Matrix dn = rng.uniform_matrix(2, 3, -1, 1), x = rng.uniform_matrix(2, 3, -1, 1), y = rng.uniform_matrix(2, 3, -1, 1);
    const Matrix dx0 = rng.uniform_matrix(2, 3, -1, 1), dy0 = rng.uniform_matrix(2, 3, -1, 1);
    BP_INPUTS(dn, x, y, dx0, dy0);
    Matrix dx = dx0, dy = dy0;
    bp::mul_backward(dn, x, y, dx, dy);
    const std::vector<bp_test::Mistake> dx_mistakes = {
        {"dx got dn ⊙ x: n_ij = x_ij y_ij has slope y_ij in x_ij, so dx += dn ⊙ y (and dy += dn ⊙ x)", dx0 + dn.cwiseProduct(x)},
        {"dx got y without dn: the chain rule multiplies the slope y by the gradient arriving from above, dx += dn ⊙ y", dx0 + y},
        {"dx = dn ⊙ y overwrote the dx it was given: the rule ADDS (dx += dn ⊙ y), so that a value used twice gets both shares",
         dn.cwiseProduct(y)}};
    const std::vector<bp_test::Mistake> dy_mistakes = {
        {"dy got dn ⊙ y: n_ij = x_ij y_ij has slope x_ij in y_ij, so dy += dn ⊙ x", dy0 + dn.cwiseProduct(y)},
        {"dy got x without dn: the chain rule multiplies the slope x by the gradient arriving from above, dy += dn ⊙ x", dy0 + x},
        {"dy = dn ⊙ x overwrote the dy it was given: the rule ADDS (dy += dn ⊙ x)", dn.cwiseProduct(x)},
        {"dy was left as it was: y gets its share too, dy += dn ⊙ x", dy0}};
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first("dx", Matrix(dx0 + dn.cwiseProduct(y)), dx, dx_mistakes))
        << "for n = x ⊙ y, dx starting as dx0";
    EXPECT_HOLDS(bp_test::matches_or_names_mistake_first("dy", Matrix(dy0 + dn.cwiseProduct(x)), dy, dy_mistakes))
        << "for n = x ⊙ y, dy starting as dy0";
}

}  // namespace
