// Chapter 7's library checks (suites Ch07*): the sequence type, the recurrent layers
// gradient-checked and equal to the same cells built with chapter 3's graph, the model and
// its loss, the tasks, training, and what each experiment's figure shows, on small sizes.
// They need the exercises they call, and wait for them until then.
#include "check.hpp"

#include "bptt_experiments.hpp"
#include "bp/layers/dense.hpp"
#include "bp/check/gradcheck.hpp"
#include "bp/autodiff/graph.hpp"
#include "bp/recurrent/gru.hpp"
#include "bp/recurrent/gru_graph.hpp"
#include "bp/recurrent/lstm.hpp"
#include "bp/recurrent/rnn.hpp"
#include "sequence_tasks.hpp"
#include "bp/train/train.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace {

using bp::Matrix;
using bp::Sequence;
using bp::Vector;
using bp_test::format_matrix;
using bp_test::matrices_near;

using bp_test::error_of;

// ---- the sequence type ----

TEST(Ch07Sequence, NumbersItsStepsFromOne) {
    const Sequence s(std::vector<Matrix>{Matrix::Constant(2, 3, 1.0), Matrix::Constant(2, 3, 2.0)});
    EXPECT_EQ(s.steps(), 2);
    EXPECT_EQ(s.batch(), 3);
    EXPECT_EQ(s.features(), 2);
    EXPECT_EQ(s.at(1)(0, 0), 1.0) << "x_1 is the first step";
    EXPECT_EQ(s.at(2)(1, 2), 2.0);
    EXPECT_EQ(s.all().cols(), 6) << "the steps side by side";
    EXPECT_ERROR_MENTIONS(s.at(0), "there is no step 0: the steps are numbered 1 to 2");
    EXPECT_ERROR_MENTIONS(s.at(3), "no step 3");
    EXPECT_EQ(s.slice(2, 1).at(1)(0, 0), 2.0);
    EXPECT_ERROR_MENTIONS(s.slice(2, 2), "steps 2 to 3");
    EXPECT_ERROR_MENTIONS(Sequence(std::vector<Matrix>{Matrix::Zero(2, 3), Matrix::Zero(2, 4)}), "step 2 is 2x4");
    EXPECT_ERROR_MENTIONS(Sequence(Matrix::Zero(2, 7), 2), "not a whole number of steps");
}

// ---- the layers ----

// A layer of each kind, n_x = 2, n_h = 3, with weights large enough that every path matters.
std::unique_ptr<bp::SequenceLayer> layer_of(const std::string& kind, bp::Rng& rng) {
    std::unique_ptr<bp::SequenceLayer> layer;
    if (kind == "rnn") layer = std::make_unique<bp::Rnn>(2, 3, rng);
    else if (kind == "lstm") layer = std::make_unique<bp::Lstm>(2, 3, rng);
    else layer = std::make_unique<bp::Gru>(2, 3, rng);
    for (const bp::Parameter& p : layer->parameters()) p.value() = rng.uniform_matrix(p.rows(), p.cols(), -0.8, 0.8);
    return layer;
}

const char* const kinds[] = {"rnn", "lstm", "gru"};

TEST(Ch07Layers, RefuseBackwardBeforeForwardAndNameWrongShapes) {
    for (const char* kind : kinds) {
        bp::Rng rng(751);
        SCOPED_TRACE(kind);
        auto layer = layer_of(kind, rng);
        EXPECT_ERROR_MENTIONS(layer->backward(Sequence(3, 2, 1)), "run forward first");
        EXPECT_ERROR_MENTIONS(layer->forward(Sequence(5, 2, 1)), "each step x_t is 5x1 but must be 2x1");
        EXPECT_ERROR_MENTIONS(layer->forward(Sequence(2, 2, 1), {Matrix::Zero(4, 1), Matrix()}), "h_0 is 4x1 but must be 3x1");
    }
}

// Chapter 4's checker on a layer: L = sum_t sum(G_t ⊙ h_t), every parameter, the input and
// the start state (h_0, and c_0 for the LSTM).
bp::GradientCheck check_layer(bp::SequenceLayer& layer, bp::Rng& rng, bp::Index T = 4, bp::Index m = 2) {
    Sequence x(rng.uniform_matrix(layer.n_in(), T * m, -1, 1), m);
    const Sequence G(rng.uniform_matrix(layer.n_out(), T * m, -1, 1), m);
    bp::RecurrentState start{rng.uniform_matrix(layer.n_out(), m, -1, 1), Matrix()};
    if (layer.kind() == "lstm") start.c = rng.uniform_matrix(layer.n_out(), m, -1, 1);
    Matrix dx, dh0, dc0;
    const auto loss = [&] { return bp_test::weighted_sum(G.all(), layer.forward(x, start).all()); };
    const auto backward = [&] {
        layer.zero_grad();
        layer.forward(x, start);
        dx = layer.backward(G).all();
        dh0 = layer.start_grad().h;
        dc0 = layer.start_grad().c;
    };
    backward();  // so that every gradient has its shape
    std::vector<bp::Parameter> params = layer.parameters();
    params.emplace_back("x", x.all(), dx);
    params.emplace_back("h0", start.h, dh0);
    if (layer.kind() == "lstm") params.emplace_back("c0", start.c, dc0);
    return bp::check_gradients(params, loss, backward);
}

