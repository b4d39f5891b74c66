// Chapter 7's RNN gradients checked and measured (exercises 7.5 and 7.6): the gradient check of
// an RNN, with its input and start state, and the norms of dL/dh_t back through time, on the
// tests' own forward pass (ch07_recurrent.hpp).
#include "ch07_recurrent.hpp"
#include "check.hpp"

#include "bp/check/gradcheck.hpp"
#include "bp/recurrent/rnn.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace {

using bp::Activation;
using bp::Matrix;
using bp::Sequence;
using bp_test::col;
using bp_test::exact_linear_rnn;
using bp_test::loss_at_step;
using bp_test::matches_or_names_mistake_first;
using bp_test::own_rnn_forward;
using bp_test::own_rnn_loss;
using bp_test::small_rnn;

// ---- 7.5 check_rnn_gradients ----

TEST(Ex7_5, ChecksTheWeightsTheInputsAndTheStartState) {
    bp::Rng rng(714);
    bp::Rnn rnn = small_rnn(rng);
    const Sequence x(rng.uniform_matrix(2, 3 * 2, -1, 1), 2);
    const bp::GradientCheck check = bp::check_rnn_gradients(rnn, x, rng.uniform_matrix(3, 2, -1, 1), rng);
    std::string why;  // what the worst element says of the closures, when it is in x or h0
    if (!check.passed && (check.parameter == "x" || check.parameter == "h0")) {
        const std::string copy = check.parameter == "x" ? "of x.all()" : "of h0";
        if (check.numeric == 0 && check.analytic != 0)
            why = "The slopes of " + check.parameter + " are 0: the loss does not change when the checker perturbs the copy " + copy +
                  " it was given, so the loss closure runs the layer on something else (the function's own x or h0). Run it "
                  "on the copies you gave the checker as \"x\" and \"h0\"\n";
        else if (check.analytic == 0 && check.numeric != 0)
            why = "The gradient of " + check.parameter +
                  " is 0 where the slope is not: the backward closure must write what rnn.backward(G) gives into the "
                  "gradients you gave the checker with \"x\" and \"h0\": the returned dx (.all()) and rnn.start_grad().h\n";
    }
    if (!check.passed) ADD_FAILURE() << why << check.report();
    std::vector<std::string> names;
    names.reserve(check.worst_by_parameter.size());
    for (const auto& [name, worst] : check.worst_by_parameter) names.push_back(name);
    EXPECT_EQ(names, (std::vector<std::string>{"W_x", "W_h", "b", "x", "h0"}))
        << "check W_x, W_h and b (rnn.parameters()), then the input as \"x\" and the start state as \"h0\"";
}

TEST(Ex7_5, DrawsGTheShapeOfH) {
    // The check's loss, L = sum_t sum(G_t ⊙ h_t) at the point checked, tells which G was drawn.
    bp::Rng rng(729);
    bp::Rnn rnn = small_rnn(rng);
    const Sequence x(rng.uniform_matrix(2, 3 * 2, -1, 1), 2);  // T = 3, m = 2, n_h = 3
    const Matrix h0 = rng.uniform_matrix(3, 2, -1, 1);
    bp::Rng for_check(730), for_test(730), for_mistake(730);
    const bp::GradientCheck check = bp::check_rnn_gradients(rnn, x, h0, for_check);
    const Sequence G(for_test.uniform_matrix(3, 3 * 2, -1, 1), 2);
    const Sequence G_transposed(Matrix(for_mistake.uniform_matrix(3 * 2, 3, -1, 1).transpose()), 2);
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "check.loss", Matrix::Constant(1, 1, own_rnn_loss(rnn, x, h0, G)), Matrix::Constant(1, 1, check.loss),
        {{"G was drawn as uniform_matrix(T m, n_h, -1, 1).transpose(): the same shape, but other numbers "
          "in each place, so the check runs on another loss than the page's. Draw it the shape of h: "
          "Sequence(rng.uniform_matrix(n_h, T * m, -1, 1), m)",
          Matrix::Constant(1, 1, own_rnn_loss(rnn, x, h0, G_transposed))},
         {"this is the loss with the start state h_0 = 0: forward from h0, rnn.forward(inputs, {start, Matrix()})",
          Matrix::Constant(1, 1, own_rnn_loss(rnn, x, Matrix::Zero(3, 2), G))}},
        "the check's loss is L = sum_t sum(G_t ⊙ h_t), with G = Sequence(rng.uniform_matrix(n_h, T * m, -1, 1), m) "
        "the first draw from rng, and h_t from h0 (n_h = 3, T = 3, m = 2)"));
}

