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
    // h_t = f(z): dz = dh_t ⊙ f'(z), and tanh'(z) = 1 - h_t^2 is read from the stored h_t.
    Matrix dz = dh_t;
    if (rnn.f == Activation::tanh) dz.array() *= 1.0 - h_t.array().square();
    // z = W_x x_t + W_h h_{t-1} + b: chapter 3's linear backward for each product, db once.
    rnn.dW_x.noalias() += dz * x_t.transpose();
    rnn.dW_h.noalias() += dz * h_prev.transpose();  // h_{t-1}, the state this step read
    rnn.db += dz.rowwise().sum();
    dx_t.noalias() = rnn.W_x.transpose() * dz;
    dh_prev.noalias() = rnn.W_h.transpose() * dz;  // W_h is square: W_h dz would fit the shapes too
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
    for (Index t = T; t >= 1; --t) {
        dh.at(t) = dh_out.at(t) + dh_next;  // h_t feeds the layer above and step t + 1: both shares
        rnn_step_backward(*this, x.at(t), hidden(t - 1), h.at(t), dh.at(t), dx.at(t), dh_next);
    }
    d_start.h = dh_next;  // dL/dh_0
    // END EXERCISE 7.4
    return dx;
}
//! [rnn_backward]

}  // namespace bp