TEST(Ch07Layers, EveryLayerIsGradientChecked) {
    for (const char* kind : kinds) {
        bp::Rng rng(752);
        auto layer = layer_of(kind, rng);
        const bp::GradientCheck c = check_layer(*layer, rng);
        EXPECT_TRUE(c.passed) << kind << ": " << c.report();
    }
    bp::Rng rng(753);
    bp::Rnn linear(2, 3, rng, bp::Activation::identity);
    const bp::GradientCheck c = check_layer(linear, rng);
    EXPECT_TRUE(c.passed) << "the linear RNN: " << c.report();
}

// ---- the hand-written cells against the same cells built with the graph ----

// Every gradient of a layer, and dx and dh_0 (and dc_0), from its own backward for
// L = sum(G ⊙ h) over T steps.
std::vector<Matrix> by_hand(bp::SequenceLayer& layer, const Sequence& x, const bp::RecurrentState& start, const Sequence& G) {
    layer.zero_grad();
    layer.forward(x, start);
    std::vector<Matrix> out{layer.backward(G).all(), layer.start_grad().h};
    if (layer.kind() == "lstm") out.push_back(layer.start_grad().c);
    for (const bp::Parameter& p : layer.parameters()) out.push_back(p.grad());
    return out;
}

// Adds sum(G_t ⊙ h_t) to the loss in the graph.
bp::Var add_step_loss(bp::Graph& g, bp::Var loss, bp::Var h, const Matrix& G) {
    const bp::Var l = g.sum(g.mul(h, g.input(G, "G")));
    return loss.id < 0 ? l : g.add(loss, l);
}

TEST(Ch07Graph, TheRnnEqualsTheGraphsTo1e12) {
    bp::Rng rng(754);
    auto layer = layer_of("rnn", rng);
    auto& rnn = static_cast<bp::Rnn&>(*layer);
    const Sequence x(rng.uniform_matrix(2, 3 * 2, -1, 1), 2), G(rng.uniform_matrix(3, 3 * 2, -1, 1), 2);
    const bp::RecurrentState start{rng.uniform_matrix(3, 2, -1, 1), Matrix()};
    const std::vector<Matrix> hand = by_hand(rnn, x, start, G);

    bp::Rnn copy = rnn;
    copy.zero_grad();
    bp::Graph g;
    const std::vector<bp::Parameter> p = copy.parameters();
    const bp::Var W_x = g.parameter(p[0]), W_h = g.parameter(p[1]), b = g.parameter(p[2]);
    const bp::Var h0 = g.input(start.h, "h0");
    std::vector<bp::Var> xs;
    bp::Var h = h0, loss;
    for (bp::Index t = 1; t <= 3; ++t) {
        xs.push_back(g.input(x.at(t), "x_t"));
        h = g.tanh(g.add_bias(g.add(g.matmul(W_x, xs.back()), g.matmul(W_h, h)), b));
        loss = add_step_loss(g, loss, h, G.at(t));
    }
    g.backward(loss);
    for (bp::Index t = 1; t <= 3; ++t)
        EXPECT_HOLDS(matrices_near("dx_" + std::to_string(t), g.grad(xs[std::size_t(t - 1)]), hand[0].middleCols((t - 1) * 2, 2), 1e-12));
    EXPECT_HOLDS(matrices_near("dh_0", g.grad(h0), hand[1], 1e-12));
    for (std::size_t i = 0; i < p.size(); ++i) EXPECT_HOLDS(matrices_near("d" + p[i].name, p[i].grad(), hand[2 + i], 1e-12));
}

TEST(Ch07Graph, TheLstmEqualsTheGraphsTo1e12) {
    bp::Rng rng(755);
    auto layer = layer_of("lstm", rng);
    auto& lstm = static_cast<bp::Lstm&>(*layer);
    const Sequence x(rng.uniform_matrix(2, 3 * 2, -1, 1), 2), G(rng.uniform_matrix(3, 3 * 2, -1, 1), 2);
    const bp::RecurrentState start{rng.uniform_matrix(3, 2, -1, 1), rng.uniform_matrix(3, 2, -1, 1)};
    const std::vector<Matrix> hand = by_hand(lstm, x, start, G);

    // The graph has no slicing: each gate's rows of W_x, W_h and b are leaves of their own.
    bp::Graph g;
    bp::Var W_x[4], W_h[4], b[4];
    for (int k = 0; k < 4; ++k) {
        W_x[k] = g.input(lstm.W_x.middleRows(3 * k, 3), std::string("W_x") + bp::lstm_gate_name(k));
        W_h[k] = g.input(lstm.W_h.middleRows(3 * k, 3), std::string("W_h") + bp::lstm_gate_name(k));
        b[k] = g.input(lstm.b.segment(3 * k, 3), std::string("b") + bp::lstm_gate_name(k));
    }
    const bp::Var h0 = g.input(start.h, "h0"), c0 = g.input(start.c, "c0");
    bp::Var h = h0, c = c0, loss;
    std::vector<bp::Var> xs;
    for (bp::Index t = 1; t <= 3; ++t) {
        xs.push_back(g.input(x.at(t), "x_t"));
        bp::Var A[4];
        for (int k = 0; k < 4; ++k) A[k] = g.add_bias(g.add(g.matmul(W_x[k], xs.back()), g.matmul(W_h[k], h)), b[k]);
        const bp::Var i = g.sigmoid(A[0]), f = g.sigmoid(A[1]), o = g.sigmoid(A[2]), gg = g.tanh(A[3]);
        c = g.add(g.mul(f, c), g.mul(i, gg));
        h = g.mul(o, g.tanh(c));
        loss = add_step_loss(g, loss, h, G.at(t));
    }
    g.backward(loss);
    for (bp::Index t = 1; t <= 3; ++t)
        EXPECT_HOLDS(matrices_near("dx_" + std::to_string(t), g.grad(xs[std::size_t(t - 1)]), hand[0].middleCols((t - 1) * 2, 2), 1e-12));
    EXPECT_HOLDS(matrices_near("dh_0", g.grad(h0), hand[1], 1e-12));
    EXPECT_HOLDS(matrices_near("dc_0", g.grad(c0), hand[2], 1e-12));
    for (int k = 0; k < 4; ++k) {
        const std::string gate = bp::lstm_gate_name(k);
        EXPECT_HOLDS(matrices_near("dW_x, gate " + gate, g.grad(W_x[k]), hand[3].middleRows(3 * k, 3), 1e-12));
        EXPECT_HOLDS(matrices_near("dW_h, gate " + gate, g.grad(W_h[k]), hand[4].middleRows(3 * k, 3), 1e-12));
        EXPECT_HOLDS(matrices_near("db, gate " + gate, g.grad(b[k]), hand[5].middleRows(3 * k, 3), 1e-12));
    }
}

