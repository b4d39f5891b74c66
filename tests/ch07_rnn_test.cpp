// Chapter 7's RNN, forward and backward (exercises 7.1-7.4): a step and the layer's forward pass
// through time, then a step's backward pass and backpropagation through time. Each test catches
// one of the usual mistakes of BPTT, on a case small enough to follow by hand where it can, and
// calls only its own exercise where it can: the states a backward pass needs are made with the
// tests' own forward pass (ch07_recurrent.hpp), so that the backward exercises can be done and
// checked before the forward ones.
#include "ch07_recurrent.hpp"
#include "check.hpp"

#include "bp/layers/dense.hpp"
#include "bp/recurrent/rnn.hpp"

#include <string>
#include <vector>

namespace {

using bp::Activation;
using bp::Matrix;
using bp::Sequence;
using bp::Vector;
using bp_test::col;
using bp_test::exact_linear_rnn;
using bp_test::explained;
using bp_test::loss_at_step;
using bp_test::matches_or_names_mistake_first;
using bp_test::matrices_near;
using bp_test::near;
using bp_test::own_rnn_forward;
using bp_test::own_rnn_loss;
using bp_test::slopes;
using bp_test::small_rnn;
using bp_test::tanh_of;
using bp_test::weighted_sum;

// The tests' own BPTT after own_rnn_forward, for dL/dh_t = G_t from above (dh_out = G): each
// step's dz_t and every gradient; or, to name a failure, what one of the known mistakes gives.
enum class Bptt { right, no_carry, W_h_not_transposed, forwards_in_time, tanh_prime_of_h_prev, tanh_prime_unsquared };
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
            // tanh'(z_t) = 1 - h_t^2; the mistakes of reading it from h_{t-1}, the state the step read,
            // and of writing it 1 - h_t, without the square
            const Matrix tanh_of_z = way == Bptt::tanh_prime_of_h_prev ? Matrix(rnn.hidden(t - 1)) : Matrix(rnn.h.at(t));
            if (rnn.f == Activation::tanh)
                d.array() *= way == Bptt::tanh_prime_unsquared ? Eigen::ArrayXXd(1.0 - tanh_of_z.array())
                                                               : Eigen::ArrayXXd(1.0 - tanh_of_z.array().square());
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

// Exercise 7.3's mistake of writing tanh' as 1 - h_t, without the square.
const char* const tanh_prime_unsquared =
    "expected the gradients of dz = dh_t ⊙ (1 - h_t^2), got those of dz = dh_t ⊙ (1 - h_t): that is tanh' written "
    "without the square; the page says dz_t = dh_t ⊙ (1 - h_t ⊙ h_t), since h_t = tanh(z_t) and tanh'(z) = 1 - tanh(z)^2. "
    "In rnn_step_backward (exercise 7.3): 1.0 - h_t.array().square()";

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
        if (rnn.f == Activation::tanh && near(OwnRnnBackward(rnn, G, Bptt::tanh_prime_unsquared).dW_x, rnn.dW_x))
            return tanh_prime_unsquared;
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
                                 : about +
                                       ". dW_x is right, so each step's dz_t is, and the carried gradient: look at "
                                       "how this gradient is made from them";
    const auto L = [&] { return own_rnn_loss(rnn, x, h0, G); };
    const ::testing::AssertionResult results[] = {
        matrices_near("dW_x", slopes(L, rnn.W_x), dW_x, 1e-7), matrices_near("dW_h", slopes(L, rnn.W_h), dW_h, 1e-7),
        matrices_near("db", slopes(L, rnn.b), db, 1e-7), matrices_near("dx", slopes(L, x.all()), dx.all(), 1e-7),
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
    // The right states h_0, ..., h_4, and each step from a state it should not read.
    std::vector<Matrix> right = {h0};
    const auto step = [&](bp::Index t, const Matrix& from) { return tanh_of((rnn.W_x * x.at(t) + rnn.W_h * from).colwise() + rnn.b); };
    for (bp::Index t = 1; t <= 4; ++t) right.push_back(step(t, right.back()));
    bool from_h0 = true, two_back = true;  // every step t >= 2 reading h_0, or h_{t-2}
    for (bp::Index t = 2; t <= 4; ++t) {
        from_h0 = from_h0 && near(step(t, h0), h.at(t));
        two_back = two_back && near(step(t, rnn.hidden(t - 2)), h.at(t));  // from the states it made
    }
    for (bp::Index t = 1; t <= 4; ++t) {
        const Matrix& expected = right[static_cast<std::size_t>(t)];
        if (t >= 2 && !near(expected, h.at(t)) && (from_h0 || two_back)) {
            // Every later state is wrong the same way: name it once.
            ADD_FAILURE() << "expected h_" << t << " = tanh(W_x x_" << t << " + W_h h_" << t - 1 << " + b), got tanh(W_x x_" << t
                          << " + W_h h_" << (from_h0 ? 0 : t - 2) << " + b): that is "
                          << (from_h0 ? "every step reading h_0 as h_prev, the state never advancing"
                                      : "every step reading h_{t-2}, two steps back, as h_prev")
                          << "; the page says step t makes h_t from x_t and h_{t-1}, which is hidden(t - 1), the state the step "
                             "before made\n"
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
    // tanh' read from h_prev instead of h_t, or written 1 - h_t: the gradients of their dz, named in each failure they explain.
    const auto shown_by = [&](const Eigen::ArrayXXd& tanh_prime) {
        const Matrix dz = (G.array() * tanh_prime).matrix();
        return near(dz * x.transpose(), dW_x) && near(dz * h_prev.transpose(), dW_h);
    };
    const std::string mistake = shown_by(1.0 - h_prev.array().square()) ? tanh_prime_of_h_prev
                                : shown_by(1.0 - step().array())        ? tanh_prime_unsquared
                                                                        : "";
    const auto why = [&](const ::testing::AssertionResult& result) { return explained(mistake, result); };
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
        return "expected " + dW + " after the same step twice to be twice one step's share, got one share: that is " + dW + " = " + share +
               " with = instead of +=, each step overwriting what the steps before it added (over a sequence only one "
               "step's share would remain); the page says each step adds its share, " +
               dW + " += " + share + ": W_x, W_h and b are shared by every step, so their gradients are sums over the steps";
    };
    EXPECT_HOLDS(
        matches_or_names_mistake_first("dW_x", Matrix(2 * once_x), rnn.dW_x, {{overwritten("dW_x", "dz x_t^T"), once_x}},
                                       "the same step twice must add twice: W_x is shared by every step, so each step adds its share "
                                       "(+=, not =)"));
    EXPECT_HOLDS(
        matches_or_names_mistake_first("dW_h", Matrix(2 * once_h), rnn.dW_h, {{overwritten("dW_h", "dz h_{t-1}^T"), once_h}},
                                       "the same step twice must add twice: W_h is shared by every step, so each step adds its share "
                                       "(+=, not =)"));
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "db", Matrix(2 * once_b), Matrix(rnn.db), {{overwritten("db", "the row sums of dz"), Matrix(once_b)}},
        "the same step twice must add twice: b is shared by every step, so each step adds its share "
        "(+=, not =)"));
}