// An RNN whose backward gets dL/dh_0 wrong by a factor of 2, or dL/dx: a check must notice.
struct RnnWithWrongStartGradient : bp::Rnn {
    using bp::Rnn::Rnn;
    bool wrong_x = false;
    const Sequence& backward(const Sequence& dh_out) override {
        bp::Rnn::backward(dh_out);
        if (wrong_x) dx.all() *= 2;
        else d_start.h *= 2;
        return dx;
    }
};

TEST(Ex7_5, NoticesAWrongGradientOfTheStartStateOrOfTheInput) {
    bp::Rng rng(715);
    const bp::Rnn base = small_rnn(rng);
    const Sequence x(rng.uniform_matrix(2, 3 * 2, -1, 1), 2);
    const Matrix h0 = rng.uniform_matrix(3, 2, -1, 1);
    RnnWithWrongStartGradient rnn(base.W_x, base.W_h, base.b);
    const bp::GradientCheck start = bp::check_rnn_gradients(rnn, x, h0, rng);
    EXPECT_FALSE(start.passed) << "with dL/dh_0 doubled, the check must fail: " << start.report();
    EXPECT_EQ(start.parameter, "h0") << "with dL/dh_0 doubled, the worst element must be in h0";
    RnnWithWrongStartGradient other(base.W_x, base.W_h, base.b);  // a layer of its own: gradients at zero
    other.wrong_x = true;
    const bp::GradientCheck input = bp::check_rnn_gradients(other, x, h0, rng);
    EXPECT_FALSE(input.passed) << "with dL/dx doubled, the check must fail: " << input.report();
    EXPECT_EQ(input.parameter, "x") << "with dL/dx doubled, the worst element must be in x";
}

TEST(Ex7_5, ClearsTheGradientsBeforeBackward) {
    bp::Rng rng(727);
    bp::Rnn rnn = small_rnn(rng);
    const Sequence x(rng.uniform_matrix(2, 3 * 2, -1, 1), 2);
    const Matrix h0 = rng.uniform_matrix(3, 2, -1, 1);
    // The gradients as a backward pass before the check left them.
    rnn.dW_x = rng.uniform_matrix(3, 2, -1, 1);
    rnn.dW_h = rng.uniform_matrix(3, 3, -1, 1);
    rnn.db = rng.uniform_matrix(3, 1, -1, 1).col(0);
    bp::Rnn cleared = rnn;
    cleared.zero_grad();
    bp::Rng same(728);
    const bp::GradientCheck check = bp::check_rnn_gradients(rnn, x, h0, same);
    if (check.passed) return;
    bp::Rng again(728);
    if (bp::check_rnn_gradients(cleared, x, h0, again).passed)
        ADD_FAILURE() << "backward adds into the gradients: call rnn.zero_grad() in your closure, before rnn.backward "
                         "(this layer's gradients held an earlier pass's, and the check failed; with them cleared, it passes)\n"
                      << check.report();
    else
        ADD_FAILURE() << "the check fails on this layer, with its gradients set to zero too (see the test "
                         "ChecksTheWeightsTheInputsAndTheStartState):\n"
                      << check.report();
}

// ---- 7.6 hidden_state_gradient_norms ----

TEST(Ex7_6, ExactLinearCase) {
    bp::Rnn rnn = exact_linear_rnn();
    own_rnn_forward(rnn, Sequence(1, 3, 1), Matrix::Zero(2, 1));
    const std::vector<double> norms = bp::hidden_state_gradient_norms(rnn, col({1, 0}));
    ASSERT_EQ(norms.size(), 4u) << "one norm for each t = 0, ..., T (T = 3)";
    const double expected[] = {std::sqrt(37.0), std::sqrt(17.0), std::sqrt(5.0), 1.0};
    for (int t = 0; t <= 3; ++t)
        EXPECT_NEAR(expected[t], norms[static_cast<std::size_t>(t)], 1e-12)
            << "||dh_" << t << "||: dh_t = (W_h^T)^(3 - t) g with W_h = [[1, 2], [0, 1]], g = (1, 0): dh_2 = (1, 2), "
            << "dh_1 = (1, 4), dh_0 = (1, 6). (With W_h instead of W_h^T every norm would be 1.)";
}