TEST(Ch07Graph, TheGruEqualsTheGraphsTo1e12) {
    bp::Rng rng(756);
    auto layer = layer_of("gru", rng);
    auto& gru = static_cast<bp::Gru&>(*layer);
    const Sequence x(rng.uniform_matrix(2, 3 * 2, -1, 1), 2), G(rng.uniform_matrix(3, 3 * 2, -1, 1), 2);
    const bp::RecurrentState start{rng.uniform_matrix(3, 2, -1, 1), Matrix()};
    const std::vector<Matrix> hand = by_hand(gru, x, start, G);

    bp::Gru copy = gru;
    copy.zero_grad();
    bp::Graph g;
    const bp::GruVars p = bp::gru_graph_parameters(g, copy);
    const bp::Var h0 = g.input(start.h, "h0");
    bp::Var h = h0, loss;
    std::vector<bp::Var> xs;
    for (bp::Index t = 1; t <= 3; ++t) {
        xs.push_back(g.input(x.at(t), "x_t"));
        h = bp::gru_step(g, p, xs.back(), h);
        loss = add_step_loss(g, loss, h, G.at(t));
    }
    g.backward(loss);
    for (bp::Index t = 1; t <= 3; ++t)
        EXPECT_HOLDS(matrices_near("dx_" + std::to_string(t), g.grad(xs[std::size_t(t - 1)]), hand[0].middleCols((t - 1) * 2, 2), 1e-12));
    EXPECT_HOLDS(matrices_near("dh_0", g.grad(h0), hand[1], 1e-12));
    const std::vector<bp::Parameter> params = copy.parameters();
    for (std::size_t i = 0; i < params.size(); ++i) EXPECT_HOLDS(matrices_near("d" + params[i].name, params[i].grad(), hand[2 + i], 1e-12));
}

TEST(Ch07Layers, OneRnnStepIsADenseLayerOnXAndH0) {
    bp::Rng rng(757);
    auto layer = layer_of("rnn", rng);
    auto& rnn = static_cast<bp::Rnn&>(*layer);
    const Matrix x = rng.uniform_matrix(2, 4, -1, 1), h0 = rng.uniform_matrix(3, 4, -1, 1), G = rng.uniform_matrix(3, 4, -1, 1);
    rnn.forward(Sequence(x, 4), {h0, Matrix()});
    rnn.backward(Sequence(G, 4));
    Matrix W(3, 5), stacked(5, 4);
    W << rnn.W_x, rnn.W_h;
    stacked << x, h0;
    bp::Dense dense(W, rnn.b, bp::Activation::tanh);
    EXPECT_MATRIX_NEAR(Matrix(dense.forward(stacked)), rnn.h.all()) << "T = 1: Dense(tanh) on [x; h_0] with W = [W_x W_h]";
    const Matrix d_stacked = dense.backward(G);
    Matrix dW(3, 5);
    dW << rnn.dW_x, rnn.dW_h;
    EXPECT_MATRIX_NEAR(dense.dW, dW) << "[dW_x dW_h] is the Dense layer's dW";
    EXPECT_MATRIX_NEAR(Matrix(dense.db), Matrix(rnn.db));
    EXPECT_MATRIX_NEAR(Matrix(d_stacked.bottomRows(3)), rnn.start_grad().h) << "dh_0 is the lower part of the Dense layer's dx";
}

TEST(Ch07Layers, NamesStartsAndCopies) {
    bp::Rng rng(758);
    bp::SequenceModel model(std::make_unique<bp::Lstm>(2, 3, rng), 4, rng);
    std::vector<std::string> names;
    for (const bp::Parameter& p : model.parameters()) names.push_back(p.name);
    EXPECT_EQ(names, (std::vector<std::string>{"lstm.W_x", "lstm.W_h", "lstm.b", "readout.W", "readout.b"}));
    const auto& lstm = static_cast<const bp::Lstm&>(*model.layer);
    EXPECT_EQ(lstm.b.segment(3, 3), Vector::Ones(3)) << "the forget gate's bias starts at 1";
    EXPECT_EQ(lstm.b.head(3), Vector::Zero(3));
    EXPECT_EQ(bp::Gru(2, 3, rng).b_u, Vector::Ones(3)) << "the GRU's update gate starts at sigmoid(1) too";
    const Matrix Q = bp::random_orthogonal(5, rng);
    EXPECT_HOLDS(matrices_near("Q^T Q", Matrix::Identity(5, 5), Matrix(Q.transpose() * Q), 1e-12));

    bp::SequenceModel copy = model;
    static_cast<bp::Lstm&>(*copy.layer).W_x.setZero();
    EXPECT_NE(lstm.W_x.norm(), 0.0) << "a copied model has a layer of its own";
    EXPECT_ERROR_MENTIONS(bp::Rnn(2, 3, rng, bp::Activation::relu), "f must be tanh or identity");
}

