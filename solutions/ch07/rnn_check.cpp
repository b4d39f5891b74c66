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
    // dL/dh_t = G_t at every step, so backward(G) must produce the exact gradients.
    const Sequence G(rng.uniform_matrix(rnn.n_out(), x.steps() * x.batch(), -1, 1), x.batch());
    Sequence inputs = x;
    Matrix start = h0;
    Matrix d_inputs = Matrix::Zero(inputs.all().rows(), inputs.all().cols()), d_start = Matrix::Zero(h0.rows(), h0.cols());
    const auto loss = [&] { return G.all().cwiseProduct(rnn.forward(inputs, {start, Matrix()}).all()).sum(); };
    const auto backward = [&] {
        rnn.zero_grad();
        rnn.forward(inputs, {start, Matrix()});
        d_inputs = rnn.backward(G).all();
        d_start = rnn.start_grad().h;
    };
    std::vector<Parameter> params = rnn.parameters();  // W_x, W_h, b
    params.emplace_back("x", inputs.all(), d_inputs);  // every step of the input
    params.emplace_back("h0", start, d_start);
    return check_gradients(params, loss, backward);
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
    Matrix dh = g;  // dL/dh_T: the loss is at step T only
    norms[static_cast<std::size_t>(T)] = dh.norm();
    for (Index t = T; t >= 1; --t) {
        // dh_{t-1} = (D_t W_h)^T dh_t, D_t = diag(f'(z_t)): one more Jacobian in the product
        if (rnn.f == Activation::tanh) dh.array() *= 1.0 - rnn.hidden(t).array().square();
        dh = rnn.W_h.transpose() * dh;
        norms[static_cast<std::size_t>(t - 1)] = dh.norm();
    }
    // END EXERCISE 7.6
    return norms;
}
//! [hidden_state_gradient_norms]

}  // namespace bp
