// Chapter 7: the recurrent cell, and the forward pass over a whole sequence.
#include "bp/recurrent/rnn.hpp"

#include "bp/recurrent/cell_math.hpp"

namespace bp {

//! [rnn_step_forward]
void rnn_step_forward(const Rnn& rnn, ConstTimeStep x_t, ConstTimeStep h_prev, TimeStep h_t) {
    const Index m = x_t.cols();
    require_shape("rnn_step_forward", "x_t", x_t, rnn.n_in(), m);
    require_shape("rnn_step_forward", "h_prev", h_prev, rnn.n_out(), m);
    require_shape("rnn_step_forward", "h_t", h_t, rnn.n_out(), m);
    // BEGIN EXERCISE 7.1 (ch07-cell): rnn_step_forward: z = W_x x_t + W_h h_prev + b, then h_t = f(z) (tanh_in_place for tanh).
    // z is computed in h_t's own memory, then turned into h_t = f(z) in place.
    h_t.noalias() = rnn.W_x * x_t;
    h_t.noalias() += rnn.W_h * h_prev;
    h_t.colwise() += rnn.b;
    if (rnn.f == Activation::tanh) tanh_in_place(h_t);  // the identity leaves z as it is
    // END EXERCISE 7.1
}
//! [rnn_step_forward]

//! [rnn_forward]
const Sequence& Rnn::forward(const Sequence& input, const RecurrentState& start) {
    if (input.empty()) throw ShapeError("Rnn::forward", "the input sequence is empty");
    require_shape("Rnn::forward", "each step x_t", input.at(1), n_in(), input.batch());
    const Index T = input.steps(), m = input.batch();
    x = input;
    h0 = start_or_zeros("Rnn::forward", "h_0", start.h, n_out(), m);
    h.resize(n_out(), T, m);
    has_forward = false;  // until every state is made
    // BEGIN EXERCISE 7.2 (ch07-unrolling): Rnn::forward: for t = 1, ..., T, step t makes h.at(t) from x.at(t) and hidden(t - 1).
    // The same weights at every step: unrolled, this is T layers that share W_x, W_h and b.
    for (Index t = 1; t <= T; ++t) rnn_step_forward(*this, x.at(t), hidden(t - 1), h.at(t));
    // END EXERCISE 7.2
    has_forward = true;
    return h;
}
//! [rnn_forward]

}  // namespace bp