TEST(Ex7_6, TheIdentityHasNoTanhPrime) {
    // The exact linear case from h_0 = (0, 0.5): h_1 = (1, 0.5), h_2 = (2, 0.5), h_3 = (3, 0.5). The
    // identity's derivative is 1, so the norms are those of ExactLinearCase, whatever the states.
    bp::Rnn rnn = exact_linear_rnn();
    own_rnn_forward(rnn, Sequence(1, 3, 1), col({0, 0.5}));
    const std::vector<double> norms = bp::hidden_state_gradient_norms(rnn, col({1, 0}));
    ASSERT_EQ(norms.size(), 4u) << "one norm for each t = 0, ..., T (T = 3)";
    std::vector<double> with_tanh_prime(4);  // what multiplying by 1 - h_t^2 gives
    Matrix dh = col({1, 0});
    with_tanh_prime[3] = 1;
    for (bp::Index t = 3; t >= 1; --t) {
        dh = rnn.W_h.transpose() * Matrix(dh.array() * (1.0 - rnn.h.at(t).array().square()));
        with_tanh_prime[static_cast<std::size_t>(t - 1)] = dh.norm();
    }
    const std::vector<double> expected = {std::sqrt(37.0), std::sqrt(17.0), std::sqrt(5.0), 1.0};
    bool tanh_prime = true, right = true;
    for (std::size_t t = 0; t <= 3; ++t) {
        tanh_prime = tanh_prime && std::abs(norms[t] - with_tanh_prime[t]) <= 1e-9 * std::max(1.0, with_tanh_prime[t]);
        right = right && std::abs(norms[t] - expected[t]) <= 1e-12 * expected[t];
    }
    if (right) return;
    std::ostringstream got;
    for (std::size_t t = 0; t <= 3; ++t) got << (t ? ", " : "") << norms[t];
    ADD_FAILURE() << (tanh_prime ? "tanh' = 1 - h_t^2 was applied, but this RNN's activation is the identity, whose derivative "
                                   "is 1: multiply by 1 - h_t^2 only when rnn.f == Activation::tanh. (In ExactLinearCase every h_t "
                                   "was 0, where 1 - h_t^2 = 1 hides it.)\n"
                                 : "")
                  << "The identity RNN with W_h = [[1, 2], [0, 1]], g = (1, 0) at step 3, from h_0 = (0, 0.5): the norms of dh_0, "
                     "..., dh_3 do not depend on the states, expected 6.08276, 4.12311, 2.23607, 1 (as from h_0 = 0), got "
                  << got.str();
}

TEST(Ex7_6, AnRnnWithWhOfNormRhoShrinksTheGradientByAtLeastRhoPerStep) {
    bp::Rng rng(716);
    bp::Rnn rnn(4, 6, rng);
    rnn.W_h = 0.5 * bp::random_orthogonal(6, rng);
    own_rnn_forward(rnn, Sequence(rng.uniform_matrix(4, 10 * 2, -1, 1), 2), Matrix::Zero(6, 2));
    const std::vector<double> norms = bp::hidden_state_gradient_norms(rnn, rng.uniform_matrix(6, 2, -1, 1));
    ASSERT_EQ(norms.size(), 11u);
    for (std::size_t t = 1; t <= 10; ++t)
        EXPECT_LE(norms[t - 1], 0.5 * norms[t] * (1 + 1e-12))
            << "||dh_" << t - 1 << "|| <= ||W_h|| max tanh' ||dh_" << t << "|| = 0.5 ||dh_" << t << "|| for W_h = 0.5 Q";
}

// The tests' own norms of dh_t, t = 0, ..., T, for a loss at step T with dL/dh_T = g, after
// own_rnn_forward; or what one of the known mistakes gives, to name it.
enum class Norms { right, no_tanh_prime, tanh_prime_of_h_prev, W_h_not_transposed, one_index_late, squared };
Matrix own_norms(const bp::Rnn& rnn, const Matrix& g, Norms way = Norms::right) {
    const bp::Index T = rnn.x.steps();
    Matrix norms = Matrix::Zero(1, T + 1);
    Matrix dh = g;
    const auto norm = [&](const Matrix& d) { return way == Norms::squared ? d.squaredNorm() : d.norm(); };
    norms(0, T) = norm(dh);
    for (bp::Index t = T; t >= 1; --t) {
        const Matrix state = way == Norms::tanh_prime_of_h_prev ? Matrix(rnn.hidden(t - 1)) : Matrix(rnn.h.at(t));
        const Matrix dz = way == Norms::no_tanh_prime ? dh : Matrix(dh.array() * (1.0 - state.array().square()));
        dh = way == Norms::W_h_not_transposed ? Matrix(rnn.W_h * dz) : Matrix(rnn.W_h.transpose() * dz);
        norms(0, way == Norms::one_index_late ? t : t - 1) = norm(dh);
    }
    return norms;
}

