// Chapter 7's LSTM step (exercises 7.8 and 7.9): the gates in their order and the cell, forward;
// gate by gate and through the cell, backward, against the tests' own step (ch07_recurrent.hpp).
#include "ch07_recurrent.hpp"
#include "check.hpp"

#include "bp/recurrent/lstm.hpp"

#include <cmath>
#include <string>

namespace {

using bp::Matrix;
using bp::Vector;
using bp_test::matches_or_names_mistake_first;
using bp_test::matrices_near;
using bp_test::OwnLstmStep;
using bp_test::slopes;
using bp_test::weighted_sum;

// ---- 7.8 lstm_step_forward ----

bp::Lstm small_lstm(bp::Rng& rng, bp::Index n_x = 2, bp::Index n_h = 3) {
    return bp::Lstm(rng.uniform_matrix(4 * n_h, n_x, -0.8, 0.8), rng.uniform_matrix(4 * n_h, n_h, -0.8, 0.8),
                    rng.uniform_matrix(4 * n_h, 1, -0.5, 0.5).col(0));
}

TEST(Ex7_8, MatchesTheEquations) {
    bp::Rng rng(719);
    const bp::Lstm lstm = small_lstm(rng);
    const Matrix x = rng.uniform_matrix(2, 4, -1, 1), h_prev = rng.uniform_matrix(3, 4, -1, 1), c_prev = rng.uniform_matrix(3, 4, -2, 2);
    Matrix gates(12, 4), c(3, 4), h(3, 4);
    bp::lstm_step_forward(lstm, x, h_prev, c_prev, gates, c, h);
    const OwnLstmStep expected(lstm, x, h_prev, c_prev);
    // What three known mistakes store in `gates`, from A = W_x x_t + W_h h_prev + b.
    const Matrix A = (lstm.W_x * x + lstm.W_h * h_prev).colwise() + lstm.b;
    Matrix torch_order(12, 4);
    torch_order << bp_test::sigmoid_of(A.topRows(6)), bp_test::tanh_of(A.middleRows(6, 3)), bp_test::sigmoid_of(A.bottomRows(3));
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "gates", expected.gates, gates,
        {{"the third block went through tanh and the fourth through sigmoid: that is PyTorch's order i, f, g, o. This course stacks "
          "the blocks as i, f, o, g: the three sigmoid gates first (rows 0 to 3 n_h - 1), then g = tanh(A_g) (the last n_h rows)",
          torch_order},
         {"gates holds A = W_x x_t + W_h h_prev + b, before the activations: the layer keeps i, f, o, g after them (sigmoid for the "
          "first three blocks, tanh for g), which is all the backward pass reads",
          A},
         {"all four blocks went through sigmoid: g = tanh(A_g), the last n_h rows", bp_test::sigmoid_of(A)}},
        "the gates i, f, o (sigmoid) and g (tanh) of A = W_x x_t + W_h h_prev + b, in that order"));
    EXPECT_MATRIX_NEAR(expected.c, c) << "c_t = f ⊙ c_prev + i ⊙ g";
    EXPECT_MATRIX_NEAR(expected.h, h) << "h_t = o ⊙ tanh(c_t)";
}

TEST(Ex7_8, TheGatesComeInTheOrderIFOG) {
    // W = 0, so A = b: i = 1, f = 0, o = 1 (biases of +-40) and g = tanh(0.5).
    const Vector b = (Vector(4) << 40, -40, 40, 0.5).finished();
    const bp::Lstm lstm(Matrix::Zero(4, 1), Matrix::Zero(4, 1), b);
    Matrix gates(4, 1), c(1, 1), h(1, 1);
    bp::lstm_step_forward(lstm, Matrix::Ones(1, 1), Matrix::Ones(1, 1), Matrix::Constant(1, 1, 3.0), gates, c, h);
    EXPECT_MATRIX_NEAR(Matrix::Constant(1, 1, std::tanh(0.5)), c)
        << "with i = 1, f = 0 (the 2nd block of b) and g = tanh(0.5) (the 4th), c_t = 0 c_prev + 1 g = tanh(0.5); "
           "the blocks of A are i, f, o, g in that order";
    if (std::abs(h(0, 0) - c(0, 0)) < 1e-12 && std::abs(c(0, 0) - std::tanh(0.5)) < 1e-12)
        ADD_FAILURE() << "h_t = c_t = " << c(0, 0)
                      << " with o = 1: the tanh is missing, h_t = o ⊙ tanh(c_t) (tanh_in_place on a copy "
                         "of c_t, then times o)";
    else EXPECT_MATRIX_NEAR(Matrix::Constant(1, 1, std::tanh(std::tanh(0.5))), h) << "h_t = o tanh(c_t) with o = 1";
}

