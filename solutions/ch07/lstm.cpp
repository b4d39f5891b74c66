// Chapter 7: one step of the LSTM, forward and backward.
#include "bp/recurrent/lstm.hpp"

#include "bp/recurrent/cell_math.hpp"

namespace bp {

//! [lstm_step_forward]
void lstm_step_forward(const Lstm& lstm, ConstTimeStep x_t, ConstTimeStep h_prev, ConstTimeStep c_prev, TimeStep gates, TimeStep c_t, TimeStep h_t) {
    const Index n = lstm.n_out(), m = x_t.cols();
    require_shape("lstm_step_forward", "x_t", x_t, lstm.n_in(), m);
    require_shape("lstm_step_forward", "h_prev", h_prev, n, m);
    require_shape("lstm_step_forward", "c_prev", c_prev, n, m);
    require_shape("lstm_step_forward", "gates", gates, 4 * n, m);
    require_shape("lstm_step_forward", "c_t", c_t, n, m);
    require_shape("lstm_step_forward", "h_t", h_t, n, m);
    // BEGIN EXERCISE 7.8 (ch07-lstm): lstm_step_forward: gates = W_x x_t + W_h h_prev + b, sigmoid on i, f, o, tanh on g; c_t = f ⊙ c_prev + i ⊙ g; h_t = o ⊙ tanh(c_t).
    // HINT 7.8 1: The LSTM's equations, the order i, f, o, g of the four stacked blocks, and why the three sigmoid gates come first.
    // HINT 7.8 2: gates is 4 n_h x m: rows 0 to n_h - 1 are i, then f, o and g; W_x is 4 n_h x n_x, W_h 4 n_h x n_h, b has 4 n_h entries; x_t n_x x m; h_prev, c_prev, c_t, h_t n_h x m.
    // HINT 7.8 3: gates.noalias() = W_x x_t, += W_h h_prev, .colwise() += b; sigmoid_in_place(gates.topRows(3 * n)); tanh_in_place(gates.bottomRows(n)); middleRows(n, n) is f; .array() for ⊙.
    // HINT 7.8 4: n_h = 1, W = 0, b = (40, -40, 40, 0.5): i = 1, f = 0, o = 1, g = tanh(0.5) = 0.4621, so c_t = 0.4621 whatever c_prev, and h_t = tanh(0.4621) = 0.4318.
    // A = W_x x_t + W_h h_{t-1} + b, all four gates in one block, squashed in place.
    gates.noalias() = lstm.W_x * x_t;
    gates.noalias() += lstm.W_h * h_prev;
    gates.colwise() += lstm.b;
    sigmoid_in_place(gates.topRows(3 * n));  // i, f, o
    tanh_in_place(gates.bottomRows(n));      // g
    const auto i = gates.topRows(n).array(), f = gates.middleRows(n, n).array(), o = gates.middleRows(2 * n, n).array(),
               g = gates.bottomRows(n).array();
    c_t = (f * c_prev.array() + i * g).matrix();  // forget some of the old cell, take in some of the new
    h_t = c_t;
    tanh_in_place(h_t);
    h_t.array() *= o;  // h_t = o ⊙ tanh(c_t): show some of the cell
    // END EXERCISE 7.8
}
//! [lstm_step_forward]

//! [lstm_step_backward]
void lstm_step_backward(Lstm& lstm, ConstTimeStep x_t, ConstTimeStep h_prev, ConstTimeStep c_prev, ConstTimeStep gates, ConstTimeStep c_t,
                        ConstTimeStep dh_t, ConstTimeStep dc_next, TimeStep dx_t, TimeStep dh_prev, TimeStep dc_prev) {
    const Index n = lstm.n_out(), m = x_t.cols();
    require_shape("lstm_step_backward", "x_t", x_t, lstm.n_in(), m);
    require_shape("lstm_step_backward", "gates", gates, 4 * n, m);
    require_shape("lstm_step_backward", "dx_t", dx_t, lstm.n_in(), m);
    const std::pair<const char*, ConstTimeStep> states[] = {{"h_prev", h_prev}, {"c_prev", c_prev}, {"c_t", c_t}, {"dh_t", dh_t},
                                                        {"dc_next", dc_next}, {"dh_prev", dh_prev}, {"dc_prev", dc_prev}};
    for (const auto& [name, s] : states) require_shape("lstm_step_backward", name, s, n, m);
    // BEGIN EXERCISE 7.9 (ch07-lstm-backward): lstm_step_backward: dc = dc_next + dh ⊙ o ⊙ (1 - tanh^2(c_t)); each gate's dA through its activation; add into dW_x, dW_h, db; write dx_t, dh_prev, dc_prev = dc ⊙ f.
    // HINT 7.9 1: The backward lines: dc with its two shares, then di, dg, df, do and dc_prev, each gate back through its activation, and the linear part as in the RNN.
    // HINT 7.9 2: gates (after their activations) and dA are 4 n_h x m, blocks i, f, o, g; dh_t, dc_next, c_prev, c_t, dh_prev and dc_prev are n_h x m; dx_t is n_x x m.
    // HINT 7.9 3: topRows(n), middleRows(n, n), middleRows(2 * n, n), bottomRows(n); tanh(c_t) via tanh_in_place on a copy; .array() products; dA * x_t.transpose(), dA.rowwise().sum().
    // HINT 7.9 4: W = 0, b = 0: i = f = o = 0.5, g = 0; c_prev = 2, so c_t = 1. dh_t = 0, dc_next = 1: dc = 1, df = dc c_prev = 2, dA_f = 2 * 0.25 = 0.5 (c_t would give 0.25), dc_prev = 0.5.
    const auto i = gates.topRows(n).array(), f = gates.middleRows(n, n).array(), o = gates.middleRows(2 * n, n).array(),
               g = gates.bottomRows(n).array();
    Matrix tanh_c = c_t;
    tanh_in_place(tanh_c);
    const auto th = tanh_c.array();
    const auto dh = dh_t.array();
    // h_t = o ⊙ tanh(c_t): c_t gets dh ⊙ o ⊙ tanh'(c_t), on top of what step t + 1 sent it.
    const Eigen::ArrayXXd dc = dc_next.array() + dh * o * (1.0 - th.square());
    // Each gate's share, then back through its activation (sigmoid' = s (1 - s), tanh' = 1 - g^2):
    Matrix dA(4 * n, m);
    dA.topRows(n) = (dc * g * i * (1.0 - i)).matrix();                     // di = dc ⊙ g
    dA.middleRows(n, n) = (dc * c_prev.array() * f * (1.0 - f)).matrix();  // df = dc ⊙ c_{t-1}
    dA.middleRows(2 * n, n) = (dh * th * o * (1.0 - o)).matrix();           // do = dh ⊙ tanh(c_t)
    dA.bottomRows(n) = (dc * i * (1.0 - g.square())).matrix();             // dg = dc ⊙ i
    dc_prev = (dc * f).matrix();  // c_t = f ⊙ c_{t-1} + ...: the direct path back
    // A = W_x x_t + W_h h_{t-1} + b: the linear backward, for all four gates at once.
    lstm.dW_x.noalias() += dA * x_t.transpose();
    lstm.dW_h.noalias() += dA * h_prev.transpose();
    lstm.db += dA.rowwise().sum();
    dx_t.noalias() = lstm.W_x.transpose() * dA;
    dh_prev.noalias() = lstm.W_h.transpose() * dA;
    // END EXERCISE 7.9
}
//! [lstm_step_backward]

}  // namespace bp