TEST(Ch07Layers, AGruIsBuiltFromGivenWeightsAndNamesAWrongOne) {
    bp::Rng rng(762);
    const bp::Gru drawn(2, 3, rng);
    const bp::Gru given(drawn.W_xu, drawn.W_hu, drawn.b_u, drawn.W_xr, drawn.W_hr, drawn.b_r, drawn.W_xh, drawn.W_hh, drawn.b_h);
    bp::Gru a = drawn, b = given;
    const Sequence x(rng.uniform_matrix(2, 3 * 2, -1, 1), 2);
    EXPECT_EQ(a.forward(x).all(), b.forward(x).all()) << "the same weights, the same states";
    EXPECT_EQ(given.dW_hh, Matrix::Zero(3, 3)) << "the gradients start at zero, of the weights' shapes";
    EXPECT_EQ(given.db_h, Vector::Zero(3));

    // Each of the nine tensors in turn of a wrong shape: the error names it.
    const Matrix Wx = drawn.W_xu, Wh = drawn.W_hu, Wx_bad = Matrix::Zero(3, 4), Wh_bad = Matrix::Zero(3, 2);
    const Vector bias = drawn.b_u, b_bad = Vector::Zero(2);
    auto gru_with = [&](int wrong) {
        return bp::Gru(wrong == 0 ? Matrix::Zero(0, 2) : Wx, wrong == 1 ? Wh_bad : Wh, wrong == 2 ? b_bad : bias, wrong == 3 ? Wx_bad : Wx,
                       wrong == 4 ? Wh_bad : Wh, wrong == 5 ? b_bad : bias, wrong == 6 ? Wx_bad : Wx, wrong == 7 ? Wh_bad : Wh,
                       wrong == 8 ? b_bad : bias);
    };
    const char* names[] = {"W_xu is 0x2", "W_hu is 3x2", "b_u has 2",   "W_xr is 3x4", "W_hr is 3x2",
                           "b_r has 2",   "W_xh is 3x4", "W_hh is 3x2", "b_h has 2"};
    for (int wrong = 0; wrong < 9; ++wrong) {
        EXPECT_THROW(gru_with(wrong), bp::ShapeError) << names[wrong];
        EXPECT_ERROR_MENTIONS(gru_with(wrong), names[wrong]);
    }
}

TEST(Ch07Layers, TheFinalStateStartsTheNextChunk) {
    for (const char* kind : kinds) {
        bp::Rng rng(759);
        auto layer = layer_of(kind, rng);
        const Sequence x(rng.uniform_matrix(2, 5 * 2, -1, 1), 2);
        const Matrix whole = layer->forward(x).all();
        layer->forward(x.slice(1, 2));
        const bp::RecurrentState middle = layer->final_state();
        EXPECT_HOLDS(
            matrices_near(std::string(kind) + ": h_3..h_5", whole.rightCols(6), layer->forward(x.slice(3, 3), middle).all(), 1e-15))
            << "steps 3-5 from the state after step 2 are the last three steps of the whole sequence";
    }
}

// ---- the model and its loss ----

TEST(Ch07Model, TheLossIsSummedOverTimeAndAveragedOverTheBatch) {
    bp::Rng rng(760);
    const Sequence out(rng.uniform_matrix(3, 4 * 2, -2, 2), 2);        // T = 4, m = 2, K = 3
    bp::SequenceBatch batch{Sequence(1, 4, 2), Sequence(3, 4, 2), 2};  // scored from step 2
    for (bp::Index t = 1; t <= 4; ++t) batch.y.at(t) = bp_test::one_hot(rng, 3, 2);
    Sequence d_out;
    const double L = bp::sequence_loss(bp::softmax_cross_entropy(), out, batch, &d_out);
    double expected = 0;
    for (bp::Index t = 2; t <= 4; ++t) expected += bp::softmax_cross_entropy_loss(out.at(t), batch.y.at(t));
    EXPECT_NEAR(expected, L, 1e-12) << "L = sum over the scored steps 2-4 of each step's batch mean";
    EXPECT_MATRIX_NEAR(Matrix::Zero(3, 2), Matrix(d_out.at(1))) << "step 1 has no target";
    EXPECT_MATRIX_NEAR(bp::softmax_cross_entropy_grad(out.at(3), batch.y.at(3)), Matrix(d_out.at(3)))
        << "dL/do_t = (softmax(o_t) - y_t) / m at a scored step";
    EXPECT_EQ(batch.chunk(1, 1).first_scored, 2) << "a chunk of step 1 alone scores none of its steps";
    EXPECT_EQ(batch.chunk(3, 2).first_scored, 1) << "steps 3-4 are both scored";
    EXPECT_NEAR(0.0, bp::sequence_loss(bp::softmax_cross_entropy(), out.slice(1, 1), batch.chunk(1, 1)), 0.0);
}