TEST(Ex7_8, AnOpenForgetGateAndAClosedInputGateKeepTheCell) {
    const Vector b = (Vector(4) << -40, 40, 0, 0.3).finished();  // i = 0, f = 1
    const bp::Lstm lstm(Matrix::Zero(4, 1), Matrix::Zero(4, 1), b);
    Matrix gates(4, 2), c(1, 2), h(1, 2);
    const Matrix c_prev = (Matrix(1, 2) << 1.5, -0.25).finished();
    bp::lstm_step_forward(lstm, Matrix::Ones(1, 2), Matrix::Ones(1, 2), c_prev, gates, c, h);
    EXPECT_HOLDS(matrices_near("c_t", c_prev, c, 1e-15)) << "f = 1 and i = 0: c_t = c_prev, the memory kept as it is";
}

// ---- 7.9 lstm_step_backward ----

TEST(Ex7_9, MatchesFiniteDifferencesGateByGate) {
    bp::Rng rng(720);
    bp::Lstm lstm = small_lstm(rng);
    Matrix x = rng.uniform_matrix(2, 3, -1, 1), h_prev = rng.uniform_matrix(3, 3, -1, 1), c_prev = rng.uniform_matrix(3, 3, -2, 2);
    const Matrix G_h = rng.uniform_matrix(3, 3, -1, 1), G_c = rng.uniform_matrix(3, 3, -1, 1);
    // L = sum(G_h ⊙ h_t) + sum(G_c ⊙ c_t): dh_t = G_h, and dc_next = G_c, as step t + 1 would send it.
    const auto L = [&] {
        const OwnLstmStep s(lstm, x, h_prev, c_prev);
        return weighted_sum(G_h, s.h) + weighted_sum(G_c, s.c);
    };
    const OwnLstmStep s(lstm, x, h_prev, c_prev);
    Matrix dx(2, 3), dh_prev(3, 3), dc_prev(3, 3);
    bp::lstm_step_backward(lstm, x, h_prev, c_prev, s.gates, s.c, G_h, G_c, dx, dh_prev, dc_prev);
    const Matrix dW_x = lstm.dW_x, dW_h = lstm.dW_h, db = lstm.db;
    const Matrix num_W_x = slopes(L, lstm.W_x), num_W_h = slopes(L, lstm.W_h), num_b = slopes(L, lstm.b);
    const char* hints[] = {"di = dc ⊙ g, then ⊙ i (1 - i)", "df = dc ⊙ c_{t-1}, then ⊙ f (1 - f)",
                           "do = dh_t ⊙ tanh(c_t), then ⊙ o (1 - o)", "dg = dc ⊙ i, then ⊙ (1 - g^2)"};
    for (int gate = 0; gate < 4; ++gate) {
        const std::string name = std::string("gate ") + bp::lstm_gate_name(gate) + " (rows " + std::to_string(3 * gate) + "-" +
                                 std::to_string(3 * gate + 2) + ")";
        EXPECT_HOLDS(matrices_near("dW_x, " + name, num_W_x.middleRows(3 * gate, 3), dW_x.middleRows(3 * gate, 3), 1e-7))
            << hints[gate] << ", with dc = dc_next + dh_t ⊙ o ⊙ (1 - tanh^2(c_t))";
        EXPECT_HOLDS(matrices_near("dW_h, " + name, num_W_h.middleRows(3 * gate, 3), dW_h.middleRows(3 * gate, 3), 1e-7)) << hints[gate];
        EXPECT_HOLDS(matrices_near("db, " + name, num_b.middleRows(3 * gate, 3), db.middleRows(3 * gate, 3), 1e-7)) << hints[gate];
    }
    EXPECT_HOLDS(matrices_near("dx_t", slopes(L, x), dx, 1e-7)) << "dx_t = W_x^T dA";
    EXPECT_HOLDS(matrices_near("dh_prev", slopes(L, h_prev), dh_prev, 1e-7)) << "dh_prev = W_h^T dA";
    const Matrix o = s.gates.middleRows(6, 3), dc = G_c + G_h.cwiseProduct(o).cwiseProduct((1.0 - s.c.array().tanh().square()).matrix());
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "dc_prev", slopes(L, c_prev), dc_prev,
        {{"dc_prev = dc, without the forget gate: c_t = f ⊙ c_{t-1} + i ⊙ g, so dc_prev = dc ⊙ f", dc}}, "dc_prev = dc ⊙ f", 1e-7));
}

