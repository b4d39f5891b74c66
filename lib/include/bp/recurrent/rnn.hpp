/// \file
/// The vanilla recurrent layer of chapter 7, h_t = tanh(W_x x_t + W_h h_{t-1} + b), with its
/// forward pass over a sequence and backpropagation through time.
#pragma once

#include "bp/core/activations.hpp"
#include "bp/core/random.hpp"
#include "bp/recurrent/sequence.hpp"

#include <vector>

namespace bp {

/// A recurrent layer: h_t = f(W_x x_t + W_h h_{t-1} + b) for t = 1, ..., T, the same W_x, W_h
/// and b at every step; f is tanh, or the identity for the linear RNN of the chapter's analysis.
// [rnn]
class Rnn : public SequenceLayer {
public:
    // Parameters, and the gradients of the loss with respect to them (same shapes).
    Matrix W_x;         ///< n_h x n_x
    Matrix W_h;         ///< n_h x n_h
    Vector b;           ///< n_h
    Matrix dW_x, dW_h;  ///< backward adds into them, over every step
    Vector db;
    Activation f;  ///< tanh or identity

    // What forward keeps for backward: the input and every state. tanh'(z_t) = 1 - h_t^2 is
    // read from h_t, so z_t is not kept.
    Sequence x;  ///< x_1, ..., x_T, each n_x x m
    Matrix h0;   ///< h_0, n_h x m
    Sequence h;  ///< h_1, ..., h_T, each n_h x m: what forward returns
    bool has_forward = false;

    // What backward computes besides the parameters' gradients.
    Sequence dh;             ///< dL/dh_t for t = 1, ..., T, in full
    Sequence dx;             ///< dL/dx_t
    RecurrentState d_start;  ///< dL/dh_0, in d_start.h

    /// W_x drawn as Xavier's uniform, W_h a random orthogonal matrix, b = 0, gradients 0.
    Rnn(Index n_x, Index n_h, Rng& rng, Activation f = Activation::tanh);
    /// Given weights, as in a worked example: W_x is n_h x n_x, W_h n_h x n_h, b has n_h elements.
    Rnn(Matrix W_x, Matrix W_h, Vector b, Activation f = Activation::tanh);

    Index n_in() const override { return W_x.cols(); }
    Index n_out() const override { return W_h.rows(); }

    /// h_t for t = 0, ..., T after forward: hidden(0) is h_0.
    ConstTimeStep hidden(Index t) const;

    /// Exercise 7.2 (exercises/ch07/rnn_forward.cpp): h_t = f(W_x x_t + W_h h_{t-1} + b) for
    /// t = 1, ..., T, one step at a time from h_0 = start.h (zeros if empty). Keeps x, h_0 and h.
    const Sequence& forward(const Sequence& input, const RecurrentState& start = {}) override;

    /// Exercise 7.4 (exercises/ch07/rnn_backward.cpp), backpropagation through time: for
    /// t = T down to 1, dh_t = dh_out_t + what step t + 1 sent back, then the step's backward.
    /// ADDS into dW_x, dW_h, db; returns dx; keeps dh and dL/dh_0 (d_start.h).
    const Sequence& backward(const Sequence& dh_out) override;

    const Sequence& hidden_grads() const override { return dh; }
    const RecurrentState& start_grad() const override { return d_start; }
    RecurrentState final_state() const override;

    /// W_x, W_h and b with their gradients, named W_x, W_h, b.
    std::vector<Parameter> own_parameters() override;
    std::vector<double> settings() const override;  ///< n_x, n_h, f
    /// f and h_1, ..., h_T side by side, once forward has run.
    std::optional<ActivationOutput> activation_output() const override;
    std::string kind() const override { return "rnn"; }
    std::unique_ptr<SequenceLayer> clone() const override { return std::make_unique<Rnn>(*this); }
};
// [rnn]

/// Exercise 7.1 (exercises/ch07/rnn_forward.cpp), one step: h_t = f(W_x x_t + W_h h_prev + b).
/// x_t is n_x x m, h_prev and h_t are n_h x m; h_t is written in place.
void rnn_step_forward(const Rnn& rnn, ConstTimeStep x_t, ConstTimeStep h_prev, TimeStep h_t);

/// Exercise 7.3 (exercises/ch07/rnn_backward.cpp), one step of BPTT. Given dh_t = dL/dh_t in
/// full and what the step's forward saw (x_t, h_prev) and made (h_t): dz = dh_t ⊙ f'(z), then
/// ADDS dz x_t^T to dW_x, dz h_prev^T to dW_h and the row sums of dz to db, and writes
/// dx_t = W_x^T dz and dh_prev = W_h^T dz, the gradient this step sends back to h_{t-1}.
void rnn_step_backward(Rnn& rnn, ConstTimeStep x_t, ConstTimeStep h_prev, ConstTimeStep h_t, ConstTimeStep dh_t, TimeStep dx_t,
                       TimeStep dh_prev);

/// Exercise 7.6 (exercises/ch07/rnn_check.cpp): after forward, for a loss at the last step
/// only with dL/dh_T = g (n_h x m): ||dL/dh_t|| for t = 0, ..., T (norms[t]), carried back by
/// dh_{t-1} = W_h^T (dh_t ⊙ f'(z_t)) alone. norms[T] is ||g||.
std::vector<double> hidden_state_gradient_norms(const Rnn& rnn, const Matrix& g);

/// A random n x n orthogonal matrix (Q^T Q = I), by Gram-Schmidt on normal columns: every
/// singular value is 1, so rho Q has spectral radius and norm rho.
Matrix random_orthogonal(Index n, Rng& rng);

}  // namespace bp