TEST(Ch07Model, IsGradientCheckedWithALossAtEveryStepAndAtTheLast) {
    for (bp::Index first_scored : {1, 3}) {
        bp::Rng rng(761);
        bp::SequenceModel model(layer_of("gru", rng), 3, rng);
        Sequence x(rng.uniform_matrix(2, 3 * 2, -1, 1), 2);
        bp::SequenceBatch batch{x, Sequence(3, 3, 2), first_scored};
        for (bp::Index t = 1; t <= 3; ++t) batch.y.at(t) = bp_test::one_hot(rng, 3, 2);
        Matrix dx;
        const bp::Loss loss = bp::softmax_cross_entropy();
        std::vector<bp::Parameter> params = model.parameters();
        params.emplace_back("x", x.all(), dx);
        const bp::GradientCheck c = bp::check_gradients(
            params, [&] { return bp::sequence_loss(loss, model.forward(x), batch); },
            [&] {
                model.zero_grad();
                Sequence d_out;
                bp::sequence_loss(loss, model.forward(x), batch, &d_out);
                dx = model.backward(d_out).all();
            });
        EXPECT_TRUE(c.passed) << "scored from step " << first_scored << ": " << c.report();
    }
}

TEST(Ch07Model, OptimizersAndClippingWorkOnItUnchanged) {
    bp::Rng rng(762);
    bp::SequenceModel model(std::make_unique<bp::Rnn>(3, 8, rng), 3, rng);
    bp::Adam adam(0.02);
    bp::EpochOptions options;
    options.clip_norm = 1.0;
    double first = 0, last = 0;
    for (long step = 0; step < 150; ++step) {
        const double L = bp::train_sequence_step(model, bp::softmax_cross_entropy(), adam, bp::first_symbol(6, 16, 3, rng), options, step);
        if (step < 10) first += L / 10;
        if (step >= 140) last += L / 10;
    }
    EXPECT_LT(last, 0.5 * first) << "150 Adam steps on the first of 6 symbols: the loss halves at least";
}

// ---- the tasks ----

TEST(Ch07Tasks, TheAddingProblemMarksOneNumberInEachHalf) {
    bp::Rng rng(763), again(763);
    const bp::SequenceBatch b = bp::adding_problem(10, 5, rng);
    EXPECT_EQ(b.first_scored, 10) << "a target at the last step only";
    EXPECT_TRUE(b.x.all() == bp::adding_problem(10, 5, again).x.all()) << "the same seed, the same batch";
    for (bp::Index k = 0; k < 5; ++k) {
        double sum = 0;
        int first_half = 0, second_half = 0;
        for (bp::Index t = 1; t <= 10; ++t)
            if (b.x.at(t)(1, k) == 1.0) {
                sum += b.x.at(t)(0, k);
                (t <= 5 ? first_half : second_half) += 1;
            }
        EXPECT_EQ(first_half, 1) << "example " << k;
        EXPECT_EQ(second_half, 1) << "example " << k;
        EXPECT_NEAR(sum, b.y.at(10)(0, k), 1e-15) << "the target is the sum of the two marked numbers";
    }
}

TEST(Ch07Tasks, FirstSymbolParityAndDelayedRecall) {
    bp::Rng rng(764);
    const bp::SequenceBatch first = bp::first_symbol(6, 4, 3, rng);
    EXPECT_EQ(first.first_scored, 6);
    EXPECT_TRUE(first.y.at(6) == first.x.at(1)) << "the target is the first symbol";
    const bp::SequenceBatch p = bp::parity(5, 3, rng);
    for (bp::Index k = 0; k < 3; ++k) {
        int odd = 0;
        for (bp::Index t = 1; t <= 5; ++t) {
            odd ^= static_cast<int>(p.x.at(t)(0, k));
            EXPECT_EQ(p.y.at(t)(odd, k), 1.0) << "the parity of the bits up to step " << t;
        }
    }
    const bp::SequenceBatch d = bp::delayed_recall(7, 3, 2, 4, rng);
    EXPECT_EQ(d.first_scored, 4);
    for (bp::Index t = 4; t <= 7; ++t) EXPECT_TRUE(d.y.at(t) == d.x.at(t - 3)) << "the target at step t is x_{t-3}";
    EXPECT_ERROR_MENTIONS(bp::delayed_recall(3, 3, 2, 4, rng), "T must be at least 4");
    EXPECT_ERROR_MENTIONS(bp::first_symbol(5, 2, 1, rng), "symbols must be at least 2");
}

// ---- overlapping truncation, Williams and Peng's BPTT(h; h') ----

// The model's parameters, each as a matrix, in order.
std::vector<Matrix> values_of(bp::SequenceModel& model) {
    std::vector<Matrix> out;
    for (const bp::Parameter& p : model.parameters()) out.push_back(p.value());
    return out;
}