// What the known mistakes give, each named, for a loss at step T with dL/dh_T = g.
std::vector<bp_test::Mistake> norms_mistakes(const bp::Rnn& rnn, const Matrix& g) {
    return {{"these are the norms without tanh': dh_{t-1} = W_h^T dh_t, as for the identity. For tanh, each step back goes through "
             "dz_t = dh_t ⊙ (1 - h_t^2) first: dh_{t-1} = W_h^T dz_t",
             own_norms(rnn, g, Norms::no_tanh_prime)},
            {"these are the norms with tanh' read from h_{t-1}, the state step t read: dz_t = dh_t ⊙ (1 - h_t^2), with h_t the state "
             "step t made (rnn.h.at(t)), since h_t = tanh(z_t)",
             own_norms(rnn, g, Norms::tanh_prime_of_h_prev)},
            {"these are the norms with W_h dz_t instead of W_h^T dz_t: dh_{t-1} = W_h^T dz_t (W_h is square, so both fit)",
             own_norms(rnn, g, Norms::W_h_not_transposed)},
            {"each norm is one place late: the norm of dh_{t-1}, computed at step t, goes into norms[t - 1], and norms[T] is ||g||",
             own_norms(rnn, g, Norms::one_index_late)},
            {"these are the squared norms: norms[t] is ||dh_t||, Eigen's norm(), not squaredNorm()", own_norms(rnn, g, Norms::squared)}};
}

// hidden_state_gradient_norms(rnn, g) on the forward pass stored in rnn, against the tests' own
// BPTT (own_norms), its known mistakes named; `rule` says what each norm is.
void expect_own_norms(const bp::Rnn& rnn, const Matrix& g, const std::string& rule) {
    const std::vector<double> norms = bp::hidden_state_gradient_norms(rnn, g);
    const bp::Index T = rnn.x.steps();
    ASSERT_EQ(static_cast<bp::Index>(norms.size()), T + 1) << "one norm for each t = 0, ..., T (T = " << T << ")";
    const Matrix got = Eigen::Map<const Matrix>(norms.data(), 1, T + 1);
    EXPECT_HOLDS(matches_or_names_mistake_first("norms (t = 0, ..., " + std::to_string(T) + ")", own_norms(rnn, g), got,
                                                norms_mistakes(rnn, g), rule, 1e-12));
}

TEST(Ex7_6, ATanhRnnsNormsStepByStep) {
    // A tanh RNN whose states are far from 0, so that tanh' = 1 - h_t^2 matters, on the tests' own
    // forward pass: the norms do not depend on exercises 7.1-7.4.
    bp::Rng rng(734);
    bp::Rnn rnn = small_rnn(rng, 2, 3);
    rnn.W_x *= 2;
    own_rnn_forward(rnn, Sequence(rng.uniform_matrix(2, 4 * 2, -1, 1), 2), rng.uniform_matrix(3, 2, -1, 1));  // T = 4, m = 2
    expect_own_norms(rnn, rng.uniform_matrix(3, 2, -1, 1),
                     "a loss at step 4 of 4 with dL/dh_4 = g: norms[4] = ||g||, and back from t = 4 to 1, dz_t = dh_t ⊙ (1 - h_t^2), "
                     "dh_{t-1} = W_h^T dz_t, norms[t - 1] = ||dh_{t-1}|| (the Frobenius norm of the whole n_h x m matrix)");
}

TEST(Ex7_6, MatchesBpttOnALongerSequence) {
    // T = 5 steps of n_h = 4, against the tests' own BPTT rather than Rnn::backward (exercise 7.4),
    // so that a mistake there does not show here.
    bp::Rng rng(717);
    bp::Rnn rnn = small_rnn(rng, 2, 4);
    own_rnn_forward(rnn, Sequence(rng.uniform_matrix(2, 5 * 2, -1, 1), 2), rng.uniform_matrix(4, 2, -1, 1));
    expect_own_norms(rnn, rng.uniform_matrix(4, 2, -1, 1),
                     "a loss at step 5 of 5 with dL/dh_5 = g: norms[t] = ||dL/dh_t||, as backpropagation through time computes it "
                     "(Rnn::backward's hidden_grads().at(t), and start_grad().h at t = 0)");
}

}  // namespace
