// Chapter 7's recurrent steps written out for the tests and the reference cases, apart from the
// exercises: an RNN's forward pass stored into the layer as Rnn::forward would store it (so that
// the backward exercises can be done and checked before the forward ones), its loss for finite
// differences, and an LSTM step; and the small layers the tests run them on.
#pragma once

#include "check.hpp"

#include "bp/recurrent/lstm.hpp"
#include "bp/recurrent/rnn.hpp"

#include <string>

namespace bp_test {

// The tests' own forward pass of an RNN, h_t = f(W_x x_t + W_h h_{t-1} + b), stored into the
// layer as its forward would store it: then its backward can run without exercises 7.1-7.2.
inline void own_rnn_forward(bp::Rnn& rnn, const bp::Sequence& x, const bp::Matrix& h0) {
    rnn.x = x;
    rnn.h0 = h0;
    rnn.h = bp::Sequence(rnn.n_out(), x.steps(), x.batch());
    bp::Matrix h = h0;
    for (bp::Index t = 1; t <= x.steps(); ++t) {
        const bp::Matrix z = (rnn.W_x * x.at(t) + rnn.W_h * h).colwise() + rnn.b;
        h = rnn.f == bp::Activation::tanh ? tanh_of(z) : z;
        rnn.h.at(t) = h;
    }
    rnn.has_forward = true;
}

// The same RNN's loss L = sum_t sum(G_t ⊙ h_t), by the tests' own forward, for finite differences.
inline double own_rnn_loss(const bp::Rnn& rnn, const bp::Sequence& x, const bp::Matrix& h0, const bp::Sequence& G) {
    bp::Matrix h = h0;
    double L = 0;
    for (bp::Index t = 1; t <= x.steps(); ++t) {
        const bp::Matrix z = (rnn.W_x * x.at(t) + rnn.W_h * h).colwise() + rnn.b;
        h = rnn.f == bp::Activation::tanh ? tanh_of(z) : z;
        L += weighted_sum(G.at(t), h);
    }
    return L;
}

// A small tanh RNN with moderate weights and a bias that is not zero.
inline bp::Rnn small_rnn(bp::Rng& rng, bp::Index n_x = 2, bp::Index n_h = 3) {
    return bp::Rnn(rng.uniform_matrix(n_h, n_x, -0.8, 0.8), rng.uniform_matrix(n_h, n_h, -0.8, 0.8),
                   rng.uniform_matrix(n_h, 1, -0.3, 0.3).col(0), bp::Activation::tanh);
}

// The exact linear case of the chapter: n_h = 2, W_h = [[1, 2], [0, 1]], the identity, no input.
inline bp::Rnn exact_linear_rnn() {
    return bp::Rnn(bp::Matrix::Zero(2, 1), (bp::Matrix(2, 2) << 1, 2, 0, 1).finished(), bp::Vector::Zero(2), bp::Activation::identity);
}

// A gradient that is G at step `at` only (zero elsewhere): a loss at that step alone.
inline bp::Sequence loss_at_step(bp::Index at, const bp::Matrix& G, bp::Index T) {
    bp::Sequence s(G.rows(), T, G.cols());
    s.at(at) = G;
    return s;
}

// The tests' own LSTM step, gates in the order i, f, o, g.
struct OwnLstmStep {
    bp::Matrix gates, c, h;
    OwnLstmStep(const bp::Lstm& l, const bp::Matrix& x, const bp::Matrix& h_prev, const bp::Matrix& c_prev) {
        const bp::Index n = l.n_out();
        const bp::Matrix A = (l.W_x * x + l.W_h * h_prev).colwise() + l.b;
        gates.resize(4 * n, x.cols());
        gates << sigmoid_of(A.topRows(3 * n)), tanh_of(A.bottomRows(n));
        c = (gates.middleRows(n, n).array() * c_prev.array() + gates.topRows(n).array() * gates.bottomRows(n).array()).matrix();
        h = (gates.middleRows(2 * n, n).array() * c.array().tanh()).matrix();
    }
};

// A step backward writes its outputs (=): the layers' loops hand it buffers that still hold the
// step before's values. The tests run a step into zeros (`written`) and again into `held` everywhere
// (`over_held`); `added` says what "+=" means for that output, named when over_held = written + held.
constexpr double held = 100;
inline bp::Matrix held_like(const bp::Matrix& m) { return bp::Matrix::Constant(m.rows(), m.cols(), held); }
inline ::testing::AssertionResult writes_over(const std::string& out, const bp::Matrix& written, const bp::Matrix& over_held,
                                              const std::string& added) {
    return matches_or_names_mistake_first(
        out, written, over_held,
        {{"expected " + out + " to be the same whatever it held before, got the right value plus the 100 it held: " + added,
          bp::Matrix(written.array() + held)}},
        "the step writes its outputs (=): what they held before (here 100 everywhere) must not change them");
}

}  // namespace bp_test