TEST(Ex7_9, TheCarouselPassesDcStraightBack) {
    // i = 0, f = 1, o = 0: the cell keeps itself and shows nothing.
    const Vector b = (Vector(4) << -40, 40, -40, 0.2).finished();
    bp::Lstm lstm(Matrix::Zero(4, 1), Matrix::Zero(4, 1), b);
    const Matrix x = Matrix::Ones(1, 2), h_prev = Matrix::Ones(1, 2), c_prev = (Matrix(1, 2) << 0.7, -1.1).finished();
    const OwnLstmStep s(lstm, x, h_prev, c_prev);
    const Matrix dc_next = (Matrix(1, 2) << 0.3, -2.0).finished();
    Matrix dx(1, 2), dh_prev(1, 2), dc_prev(1, 2);
    bp::lstm_step_backward(lstm, x, h_prev, c_prev, s.gates, s.c, Matrix::Ones(1, 2), dc_next, dx, dh_prev, dc_prev);
    EXPECT_HOLDS(matrices_near("dc_prev", dc_next, dc_prev, 1e-12))
        << "i = 0, f = 1, o = 0: dc = dc_next + dh ⊙ o ⊙ ... = dc_next, and dc_prev = dc ⊙ f = dc_next, unchanged: "
           "the gradient travels along the cell as far as f stays 1";
}

TEST(Ex7_9, TheForgetGatesGradientUsesTheOldCell) {
    // W = 0 and b = 0: i = f = o = 1/2, g = 0; c_prev = 2, so c_t = 1.
    bp::Lstm lstm(Matrix::Zero(4, 1), Matrix::Zero(4, 1), Vector::Zero(4));
    const Matrix one = Matrix::Ones(1, 1), c_prev = Matrix::Constant(1, 1, 2.0);
    const OwnLstmStep s(lstm, one, one, c_prev);
    Matrix dx(1, 1), dh_prev(1, 1), dc_prev(1, 1);
    bp::lstm_step_backward(lstm, one, one, c_prev, s.gates, s.c, Matrix::Zero(1, 1), one, dx, dh_prev, dc_prev);
    EXPECT_NEAR(0.5, lstm.db(1), 1e-12) << "the forget gate's bias: dh_t = 0 and dc_next = 1, so dc = 1; df = dc c_{t-1} "
                                           "= 2 and dA_f = df f (1 - f) = 2 / 4 = 0.5. (With c_t = 1 in place of "
                                           "c_{t-1}: 0.25)";
}

TEST(Ex7_9, TheCellsGradientGoesBackThroughTheForgetGate) {
    // W = 0 and b = 0: i = f = o = 1/2, g = 0; c_prev = 2, so c_t = 1.
    bp::Lstm lstm(Matrix::Zero(4, 1), Matrix::Zero(4, 1), Vector::Zero(4));
    const Matrix one = Matrix::Ones(1, 1), c_prev = Matrix::Constant(1, 1, 2.0);
    const OwnLstmStep s(lstm, one, one, c_prev);
    Matrix dx(1, 1), dh_prev(1, 1), dc_prev(1, 1);
    bp::lstm_step_backward(lstm, one, one, c_prev, s.gates, s.c, Matrix::Zero(1, 1), one, dx, dh_prev, dc_prev);
    EXPECT_HOLDS(matches_or_names_mistake_first("dc_prev", Matrix::Constant(1, 1, 0.5), dc_prev,
                                                {{"dc_prev = dc, without the forget gate: c_t = f ⊙ c_{t-1} + i ⊙ g, so dc_prev = dc ⊙ f "
                                                  "(here f = 1/2, dc = 1)",
                                                  one}},
                                                "dh_t = 0 and dc_next = 1, so dc = 1, and f = 1/2: dc_prev = dc ⊙ f = 0.5"));
}

