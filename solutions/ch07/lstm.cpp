// Chapter 7: one step of the LSTM, forward and backward.
#include "bp/recurrent/lstm.hpp"

#include "bp/recurrent/cell_math.hpp"

namespace bp {

//! [lstm_step_forward]
void lstm_step_forward(const Lstm& lstm, ConstTimeStep x_t, ConstTimeStep h_prev, ConstTimeStep c_prev, TimeStep gates, TimeStep c_t,
                       TimeStep h_t) {
    const Index n = lstm.n_out(), m = x_t.cols();
    require_shape("lstm_step_forward", "x_t", x_t, lstm.n_in(), m);
    require_shape("lstm_step_forward", "h_prev", h_prev, n, m);
    require_shape("lstm_step_forward", "c_prev", c_prev, n, m);
    require_shape("lstm_step_forward", "gates", gates, 4 * n, m);
    require_shape("lstm_step_forward", "c_t", c_t, n, m);
    require_shape("lstm_step_forward", "h_t", h_t, n, m);
    // BEGIN EXERCISE 7.8 (ch07-lstm): lstm_step_forward: gates = W_x x_t + W_h h_prev + b; c_t = f ⊙ c_prev + i ⊙ g; h_t = o ⊙ tanh(c_t).
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
    const std::pair<const char*, ConstTimeStep> states[] = {{"h_prev", h_prev},   {"c_prev", c_prev},   {"c_t", c_t},        {"dh_t", dh_t},
                                                            {"dc_next", dc_next}, {"dh_prev", dh_prev}, {"dc_prev", dc_prev}};
    for (const auto& [name, s] : states) require_shape("lstm_step_backward", name, s, n, m);
    // BEGIN EXERCISE 7.9 (ch07-lstm-backward): lstm_step_backward: dc = dc_next + dh ⊙ o ⊙ (1 - tanh^2(c_t)); gates' dA; dc_prev = dc ⊙ f.
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
    dA.middleRows(2 * n, n) = (dh * th * o * (1.0 - o)).matrix();          // do = dh ⊙ tanh(c_t)
    dA.bottomRows(n) = (dc * i * (1.0 - g.square())).matrix();             // dg = dc ⊙ i
    dc_prev = (dc * f).matrix();                                           // c_t = f ⊙ c_{t-1} + ...: the direct path back
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
