// Chapter 7: backpropagation through time for the vanilla RNN.
#include "bp/recurrent/rnn.hpp"

namespace bp {

//! [rnn_step_backward]
void rnn_step_backward(Rnn& rnn, ConstTimeStep x_t, ConstTimeStep h_prev, ConstTimeStep h_t, ConstTimeStep dh_t, TimeStep dx_t,
                       TimeStep dh_prev) {
    const Index m = x_t.cols();
    require_shape("rnn_step_backward", "dx_t", dx_t, rnn.n_in(), m);
    require_shape("rnn_step_backward", "h_prev", h_prev, rnn.n_out(), m);
    require_shape("rnn_step_backward", "h_t", h_t, rnn.n_out(), m);
    require_shape("rnn_step_backward", "dh_t", dh_t, rnn.n_out(), m);
    require_shape("rnn_step_backward", "dh_prev", dh_prev, rnn.n_out(), m);
    // BEGIN EXERCISE 7.3 (ch07-bptt): rnn_step_backward: dz = dh_t ⊙ f'(z); add into dW_x, dW_h, db; write dx_t and dh_prev = W_h^T dz.
    throw bp::NotImplemented("7.3", "exercises/ch07/rnn_backward.cpp",
                             "Chapter 7, section 'Backpropagation through time' (chapters/07-bptt/chapter.md)");
    // END EXERCISE 7.3
}
//! [rnn_step_backward]

//! [rnn_backward]
const Sequence& Rnn::backward(const Sequence& dh_out) {
    require_backward_input("Rnn::backward", has_forward, dh_out, n_out(), x);
    const Index T = x.steps(), m = x.batch();
    dh.resize(n_out(), T, m);
    dx.resize(n_in(), T, m);
    Matrix dh_next = Matrix::Zero(n_out(), m);  // what step t + 1 sends back to h_t; nothing comes after step T
    // BEGIN EXERCISE 7.4 (ch07-bptt): Rnn::backward: t = T, ..., 1: dh.at(t) = dh_out.at(t) + dh_next, then its step; d_start.h = dh_next.
    throw bp::NotImplemented("7.4", "exercises/ch07/rnn_backward.cpp",
                             "Chapter 7, section 'Backpropagation through time' (chapters/07-bptt/chapter.md)");
    // END EXERCISE 7.4
    return dx;
}
//! [rnn_backward]

}  // namespace bp
