// Chapter 7: the GRU, through chapter 3's graph and by hand.
#include "bp/recurrent/gru_graph.hpp"

namespace bp {

//! [gru_step]
Var gru_step(Graph& g, const GruVars& p, Var x_t, Var h_prev) {
    // BEGIN EXERCISE 7.10 (ch07-gru): gru_step: sigmoid gates u, r; candidate from r ⊙ h_prev; h_t = u ⊙ h_prev + (1 - u) ⊙ candidate.
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
    const std::pair<const char*, ConstTimeStep> states[] = {{"h_prev", h_prev},       {"u", u},       {"r", r},
                                                            {"candidate", candidate}, {"dh_t", dh_t}, {"dh_prev", dh_prev}};
    for (const auto& [name, s] : states) require_shape("gru_step_backward", name, s, n, m);
    // BEGIN EXERCISE 7.11 (ch07-gru-backward): gru_step_backward: back through h_t, h~ and both gates; dh_prev adds up four paths.
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
    dh_prev_sum += d_reset_h.cwiseProduct(r);              // path 2: through the candidate
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