TEST(Ch07Overlapping, AnUpdateEveryWindowStepsIsTruncatedBpttAndTheLossCountsEachTargetOnce) {
    bp::Rng rng(770);
    const bp::SequenceBatch batch = bp::delayed_recall(7, 2, 3, 4, rng);
    const bp::SequenceModel start(std::make_unique<bp::Lstm>(4, 5, rng), 4, rng);
    // With SGD after every window: h' = h is exercise 7.7's chunks of h, update for update.
    for (bp::Index h : {1, 3, 7}) {
        bp::SequenceModel a = start, b = start;
        bp::Sgd sgd_a(0.5), sgd_b(0.5);
        const std::vector<bp::Parameter> pa = a.parameters(), pb = b.parameters();
        int updates_a = 0, updates_b = 0;
        const double la = bp::truncated_bptt(a, bp::softmax_cross_entropy(), batch, h, [&] {
            sgd_a.step(pa);
            ++updates_a;
        });
        const double lb = bp::overlapping_bptt(b, bp::softmax_cross_entropy(), batch, h, h, [&] {
            sgd_b.step(pb);
            ++updates_b;
        });
        EXPECT_EQ(la, lb) << "h = h' = " << h << ": the same loss as truncated_bptt with k = " << h;
        EXPECT_EQ(updates_a, updates_b) << "h = h' = " << h;
        const std::vector<Matrix> va = values_of(a), vb = values_of(b);
        for (std::size_t i = 0; i < va.size(); ++i)
            EXPECT_HOLDS(matrices_near("h = h' = " + std::to_string(h) + ", parameter " + std::to_string(i), va[i], vb[i], 0.0));
    }
    // With an update that changes nothing, every target is scored once: the sequence's loss.
    bp::SequenceModel model = start;
    const double whole = bp::sequence_loss(bp::softmax_cross_entropy(), model.forward(batch.x), batch);
    for (auto [h, every] : {std::pair<bp::Index, bp::Index>{4, 1}, {5, 2}, {3, 2}, {10, 3}}) {
        int updates = 0;
        const double total = bp::overlapping_bptt(model, bp::softmax_cross_entropy(), batch, h, every, [&] { ++updates; });
        EXPECT_NEAR(whole, total, 1e-12) << "BPTT(" << h << "; " << every
                                         << "), T = 7: each target's loss once, the LSTM's h and c carried";
        EXPECT_EQ(updates, (7 + every - 1) / every) << "BPTT(" << h << "; " << every << "): an update every " << every << " steps";
    }
    EXPECT_ERROR_MENTIONS(bp::overlapping_bptt(model, bp::softmax_cross_entropy(), batch, 2, 3, [] {}), "1 <= every <= window");
    EXPECT_ERROR_MENTIONS(bp::overlapping_bptt(model, bp::softmax_cross_entropy(), batch, 2, 0, [] {}), "1 <= every <= window");
}

TEST(Ch07Overlapping, EachWindowsGradientIsThatOfItsNewTargetsThroughTheLastHSteps) {
    // BPTT(3; 1) on T = 5: the last update's gradient is that of step 5's loss alone, back
    // through steps 3-5 from the state after step 2.
    bp::Rng rng(771);
    const bp::SequenceBatch batch = bp::delayed_recall(5, 2, 2, 4, rng);
    bp::SequenceModel model(std::make_unique<bp::Gru>(4, 5, rng), 4, rng);
    bp::SequenceModel check = model;
    std::vector<Matrix> last;
    bp::overlapping_bptt(model, bp::softmax_cross_entropy(), batch, 3, 1, [&] {
        last.clear();
        for (const bp::Parameter& p : model.parameters()) last.push_back(p.grad());
    });
    check.forward(batch.x.slice(1, 2));
    const bp::RecurrentState after2 = check.layer->final_state();
    bp::SequenceBatch window = batch.chunk(3, 3);
    window.first_scored = 3;  // step 5 only
    check.zero_grad();
    Sequence d_out;
    bp::sequence_loss(bp::softmax_cross_entropy(), check.forward(window.x, after2), window, &d_out);
    check.backward(d_out);
    const std::vector<bp::Parameter> expected = check.parameters();
    ASSERT_EQ(expected.size(), last.size());
    for (std::size_t i = 0; i < last.size(); ++i) EXPECT_HOLDS(matrices_near(expected[i].name, expected[i].grad(), last[i], 1e-14));
}

// ---- what the experiments show, on small sizes ----

TEST(Ch07Experiments, AnRnnsGradientVanishesOrExplodesWithRhoAndTheLstmsTravelsFurther) {
    std::vector<double> factors;
    for (double rho : {0.5, 0.9, 1.0, 1.1, 1.5}) {
        bp::Rng rng(765);
        bp::Rnn rnn(4, 16, rng);
        rnn.W_h = rho * bp::random_orthogonal(16, rng);
        const std::vector<double> norms = bp::gradient_norms_by_distance(rnn, 20, 4, 0.3, rng);
        ASSERT_EQ(norms.size(), 21u);
        for (std::size_t j = 1; j <= 20; ++j)
            EXPECT_LE(norms[j], std::pow(rho, static_cast<double>(j)) * (1 + 1e-9))
                << "||dL/dh_{T-j}|| <= (||W_h|| max tanh')^j = rho^j, rho = " << rho << ", j = " << j;
        factors.push_back(bp::factor_per_step(norms, 0, 20));
        if (rho == 1.5) {
            EXPECT_GT(norms[20], 1.0) << "rho = 1.5 explodes";
        }
        if (rho == 0.5) {
            EXPECT_LT(norms[20], 1e-6) << "rho = 0.5 vanishes";
        }
    }
    for (std::size_t i = 1; i < factors.size(); ++i)
        EXPECT_LT(factors[i - 1], factors[i]) << "the larger rho, the more slowly the gradient shrinks";
    bp::Rng rng(765);
    bp::Lstm lstm(4, 16, rng);
    const std::vector<double> lstm_norms = bp::gradient_norms_by_distance(lstm, 20, 4, 0.3, rng);
    EXPECT_GT(bp::factor_per_step(lstm_norms, 5, 20), factors[2]) << "past the first steps, the LSTM's gradient shrinks more "
                                                                     "slowly than that of an RNN with rho = 1";
}

