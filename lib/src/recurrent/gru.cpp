#include "bp/recurrent/gru_graph.hpp"

#include "bp/recurrent/cell_math.hpp"
#include "bp/core/init.hpp"
#include "bp/recurrent/rnn.hpp"  // random_orthogonal

#include <string>
#include <utility>

namespace bp {

Gru::Gru(Index n_x, Index n, Rng& rng, double update_bias) {
    if (n_x <= 0 || n <= 0)
        throw ShapeError("Gru", "needs n_x > 0 and n_h > 0, got n_x = " + std::to_string(n_x) + " and n_h = " + std::to_string(n));
    W_xu = xavier_uniform(n, n_x, rng);
    W_hu = random_orthogonal(n, rng);
    W_xr = xavier_uniform(n, n_x, rng);
    W_hr = random_orthogonal(n, rng);
    W_xh = xavier_uniform(n, n_x, rng);
    W_hh = random_orthogonal(n, rng);
    b_u = Vector::Constant(n, update_bias);
    b_r = b_h = Vector::Zero(n);
    zero_grad();
}

Gru::Gru(Matrix W_xu_, Matrix W_hu_, Vector b_u_, Matrix W_xr_, Matrix W_hr_, Vector b_r_, Matrix W_xh_, Matrix W_hh_, Vector b_h_)
    : W_xu(std::move(W_xu_)),
      W_hu(std::move(W_hu_)),
      b_u(std::move(b_u_)),
      W_xr(std::move(W_xr_)),
      W_hr(std::move(W_hr_)),
      b_r(std::move(b_r_)),
      W_xh(std::move(W_xh_)),
      W_hh(std::move(W_hh_)),
      b_h(std::move(b_h_)) {
    // W_xu gives n_h and n_x; every other tensor is then checked against them, by name.
    const Index n = W_xu.rows(), n_x = W_xu.cols();
    if (n == 0 || n_x == 0) throw ShapeError("Gru", "W_xu is " + shape(W_xu) + "; it must be n_h x n_x with n_h > 0 and n_x > 0");
    const std::string sizes = " (n_h = " + std::to_string(n) + " and n_x = " + std::to_string(n_x) + ", from W_xu)";
    const std::pair<const char*, const Matrix*> inputs[] = {{"W_xr", &W_xr}, {"W_xh", &W_xh}};
    for (const auto& [name, W] : inputs)
        if (W->rows() != n || W->cols() != n_x)
            throw ShapeError("Gru", std::string(name) + " is " + shape(*W) + " but must be n_h x n_x = " + std::to_string(n) + "x" +
                                        std::to_string(n_x) + sizes);
    const std::pair<const char*, const Matrix*> recurrent[] = {{"W_hu", &W_hu}, {"W_hr", &W_hr}, {"W_hh", &W_hh}};
    for (const auto& [name, W] : recurrent)
        if (W->rows() != n || W->cols() != n)
            throw ShapeError("Gru", std::string(name) + " is " + shape(*W) + " but must be n_h x n_h = " + std::to_string(n) + "x" +
                                        std::to_string(n) + sizes);
    const std::pair<const char*, const Vector*> biases[] = {{"b_u", &b_u}, {"b_r", &b_r}, {"b_h", &b_h}};
    for (const auto& [name, b] : biases)
        if (b->size() != n)
            throw ShapeError("Gru", std::string(name) + " has " + std::to_string(b->size()) +
                                        " elements but must have n_h = " + std::to_string(n) + sizes);
    zero_grad();
}

ConstTimeStep Gru::hidden(Index t) const { return stored_step("Gru::hidden", "h", h0, h, t); }

void gru_step_forward(const Gru& gru, ConstTimeStep x_t, ConstTimeStep h_prev, TimeStep u, TimeStep r, TimeStep candidate, TimeStep h_t) {
    const Index n = gru.n_out(), m = x_t.cols();
    require_shape("gru_step_forward", "x_t", x_t, gru.n_in(), m);
    const std::pair<const char*, ConstTimeStep> states[] = {{"h_prev", h_prev}, {"u", u}, {"r", r}, {"candidate", candidate}, {"h_t", h_t}};
    for (const auto& [name, s] : states) require_shape("gru_step_forward", name, s, n, m);
    u.noalias() = gru.W_xu * x_t;
    u.noalias() += gru.W_hu * h_prev;
    u.colwise() += gru.b_u;
    sigmoid_in_place(u);
    r.noalias() = gru.W_xr * x_t;
    r.noalias() += gru.W_hr * h_prev;
    r.colwise() += gru.b_r;
    sigmoid_in_place(r);
    // h~ = tanh(W_xh x_t + W_hh (r ⊙ h_{t-1}) + b_h); h_t holds r ⊙ h_{t-1} for a moment.
    h_t = r.cwiseProduct(h_prev);
    candidate.noalias() = gru.W_xh * x_t;
    candidate.noalias() += gru.W_hh * h_t;
    candidate.colwise() += gru.b_h;
    tanh_in_place(candidate);
    h_t = (u.array() * h_prev.array() + (1.0 - u.array()) * candidate.array()).matrix();
}

const Sequence& Gru::forward(const Sequence& input, const RecurrentState& start) {
    if (input.empty()) throw ShapeError("Gru::forward", "the input sequence is empty");
    require_shape("Gru::forward", "each step x_t", input.at(1), n_in(), input.batch());
    const Index T = input.steps(), m = input.batch(), n = n_out();
    x = input;
    h0 = start_or_zeros("Gru::forward", "h_0", start.h, n, m);
    for (Sequence* s : {&u, &r, &candidate, &h}) s->resize(n, T, m);
    has_forward = false;  // until every state is made
    for (Index t = 1; t <= T; ++t) gru_step_forward(*this, x.at(t), hidden(t - 1), u.at(t), r.at(t), candidate.at(t), h.at(t));
    has_forward = true;
    return h;
}

const Sequence& Gru::backward(const Sequence& dh_out) {
    require_backward_input("Gru::backward", has_forward, dh_out, n_out(), x);
    const Index T = x.steps(), m = x.batch();
    dh.resize(n_out(), T, m);
    dx.resize(n_in(), T, m);
    Matrix dh_next = Matrix::Zero(n_out(), m);
    for (Index t = T; t >= 1; --t) {
        dh.at(t) = dh_out.at(t) + dh_next;
        gru_step_backward(*this, x.at(t), hidden(t - 1), u.at(t), r.at(t), candidate.at(t), dh.at(t), dx.at(t), dh_next);
    }
    d_start.h = dh_next;
    return dx;
}

RecurrentState Gru::final_state() const {
    if (!has_forward) throw UsageError("Gru::final_state", "run forward first");
    return {h.at(h.steps()), Matrix()};
}

std::vector<double> Gru::settings() const { return {static_cast<double>(n_in()), static_cast<double>(n_out())}; }

std::vector<Parameter> Gru::own_parameters() {
    fit_grad(W_xu, dW_xu), fit_grad(W_hu, dW_hu), fit_grad(W_xr, dW_xr), fit_grad(W_hr, dW_hr);
    fit_grad(W_xh, dW_xh), fit_grad(W_hh, dW_hh), fit_grad(b_u, db_u), fit_grad(b_r, db_r), fit_grad(b_h, db_h);
    return {Parameter("W_xu", W_xu, dW_xu), Parameter("W_hu", W_hu, dW_hu), Parameter("b_u", b_u, db_u),
            Parameter("W_xr", W_xr, dW_xr), Parameter("W_hr", W_hr, dW_hr), Parameter("b_r", b_r, db_r),
            Parameter("W_xh", W_xh, dW_xh), Parameter("W_hh", W_hh, dW_hh), Parameter("b_h", b_h, db_h)};
}

GruVars gru_graph_parameters(Graph& g, Gru& gru) {
    const std::vector<Parameter> p = gru.parameters();
    return {g.parameter(p[0]), g.parameter(p[1]), g.parameter(p[2]), g.parameter(p[3]), g.parameter(p[4]),
            g.parameter(p[5]), g.parameter(p[6]), g.parameter(p[7]), g.parameter(p[8])};
}

}  // namespace bp