// With = instead of +=, a step leaves its own share alone, as the last step of a sequence would.
std::string overwritten(const std::string& dW, const std::string& share) {
    return "expected " + dW + " after the same step twice to be twice one step's share, got one share: that is " + dW + " = " + share +
           " with = instead of +=, each step overwriting what the steps before it added; W_x, W_h and b are shared by every step, "
           "so each step adds its share, " +
           dW + " += " + share;
}

TEST(Ex7_9, AddsIntoTheGradients) {
    bp::Rng rng(721);
    bp::Lstm lstm = small_lstm(rng);
    const Matrix x = rng.uniform_matrix(2, 2, -1, 1), h_prev = rng.uniform_matrix(3, 2, -1, 1), c_prev = rng.uniform_matrix(3, 2, -1, 1);
    const OwnLstmStep s(lstm, x, h_prev, c_prev);
    const Matrix dh = rng.uniform_matrix(3, 2, -1, 1), dc = rng.uniform_matrix(3, 2, -1, 1);
    Matrix dx(2, 2), dh_prev(3, 2), dc_prev(3, 2);
    bp::lstm_step_backward(lstm, x, h_prev, c_prev, s.gates, s.c, dh, dc, dx, dh_prev, dc_prev);
    const Matrix once_x = lstm.dW_x, once_h = lstm.dW_h, once_b = lstm.db;
    bp::lstm_step_backward(lstm, x, h_prev, c_prev, s.gates, s.c, dh, dc, dx, dh_prev, dc_prev);
    EXPECT_HOLDS(matches_or_names_mistake_first("dW_x", Matrix(2 * once_x), lstm.dW_x, {{overwritten("dW_x", "dA x_t^T"), once_x}},
                                                "the same step twice must add twice: each step adds its share into the shared W_x (+=)"));
    EXPECT_HOLDS(matches_or_names_mistake_first("dW_h", Matrix(2 * once_h), lstm.dW_h, {{overwritten("dW_h", "dA h_{t-1}^T"), once_h}},
                                                "the same step twice must add twice: each step adds its share into the shared W_h (+=)"));
    EXPECT_HOLDS(matches_or_names_mistake_first("db", Matrix(2 * once_b), Matrix(lstm.db),
                                                {{overwritten("db", "the row sums of dA"), once_b}},
                                                "the same step twice must add twice: each step adds its share into the shared b (+=)"));
}

TEST(Ex7_9, WritesItsOutputsOverWhatTheyHeld) {
    // The same step into outputs of zeros and into outputs that hold 100 everywhere: the layer's loop
    // hands the step buffers that hold the step before's values, so the step writes them (=).
    bp::Rng rng(732);
    bp::Lstm lstm = small_lstm(rng), again = lstm;
    const Matrix x = rng.uniform_matrix(2, 2, -1, 1), h_prev = rng.uniform_matrix(3, 2, -1, 1), c_prev = rng.uniform_matrix(3, 2, -1, 1);
    const OwnLstmStep s(lstm, x, h_prev, c_prev);
    const Matrix dh = rng.uniform_matrix(3, 2, -1, 1), dc = rng.uniform_matrix(3, 2, -1, 1);
    Matrix dx = Matrix::Zero(2, 2), dh_prev = Matrix::Zero(3, 2), dc_prev = Matrix::Zero(3, 2);
    bp::lstm_step_backward(lstm, x, h_prev, c_prev, s.gates, s.c, dh, dc, dx, dh_prev, dc_prev);
    Matrix dx_held = bp_test::held_like(dx), dh_prev_held = bp_test::held_like(dh_prev), dc_prev_held = bp_test::held_like(dc_prev);
    bp::lstm_step_backward(again, x, h_prev, c_prev, s.gates, s.c, dh, dc, dx_held, dh_prev_held, dc_prev_held);
    const auto added = [](const std::string& out, const std::string& formula) {
        return "that is " + out + " += " + formula +
               " instead of =; the step writes its outputs (only the parameters' gradients add up over the steps), "
               "and the layer's loop hands it buffers that still hold the step before's values";
    };
    EXPECT_HOLDS(bp_test::writes_over("dx_t", dx, dx_held, added("dx_t", "W_x^T dA")));
    EXPECT_HOLDS(bp_test::writes_over("dh_prev", dh_prev, dh_prev_held, added("dh_prev", "W_h^T dA")));
    EXPECT_HOLDS(bp_test::writes_over("dc_prev", dc_prev, dc_prev_held, added("dc_prev", "dc ⊙ f")));
}

}  // namespace