// The page's claims about experiment_gradient_norms, on the experiment's default options
// (n_h = 64, T = 50, m = 16, inputs of standard deviation 0.5, seed 7): the program itself
// only draws and prints, whatever its options.
TEST(Ch07Experiments, TheGradientNormsFigureOnItsDefaultOptions) {
    const bp::Index n_h = 64, T = 50, m = 16;
    const double input_scale = 0.5;
    const std::uint64_t seed = 7;
    const std::vector<double> rhos = {0.5, 0.9, 1.0, 1.1, 1.5};
    std::vector<std::vector<double>> norms;
    std::vector<double> factors;
    for (double rho : rhos) {
        bp::Rng rng(seed);
        bp::Rnn rnn(8, n_h, rng);
        rnn.W_h = rho * bp::random_orthogonal(n_h, rng);
        norms.push_back(bp::gradient_norms_by_distance(rnn, T, m, input_scale, rng));
        for (std::size_t j = 1; j <= std::size_t(T); ++j)
            EXPECT_LE(norms.back()[j], std::pow(rho, double(j)) * (1 + 1e-9))
                << "each RNN's gradient shrinks at least as fast as rho^j: rho = " << rho << ", j = " << j;
        factors.push_back(bp::factor_per_step(norms.back(), 0, T));
    }
    for (std::size_t i = 1; i < factors.size(); ++i)
        EXPECT_LT(factors[i - 1], factors[i]) << "the larger rho, the more slowly the gradient shrinks: rho = " << rhos[i - 1] << " and "
                                              << rhos[i];
    EXPECT_LT(norms.front()[T], 1e-10) << "rho = 0.5 vanishes";
    EXPECT_GT(norms.back()[T], 1.0) << "rho = 1.5 explodes";
    bp::Rng rng(seed);
    bp::Lstm lstm(8, n_h, rng);
    const std::vector<double> lstm_norms = bp::gradient_norms_by_distance(lstm, T, m, input_scale, rng);
    EXPECT_GT(bp::factor_per_step(lstm_norms, 10, T), bp::factor_per_step(norms[2], 10, T))
        << "past its first steps the LSTM's gradient shrinks more slowly than the RNN's with rho = 1";
}

// First-symbol training of a model of the given layer; its accuracy on fresh examples.
double first_symbol_accuracy(std::unique_ptr<bp::SequenceLayer> layer, bp::Index T, long steps, bp::Rng& rng) {
    bp::SequenceModel model(std::move(layer), 4, rng);
    bp::Adam adam(0.01);
    bp::TaskTraining how;
    how.steps = steps;
    how.clip_norm = 1.0;
    how.stop_at = 0.99;
    const bp::Task task = [T](bp::Index m, bp::Rng& r) { return bp::first_symbol(T, m, 4, r); };
    return bp::train_on_task(model, bp::softmax_cross_entropy(), adam, task, how, 256, rng).accuracy;
}

// These train small models, whose every run is chaotic: another compiler or processor rounds
// differently and takes another path. The claims are the figures' own, with margins that held
// for every seed tried.
TEST(Ch07Experiments, GatesThatStartOpenLearnALongDependency) {
    bp::Rng rng(766);
    EXPECT_GT(first_symbol_accuracy(std::make_unique<bp::Lstm>(4, 16, rng, 3.0), 20, 400, rng), 0.9)
        << "an LSTM with forget bias 3 remembers the first of 20 symbols";
    EXPECT_GT(first_symbol_accuracy(std::make_unique<bp::Gru>(4, 18, rng, 3.0), 20, 400, rng), 0.9) << "so does a GRU with update bias 3";
}

TEST(Ch07Experiments, ClippingKeepsAnRnnTraining) {
    bp::TaskResult runs[2];
    for (int clip = 0; clip < 2; ++clip) {
        bp::Rng rng(767);
        bp::SequenceModel model(std::make_unique<bp::Rnn>(4, 32, rng), 4, rng);
        bp::Sgd sgd(0.3);
        bp::TaskTraining how;
        how.steps = 300;
        how.clip_norm = clip ? 1.0 : 0.0;
        const bp::Task task = [](bp::Index m, bp::Rng& r) { return bp::first_symbol(20, m, 4, r); };
        runs[clip] = bp::train_on_task(model, bp::softmax_cross_entropy(), sgd, task, how, 256, rng);
    }
    EXPECT_GT(runs[1].accuracy, runs[0].accuracy + 0.2)
        << "SGD with lr 0.3 on the first of 20 symbols learns far more with clipping at 1 than without";
    EXPECT_GT(*std::max_element(runs[0].grad_norm.begin(), runs[0].grad_norm.end()), 5.0)
        << "gradient norms five times the usual size or more: cliffs";
}

// experiment_clipping on its default options (600 steps, lr 0.3, clipping at 1, seed 3): the
// page's claims.
TEST(Ch07Experiments, TheClippingFigureOnItsDefaultOptions) {
    bp::TaskResult runs[2];
    for (int clipped = 0; clipped < 2; ++clipped) {
        bp::Rng rng(3);
        bp::SequenceModel model(std::make_unique<bp::Rnn>(4, 32, rng), 4, rng);
        bp::Sgd sgd(0.3);
        bp::TaskTraining how;
        how.steps = 600;
        how.clip_norm = clipped ? 1.0 : 0.0;
        const bp::Task task = [](bp::Index m, bp::Rng& r) { return bp::first_symbol(20, m, 4, r); };
        runs[clipped] = bp::train_on_task(model, bp::softmax_cross_entropy(), sgd, task, how, 1024, rng);
    }
    EXPECT_GT(runs[1].accuracy, 0.95) << "with clipping the RNN learns the first of 20 symbols";
    EXPECT_LT(runs[0].accuracy, 0.6) << "without clipping it does not";
    EXPECT_GT(*std::max_element(runs[0].grad_norm.begin(), runs[0].grad_norm.end()), 10.0) << "gradient norms above 10 appear";
}