TEST(Ex7_3, DWhPairsDzWithTheStateTheStepRead) {
    // The identity, so dz = dh. The step read h_prev = (2, 3) and made h_t = W_h h_prev = (8, 3).
    bp::Rnn rnn(Matrix::Zero(2, 1), (Matrix(2, 2) << 1, 2, 0, 1).finished(), Vector::Zero(2), Activation::identity);
    Matrix dx(1, 1), dh_prev(2, 1);
    bp::rnn_step_backward(rnn, Matrix::Zero(1, 1), col({2, 3}), col({8, 3}), col({1, 0}), dx, dh_prev);
    const std::string tanh_prime =
        "tanh' = 1 - h_t^2 was applied, but this RNN's activation is the identity, whose "
        "derivative is 1: dz = dh_t. Multiply by 1 - h_t^2 only when rnn.f == Activation::tanh";
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "dW_h", (Matrix(2, 2) << 2, 3, 0, 0).finished(), rnn.dW_h,
        {{"dW_h pairs dz with h_t = (8, 3), the state the step made; it read h_{t-1} = h_prev = (2, 3), "
          "so dW_h = dz h_prev^T",
          (Matrix(2, 2) << 8, 3, 0, 0).finished()},
         {tanh_prime + " (here dz = (1, 0) times 1 - 8^2 = -63)", (Matrix(2, 2) << -126, -189, 0, 0).finished()},
         {tanh_prime + "; and dW_h pairs dz with h_t = (8, 3) instead of h_prev = (2, 3)", (Matrix(2, 2) << -504, -189, 0, 0).finished()}},
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

TEST(Ex7_3, WritesItsOutputsOverWhatTheyHeld) {
    // The same step into outputs of zeros and into outputs that hold 100 everywhere. Rnn::backward
    // hands the step its dh_next as dh_prev at every step, still holding what step t + 1 sent.
    bp::Rng rng(732);
    bp::Rnn rnn = small_rnn(rng), again = rnn;
    const Matrix x = rng.uniform_matrix(2, 2, -1, 1), h_prev = rng.uniform_matrix(3, 2, -1, 1), dh = rng.uniform_matrix(3, 2, -1, 1);
    const Matrix h = tanh_of((rnn.W_x * x + rnn.W_h * h_prev).colwise() + rnn.b);
    Matrix dx = Matrix::Zero(2, 2), dh_prev = Matrix::Zero(3, 2);
    bp::rnn_step_backward(rnn, x, h_prev, h, dh, dx, dh_prev);
    Matrix dx_held = bp_test::held_like(dx), dh_prev_held = bp_test::held_like(dh_prev);
    bp::rnn_step_backward(again, x, h_prev, h, dh, dx_held, dh_prev_held);
    const auto added = [](const std::string& out, const std::string& formula) {
        return "that is " + out + " += " + formula +
               " instead of =; the step writes its outputs (only dW_x, dW_h and db add up over the steps), and "
               "Rnn::backward passes dh_next as dh_prev, still holding what step t + 1 sent back";
    };
    EXPECT_HOLDS(bp_test::writes_over("dx_t", dx, dx_held, added("dx_t", "W_x^T dz")));
    EXPECT_HOLDS(bp_test::writes_over("dh_prev", dh_prev, dh_prev_held, added("dh_prev", "W_h^T dz")));
}

// ---- 7.4 Rnn::backward ----

TEST(Ex7_4, ExactLinearCase) {
    bp::Rnn rnn = exact_linear_rnn();
    own_rnn_forward(rnn, Sequence(1, 3, 1), Matrix::Zero(2, 1));
    rnn.backward(loss_at_step(3, col({1, 0}), 3));  // L = g^T h_3, g = (1, 0)
    // dh_0 = 0 comes from two mistakes: no carry (step 3 ran, and kept dh_3 = g), or a loop that
    // never did step 3, the only step with a loss.
    const std::string no_carry =
        near(col({1, 0}), rnn.hidden_grads().at(3))
            ? "No gradient is carried from step to step: with dh_t = dh_out_t alone, the loss at step 3 "
              "reaches h_3 only. h_t also feeds step t + 1: dh_t = dh_out_t + dh_next"
            : "Step 3 = T was never done: hidden_grads().at(3) is not dh_out_3 = g = (1, 0), and the loss, at step 3 "
              "only, reached nothing. The loop runs t = T, T - 1, ..., 1, starting at t = T";
    const std::string W_h_not_transposed =
        "W_h dz instead of W_h^T dz in dh_prev: W_h^j g = (1, 0) for every j, where "
        "(W_h^T)^j g = (1, 2j)";
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "start_grad().h", col({1, 6}), rnn.start_grad().h,
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
    EXPECT_HOLDS(
        explained("dh_0 is right, so the pass is, but dh_1 = (W_h^T)^2 g is not: keep each step's dh_t = "
                  "dh_out_t + dh_next in dh.at(t), which hidden_grads() returns",
                  matrices_near("hidden_grads().at(1)", col({1, 4}), rnn.hidden_grads().at(1))));
}

TEST(Ex7_4, ALossAtTheLastStepReachesEveryStep) {
    bp::Rng rng(708);
    bp::Rnn rnn = small_rnn(rng);
    const Sequence x(rng.uniform_matrix(2, 4 * 2, -1, 1), 2);  // T = 4
    const Matrix h0 = rng.uniform_matrix(3, 2, -1, 1);
    const Sequence G = loss_at_step(4, rng.uniform_matrix(3, 2, -1, 1), 4);
    expect_bptt_matches_finite_differences(rnn, x, h0, G,
                                           "The loss is at step 4 of 4 only: the other steps' shares come from "
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
    const std::string with_h_t =
        "dW_h pairs dz_t with h_t, the state step t made; step t read h_{t-1}, so dW_h += "
        "dz_t h_{t-1}^T";
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "dW_h", Matrix::Zero(3, 3), rnn.dW_h, {{with_h_t + ": here dz_1 h_1^T instead of dz_1 h_0^T = 0", dz1() * rnn.h.at(1).transpose()}},
        "A loss at step 1 only, from h_0 = 0: step 1 read h_0 = 0, so dW_h = dz_1 h_0^T = 0 exactly"));
    const Matrix h0 = rng.uniform_matrix(3, 1, -1, 1);
    rnn.zero_grad();
    own_rnn_forward(rnn, x, h0);
    rnn.backward(G);
    const Matrix dz1_of_h0 = G.at(1).cwiseProduct((1.0 - h0.array().square()).matrix());      // tanh' read from h_0
    const Matrix dz1_unsquared = G.at(1).cwiseProduct((1.0 - rnn.h.at(1).array()).matrix());  // tanh' written 1 - h_1
    EXPECT_HOLDS(matches_or_names_mistake_first("dW_h", dz1() * h0.transpose(), rnn.dW_h,
                                                {{with_h_t, dz1() * rnn.h.at(1).transpose()},
                                                 {tanh_prime_of_h_prev, dz1_of_h0 * h0.transpose()},
                                                 {tanh_prime_unsquared, dz1_unsquared * h0.transpose()}},
                                                "A loss at step 1 only, from h_0 != 0: dW_h = dz_1 h_0^T"));
}

