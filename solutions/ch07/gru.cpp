// Chapter 7: the GRU, through chapter 3's graph and by hand.
#include "bp/recurrent/gru_graph.hpp"

namespace bp {

//! [gru_step]
Var gru_step(Graph& g, const GruVars& p, Var x_t, Var h_prev) {
    // BEGIN EXERCISE 7.10 (ch07-gru): gru_step: u = sigmoid(W_xu x_t + W_hu h_prev + b_u), r likewise with W_xr, W_hr, b_r; the candidate = tanh(W_xh x_t + W_hh (r ⊙ h_prev) + b_h); h_t = u ⊙ h_prev + (1 - u) ⊙ candidate.
    // HINT 7.10 1: The GRU's four equations with the update gate u, and why the graph needs nothing new: one_minus for 1 - u, and the shares of h_{t-1}'s uses add up by themselves.
    // HINT 7.10 2: x_t is n_x x m, h_prev and the result n_h x m; the leaves p.W_x* are n_h x n_x, p.W_h* n_h x n_h, p.b_* n_h x 1; u, r and the candidate are n_h x m.
    // HINT 7.10 3: g.matmul(W, a), g.add(x, y), g.add_bias(z, b), g.sigmoid(z), g.tanh(z), g.mul(x, y) for ⊙, g.one_minus(u); each returns a new Var. No Eigen at all.
    // HINT 7.10 4: All weights and biases 0: u = r = 0.5, the candidate is tanh(0) = 0, so h_t = 0.5 h_prev: (2, -4) gives (1, -2). W_hh multiplies r ⊙ h_prev, not h_prev.
    const Var u = g.sigmoid(g.add_bias(g.add(g.matmul(p.W_xu, x_t), g.matmul(p.W_hu, h_prev)), p.b_u));
    const Var r = g.sigmoid(g.add_bias(g.add(g.matmul(p.W_xr, x_t), g.matmul(p.W_hr, h_prev)), p.b_r));
    const Var candidate = g.tanh(g.add_bias(g.add(g.matmul(p.W_xh, x_t), g.matmul(p.W_hh, g.mul(r, h_prev))), p.b_h));
    // h_prev is used four times (and u twice): the graph adds up every path's share.
    return g.add(g.mul(u, h_prev), g.mul(g.one_minus(u), candidate));
    // END EXERCISE 7.10
}
//! [gru_step]

//! [gru_step_backward]
void gru_step_backward(Gru& gru, ConstTimeStep x_t, ConstTimeStep h_prev, ConstTimeStep u, ConstTimeStep r, ConstTimeStep candidate,
                       ConstTimeStep dh_t, TimeStep dx_t, TimeStep dh_prev) {
    const Index n = gru.n_out(), m = x_t.cols();
    require_shape("gru_step_backward", "x_t", x_t, gru.n_in(), m);
    require_shape("gru_step_backward", "dx_t", dx_t, gru.n_in(), m);
    const std::pair<const char*, ConstTimeStep> states[] = {{"h_prev", h_prev}, {"u", u},       {"r", r},
                                                        {"candidate", candidate}, {"dh_t", dh_t}, {"dh_prev", dh_prev}};
    for (const auto& [name, s] : states) require_shape("gru_step_backward", name, s, n, m);
    // BEGIN EXERCISE 7.11 (ch07-gru-backward): gru_step_backward: back through h_t = u ⊙ h_prev + (1 - u) ⊙ h~, the candidate, then both gates; dh_prev gathers four paths.
    // HINT 7.11 1: The four paths from h_{t-1} to h_t, the gradients du, dA_h, d(r ⊙ h_{t-1}), dr, dA_u and dA_r, and the sum of four terms that is dh_{t-1}.
    // HINT 7.11 2: x_t and dx_t are n_x x m; h_prev, u, r, candidate, dh_t, dh_prev and each dA are n_h x m; every dW_x* is n_h x n_x, every dW_h* n_h x n_h; each db_* has n_h entries.
    // HINT 7.11 3: .array() for ⊙; per gate += dA * x_t.transpose(), dA * (what its W_h* multiplied).transpose(), dA.rowwise().sum(); dx_t = W_xh^T dA_h + W_xu^T dA_u + W_xr^T dA_r.
    // HINT 7.11 4: All weights and biases 0: u = r = 0.5, h~ = 0. dh_t = 1, h_prev = 2: du = 2, dA_u = 2 * 0.25 = 0.5, dA_h = 1 * 0.5 * 1 = 0.5, dh_prev = 0.5 (the direct path alone).
    // HINT 7.11 4: The trap: dW_hh pairs dA_h with r ⊙ h_prev, what W_hh multiplied, not with h_prev. dx_t and dh_prev are written (=), the nine gradients added (+=).
    const auto dh = dh_t.array();
    // h_t = u ⊙ h_{t-1} + (1 - u) ⊙ h~: path 1 to h_{t-1} is direct.
    Matrix dh_prev_sum = (dh * u.array()).matrix();
    const Eigen::ArrayXXd du = dh * (h_prev.array() - candidate.array());
    // h~ = tanh(A_h), A_h = W_xh x_t + W_hh (r ⊙ h_{t-1}) + b_h
    const Matrix dA_h = (dh * (1.0 - u.array()) * (1.0 - candidate.array().square())).matrix();
    const Matrix reset_h = r.cwiseProduct(h_prev);
    gru.dW_xh.noalias() += dA_h * x_t.transpose();
    gru.dW_hh.noalias() += dA_h * reset_h.transpose();
    gru.db_h += dA_h.rowwise().sum();
    const Matrix d_reset_h = gru.W_hh.transpose() * dA_h;  // the gradient of r ⊙ h_{t-1}
    dh_prev_sum += d_reset_h.cwiseProduct(r);                // path 2: through the candidate
    // u = sigmoid(A_u), r = sigmoid(A_r): sigmoid' = s (1 - s)
    const Matrix dA_u = (du * u.array() * (1.0 - u.array())).matrix();
    const Matrix dA_r = (d_reset_h.array() * h_prev.array() * r.array() * (1.0 - r.array())).matrix();
    gru.dW_xu.noalias() += dA_u * x_t.transpose();
    gru.dW_hu.noalias() += dA_u * h_prev.transpose();
    gru.db_u += dA_u.rowwise().sum();
    gru.dW_xr.noalias() += dA_r * x_t.transpose();
    gru.dW_hr.noalias() += dA_r * h_prev.transpose();
    gru.db_r += dA_r.rowwise().sum();
    dh_prev_sum.noalias() += gru.W_hu.transpose() * dA_u;  // path 3: through the update gate
    dh_prev_sum.noalias() += gru.W_hr.transpose() * dA_r;  // path 4: through the reset gate
    dh_prev = dh_prev_sum;
    dx_t.noalias() = gru.W_xh.transpose() * dA_h;
    dx_t.noalias() += gru.W_xu.transpose() * dA_u;
    dx_t.noalias() += gru.W_xr.transpose() * dA_r;
    // END EXERCISE 7.11
}
//! [gru_step_backward]

}  // namespace bp