// experiment_long_dependency on its default options (at most 600 steps, gate biases 3 and 1,
// seed 11), its shortest and longest dependencies: the page's claims.
TEST(Ch07Experiments, TheLongDependencyFigureOnItsDefaultOptions) {
    const std::vector<std::function<std::unique_ptr<bp::SequenceLayer>(bp::Rng&)>> makers = {
        [](bp::Rng& r) { return std::make_unique<bp::Rnn>(4, 32, r); },
        [](bp::Rng& r) { return std::make_unique<bp::Gru>(4, 18, r, 3.0); },
        [](bp::Rng& r) { return std::make_unique<bp::Lstm>(4, 16, r, 3.0); },
        [](bp::Rng& r) { return std::make_unique<bp::Lstm>(4, 16, r, 1.0); },
    };
    const char* const names[] = {"the RNN", "the GRU (update bias 3)", "the LSTM (forget bias 3)", "the LSTM (forget bias 1)"};
    double accuracy[4][2];
    for (std::size_t i = 0; i < makers.size(); ++i)
        for (int longest = 0; longest < 2; ++longest) {
            const bp::Index T = longest ? 80 : 5;
            bp::Rng rng(11);
            bp::SequenceModel model(makers[i](rng), 4, rng);
            bp::Adam adam(0.01);
            bp::TaskTraining how;
            how.steps = 600;
            how.clip_norm = 1.0;
            how.stop_at = 0.99;
            const bp::Task task = [T](bp::Index m, bp::Rng& r) { return bp::first_symbol(T, m, 4, r); };
            accuracy[i][longest] = bp::train_on_task(model, bp::softmax_cross_entropy(), adam, task, how, 1024, rng).accuracy;
        }
    for (std::size_t i = 0; i < 4; ++i) EXPECT_GT(accuracy[i][0], 0.95) << names[i] << " learns T = 5";
    EXPECT_LT(accuracy[0][1], 0.5) << "the RNN stays near chance at T = 80";
    EXPECT_GT(accuracy[1][1], 0.9) << "the GRU with its update gate open learns T = 80";
    EXPECT_GT(accuracy[2][1], 0.9) << "the LSTM with its forget gate open learns T = 80";
    EXPECT_LT(accuracy[3][1], 0.5) << "the LSTM with forget bias 1 does not learn T = 80 in 600 steps";
}

// experiment_truncation on its default options (at most 300 steps, sequences of 24, seed 5):
// the page's claims for d = 2 and 4, on the windows either side of the jump: a window of
// k = d steps fails, one of k = d + 2 learns; and for d = 6 with k = 7, where chunks learn only
// partly and BPTT(7; 1) learns.
TEST(Ch07Experiments, TheTruncationFigureOnItsDefaultOptions) {
    const auto accuracy = [](bp::Index d, bp::Index k, bp::Index every = 0) {
        bp::Rng rng(5);
        bp::SequenceModel model(std::make_unique<bp::Gru>(4, 24, rng), 4, rng);
        bp::Adam adam(0.01);
        bp::TaskTraining how;
        how.steps = 300;
        how.window = k;
        how.every = every;
        how.clip_norm = 1.0;
        how.stop_at = 0.99;
        const bp::Task task = [d](bp::Index m, bp::Rng& r) { return bp::delayed_recall(24, d, m, 4, r); };
        return bp::train_on_task(model, bp::softmax_cross_entropy(), adam, task, how, 1024, rng).accuracy;
    };
    for (bp::Index d : {2, 4}) {
        EXPECT_LT(accuracy(d, d), 0.6) << "chunks of k = d = " << d << " steps do not learn the delay " << d;
        EXPECT_GT(accuracy(d, d + 2), 0.95) << "chunks of k = d + 2 = " << d + 2 << " steps learn the delay " << d;
    }
    EXPECT_LT(accuracy(6, 7), 0.6) << "chunks of 7 steps learn the delay 6 only partly";
    EXPECT_GT(accuracy(6, 7, 1), 0.95) << "BPTT(7; 1), a backward pass over the last 7 steps at every step, learns it";
}

TEST(Ch07Experiments, TruncationLearnsOnlyDependenciesShorterThanTheWindow) {
    double accuracy[2];
    for (bp::Index window : {2, 4}) {
        bp::Rng rng(768);
        bp::SequenceModel model(std::make_unique<bp::Gru>(4, 24, rng), 4, rng);
        bp::Adam adam(0.01);
        bp::TaskTraining how;
        how.steps = 300;
        how.window = window;
        how.clip_norm = 1.0;
        how.stop_at = 0.99;
        const bp::Task task = [](bp::Index m, bp::Rng& r) { return bp::delayed_recall(16, 2, m, 4, r); };
        accuracy[window / 4] = bp::train_on_task(model, bp::softmax_cross_entropy(), adam, task, how, 256, rng).accuracy;
    }
    EXPECT_LT(accuracy[0], 0.6) << "recall 2 steps back with chunks of 2: no chunk holds both ends of the dependency";
    EXPECT_GT(accuracy[1], 0.95) << "with chunks of 4 it is learned";
}

}  // namespace
