#include "bp/recurrent/rnn.hpp"

#include "bp/core/init.hpp"

namespace bp {

namespace {

void check_rnn(const Matrix& W_x, const Matrix& W_h, const Vector& b, Activation f) {
    if (W_x.size() == 0 || W_h.rows() != W_x.rows() || W_h.cols() != W_x.rows() || b.size() != W_x.rows())
        throw ShapeError("Rnn", "W_x is " + shape(W_x) + ", W_h " + shape(W_h) + " and b " + shape(b) +
                                    "; need W_x n_h x n_x, W_h n_h x n_h and b with n_h elements");
    if (f != Activation::tanh && f != Activation::identity)
        throw std::invalid_argument("Rnn: f must be tanh or identity (the linear RNN), not " + to_string(f));
}

}  // namespace

Matrix random_orthogonal(Index n, Rng& rng) {
    if (n <= 0) throw ShapeError("random_orthogonal", "n must be positive, got " + std::to_string(n));
    Matrix Q = rng.normal_matrix(n, n, 1.0);
    // Gram-Schmidt, twice over each column for accuracy: subtract its parts along the columns
    // before it, then make it of length 1. Normal columns are independent with probability 1.
    for (Index j = 0; j < n; ++j) {
        for (int pass = 0; pass < 2; ++pass)
            for (Index k = 0; k < j; ++k) Q.col(j) -= Q.col(k).dot(Q.col(j)) * Q.col(k);
        Q.col(j).normalize();
    }
    return Q;
}

Rnn::Rnn(Index n_x, Index n_h, Rng& rng, Activation f_) : f(f_) {
    if (n_x <= 0 || n_h <= 0)
        throw ShapeError("Rnn", "needs n_x > 0 and n_h > 0, got n_x = " + std::to_string(n_x) + " and n_h = " + std::to_string(n_h));
    W_x = xavier_uniform(n_h, n_x, rng);
    W_h = random_orthogonal(n_h, rng);
    b = Vector::Zero(n_h);
    check_rnn(W_x, W_h, b, f);
    zero_grad();
}

Rnn::Rnn(Matrix W_x_, Matrix W_h_, Vector b_, Activation f_) : W_x(std::move(W_x_)), W_h(std::move(W_h_)), b(std::move(b_)), f(f_) {
    check_rnn(W_x, W_h, b, f);
    zero_grad();
}

ConstTimeStep Rnn::hidden(Index t) const { return stored_step("Rnn::hidden", "h", h0, h, t); }

RecurrentState Rnn::final_state() const {
    if (!has_forward) throw UsageError("Rnn::final_state", "run forward first");
    return {h.at(h.steps()), Matrix()};
}

std::vector<double> Rnn::settings() const { return {static_cast<double>(n_in()), static_cast<double>(n_out()), static_cast<double>(f)}; }

std::optional<ActivationOutput> Rnn::activation_output() const {
    if (!has_forward) return std::nullopt;
    return ActivationOutput{f, h.all()};
}

std::vector<Parameter> Rnn::own_parameters() {
    fit_grad(W_x, dW_x), fit_grad(W_h, dW_h), fit_grad(b, db);
    return {Parameter("W_x", W_x, dW_x), Parameter("W_h", W_h, dW_h), Parameter("b", b, db)};
}

}  // namespace bp
