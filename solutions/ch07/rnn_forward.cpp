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
    // HINT 7.1 1: The cell's equations, z_t = W_x x_t + W_h h_{t-1} + b and h_t = tanh(z_t), and the paragraph on computing z_t in h_t's memory and applying tanh in place.
    // HINT 7.1 2: W_x is n_h x n_x, x_t n_x x m, W_h n_h x n_h, h_prev and h_t n_h x m, b has n_h entries; h_t is a TimeStep, a view you write into.
    // HINT 7.1 3: h_t.noalias() = rnn.W_x * x_t; h_t.noalias() += rnn.W_h * h_prev; h_t.colwise() += rnn.b; tanh_in_place(h_t) (cell_math.hpp) when rnn.f is Activation::tanh.
    // HINT 7.1 4: Identity, W_x = (1, 2), x_t = 3, W_h = [1 2; 0 1], h_prev = (1, 1), b = (0.5, -1): z = (3 + 3 + 0.5, 6 + 1 - 1) = (6.5, 6) = h_t. Only tanh changes z.
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
    // BEGIN EXERCISE 7.2 (ch07-unrolling): Rnn::forward: for t = 1, ..., T, step t makes h.at(t) from x.at(t) and h_{t-1}, which is hidden(t - 1).
    // HINT 7.2 1: The unrolled network: the same cell applied T times from h_0, and which states the forward pass keeps (and why not z_t).
    // HINT 7.2 2: x.at(t) is step t (n_x x m) and h.at(t) where h_t goes (n_h x m), t from 1 to T; hidden(t - 1) is h_{t-1}, which for t = 1 is the stored h0.
    // HINT 7.2 3: for (Index t = 1; t <= T; ++t) with rnn_step_forward (exercise 7.1) on x.at(t) and hidden(t - 1), writing into h.at(t); *this is the Rnn.
    // HINT 7.2 4: Identity, no input, W_h = [1 2; 0 1], b = 0, h_0 = (0, 1): h_1 = (2, 1), h_2 = (4, 1), h_3 = (6, 1). Steps count from 1 (x.at(0) is an error); step t reads h_{t-1}.
    // The same weights at every step: unrolled, this is T layers that share W_x, W_h and b.
    for (Index t = 1; t <= T; ++t) rnn_step_forward(*this, x.at(t), hidden(t - 1), h.at(t));
    // END EXERCISE 7.2
    has_forward = true;
    return h;
}
//! [rnn_forward]

}  // namespace bp
