// Chapter 7: checking backpropagation through time, and watching the gradient travel back.
#include "bp/check/gradcheck.hpp"
#include "bp/recurrent/rnn.hpp"

namespace bp {

//! [check_rnn_gradients]
GradientCheck check_rnn_gradients(Rnn& rnn, const Sequence& x, const Matrix& h0, Rng& rng) {
    if (x.empty()) throw ShapeError("check_rnn_gradients", "the input sequence is empty");
    require_shape("check_rnn_gradients", "each step x_t", x.at(1), rnn.n_in(), x.batch());
    require_shape("check_rnn_gradients", "h0", h0, rnn.n_out(), x.batch());
    // BEGIN EXERCISE 7.5 (ch07-checking): check_rnn_gradients: L = sum_t sum(G_t ⊙ h_t), G from rng; check W_x, W_h, b, "x", "h0".
    throw bp::NotImplemented("7.5", "exercises/ch07/rnn_check.cpp",
                             "Chapter 7, section 'Checking it' (chapters/07-bptt/chapter.md)");
    // END EXERCISE 7.5
}
//! [check_rnn_gradients]

//! [hidden_state_gradient_norms]
std::vector<double> hidden_state_gradient_norms(const Rnn& rnn, const Matrix& g) {
    if (!rnn.has_forward) throw UsageError("hidden_state_gradient_norms", "run the layer's forward first: the norms need its states");
    require_shape("hidden_state_gradient_norms", "g", g, rnn.n_out(), rnn.x.batch());
    const Index T = rnn.x.steps();
    std::vector<double> norms(static_cast<std::size_t>(T + 1));
    // BEGIN EXERCISE 7.6 (ch07-vanishing): hidden_state_gradient_norms: dh_T = g, dh_{t-1} = W_h^T (dh_t ⊙ f'(z_t)); each ||dh_t||.
    throw bp::NotImplemented("7.6", "exercises/ch07/rnn_check.cpp",
                             "Chapter 7, section 'Why gradients vanish and explode through time' (chapters/07-bptt/chapter.md)");
    // END EXERCISE 7.6
    return norms;
}
//! [hidden_state_gradient_norms]

}  // namespace bp
