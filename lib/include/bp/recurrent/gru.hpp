/// \file
/// The gated recurrent unit of chapter 7 (Cho et al., 2014): an update gate u that mixes the old
/// state with a candidate, and a reset gate r that decides how much of the old state the
/// candidate sees. Built twice: by hand, and with chapter 3's computational graph (bp/recurrent/gru_graph.hpp).
#pragma once

#include "bp/core/random.hpp"
#include "bp/recurrent/sequence.hpp"

#include <vector>

namespace bp {

/// A GRU layer, each gate with weights of its own:
///
///     u = sigmoid(W_xu x_t + W_hu h_{t-1} + b_u)               the update gate
///     r = sigmoid(W_xr x_t + W_hr h_{t-1} + b_r)               the reset gate
///     h~ = tanh(W_xh x_t + W_hh (r ⊙ h_{t-1}) + b_h)          the candidate
///     h_t = u ⊙ h_{t-1} + (1 - u) ⊙ h~
///
/// (The update gate is u because z is the pre-activation everywhere in the course.)
// [gru]
class Gru : public SequenceLayer {
public:
    Matrix W_xu, W_hu;  ///< n_h x n_x, n_h x n_h
    Vector b_u;         ///< n_h
    Matrix W_xr, W_hr;
    Vector b_r;
    Matrix W_xh, W_hh;
    Vector b_h;
    Matrix dW_xu, dW_hu, dW_xr, dW_hr, dW_xh, dW_hh;  ///< backward adds into them
    Vector db_u, db_r, db_h;

    // What forward keeps for backward.
    Sequence x;          ///< x_1, ..., x_T
    Matrix h0;           ///< h_0
    Sequence u, r;       ///< the gates at each step
    Sequence candidate;  ///< h~ at each step
    Sequence h;          ///< h_1, ..., h_T: what forward returns
    bool has_forward = false;

    Sequence dh;             ///< dL/dh_t for t = 1, ..., T, in full
    Sequence dx;             ///< dL/dx_t
    RecurrentState d_start;  ///< dL/dh_0

    /// The W_x* Xavier, the W_h* random orthogonal matrices; b_u = update_bias, so that the
    /// layer starts by keeping most of its state (as an LSTM's forget bias does), the other
    /// biases 0.
    Gru(Index n_x, Index n_h, Rng& rng, double update_bias = 1.0);
    /// Given weights, as in a worked example or a model trained elsewhere, in the order of
    /// parameters(): each W_x* n_h x n_x, each W_h* n_h x n_h, each b_* n_h elements, with n_x and
    /// n_h taken from W_xu. A tensor of another shape is a ShapeError naming it.
    Gru(Matrix W_xu, Matrix W_hu, Vector b_u, Matrix W_xr, Matrix W_hr, Vector b_r, Matrix W_xh, Matrix W_hh, Vector b_h);

    Index n_in() const override { return W_xu.cols(); }
    Index n_out() const override { return W_hu.rows(); }

    /// h_t for t = 0, ..., T after forward (t = 0: the start state).
    ConstTimeStep hidden(Index t) const;

    /// For t = 1, ..., T: gru_step_forward from h_{t-1}.
    const Sequence& forward(const Sequence& input, const RecurrentState& start = {}) override;
    /// For t = T down to 1: dh_t = dh_out_t + what step t + 1 sent back; gru_step_backward.
    const Sequence& backward(const Sequence& dh_out) override;

    const Sequence& hidden_grads() const override { return dh; }
    const RecurrentState& start_grad() const override { return d_start; }
    RecurrentState final_state() const override;

    /// W_xu, W_hu, b_u, then the same for r and for the candidate (h).
    std::vector<Parameter> own_parameters() override;
    std::vector<double> settings() const override;  ///< n_x, n_h
    std::string kind() const override { return "gru"; }
    std::unique_ptr<SequenceLayer> clone() const override { return std::make_unique<Gru>(*this); }
};
// [gru]

/// One GRU step by hand: writes the gates u and r, the candidate and h_t (each n_h x m).
void gru_step_forward(const Gru& gru, ConstTimeStep x_t, ConstTimeStep h_prev, TimeStep u, TimeStep r, TimeStep candidate, TimeStep h_t);

/// Exercise 7.11 (exercises/ch07/gru.cpp), one GRU step back by hand. Given what the step's
/// forward saw and made and dh_t = dL/dh_t in full: ADDS into every gradient of the layer, and
/// writes dx_t and dh_prev = dL/dh_{t-1}, which h_{t-1} receives along four paths: through
/// u ⊙ h_{t-1} directly, and through the products with W_hu, W_hr and W_hh.
void gru_step_backward(Gru& gru, ConstTimeStep x_t, ConstTimeStep h_prev, ConstTimeStep u, ConstTimeStep r, ConstTimeStep candidate,
                       ConstTimeStep dh_t, TimeStep dx_t, TimeStep dh_prev);

}  // namespace bp
