#include "bp/recurrent/lstm.hpp"

#include "bp/core/init.hpp"
#include "bp/recurrent/rnn.hpp"  // random_orthogonal

namespace bp {

namespace {

void check_lstm(const Matrix& W_x, const Matrix& W_h, const Vector& b) {
    const Index n = W_h.cols();
    if (W_x.size() == 0 || n == 0 || W_h.rows() != 4 * n || W_x.rows() != 4 * n || b.size() != 4 * n)
        throw ShapeError("Lstm", "W_x is " + shape(W_x) + ", W_h " + shape(W_h) + " and b " + shape(b) +
                                     "; need W_x 4 n_h x n_x, W_h 4 n_h x n_h and b with 4 n_h elements");
}

}  // namespace

const char* lstm_gate_name(int gate) {
    static const char* const names[] = {"i", "f", "o", "g"};
    if (gate < 0 || gate > 3) throw std::invalid_argument("lstm_gate_name: the gates are 0 to 3, not " + std::to_string(gate));
    return names[gate];
}

Lstm::Lstm(Index n_x, Index n, Rng& rng, double forget_bias) {
    if (n_x <= 0 || n <= 0)
        throw ShapeError("Lstm", "needs n_x > 0 and n_h > 0, got n_x = " + std::to_string(n_x) + " and n_h = " + std::to_string(n));
    W_x.resize(4 * n, n_x);
    W_h.resize(4 * n, n);
    for (Index gate = 0; gate < 4; ++gate) {
        W_x.middleRows(gate * n, n) = xavier_uniform(n, n_x, rng);
        W_h.middleRows(gate * n, n) = random_orthogonal(n, rng);
    }
    b = Vector::Zero(4 * n);
    b.segment(n, n).setConstant(forget_bias);
    zero_grad();
}

Lstm::Lstm(Matrix W_x_, Matrix W_h_, Vector b_) : W_x(std::move(W_x_)), W_h(std::move(W_h_)), b(std::move(b_)) {
    check_lstm(W_x, W_h, b);
    zero_grad();
}

ConstTimeStep Lstm::hidden(Index t) const { return stored_step("Lstm::hidden", "h", h0, h, t); }

ConstTimeStep Lstm::cell(Index t) const { return stored_step("Lstm::cell", "c", c0, c, t); }

const Sequence& Lstm::forward(const Sequence& input, const RecurrentState& start) {
    if (input.empty()) throw ShapeError("Lstm::forward", "the input sequence is empty");
    require_shape("Lstm::forward", "each step x_t", input.at(1), n_in(), input.batch());
    const Index T = input.steps(), m = input.batch(), n = n_out();
    x = input;
    h0 = start_or_zeros("Lstm::forward", "h_0", start.h, n, m);
    c0 = start_or_zeros("Lstm::forward", "c_0", start.c, n, m);
    gates.resize(4 * n, T, m);
    c.resize(n, T, m);
    h.resize(n, T, m);
    has_forward = false;  // until every state is made
    for (Index t = 1; t <= T; ++t) lstm_step_forward(*this, x.at(t), hidden(t - 1), cell(t - 1), gates.at(t), c.at(t), h.at(t));
    has_forward = true;
    return h;
}

const Sequence& Lstm::backward(const Sequence& dh_out) {
    require_backward_input("Lstm::backward", has_forward, dh_out, n_out(), x);
    const Index T = x.steps(), m = x.batch(), n = n_out();
    dh.resize(n, T, m);
    dx.resize(n_in(), T, m);
    // What step t + 1 sends back to h_t and to c_t (nothing comes after step T), and the
    // buffer the step writes dc_{t-1} into: two buffers, so that no step reads what it writes.
    Matrix dh_next = Matrix::Zero(n, m), dc_next = Matrix::Zero(n, m), dc_prev(n, m);
    for (Index t = T; t >= 1; --t) {
        dh.at(t) = dh_out.at(t) + dh_next;
        lstm_step_backward(*this, x.at(t), hidden(t - 1), cell(t - 1), gates.at(t), c.at(t), dh.at(t), dc_next, dx.at(t), dh_next, dc_prev);
        dc_next.swap(dc_prev);
    }
    d_start = {dh_next, dc_next};
    return dx;
}

RecurrentState Lstm::final_state() const {
    if (!has_forward) throw UsageError("Lstm::final_state", "run forward first");
    return {h.at(h.steps()), c.at(c.steps())};
}

std::vector<double> Lstm::settings() const { return {static_cast<double>(n_in()), static_cast<double>(n_out())}; }

std::vector<Parameter> Lstm::own_parameters() {
    fit_grad(W_x, dW_x), fit_grad(W_h, dW_h), fit_grad(b, db);
    return {Parameter("W_x", W_x, dW_x), Parameter("W_h", W_h, dW_h), Parameter("b", b, db)};
}

}  // namespace bp
