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
    throw bp::NotImplemented("7.8", "exercises/ch07/lstm.cpp",
                             "Chapter 7, section 'The LSTM' (chapters/07-bptt/chapter.md)");
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
    throw bp::NotImplemented("7.9", "exercises/ch07/lstm.cpp",
                             "Chapter 7, section 'The LSTM's backward pass' (chapters/07-bptt/chapter.md)");
    // END EXERCISE 7.9
}
//! [lstm_step_backward]

}  // namespace bp
