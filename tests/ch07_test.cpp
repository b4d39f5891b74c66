// Chapter 7 property tests: each catches one of the usual mistakes of backpropagation through
// time, on a case small enough to follow by hand where it can. A test calls only its own
// exercise where it can: the states a backward pass needs are made here, with the tests' own
// formulas, so that the backward exercises can be done and checked before the forward ones.
#include "check.hpp"

#include "bp/layers/dense.hpp"
#include "bp/autodiff/graph.hpp"
#include "bp/recurrent/gru_graph.hpp"
#include "bp/recurrent/lstm.hpp"
#include "bp/check/gradcheck.hpp"
#include "bp/recurrent/rnn.hpp"
#include "bp/recurrent/sequence_model.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>
#include <tuple>

namespace {

using bp::Activation;
using bp::Matrix;
using bp::Sequence;
using bp::Vector;
using bp_test::col;
using bp_test::explained;
using bp_test::format_matrix;
using bp_test::matches_or_names_mistake_first;
using bp_test::matrices_near;
using bp_test::near;
using bp_test::scalar;
using bp_test::sigmoid_of;
using bp_test::slopes;
using bp_test::tanh_of;
using bp_test::weighted_sum;

// The tests' own forward pass of an RNN, h_t = f(W_x x_t + W_h h_{t-1} + b), stored into the
// layer as its forward would store it: then its backward can run without exercises 7.1-7.2.
void own_rnn_forward(bp::Rnn& rnn, const Sequence& x, const Matrix& h0) {
    rnn.x = x;
    rnn.h0 = h0;
    rnn.h = Sequence(rnn.n_out(), x.steps(), x.batch());
    Matrix h = h0;
    for (bp::Index t = 1; t <= x.steps(); ++t) {
        const Matrix z = (rnn.W_x * x.at(t) + rnn.W_h * h).colwise() + rnn.b;
        h = rnn.f == Activation::tanh ? tanh_of(z) : z;
        rnn.h.at(t) = h;
    }
    rnn.has_forward = true;
}

// The same RNN's loss L = sum_t sum(G_t ⊙ h_t), by the tests' own forward, for finite differences.
double own_rnn_loss(const bp::Rnn& rnn, const Sequence& x, const Matrix& h0, const Sequence& G) {
    Matrix h = h0;
    double L = 0;
    for (bp::Index t = 1; t <= x.steps(); ++t) {
        const Matrix z = (rnn.W_x * x.at(t) + rnn.W_h * h).colwise() + rnn.b;
        h = rnn.f == Activation::tanh ? tanh_of(z) : z;
        L += weighted_sum(G.at(t), h);
    }
    return L;
}

// The tests' own BPTT after own_rnn_forward, for dL/dh_t = G_t from above (dh_out = G): each
// step's dz_t and every gradient; or, to name a failure, what one of two known mistakes gives.
enum class Bptt { right, no_carry, W_h_not_transposed, forwards_in_time, tanh_prime_of_h_prev };
struct OwnRnnBackward {
    std::vector<Matrix> dz;  // dz_t at [t], t = 1, ..., T
    Matrix dW_x, dW_h, db, dh0, dh1;
    OwnRnnBackward(const bp::Rnn& rnn, const Sequence& G, Bptt way = Bptt::right) {
        const bp::Index T = rnn.x.steps(), m = rnn.x.batch(), n = rnn.n_out();
        dz.resize(static_cast<std::size_t>(T + 1));
        dW_x = Matrix::Zero(n, rnn.n_in()), dW_h = Matrix::Zero(n, n), db = Matrix::Zero(n, 1);
        Matrix dh_next = Matrix::Zero(n, m);
        const bool forwards = way == Bptt::forwards_in_time;  // the mistake of looping t = 1, ..., T
        for (bp::Index t = forwards ? 1 : T; forwards ? t <= T : t >= 1; t += forwards ? 1 : -1) {
            Matrix d = G.at(t);
            if (way != Bptt::no_carry) d += dh_next;
            if (t == 1) dh1 = d;
            // tanh'(z_t) = 1 - h_t^2; the mistake of reading it from h_{t-1}, the state the step read
            const Matrix tanh_of_z = way == Bptt::tanh_prime_of_h_prev ? Matrix(rnn.hidden(t - 1)) : Matrix(rnn.h.at(t));
            if (rnn.f == Activation::tanh) d.array() *= 1.0 - tanh_of_z.array().square();
            dW_x += d * rnn.x.at(t).transpose();
            dW_h += d * rnn.hidden(t - 1).transpose();
            db += d.rowwise().sum();
            dh_next = way == Bptt::W_h_not_transposed ? Matrix(rnn.W_h * d) : Matrix(rnn.W_h.transpose() * d);
            dz[static_cast<std::size_t>(t)] = d;
        }
        dh0 = dh_next;
    }
};

// Exercise 7.3's mistake of reading tanh' from the state the step read instead of the one it made.
const char* const tanh_prime_of_h_prev =
    "expected the gradients of dz = dh_t ⊙ (1 - h_t^2), got those of dz = dh_t ⊙ (1 - h_{t-1}^2): that is tanh' "
    "computed from h_prev, the state the step read; the page says dz_t = dh_t ⊙ (1 - h_t ⊙ h_t), tanh' read from h_t, "
    "the state the step made (h_t = tanh(z_t), so tanh'(z_t) = 1 - h_t^2). In rnn_step_backward (exercise 7.3): "
    "1.0 - h_t.array().square()";

// The known mistake of exercises 7.3-7.4 that the layer's gradients show after rnn.backward(G),
// said so that it can be a failure's first line; "" if they show none of them.
std::string rnn_bptt_mistake(const bp::Rnn& rnn, const Sequence& G) {
    const OwnRnnBackward right(rnn, G);
    const Matrix& dz1 = right.dz[1];
    const Matrix db = rnn.db;
    if (!near(right.dW_x, rnn.dW_x)) {
        const OwnRnnBackward forwards(rnn, G, Bptt::forwards_in_time);
        if (near(forwards.dW_x, rnn.dW_x) && near(forwards.dh0, rnn.start_grad().h))
            return "The loop runs forwards in time, t = 1 up to T: step t then gets what step t - 1 sent back, and the "
                   "gradient flows the wrong way. BPTT runs t = T down to 1, so that dh_next is what step t + 1 sent back";
        if (near(OwnRnnBackward(rnn, G, Bptt::no_carry).dW_x, rnn.dW_x))
            return "No gradient is carried from step to step: these are the gradients with dh_t = dh_out_t alone. h_t "
                   "also feeds step t + 1, so dh_t = dh_out_t + dh_next, where dh_next is what step t + 1 sent back";
        if (near(OwnRnnBackward(rnn, G, Bptt::W_h_not_transposed).dW_x, rnn.dW_x))
            return "The gradient goes back through W_h instead of W_h^T: dh_prev = W_h^T dz (W_h is square, so W_h dz "
                   "fits the shapes too)";
        if (rnn.f == Activation::tanh && near(OwnRnnBackward(rnn, G, Bptt::tanh_prime_of_h_prev).dW_x, rnn.dW_x))
            return tanh_prime_of_h_prev;
        if (near(dz1 * rnn.x.at(1).transpose(), rnn.dW_x))
            return "dW_x is step 1's share alone: with = instead of +=, the last step done, step 1, overwrites the "
                   "others' shares";
        return "";
    }
    // dW_x = sum_t dz_t x_t^T is right, so the dz_t are, and the carry that made them.
    if (!near(right.dW_h, rnn.dW_h)) {
        Matrix with_h_t = Matrix::Zero(rnn.n_out(), rnn.n_out());
        for (bp::Index t = 1; t <= rnn.x.steps(); ++t) with_h_t += right.dz[static_cast<std::size_t>(t)] * rnn.h.at(t).transpose();
        if (near(with_h_t, rnn.dW_h))
            return "dW_h pairs dz_t with h_t, the state step t made; step t read h_{t-1} (hidden(t - 1)), so "
                   "dW_h += dz_t h_{t-1}^T. (dW_x is right, so the carried gradient is too.)";
        if (near(dz1 * rnn.hidden(0).transpose(), rnn.dW_h))
            return "dW_h is step 1's share alone: with = instead of +=, the last step done, step 1, overwrites the "
                   "others' shares. (dW_x is right, so the carried gradient is too.)";
    }
    if (!near(right.dh0, rnn.start_grad().h) && near(right.dh1, rnn.start_grad().h))
        return "start_grad().h is dh_1, one step short of h_0: d_start.h is the dh_next that step 1 sends back, after "
               "the loop";
    if (!near(right.db, db)) {
        if (near(2 * right.db, db))
            return "db is twice what it should be: z_t = W_x x_t + W_h h_{t-1} + b has one b, so each step adds the row "
                   "sums of dz_t once";
        if (near(dz1.rowwise().sum(), db))
            return "db is step 1's share alone: with = instead of +=, the last step done, step 1, overwrites the others' "
                   "shares";
    }
    return "";
}

// rnn.backward(G) after the tests' own forward, every gradient against finite differences of
// L = sum_t sum(G_t ⊙ h_t). A known mistake is named once, as the first line of one failure;
// otherwise each wrong gradient fails on its own, with a note on the case (`about`).
void expect_bptt_matches_finite_differences(bp::Rnn& rnn, Sequence x, Matrix h0, const Sequence& G, const std::string& about) {
    own_rnn_forward(rnn, x, h0);
    const Sequence dx = rnn.backward(G);
    const Matrix dW_x = rnn.dW_x, dW_h = rnn.dW_h, db = rnn.db, dh0 = rnn.start_grad().h;
    const std::string mistake = rnn_bptt_mistake(rnn, G);
    const std::string note = !mistake.empty() || !near(OwnRnnBackward(rnn, G).dW_x, dW_x)
                                 ? about
                                 : about + ". dW_x is right, so each step's dz_t is, and the carried gradient: look at "
                                           "how this gradient is made from them";
    const auto L = [&] { return own_rnn_loss(rnn, x, h0, G); };
    const ::testing::AssertionResult results[] = {
        matrices_near("dW_x", slopes(L, rnn.W_x), dW_x, 1e-7), matrices_near("dW_h", slopes(L, rnn.W_h), dW_h, 1e-7),
        matrices_near("db", slopes(L, rnn.b), db, 1e-7),       matrices_near("dx", slopes(L, x.all()), dx.all(), 1e-7),
        matrices_near("dh_0", slopes(L, h0), dh0, 1e-7)};
    for (const ::testing::AssertionResult& result : results) {
        if (result) continue;
        if (!mistake.empty()) {
            ADD_FAILURE() << explained(mistake, result).message();
            return;
        }
        ADD_FAILURE() << result.message() << note;
    }
}

// A small tanh RNN with moderate weights and a bias that is not zero.
bp::Rnn small_rnn(bp::Rng& rng, bp::Index n_x = 2, bp::Index n_h = 3) {
    return bp::Rnn(rng.uniform_matrix(n_h, n_x, -0.8, 0.8), rng.uniform_matrix(n_h, n_h, -0.8, 0.8),
                   rng.uniform_matrix(n_h, 1, -0.3, 0.3).col(0), Activation::tanh);
}

// The exact linear case of the chapter: n_h = 2, W_h = [[1, 2], [0, 1]], the identity, no input.
bp::Rnn exact_linear_rnn() {
    return bp::Rnn(Matrix::Zero(2, 1), (Matrix(2, 2) << 1, 2, 0, 1).finished(), Vector::Zero(2), Activation::identity);
}

// A gradient that is G at step `at` only (zero elsewhere): a loss at that step alone.
Sequence loss_at_step(bp::Index at, const Matrix& G, bp::Index T) {
    Sequence s(G.rows(), T, G.cols());
    s.at(at) = G;
    return s;
}

// ---- 7.1 rnn_step_forward ----

TEST(Ex7_1, IsTanhOfWxXPlusWhHPrevPlusB) {
    bp::Rng rng(701);
    const bp::Rnn rnn = small_rnn(rng);
    const Matrix x = rng.uniform_matrix(2, 4, -1, 1), h_prev = rng.uniform_matrix(3, 4, -1, 1);
    Matrix h(3, 4);
    bp::rnn_step_forward(rnn, x, h_prev, h);
    EXPECT_MATRIX_NEAR(tanh_of((rnn.W_x * x + rnn.W_h * h_prev).colwise() + rnn.b), h)
        << "h_t = tanh(W_x x_t + W_h h_prev + b), with b added to every column";
}

TEST(Ex7_1, TheIdentityLeavesZAsItIs) {
    const bp::Rnn rnn(col({1, 2}), (Matrix(2, 2) << 1, 2, 0, 1).finished(), (Vector(2) << 0.5, -1).finished(), Activation::identity);
    Matrix h(2, 1);
    bp::rnn_step_forward(rnn, Matrix::Constant(1, 1, 3.0), col({1, 1}), h);
    EXPECT_MATRIX_NEAR(col({6.5, 6}), h) << "W_x = (1, 2), x = 3, W_h = [[1, 2], [0, 1]], h_prev = (1, 1), b = (0.5, -1): "
                                            "z = (3 + 3 + 0.5, 6 + 1 - 1)";
}

TEST(Ex7_1, OneStepIsADenseLayerOnXAndHPrev) {
    bp::Rng rng(702);
    const bp::Rnn rnn = small_rnn(rng);
    const Matrix x = rng.uniform_matrix(2, 3, -1, 1), h_prev = rng.uniform_matrix(3, 3, -1, 1);
    Matrix h(3, 3);
    bp::rnn_step_forward(rnn, x, h_prev, h);
    Matrix W(3, 5), stacked(5, 3);
    W << rnn.W_x, rnn.W_h;
    stacked << x, h_prev;
    bp::Dense dense(W, rnn.b, Activation::tanh);
    EXPECT_MATRIX_NEAR(Matrix(dense.forward(stacked)), h) << "one step is chapter 1's Dense(tanh) on [x; h_prev] with W = [W_x W_h]";
}

// ---- 7.2 Rnn::forward ----

TEST(Ex7_2, EachStateComesFromTheStepBefore) {
    bp::Rng rng(703);
    bp::Rnn rnn = small_rnn(rng);
    const Sequence x(rng.uniform_matrix(2, 4 * 2, -1, 1), 2);  // T = 4 steps of m = 2
    const Matrix h0 = rng.uniform_matrix(3, 2, -1, 1);
    const Sequence& h = rnn.forward(x, {h0, Matrix()});
    ASSERT_EQ(h.steps(), 4) << "forward returns h_1, ..., h_T";
    Matrix expected = h0;
    for (bp::Index t = 1; t <= 4; ++t) {
        expected = tanh_of((rnn.W_x * x.at(t) + rnn.W_h * expected).colwise() + rnn.b);
        const Matrix from_h0 = tanh_of((rnn.W_x * x.at(t) + rnn.W_h * h0).colwise() + rnn.b);
        if (t >= 2 && !near(expected, h.at(t)) && near(from_h0, h.at(t))) {
            // Every later state is wrong the same way: name it once.
            ADD_FAILURE() << "expected h_" << t << " = tanh(W_x x_" << t << " + W_h h_" << t - 1 << " + b), got tanh(W_x x_" << t
                          << " + W_h h_0 + b): that is every step reading h_0 as h_prev, the state never advancing; the page "
                             "says step t makes h_t from x_t and h_{t-1}, which is hidden(t - 1), the state the step before made\n"
                          << matrices_near("h_" + std::to_string(t), expected, h.at(t)).message();
            break;
        }
        EXPECT_MATRIX_NEAR(expected, Matrix(h.at(t))) << "h_" << t << " = tanh(W_x x_" << t << " + W_h h_" << t - 1 << " + b)";
    }
    EXPECT_MATRIX_NEAR(h0, Matrix(rnn.hidden(0))) << "hidden(0) is h_0, as given";
}

TEST(Ex7_2, StartsFromZerosWhenNoStateIsGiven) {
    bp::Rng rng(704);
    bp::Rnn rnn = small_rnn(rng);
    const Sequence x(rng.uniform_matrix(2, 3, -1, 1), 1);
    const Matrix given_zeros = rnn.forward(x, {Matrix::Zero(3, 1), Matrix()}).all();
    EXPECT_MATRIX_NEAR(given_zeros, rnn.forward(x).all()) << "forward(x) with no start state starts from h_0 = 0";
}

TEST(Ex7_2, NothingCarriesOverFromTheCallBefore) {
    bp::Rng rng(705);
    bp::Rnn rnn = small_rnn(rng), fresh = rnn;
    const Sequence first(rng.uniform_matrix(2, 4, -1, 1), 2), second(rng.uniform_matrix(2, 6, -1, 1), 2);
    rnn.forward(first, {rng.uniform_matrix(3, 2, -1, 1), Matrix()});
    EXPECT_MATRIX_NEAR(fresh.forward(second).all(), rnn.forward(second).all())
        << "a second forward, with another input and no start state, must not start from the first call's states";
}

// ---- 7.3 rnn_step_backward ----

TEST(Ex7_3, MatchesFiniteDifferences) {
    bp::Rng rng(706);
    bp::Rnn rnn = small_rnn(rng);
    Matrix x = rng.uniform_matrix(2, 3, -1, 1), h_prev = rng.uniform_matrix(3, 3, -1, 1);
    const Matrix G = rng.uniform_matrix(3, 3, -1, 1);
    const auto step = [&] { return tanh_of((rnn.W_x * x + rnn.W_h * h_prev).colwise() + rnn.b); };
    const auto L = [&] { return weighted_sum(G, step()); };
    Matrix dx(2, 3), dh_prev(3, 3);
    bp::rnn_step_backward(rnn, x, h_prev, step(), G, dx, dh_prev);
    const Matrix dW_x = rnn.dW_x, dW_h = rnn.dW_h, db = rnn.db;
    // tanh' read from h_prev instead of h_t gives these gradients: named in each failure it explains.
    const Matrix dz_of_h_prev = G.cwiseProduct((1.0 - h_prev.array().square()).matrix());
    const bool of_h_prev = near(dz_of_h_prev * x.transpose(), dW_x) && near(dz_of_h_prev * h_prev.transpose(), dW_h);
    const auto why = [&](const ::testing::AssertionResult& result) {
        return of_h_prev ? explained(tanh_prime_of_h_prev, result) : result;
    };
    EXPECT_HOLDS(why(matrices_near("dW_x", slopes(L, rnn.W_x), dW_x, 1e-7)));
    EXPECT_HOLDS(why(matrices_near("dW_h", slopes(L, rnn.W_h), dW_h, 1e-7)));
    EXPECT_HOLDS(why(matrices_near("db", slopes(L, rnn.b), db, 1e-7)));
    EXPECT_HOLDS(why(matrices_near("dx_t", slopes(L, x), dx, 1e-7)));
    EXPECT_HOLDS(why(matrices_near("dh_prev", slopes(L, h_prev), dh_prev, 1e-7)));
}

TEST(Ex7_3, AddsIntoTheGradients) {
    bp::Rng rng(707);
    bp::Rnn rnn = small_rnn(rng);
    const Matrix x = rng.uniform_matrix(2, 2, -1, 1), h_prev = rng.uniform_matrix(3, 2, -1, 1), h = rng.uniform_matrix(3, 2, -0.9, 0.9);
    const Matrix dh = rng.uniform_matrix(3, 2, -1, 1);
    Matrix dx(2, 2), dh_prev(3, 2);
    bp::rnn_step_backward(rnn, x, h_prev, h, dh, dx, dh_prev);
    const Matrix once_x = rnn.dW_x, once_h = rnn.dW_h, once_b = rnn.db;
    bp::rnn_step_backward(rnn, x, h_prev, h, dh, dx, dh_prev);
    // With = instead of +=, the second call leaves one step's share, as the last step of a sequence would.
    const auto overwritten = [](const std::string& dW, const std::string& share) {
        return "expected " + dW + " after the same step twice to be twice one step's share, got one share: that is " + dW + " = " +
               share + " with = instead of +=, each step overwriting what the steps before it added (over a sequence only one "
               "step's share would remain); the page says each step adds its share, " + dW + " += " + share +
               ": W_x, W_h and b are shared by every step, so their gradients are sums over the steps";
    };
    EXPECT_HOLDS(matches_or_names_mistake_first("dW_x", Matrix(2 * once_x), rnn.dW_x, {{overwritten("dW_x", "dz x_t^T"), once_x}},
                                                "the same step twice must add twice: W_x is shared by every step, so each step adds its share "
                                                "(+=, not =)"));
    EXPECT_HOLDS(matches_or_names_mistake_first("dW_h", Matrix(2 * once_h), rnn.dW_h, {{overwritten("dW_h", "dz h_{t-1}^T"), once_h}},
                                                "the same step twice must add twice: W_h is shared by every step, so each step adds its share "
                                                "(+=, not =)"));
    EXPECT_HOLDS(matches_or_names_mistake_first("db", Matrix(2 * once_b), Matrix(rnn.db), {{overwritten("db", "the row sums of dz"), Matrix(once_b)}},
                                                "the same step twice must add twice: b is shared by every step, so each step adds its share "
                                                "(+=, not =)"));
}

TEST(Ex7_3, DWhPairsDzWithTheStateTheStepRead) {
    // The identity, so dz = dh. The step read h_prev = (2, 3) and made h_t = W_h h_prev = (8, 3).
    bp::Rnn rnn(Matrix::Zero(2, 1), (Matrix(2, 2) << 1, 2, 0, 1).finished(), Vector::Zero(2), Activation::identity);
    Matrix dx(1, 1), dh_prev(2, 1);
    bp::rnn_step_backward(rnn, Matrix::Zero(1, 1), col({2, 3}), col({8, 3}), col({1, 0}), dx, dh_prev);
    const std::string tanh_prime = "tanh' = 1 - h_t^2 was applied, but this RNN's activation is the identity, whose "
                                   "derivative is 1: dz = dh_t. Multiply by 1 - h_t^2 only when rnn.f == Activation::tanh";
    EXPECT_HOLDS(matches_or_names_mistake_first("dW_h", (Matrix(2, 2) << 2, 3, 0, 0).finished(), rnn.dW_h,
                                                {{"dW_h pairs dz with h_t = (8, 3), the state the step made; it read h_{t-1} = h_prev = (2, 3), "
                                                  "so dW_h = dz h_prev^T",
                                                  (Matrix(2, 2) << 8, 3, 0, 0).finished()},
                                                 {tanh_prime + " (here dz = (1, 0) times 1 - 8^2 = -63)", (Matrix(2, 2) << -126, -189, 0, 0).finished()},
                                                 {tanh_prime + "; and dW_h pairs dz with h_t = (8, 3) instead of h_prev = (2, 3)",
                                                  (Matrix(2, 2) << -504, -189, 0, 0).finished()}},
                                                "dW_h = dz h_{t-1}^T with dz = dh_t = (1, 0) (the identity) and h_{t-1} = h_prev = (2, 3): "
                                                "[[2, 3], [0, 0]]"));
}

TEST(Ex7_3, SendsTheGradientBackThroughTheTransposeOfWh) {
    bp::Rnn rnn(Matrix::Zero(2, 1), (Matrix(2, 2) << 1, 2, 0, 1).finished(), Vector::Zero(2), Activation::identity);
    Matrix dx(1, 1), dh_prev(2, 1);
    bp::rnn_step_backward(rnn, Matrix::Zero(1, 1), col({0, 0}), col({0, 0}), col({1, 0}), dx, dh_prev);
    EXPECT_MATRIX_NEAR(col({1, 2}), dh_prev)
        << "dh_prev = W_h^T dz with W_h = [[1, 2], [0, 1]] and dz = (1, 0) (the identity): (1, 2). W_h is square, so "
           "W_h dz = (1, 0) fits the shapes too, and is wrong";
}

TEST(Ex7_3, AddsTheBiasGradientOnce) {
    bp::Rnn rnn(Matrix::Zero(2, 1), Matrix::Identity(2, 2), Vector::Zero(2), Activation::identity);
    Matrix dx(1, 2), dh_prev(2, 2);
    const Matrix dh = (Matrix(2, 2) << 1, 2, 3, 4).finished();
    bp::rnn_step_backward(rnn, Matrix::Zero(1, 2), Matrix::Zero(2, 2), Matrix::Zero(2, 2), dh, dx, dh_prev);
    EXPECT_MATRIX_NEAR(col({3, 7}), Matrix(rnn.db))
        << "db = the row sums of dz, once, with dz = dh = [[1, 2], [3, 4]]. z = W_x x + W_h h + b has one b: calling "
           "chapter 3's linear_backward once for W_x and once for W_h would add it twice";
}

// ---- 7.4 Rnn::backward ----

TEST(Ex7_4, ExactLinearCase) {
    bp::Rnn rnn = exact_linear_rnn();
    own_rnn_forward(rnn, Sequence(1, 3, 1), Matrix::Zero(2, 1));
    rnn.backward(loss_at_step(3, col({1, 0}), 3));  // L = g^T h_3, g = (1, 0)
    const std::string no_carry = "No gradient is carried from step to step: with dh_t = dh_out_t alone, the loss at step 3 "
                                 "reaches h_3 only. h_t also feeds step t + 1: dh_t = dh_out_t + dh_next";
    const std::string W_h_not_transposed = "W_h dz instead of W_h^T dz in dh_prev: W_h^j g = (1, 0) for every j, where "
                                           "(W_h^T)^j g = (1, 2j)";
    EXPECT_HOLDS(matches_or_names_mistake_first("start_grad().h", col({1, 6}), rnn.start_grad().h,
                                                {{W_h_not_transposed, col({1, 0})},
                                                 {no_carry, col({0, 0})},
                                                 {"This is dh_1, one step short of h_0: d_start.h is the dh_next that step 1 sends back, "
                                                  "after the loop",
                                                  col({1, 4})},
                                                 {"start_grad().h is empty: after the loop, d_start.h = dh_next, what step 1 sent back", Matrix()},
                                                 {"The loop runs forwards in time, t = 1 up to 3: steps 1 and 2 ran before step 3's loss came back, so "
                                                  "only W_h^T g = (1, 2), what step 3 sent back, is left. BPTT runs t = T down to 1",
                                                  col({1, 2})}},
                                                "L = g^T h_3 with g = (1, 0), the identity and W_h = [[1, 2], [0, 1]]: dh_0 = (W_h^T)^3 g = "
                                                "(1, 6)"));
    if (!near(col({1, 6}), rnn.start_grad().h)) return;  // dh_1 would show the same mistake again
    EXPECT_HOLDS(explained("dh_0 is right, so the pass is, but dh_1 = (W_h^T)^2 g is not: keep each step's dh_t = "
                           "dh_out_t + dh_next in dh.at(t), which hidden_grads() returns",
                           matrices_near("hidden_grads().at(1)", col({1, 4}), rnn.hidden_grads().at(1))));
}

TEST(Ex7_4, ALossAtTheLastStepReachesEveryStep) {
    bp::Rng rng(708);
    bp::Rnn rnn = small_rnn(rng);
    const Sequence x(rng.uniform_matrix(2, 4 * 2, -1, 1), 2);  // T = 4
    const Matrix h0 = rng.uniform_matrix(3, 2, -1, 1);
    const Sequence G = loss_at_step(4, rng.uniform_matrix(3, 2, -1, 1), 4);
    expect_bptt_matches_finite_differences(rnn, x, h0, G, "The loss is at step 4 of 4 only: the other steps' shares come from "
                                                           "the gradient carried back from step 4");
}

TEST(Ex7_4, ALossAtEveryStepMatchesFiniteDifferences) {
    bp::Rng rng(709);
    bp::Rnn rnn = small_rnn(rng);
    const Sequence x(rng.uniform_matrix(2, 3 * 2, -1, 1), 2);  // T = 3
    const Matrix h0 = rng.uniform_matrix(3, 2, -1, 1);
    const Sequence G(rng.uniform_matrix(3, 3 * 2, -1, 1), 2);
    expect_bptt_matches_finite_differences(rnn, x, h0, G, "L = sum_t sum(G_t ⊙ h_t), a loss at each of T = 3 steps");
}

TEST(Ex7_4, ALossAtTheFirstStepGivesDWhFromH0) {
    bp::Rng rng(710);
    bp::Rnn rnn = small_rnn(rng);
    const Sequence x(rng.uniform_matrix(2, 3, -1, 1), 1);  // T = 3, m = 1
    const Sequence G = loss_at_step(1, rng.uniform_matrix(3, 1, -1, 1), 3);
    // dz_1 = dh_1 ⊙ (1 - h_1^2), dh_1 = G_1: nothing comes back from the later steps, which have no loss.
    const auto dz1 = [&] { return Matrix(G.at(1).cwiseProduct((1.0 - rnn.h.at(1).array().square()).matrix())); };
    own_rnn_forward(rnn, x, Matrix::Zero(3, 1));
    rnn.backward(G);
    const std::string with_h_t = "dW_h pairs dz_t with h_t, the state step t made; step t read h_{t-1}, so dW_h += "
                                 "dz_t h_{t-1}^T";
    EXPECT_HOLDS(matches_or_names_mistake_first("dW_h", Matrix::Zero(3, 3), rnn.dW_h, {{with_h_t + ": here dz_1 h_1^T instead of dz_1 h_0^T = 0",
                                                                                        dz1() * rnn.h.at(1).transpose()}},
                                                "A loss at step 1 only, from h_0 = 0: step 1 read h_0 = 0, so dW_h = dz_1 h_0^T = 0 exactly"));
    const Matrix h0 = rng.uniform_matrix(3, 1, -1, 1);
    rnn.zero_grad();
    own_rnn_forward(rnn, x, h0);
    rnn.backward(G);
    const Matrix dz1_of_h0 = G.at(1).cwiseProduct((1.0 - h0.array().square()).matrix());  // tanh' read from h_0
    EXPECT_HOLDS(matches_or_names_mistake_first("dW_h", dz1() * h0.transpose(), rnn.dW_h,
                                                {{with_h_t, dz1() * rnn.h.at(1).transpose()}, {tanh_prime_of_h_prev, dz1_of_h0 * h0.transpose()}},
                                                "A loss at step 1 only, from h_0 != 0: dW_h = dz_1 h_0^T"));
}

TEST(Ex7_4, TheBiasGradientIsTheSumOfEveryStepsDz) {
    bp::Rng rng(711);
    bp::Rnn rnn = small_rnn(rng);
    own_rnn_forward(rnn, Sequence(rng.uniform_matrix(2, 3 * 2, -1, 1), 2), rng.uniform_matrix(3, 2, -1, 1));
    rnn.backward(Sequence(rng.uniform_matrix(3, 3 * 2, -1, 1), 2));
    Vector expected = Vector::Zero(3), of_h_prev = Vector::Zero(3);
    for (bp::Index t = 1; t <= 3; ++t) {
        expected += rnn.hidden_grads().at(t).cwiseProduct((1.0 - rnn.h.at(t).array().square()).matrix()).rowwise().sum();
        of_h_prev += rnn.hidden_grads().at(t).cwiseProduct((1.0 - rnn.hidden(t - 1).array().square()).matrix()).rowwise().sum();
    }
    EXPECT_HOLDS(matches_or_names_mistake_first("rnn.db", Matrix(expected), Matrix(rnn.db), {{tanh_prime_of_h_prev, Matrix(of_h_prev)}},
                                                "db = sum over t of the row sums of dz_t = dh_t ⊙ (1 - h_t^2), with your dh_t: each step adds "
                                                "it once"));
}

TEST(Ex7_4, TwoBackwardPassesAddUp) {
    bp::Rng rng(712);
    bp::Rnn rnn = small_rnn(rng);
    own_rnn_forward(rnn, Sequence(rng.uniform_matrix(2, 6, -1, 1), 2), rng.uniform_matrix(3, 2, -1, 1));
    const Sequence G(rng.uniform_matrix(3, 6, -1, 1), 2);
    rnn.backward(G);
    const Matrix once = rnn.dW_h;
    const Matrix dh0_once = rnn.start_grad().h;
    rnn.backward(G);
    // One pass's dW_h again, and that one pass's wrong: steps that overwrite (a backward that clears first gives the right one).
    EXPECT_HOLDS(explained(near(once, rnn.dW_h) && !near(OwnRnnBackward(rnn, G).dW_h, once)
                               ? "expected twice one pass's dW_h after two backward passes, got one pass's: that is dW_h "
                                 "written with = instead of +=, each step overwriting what came before (in rnn_step_backward, "
                                 "exercise 7.3, or in the loop); the page says each step adds its share, dW_h += dz_t h_{t-1}^T, "
                                 "over every step and every call, and only zero_grad() clears it"
                               : "Two backward passes must give twice one pass's dW_h: backward adds into it (+=) over every step "
                                 "and every call, and only zero_grad() clears it",
                           matrices_near("dW_h", 2 * once, rnn.dW_h)));
    EXPECT_HOLDS(explained("dL/dh_0 is the same on a second call: it starts again from dh_next = 0, nothing is left over "
                           "from the first call",
                           matrices_near("start_grad().h", dh0_once, rnn.start_grad().h)));
}

TEST(Ex7_4, ABatchIsTheSumOfItsSequences) {
    bp::Rng rng(713);
    bp::Rnn rnn = small_rnn(rng), single = rnn;
    const Sequence x(rng.uniform_matrix(2, 3 * 3, -1, 1), 3), G(rng.uniform_matrix(3, 3 * 3, -1, 1), 3);  // T = 3, m = 3
    const Matrix h0 = rng.uniform_matrix(3, 3, -1, 1);
    own_rnn_forward(rnn, x, h0);
    rnn.backward(G);
    const std::string mistake = rnn_bptt_mistake(rnn, G);
    for (bp::Index k = 0; k < 3; ++k) {
        std::vector<Matrix> xs, gs;
        for (bp::Index t = 1; t <= 3; ++t) {
            xs.push_back(x.at(t).col(k));
            gs.push_back(G.at(t).col(k));
        }
        own_rnn_forward(single, Sequence(xs), h0.col(k));
        single.backward(Sequence(gs));
    }
    const std::string why = !mistake.empty() ? mistake
                                             : "L = sum(G ⊙ h) over a batch of 3 sequences is the sum of their own losses, so "
                                               "the batch's gradients are the sums of the three sequences' own";
    EXPECT_HOLDS(explained(why, matrices_near("dW_x", single.dW_x, rnn.dW_x)));
    EXPECT_HOLDS(explained(why, matrices_near("dW_h", single.dW_h, rnn.dW_h)));
}

// ---- 7.5 check_rnn_gradients ----

TEST(Ex7_5, ChecksTheWeightsTheInputsAndTheStartState) {
    bp::Rng rng(714);
    bp::Rnn rnn = small_rnn(rng);
    const Sequence x(rng.uniform_matrix(2, 3 * 2, -1, 1), 2);
    const bp::GradientCheck check = bp::check_rnn_gradients(rnn, x, rng.uniform_matrix(3, 2, -1, 1), rng);
    EXPECT_TRUE(check.passed) << check.report();
    std::vector<std::string> names;
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
    EXPECT_HOLDS(matches_or_names_mistake_first("check.loss", Matrix::Constant(1, 1, own_rnn_loss(rnn, x, h0, G)), Matrix::Constant(1, 1, check.loss),
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

TEST(Ex7_6, AgreesWithTheLayersBackward) {
    bp::Rng rng(717);
    bp::Rnn rnn = small_rnn(rng, 2, 4);
    own_rnn_forward(rnn, Sequence(rng.uniform_matrix(2, 5 * 2, -1, 1), 2), rng.uniform_matrix(4, 2, -1, 1));
    const Matrix g = rng.uniform_matrix(4, 2, -1, 1);
    const std::vector<double> norms = bp::hidden_state_gradient_norms(rnn, g);
    rnn.backward(loss_at_step(5, g, 5));
    ASSERT_EQ(norms.size(), 6u);
    EXPECT_NEAR(rnn.start_grad().h.norm(), norms[0], 1e-12) << "t = 0";
    for (bp::Index t = 1; t <= 5; ++t)
        EXPECT_NEAR(rnn.hidden_grads().at(t).norm(), norms[static_cast<std::size_t>(t)], 1e-12)
            << "||dL/dh_" << t << "|| as Rnn::backward computes it for a loss at step 5 only";
}

// ---- 7.7 truncated_bptt ----

using Gradients = std::vector<std::pair<std::string, Matrix>>;

// A model of an RNN with a readout, and a batch with a target at every step (squared error).
struct Truncation {
    bp::Rng rng{718};
    bp::SequenceModel model{std::make_unique<bp::Rnn>(small_rnn(rng)), 2, rng};
    bp::SequenceBatch batch{Sequence(rng.uniform_matrix(2, 5 * 2, -1, 1), 2), Sequence(rng.uniform_matrix(2, 5 * 2, -1, 1), 2), 1};
    const bp::Loss loss = bp::mean_squared_error();

    // Every gradient of the model, with its parameter's name.
    Gradients gradients() {
        Gradients all;
        for (const bp::Parameter& p : model.parameters()) all.push_back({p.name, p.grad()});
        return all;
    }
};

Gradients plus(Gradients a, const Gradients& b) {
    for (std::size_t i = 0; i < a.size(); ++i) a[i].second += b[i].second;
    return a;
}

// Passes when every gradient agrees; else the first that does not, named (with `when`).
::testing::AssertionResult same_gradients(const std::string& when, const Gradients& expected, const Gradients& got) {
    for (std::size_t i = 0; i < expected.size(); ++i)
        if (::testing::AssertionResult r = matrices_near(expected[i].first + "'s gradient " + when, expected[i].second, got[i].second); !r)
            return r;
    return ::testing::AssertionSuccess();
}

TEST(Ex7_7, AWindowOfTStepsIsFullBptt) {
    Truncation c;
    std::vector<Gradients> seen;
    const double L = bp::truncated_bptt(c.model, c.loss, c.batch, 5, [&] { seen.push_back(c.gradients()); });
    ASSERT_EQ(seen.size(), 1u) << "with k = T there is one chunk, so update() is called once";
    c.model.zero_grad();
    bp::Sequence d_out;
    const double full = bp::sequence_loss(c.loss, c.model.forward(c.batch.x), c.batch, &d_out);
    c.model.backward(d_out);
    EXPECT_NEAR(full, L, 1e-12) << "the loss of all T = 5 steps";
    bool zero = true;
    for (const auto& [name, g] : seen.front()) zero = zero && g.isZero(0);
    EXPECT_HOLDS(explained(zero ? "update() saw gradients of zero: zero_grad() goes before each chunk's backward, not "
                                  "between backward and update()"
                                : "with k = T, truncated BPTT is full BPTT: update() must see the same gradients",
                           same_gradients("when update() is called", c.gradients(), seen.front())));
}

// The sum of the chunks' losses (k steps each, of T) with the model as it is, each chunk starting
// from `start(final state of the chunk before)`: what truncated_bptt returns when update()
// changes nothing, or, with another start, what a mistake gives.
double chunks_loss(bp::SequenceModel& model, const bp::Loss& loss, const bp::SequenceBatch& batch, bp::Index k,
                   const std::function<bp::RecurrentState(const bp::RecurrentState&)>& start) {
    double total = 0;
    bp::RecurrentState carried;
    for (bp::Index first = 1; first <= batch.steps(); first += k) {
        const bp::SequenceBatch chunk = batch.chunk(first, std::min(k, batch.steps() - first + 1));
        total += bp::sequence_loss(loss, model.forward(chunk.x, carried), chunk);
        carried = start(model.layer->final_state());
    }
    return total;
}

// What truncated_bptt returned, against the full forward pass's loss, with the known mistakes
// that give it named; `about` describes the case.
void expect_chunks_add_up(bp::SequenceModel& model, const bp::Loss& loss, const bp::SequenceBatch& batch, bp::Index k,
                          double L, const std::string& about) {
    const double full = bp::sequence_loss(loss, model.forward(batch.x), batch);
    const double chunks = static_cast<double>((batch.steps() + k - 1) / k);
    std::vector<bp_test::Mistake> mistakes = {
        {"each chunk started from zeros: the forward pass must carry the state across a cut, starting each chunk from "
         "the state the one before ended in (model.layer->final_state())",
         scalar(chunks_loss(model, loss, batch, k, [](const bp::RecurrentState&) { return bp::RecurrentState{}; }))},
        {"the total divided by the number of chunks: truncated_bptt returns the chunks' losses summed, as the full loss "
         "sums over the steps",
         scalar(full / chunks)},
        {"the total divided by the number of steps T: truncated_bptt returns the chunks' losses summed, as the full loss "
         "sums over the steps",
         scalar(full / static_cast<double>(batch.steps()))}};
    if (model.layer->final_state().c.size() > 0)
        mistakes.insert(mistakes.begin(),
                        {"only h was carried across a cut, and the cell restarted at 0: an LSTM's state is h and c, carry "
                         "both, the whole RecurrentState that model.layer->final_state() returns",
                         scalar(chunks_loss(model, loss, batch, k, [](const bp::RecurrentState& s) { return bp::RecurrentState{s.h, Matrix()}; }))});
    EXPECT_HOLDS(matches_or_names_mistake_first("the loss truncated_bptt returned", scalar(full), scalar(L), mistakes,
                                                about + ": with an update() that changes nothing, the chunks' losses add up to the loss of "
                                                        "the whole sequence, each chunk starting from the state the one before ended in",
                                                1e-12));
}

TEST(Ex7_7, TheForwardPassCarriesTheStateAcrossChunks) {
    Truncation c;
    int updates = 0;
    const double L = bp::truncated_bptt(c.model, c.loss, c.batch, 2, [&] { ++updates; });
    EXPECT_EQ(updates, 3) << "T = 5 steps in chunks of k = 2: steps 1-2, 3-4 and 5, one update() after each";
    expect_chunks_add_up(c.model, c.loss, c.batch, 2, L, "An RNN, T = 5 steps in chunks of k = 2");
}

// An LSTM whose forward pass is the tests' own (so that exercises 7.8 and 7.9 need not be done
// first), and whose backward leaves every gradient at zero: for tests of the state it carries.
struct ForwardOnlyLstm : bp::Lstm {
    using bp::Lstm::Lstm;
    const Sequence& forward(const Sequence& input, const bp::RecurrentState& start) override {
        const bp::Index T = input.steps(), m = input.batch(), n = n_out();
        x = input;
        h0 = start.h.size() ? start.h : Matrix::Zero(n, m);
        c0 = start.c.size() ? start.c : Matrix::Zero(n, m);
        gates.resize(4 * n, T, m), c.resize(n, T, m), h.resize(n, T, m);
        Matrix h_prev = h0, c_prev = c0;
        for (bp::Index t = 1; t <= T; ++t) {
            const Matrix A = (W_x * x.at(t) + W_h * h_prev).colwise() + b;
            Matrix g(4 * n, m);
            g << sigmoid_of(A.topRows(3 * n)), tanh_of(A.bottomRows(n));
            c_prev = (g.middleRows(n, n).array() * c_prev.array() + g.topRows(n).array() * g.bottomRows(n).array()).matrix();
            h_prev = (g.middleRows(2 * n, n).array() * c_prev.array().tanh()).matrix();
            gates.at(t) = g, c.at(t) = c_prev, h.at(t) = h_prev;
        }
        has_forward = true;
        return h;
    }
    const Sequence& backward(const Sequence& dh_out) override {
        dh = dh_out;
        dx = Sequence(n_in(), x.steps(), x.batch());
        d_start = {Matrix::Zero(n_out(), x.batch()), Matrix::Zero(n_out(), x.batch())};
        return dx;
    }
    std::unique_ptr<bp::SequenceLayer> clone() const override { return std::make_unique<ForwardOnlyLstm>(*this); }
};

TEST(Ex7_7, AnLstmCarriesItsCellToo) {
    bp::Rng rng(731);
    const bp::Index n_h = 3;
    // Forget gates open (bias 2) and large inputs: the cell holds much of what it took in.
    Vector b = rng.uniform_matrix(4 * n_h, 1, -0.5, 0.5).col(0);
    b.segment(n_h, n_h).array() += 2;
    bp::SequenceModel model(std::make_unique<ForwardOnlyLstm>(rng.uniform_matrix(4 * n_h, 2, -1.5, 1.5),
                                                              rng.uniform_matrix(4 * n_h, n_h, -0.8, 0.8), b),
                            2, rng);
    const bp::SequenceBatch batch{Sequence(rng.uniform_matrix(2, 6 * 2, -1, 1), 2), Sequence(rng.uniform_matrix(2, 6 * 2, -1, 1), 2), 1};
    const double L = bp::truncated_bptt(model, bp::mean_squared_error(), batch, 2, [] {});
    expect_chunks_add_up(model, bp::mean_squared_error(), batch, 2, L,
                         "An LSTM (n_h = 3) with a readout, T = 6 steps in chunks of k = 2");
}

TEST(Ex7_7, StartsFromTheGivenStateAndListsEachChunksLoss) {
    Truncation c;
    bp::RecurrentState start{c.rng.uniform_matrix(3, 2, -0.9, 0.9), Matrix()};  // h_0 of a batch that goes on an earlier one
    std::vector<double> losses;
    const double L = bp::truncated_bptt(c.model, c.loss, c.batch, 2, [] {}, start, &losses);
    // What each chunk scores, from the given start and then from where the chunk before ended.
    std::vector<double> want;
    bp::RecurrentState carried = start;
    for (bp::Index first = 1; first <= 5; first += 2) {
        const bp::SequenceBatch chunk = c.batch.chunk(first, std::min<bp::Index>(2, 5 - first + 1));
        want.push_back(bp::sequence_loss(c.loss, c.model.forward(chunk.x, carried), chunk));
        carried = c.model.layer->final_state();
    }
    ASSERT_EQ(losses.size(), 3u) << "chunk_losses gets one loss per chunk (steps 1-2, 3-4 and 5): push each chunk's "
                                    "sequence_loss into `losses`, which the given code copies out and sums";
    const double from_zeros = chunks_loss(c.model, c.loss, c.batch, 2, [](const bp::RecurrentState& s) { return s; });
    if (std::abs(L - from_zeros) < 1e-12 && std::abs(L - (want[0] + want[1] + want[2])) > 1e-9)
        ADD_FAILURE() << "the first chunk started from zeros, not from the given `start`: start each forward pass from "
                         "`carried`, which the given code sets to `start`; start.h is\n"
                      << bp_test::format_matrix(start.h);
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_NEAR(want[i], losses[i], 1e-12) << "chunk " << i + 1 << "'s loss, from h_0 = the given start";
    EXPECT_NEAR(want[0] + want[1] + want[2], L, 1e-12) << "what truncated_bptt returns: the chunks' losses summed";
}

TEST(Ex7_7, TheGradientStopsAtTheChunksStart) {
    Truncation c;
    std::vector<Gradients> seen;
    bp::truncated_bptt(c.model, c.loss, c.batch, 2, [&] { seen.push_back(c.gradients()); });
    ASSERT_EQ(seen.size(), 3u) << "T = 5 steps in chunks of k = 2: steps 1-2, 3-4 and 5, one update() after each";
    // Chunk 2 (steps 3-4) on its own, from the state after step 2: what update() must see after it.
    c.model.forward(c.batch.x.slice(1, 2));
    const bp::RecurrentState h2 = c.model.layer->final_state();
    const bp::SequenceBatch chunk = c.batch.chunk(3, 2);
    c.model.zero_grad();
    bp::Sequence d_out;
    bp::sequence_loss(c.loss, c.model.forward(chunk.x, h2), chunk, &d_out);
    c.model.backward(d_out);
    const Gradients alone = c.gradients();
    // What a mistake gives: chunk 2's loss back through steps 1-4 (the gradient not stopped at the chunk's start).
    bp::SequenceBatch steps_1_to_4 = c.batch.chunk(1, 4);
    steps_1_to_4.first_scored = 3;
    c.model.zero_grad();
    bp::sequence_loss(c.loss, c.model.forward(steps_1_to_4.x), steps_1_to_4, &d_out);
    c.model.backward(d_out);
    const Gradients through = c.gradients();
    Gradients zero = alone;
    for (auto& [name, g] : zero) g.setZero();
    const auto is = [&](const Gradients& g) { return static_cast<bool>(same_gradients("", g, seen[1])); };
    const std::string after = "After chunk 2 (steps 3-4), update() saw ";
    const std::string stop = "forward and backward run on the chunk alone (batch.chunk), forward from the state the chunk "
                             "before ended in";
    const std::string clear = "call model.zero_grad() at the start of each chunk (backward adds into the gradients)";
    std::string why = "After chunk 2 (steps 3-4), update() must see the gradients of its loss alone, through steps 3-4 from h_2";
    if (is(plus(seen[0], alone))) why = after + "chunk 1's gradients added to chunk 2's: " + clear;
    else if (is(through)) why = after + "chunk 2's gradient carried on back into steps 1-2: " + stop;
    else if (is(plus(seen[0], through)))
        why = after + "chunk 2's gradient carried on back into steps 1-2 (" + stop + "), and chunk 1's added to it (" + clear + ")";
    else if (is(zero)) why = after + "gradients of zero: zero_grad() goes before each chunk's backward, not between backward and update()";
    EXPECT_HOLDS(explained(why, same_gradients("when update() is called after chunk 2", alone, seen[1])));
}

// ---- 7.8 lstm_step_forward ----

// The tests' own LSTM step, gates in the order i, f, o, g.
struct OwnLstmStep {
    Matrix gates, c, h;
    OwnLstmStep(const bp::Lstm& l, const Matrix& x, const Matrix& h_prev, const Matrix& c_prev) {
        const bp::Index n = l.n_out();
        const Matrix A = (l.W_x * x + l.W_h * h_prev).colwise() + l.b;
        gates.resize(4 * n, x.cols());
        gates << sigmoid_of(A.topRows(3 * n)), tanh_of(A.bottomRows(n));
        c = (gates.middleRows(n, n).array() * c_prev.array() + gates.topRows(n).array() * gates.bottomRows(n).array()).matrix();
        h = (gates.middleRows(2 * n, n).array() * c.array().tanh()).matrix();
    }
};

bp::Lstm small_lstm(bp::Rng& rng, bp::Index n_x = 2, bp::Index n_h = 3) {
    return bp::Lstm(rng.uniform_matrix(4 * n_h, n_x, -0.8, 0.8), rng.uniform_matrix(4 * n_h, n_h, -0.8, 0.8),
                    rng.uniform_matrix(4 * n_h, 1, -0.5, 0.5).col(0));
}

TEST(Ex7_8, MatchesTheEquations) {
    bp::Rng rng(719);
    const bp::Lstm lstm = small_lstm(rng);
    const Matrix x = rng.uniform_matrix(2, 4, -1, 1), h_prev = rng.uniform_matrix(3, 4, -1, 1), c_prev = rng.uniform_matrix(3, 4, -2, 2);
    Matrix gates(12, 4), c(3, 4), h(3, 4);
    bp::lstm_step_forward(lstm, x, h_prev, c_prev, gates, c, h);
    const OwnLstmStep expected(lstm, x, h_prev, c_prev);
    EXPECT_MATRIX_NEAR(expected.gates, gates) << "the gates i, f, o (sigmoid) and g (tanh) of A = W_x x_t + W_h h_prev + b";
    EXPECT_MATRIX_NEAR(expected.c, c) << "c_t = f ⊙ c_prev + i ⊙ g";
    EXPECT_MATRIX_NEAR(expected.h, h) << "h_t = o ⊙ tanh(c_t)";
}

TEST(Ex7_8, TheGatesComeInTheOrderIFOG) {
    // W = 0, so A = b: i = 1, f = 0, o = 1 (biases of +-40) and g = tanh(0.5).
    const Vector b = (Vector(4) << 40, -40, 40, 0.5).finished();
    const bp::Lstm lstm(Matrix::Zero(4, 1), Matrix::Zero(4, 1), b);
    Matrix gates(4, 1), c(1, 1), h(1, 1);
    bp::lstm_step_forward(lstm, Matrix::Ones(1, 1), Matrix::Ones(1, 1), Matrix::Constant(1, 1, 3.0), gates, c, h);
    EXPECT_MATRIX_NEAR(Matrix::Constant(1, 1, std::tanh(0.5)), c)
        << "with i = 1, f = 0 (the 2nd block of b) and g = tanh(0.5) (the 4th), c_t = 0 c_prev + 1 g = tanh(0.5); "
           "the blocks of A are i, f, o, g in that order";
    if (std::abs(h(0, 0) - c(0, 0)) < 1e-12 && std::abs(c(0, 0) - std::tanh(0.5)) < 1e-12)
        ADD_FAILURE() << "h_t = c_t = " << c(0, 0) << " with o = 1: the tanh is missing, h_t = o ⊙ tanh(c_t) (tanh_in_place on a copy "
                         "of c_t, then times o)";
    else
        EXPECT_MATRIX_NEAR(Matrix::Constant(1, 1, std::tanh(std::tanh(0.5))), h) << "h_t = o tanh(c_t) with o = 1";
}

TEST(Ex7_8, AnOpenForgetGateAndAClosedInputGateKeepTheCell) {
    const Vector b = (Vector(4) << -40, 40, 0, 0.3).finished();  // i = 0, f = 1
    const bp::Lstm lstm(Matrix::Zero(4, 1), Matrix::Zero(4, 1), b);
    Matrix gates(4, 2), c(1, 2), h(1, 2);
    const Matrix c_prev = (Matrix(1, 2) << 1.5, -0.25).finished();
    bp::lstm_step_forward(lstm, Matrix::Ones(1, 2), Matrix::Ones(1, 2), c_prev, gates, c, h);
    EXPECT_HOLDS(matrices_near("c_t", c_prev, c, 1e-15)) << "f = 1 and i = 0: c_t = c_prev, the memory kept as it is";
}

// ---- 7.9 lstm_step_backward ----

TEST(Ex7_9, MatchesFiniteDifferencesGateByGate) {
    bp::Rng rng(720);
    bp::Lstm lstm = small_lstm(rng);
    Matrix x = rng.uniform_matrix(2, 3, -1, 1), h_prev = rng.uniform_matrix(3, 3, -1, 1), c_prev = rng.uniform_matrix(3, 3, -2, 2);
    const Matrix G_h = rng.uniform_matrix(3, 3, -1, 1), G_c = rng.uniform_matrix(3, 3, -1, 1);
    // L = sum(G_h ⊙ h_t) + sum(G_c ⊙ c_t): dh_t = G_h, and dc_next = G_c, as step t + 1 would send it.
    const auto L = [&] {
        const OwnLstmStep s(lstm, x, h_prev, c_prev);
        return weighted_sum(G_h, s.h) + weighted_sum(G_c, s.c);
    };
    const OwnLstmStep s(lstm, x, h_prev, c_prev);
    Matrix dx(2, 3), dh_prev(3, 3), dc_prev(3, 3);
    bp::lstm_step_backward(lstm, x, h_prev, c_prev, s.gates, s.c, G_h, G_c, dx, dh_prev, dc_prev);
    const Matrix dW_x = lstm.dW_x, dW_h = lstm.dW_h, db = lstm.db;
    const Matrix num_W_x = slopes(L, lstm.W_x), num_W_h = slopes(L, lstm.W_h), num_b = slopes(L, lstm.b);
    const char* hints[] = {"di = dc ⊙ g, then ⊙ i (1 - i)", "df = dc ⊙ c_{t-1}, then ⊙ f (1 - f)",
                           "do = dh_t ⊙ tanh(c_t), then ⊙ o (1 - o)", "dg = dc ⊙ i, then ⊙ (1 - g^2)"};
    for (int gate = 0; gate < 4; ++gate) {
        const std::string name = std::string("gate ") + bp::lstm_gate_name(gate) + " (rows " + std::to_string(3 * gate) + "-" +
                                 std::to_string(3 * gate + 2) + ")";
        EXPECT_HOLDS(matrices_near("dW_x, " + name, num_W_x.middleRows(3 * gate, 3), dW_x.middleRows(3 * gate, 3), 1e-7))
            << hints[gate] << ", with dc = dc_next + dh_t ⊙ o ⊙ (1 - tanh^2(c_t))";
        EXPECT_HOLDS(matrices_near("dW_h, " + name, num_W_h.middleRows(3 * gate, 3), dW_h.middleRows(3 * gate, 3), 1e-7)) << hints[gate];
        EXPECT_HOLDS(matrices_near("db, " + name, num_b.middleRows(3 * gate, 3), db.middleRows(3 * gate, 3), 1e-7)) << hints[gate];
    }
    EXPECT_HOLDS(matrices_near("dx_t", slopes(L, x), dx, 1e-7)) << "dx_t = W_x^T dA";
    EXPECT_HOLDS(matrices_near("dh_prev", slopes(L, h_prev), dh_prev, 1e-7)) << "dh_prev = W_h^T dA";
    const Matrix o = s.gates.middleRows(6, 3), dc = G_c + G_h.cwiseProduct(o).cwiseProduct((1.0 - s.c.array().tanh().square()).matrix());
    EXPECT_HOLDS(matches_or_names_mistake_first("dc_prev", slopes(L, c_prev), dc_prev,
                                                {{"dc_prev = dc, without the forget gate: c_t = f ⊙ c_{t-1} + i ⊙ g, so dc_prev = dc ⊙ f", dc}},
                                                "dc_prev = dc ⊙ f", 1e-7));
}

TEST(Ex7_9, TheCarouselPassesDcStraightBack) {
    // i = 0, f = 1, o = 0: the cell keeps itself and shows nothing.
    const Vector b = (Vector(4) << -40, 40, -40, 0.2).finished();
    bp::Lstm lstm(Matrix::Zero(4, 1), Matrix::Zero(4, 1), b);
    const Matrix x = Matrix::Ones(1, 2), h_prev = Matrix::Ones(1, 2), c_prev = (Matrix(1, 2) << 0.7, -1.1).finished();
    const OwnLstmStep s(lstm, x, h_prev, c_prev);
    const Matrix dc_next = (Matrix(1, 2) << 0.3, -2.0).finished();
    Matrix dx(1, 2), dh_prev(1, 2), dc_prev(1, 2);
    bp::lstm_step_backward(lstm, x, h_prev, c_prev, s.gates, s.c, Matrix::Ones(1, 2), dc_next, dx, dh_prev, dc_prev);
    EXPECT_HOLDS(matrices_near("dc_prev", dc_next, dc_prev, 1e-12))
        << "i = 0, f = 1, o = 0: dc = dc_next + dh ⊙ o ⊙ ... = dc_next, and dc_prev = dc ⊙ f = dc_next, unchanged: "
           "the gradient travels along the cell as far as f stays 1";
}

TEST(Ex7_9, TheForgetGatesGradientUsesTheOldCell) {
    // W = 0 and b = 0: i = f = o = 1/2, g = 0; c_prev = 2, so c_t = 1.
    bp::Lstm lstm(Matrix::Zero(4, 1), Matrix::Zero(4, 1), Vector::Zero(4));
    const Matrix one = Matrix::Ones(1, 1), c_prev = Matrix::Constant(1, 1, 2.0);
    const OwnLstmStep s(lstm, one, one, c_prev);
    Matrix dx(1, 1), dh_prev(1, 1), dc_prev(1, 1);
    bp::lstm_step_backward(lstm, one, one, c_prev, s.gates, s.c, Matrix::Zero(1, 1), one, dx, dh_prev, dc_prev);
    EXPECT_NEAR(0.5, lstm.db(1), 1e-12) << "the forget gate's bias: dh_t = 0 and dc_next = 1, so dc = 1; df = dc c_{t-1} "
                                           "= 2 and dA_f = df f (1 - f) = 2 / 4 = 0.5. (With c_t = 1 in place of "
                                           "c_{t-1}: 0.25)";
}

TEST(Ex7_9, TheCellsGradientGoesBackThroughTheForgetGate) {
    // W = 0 and b = 0: i = f = o = 1/2, g = 0; c_prev = 2, so c_t = 1.
    bp::Lstm lstm(Matrix::Zero(4, 1), Matrix::Zero(4, 1), Vector::Zero(4));
    const Matrix one = Matrix::Ones(1, 1), c_prev = Matrix::Constant(1, 1, 2.0);
    const OwnLstmStep s(lstm, one, one, c_prev);
    Matrix dx(1, 1), dh_prev(1, 1), dc_prev(1, 1);
    bp::lstm_step_backward(lstm, one, one, c_prev, s.gates, s.c, Matrix::Zero(1, 1), one, dx, dh_prev, dc_prev);
    EXPECT_HOLDS(matches_or_names_mistake_first("dc_prev", Matrix::Constant(1, 1, 0.5), dc_prev,
                                                {{"dc_prev = dc, without the forget gate: c_t = f ⊙ c_{t-1} + i ⊙ g, so dc_prev = dc ⊙ f "
                                                  "(here f = 1/2, dc = 1)",
                                                  one}},
                                                "dh_t = 0 and dc_next = 1, so dc = 1, and f = 1/2: dc_prev = dc ⊙ f = 0.5"));
}

TEST(Ex7_9, AddsIntoTheGradients) {
    bp::Rng rng(721);
    bp::Lstm lstm = small_lstm(rng);
    const Matrix x = rng.uniform_matrix(2, 2, -1, 1), h_prev = rng.uniform_matrix(3, 2, -1, 1), c_prev = rng.uniform_matrix(3, 2, -1, 1);
    const OwnLstmStep s(lstm, x, h_prev, c_prev);
    const Matrix dh = rng.uniform_matrix(3, 2, -1, 1), dc = rng.uniform_matrix(3, 2, -1, 1);
    Matrix dx(2, 2), dh_prev(3, 2), dc_prev(3, 2);
    bp::lstm_step_backward(lstm, x, h_prev, c_prev, s.gates, s.c, dh, dc, dx, dh_prev, dc_prev);
    const Matrix once = lstm.dW_h;
    bp::lstm_step_backward(lstm, x, h_prev, c_prev, s.gates, s.c, dh, dc, dx, dh_prev, dc_prev);
    EXPECT_MATRIX_NEAR(Matrix(2 * once), lstm.dW_h) << "each step adds its share into the shared W_h (+=, not =)";
}

// ---- 7.10 gru_step, through the graph ----

// The tests' own GRU step: u, r, the candidate and h_t.
struct OwnGruStep {
    Matrix u, r, candidate, h;
    OwnGruStep(const bp::Gru& g, const Matrix& x, const Matrix& h_prev) {
        u = sigmoid_of((g.W_xu * x + g.W_hu * h_prev).colwise() + g.b_u);
        r = sigmoid_of((g.W_xr * x + g.W_hr * h_prev).colwise() + g.b_r);
        candidate = tanh_of((g.W_xh * x + g.W_hh * r.cwiseProduct(h_prev)).colwise() + g.b_h);
        h = (u.array() * h_prev.array() + (1.0 - u.array()) * candidate.array()).matrix();
    }
};

// The update gate used the other way round, h_t = (1 - u) ⊙ h_prev + u ⊙ h~, and its name.
Matrix with_update_gate_swapped(const OwnGruStep& s, const Matrix& h_prev) {
    return ((1.0 - s.u.array()) * h_prev.array() + s.u.array() * s.candidate.array()).matrix();
}
const char* const update_gate_swapped =
    "expected h_t = u ⊙ h_prev + (1 - u) ⊙ h~, got (1 - u) ⊙ h_prev + u ⊙ h~: that is the update gate u used the other "
    "way round (some texts write the GRU so, with their z); the page says h_t = u ⊙ h_{t-1} + (1 - u) ⊙ h~, so that where "
    "u = 1 the state is kept as it is (and bp::Gru starts b_u at 1 for that)";

bp::Gru small_gru(bp::Rng& rng, bp::Index n_x = 2, bp::Index n_h = 3) {
    bp::Gru g(n_x, n_h, rng);
    for (const bp::Parameter& p : g.parameters()) p.value() = rng.uniform_matrix(p.rows(), p.cols(), -0.8, 0.8);
    return g;
}

TEST(Ex7_10, ComputesTheGruStep) {
    bp::Rng rng(722);
    bp::Gru gru = small_gru(rng);
    const Matrix x = rng.uniform_matrix(2, 4, -1, 1), h_prev = rng.uniform_matrix(3, 4, -1, 1);
    bp::Graph g;
    const bp::Var h = bp::gru_step(g, bp::gru_graph_parameters(g, gru), g.input(x, "x_t"), g.input(h_prev, "h_prev"));
    const OwnGruStep want(gru, x, h_prev);
    EXPECT_HOLDS(matches_or_names_mistake_first("h_t", want.h, g.value(h), {{update_gate_swapped, with_update_gate_swapped(want, h_prev)}},
                                                "u = sigmoid(W_xu x_t + W_hu h_prev + b_u), r = sigmoid(W_xr x_t + W_hr h_prev + b_r); "
                                                "h~ = tanh(W_xh x_t + W_hh (r ⊙ h_prev) + b_h); h_t = u ⊙ h_prev + (1 - u) ⊙ h~"));
}

TEST(Ex7_10, TheGraphsGradientsMatchFiniteDifferences) {
    bp::Rng rng(723);
    bp::Gru gru = small_gru(rng);
    Matrix x = rng.uniform_matrix(2, 3, -1, 1), h_prev = rng.uniform_matrix(3, 3, -1, 1);
    const Matrix G = rng.uniform_matrix(3, 3, -1, 1);
    bp::Graph g;
    const bp::Var xv = g.input(x, "x_t"), hv = g.input(h_prev, "h_prev");
    const bp::Var h = bp::gru_step(g, bp::gru_graph_parameters(g, gru), xv, hv);
    g.backward(g.sum(g.mul(h, g.input(G, "G"))));  // L = sum(G ⊙ h_t)
    const OwnGruStep want(gru, x, h_prev);
    if (!near(want.h, g.value(h)) && near(with_update_gate_swapped(want, h_prev), g.value(h))) {
        // The graph differentiates the step it was given: every gradient is that other step's.
        ADD_FAILURE() << update_gate_swapped << ". The graph's gradients are those of that other step, so none can match "
                      << "the finite differences of the page's\n"
                      << matrices_near("h_t", want.h, g.value(h)).message();
        return;
    }
    const auto L = [&] { return weighted_sum(G, OwnGruStep(gru, x, h_prev).h); };
    const char* why = "the graph's parameter leaves add their gradients into the layer's";
    for (auto [name, W, dW] : {std::tuple<const char*, Matrix*, Matrix*>{"W_xu", &gru.W_xu, &gru.dW_xu}, {"W_hu", &gru.W_hu, &gru.dW_hu},
                               {"W_xr", &gru.W_xr, &gru.dW_xr}, {"W_hr", &gru.W_hr, &gru.dW_hr},
                               {"W_xh", &gru.W_xh, &gru.dW_xh}, {"W_hh", &gru.W_hh, &gru.dW_hh}})
        EXPECT_HOLDS(matrices_near(std::string("d") + name, slopes(L, *W), *dW, 1e-7)) << why;
    for (auto [name, b, db] : {std::tuple<const char*, Vector*, Vector*>{"b_u", &gru.b_u, &gru.db_u}, {"b_r", &gru.b_r, &gru.db_r},
                               {"b_h", &gru.b_h, &gru.db_h}})
        EXPECT_HOLDS(matrices_near(std::string("d") + name, slopes(L, *b), *db, 1e-7)) << why;
    EXPECT_HOLDS(matrices_near("dx_t", slopes(L, x), g.grad(xv), 1e-7));
    EXPECT_HOLDS(matrices_near("dh_prev", slopes(L, h_prev), g.grad(hv), 1e-7)) << "h_prev is used four times (in u ⊙ h_prev, "
                                                                                   "r ⊙ h_prev and the products with W_hu and W_hr)";
}

// ---- 7.11 gru_step_backward, by hand ----

// dh_prev by hand and by finite differences, for a GRU, with dh_t = G.
void expect_dh_prev_matches(bp::Gru& gru, bp::Rng& rng, const std::string& paths) {
    Matrix x = rng.uniform_matrix(2, 2, -1, 1), h_prev = rng.uniform_matrix(3, 2, -1, 1);
    const Matrix G = rng.uniform_matrix(3, 2, -1, 1);
    const OwnGruStep s(gru, x, h_prev);
    Matrix dx(2, 2), dh_prev(3, 2);
    bp::gru_step_backward(gru, x, h_prev, s.u, s.r, s.candidate, G, dx, dh_prev);
    const auto L = [&] { return weighted_sum(G, OwnGruStep(gru, x, h_prev).h); };
    EXPECT_HOLDS(matrices_near("dh_prev", slopes(L, h_prev), dh_prev, 1e-7)) << "with only " << paths;
}

TEST(Ex7_11, EachPathIntoHPrev) {
    bp::Rng rng(724);
    bp::Gru gru = small_gru(rng);
    gru.W_hu.setZero(), gru.W_hr.setZero(), gru.W_hh.setZero();
    expect_dh_prev_matches(gru, rng, "the direct path: h_t = u ⊙ h_prev + ..., so dh_prev = dh ⊙ u");
    gru.W_hu = rng.uniform_matrix(3, 3, -0.8, 0.8);
    expect_dh_prev_matches(gru, rng, "the direct path and the update gate's: + W_hu^T dA_u");
    gru.W_hu.setZero();
    gru.W_hh = rng.uniform_matrix(3, 3, -0.8, 0.8);
    expect_dh_prev_matches(gru, rng, "the direct path and the candidate's: + (W_hh^T dA_h) ⊙ r");
    gru.W_hr = rng.uniform_matrix(3, 3, -0.8, 0.8);
    expect_dh_prev_matches(gru, rng, "the direct path, the candidate's and the reset gate's: + W_hr^T dA_r");
}

TEST(Ex7_11, MatchesTheGraphTo1e12) {
    bp::Rng rng(725);
    bp::Gru gru = small_gru(rng), by_graph = gru;
    const Matrix x = rng.uniform_matrix(2, 3, -1, 1), h_prev = rng.uniform_matrix(3, 3, -1, 1), G = rng.uniform_matrix(3, 3, -1, 1);
    const OwnGruStep s(gru, x, h_prev);
    Matrix dx(2, 3), dh_prev(3, 3);
    bp::gru_step_backward(gru, x, h_prev, s.u, s.r, s.candidate, G, dx, dh_prev);
    bp::Graph g;
    const bp::Var xv = g.input(x, "x_t"), hv = g.input(h_prev, "h_prev");
    const bp::Var h = bp::gru_step(g, bp::gru_graph_parameters(g, by_graph), xv, hv);
    g.backward(g.sum(g.mul(h, g.input(G, "G"))));
    if (!near(s.h, g.value(h))) {
        // The graph is built by exercise 7.10's gru_step: a wrong step there is no mistake of this exercise's.
        ADD_FAILURE() << "the graph this test compares with is built by your gru_step (exercise 7.10), and its h_t is not the "
                         "page's step"
                      << (near(with_update_gate_swapped(s, h_prev), g.value(h)) ? std::string(": ") + update_gate_swapped : std::string())
                      << ". Fix exercise 7.10 first\n"
                      << matrices_near("h_t", s.h, g.value(h)).message();
        return;
    }
    const std::vector<bp::Parameter> mine = gru.parameters(), graphs = by_graph.parameters();
    for (std::size_t i = 0; i < mine.size(); ++i)
        EXPECT_HOLDS(matrices_near("d" + mine[i].name, graphs[i].grad(), mine[i].grad(), 1e-12)) << "against chapter 3's graph";
    EXPECT_HOLDS(matrices_near("dx_t", g.grad(xv), dx, 1e-12));
    EXPECT_HOLDS(matrices_near("dh_prev", g.grad(hv), dh_prev, 1e-12));
}

TEST(Ex7_11, AddsIntoTheGradients) {
    bp::Rng rng(726);
    bp::Gru gru = small_gru(rng);
    const Matrix x = rng.uniform_matrix(2, 2, -1, 1), h_prev = rng.uniform_matrix(3, 2, -1, 1), G = rng.uniform_matrix(3, 2, -1, 1);
    const OwnGruStep s(gru, x, h_prev);
    Matrix dx(2, 2), dh_prev(3, 2);
    bp::gru_step_backward(gru, x, h_prev, s.u, s.r, s.candidate, G, dx, dh_prev);
    const Matrix once_u = gru.dW_hu, once_h = gru.dW_hh;
    bp::gru_step_backward(gru, x, h_prev, s.u, s.r, s.candidate, G, dx, dh_prev);
    EXPECT_MATRIX_NEAR(Matrix(2 * once_u), gru.dW_hu) << "+=, not =";
    EXPECT_MATRIX_NEAR(Matrix(2 * once_h), gru.dW_hh);
}

}  // namespace