TEST(Ex7_4, TheBiasGradientIsTheSumOfEveryStepsDz) {
    bp::Rng rng(711);
    bp::Rnn rnn = small_rnn(rng);
    own_rnn_forward(rnn, Sequence(rng.uniform_matrix(2, 3 * 2, -1, 1), 2), rng.uniform_matrix(3, 2, -1, 1));
    rnn.backward(Sequence(rng.uniform_matrix(3, 3 * 2, -1, 1), 2));
    Vector expected = Vector::Zero(3), of_h_prev = Vector::Zero(3), unsquared = Vector::Zero(3);
    for (bp::Index t = 1; t <= 3; ++t) {
        expected += rnn.hidden_grads().at(t).cwiseProduct((1.0 - rnn.h.at(t).array().square()).matrix()).rowwise().sum();
        of_h_prev += rnn.hidden_grads().at(t).cwiseProduct((1.0 - rnn.hidden(t - 1).array().square()).matrix()).rowwise().sum();
        unsquared += rnn.hidden_grads().at(t).cwiseProduct((1.0 - rnn.h.at(t).array()).matrix()).rowwise().sum();
    }
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "rnn.db", Matrix(expected), Matrix(rnn.db), {{tanh_prime_of_h_prev, Matrix(of_h_prev)}, {tanh_prime_unsquared, Matrix(unsquared)}},
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
    EXPECT_HOLDS(
        explained("dL/dh_0 is the same on a second call: it starts again from dh_next = 0, nothing is left over "
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

}  // namespace
