/// \file
/// The long short-term memory layer of chapter 7 (Hochreiter and Schmidhuber, 1997): gates
/// that decide what a cell c_t forgets, takes in and shows, and a direct path from c_{t-1} to
/// c_t along which the gradient can travel far.
#pragma once

#include "bp/core/random.hpp"
#include "bp/recurrent/sequence.hpp"

#include <vector>

namespace bp {

/// An LSTM layer. Its four gates are stacked in one 4 n_h x m block, in the order i, f, o, g:
///
///     A = W_x x_t + W_h h_{t-1} + b,   i = sigmoid(A_i), f = sigmoid(A_f), o = sigmoid(A_o), g = tanh(A_g),
///     c_t = f ⊙ c_{t-1} + i ⊙ g,       h_t = o ⊙ tanh(c_t).
///
/// The three sigmoid gates come first, so that one call squashes them all.
// [lstm]
class Lstm : public SequenceLayer {
public:
    Matrix W_x;  ///< 4 n_h x n_x: rows 0 to n_h - 1 for i, then f, o and g
    Matrix W_h;  ///< 4 n_h x n_h, the same order
    Vector b;    ///< 4 n_h; the forget gate's part starts at 1 (the layer starts by remembering)
    Matrix dW_x, dW_h;
    Vector db;

    // What forward keeps for backward.
    Sequence x;      ///< x_1, ..., x_T
    Matrix h0, c0;   ///< the start state
    Sequence gates;  ///< i, f, o and g after their activations, 4 n_h x m at each step
    Sequence c;      ///< c_1, ..., c_T
    Sequence h;      ///< h_1, ..., h_T: what forward returns
    bool has_forward = false;

    // What backward computes besides the parameters' gradients.
    Sequence dh;             ///< dL/dh_t for t = 1, ..., T, in full
    Sequence dx;             ///< dL/dx_t
    RecurrentState d_start;  ///< dL/dh_0 and dL/dc_0

    /// Per gate: W_x's block Xavier, W_h's block a random orthogonal matrix; b = 0 but
    /// forget_bias for the forget gate.
    Lstm(Index n_x, Index n_h, Rng& rng, double forget_bias = 1.0);
    /// Given weights: W_x 4 n_h x n_x, W_h 4 n_h x n_h, b 4 n_h, gates in the order i, f, o, g.
    Lstm(Matrix W_x, Matrix W_h, Vector b);

    Index n_in() const override { return W_x.cols(); }
    Index n_out() const override { return W_h.cols(); }

    /// h_t and c_t for t = 0, ..., T after forward (t = 0: the start state).
    ConstTimeStep hidden(Index t) const;
    ConstTimeStep cell(Index t) const;

    /// For t = 1, ..., T: lstm_step_forward from h_{t-1} and c_{t-1}.
    const Sequence& forward(const Sequence& input, const RecurrentState& start = {}) override;
    /// For t = T down to 1: dh_t = dh_out_t + what step t + 1 sent back to h_t, and dc_t what it
    /// sent back to c_t; lstm_step_backward.
    const Sequence& backward(const Sequence& dh_out) override;

    const Sequence& hidden_grads() const override { return dh; }
    const RecurrentState& start_grad() const override { return d_start; }
    RecurrentState final_state() const override;

    /// W_x, W_h, b with their gradients.
    std::vector<Parameter> own_parameters() override;
    std::vector<double> settings() const override;  ///< n_x, n_h
    std::string kind() const override { return "lstm"; }
    std::unique_ptr<SequenceLayer> clone() const override { return std::make_unique<Lstm>(*this); }
};
// [lstm]

/// The gates in the order of the stacked blocks: "i", "f", "o", "g".
const char* lstm_gate_name(int gate);

/// Exercise 7.8 (exercises/ch07/lstm.cpp), one step: the gates' block
/// A = W_x x_t + W_h h_prev + b into `gates` (4 n_h x m), squashed in place (sigmoid for i, f,
/// o; tanh for g); then c_t = f ⊙ c_prev + i ⊙ g and h_t = o ⊙ tanh(c_t).
void lstm_step_forward(const Lstm& lstm, ConstTimeStep x_t, ConstTimeStep h_prev, ConstTimeStep c_prev, TimeStep gates, TimeStep c_t,
                       TimeStep h_t);

/// Exercise 7.9 (exercises/ch07/lstm.cpp), one step back. Given what the step's forward saw
/// and made, dh_t = dL/dh_t in full and dc_next = dL/dc_t as step t + 1 sent it back: ADDS
/// dA x_t^T to dW_x, dA h_prev^T to dW_h and the row sums of dA to db, and writes
/// dx_t = W_x^T dA, dh_prev = W_h^T dA and dc_prev = dL/dc_{t-1}, where dA is the gradient of
/// the gates' block before their activations.
void lstm_step_backward(Lstm& lstm, ConstTimeStep x_t, ConstTimeStep h_prev, ConstTimeStep c_prev, ConstTimeStep gates, ConstTimeStep c_t,
                        ConstTimeStep dh_t, ConstTimeStep dc_next, TimeStep dx_t, TimeStep dh_prev, TimeStep dc_prev);

}  // namespace bp
