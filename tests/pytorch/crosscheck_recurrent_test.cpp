// The cross-check of chapter 7: Rnn over T steps from a given h_0, truncated BPTT, Lstm against
// torch::nn::LSTM, Gru against torch written with the course's equations (and against
// torch::nn::GRU where the two are the same function), and a training step of the character
// model (an Lstm with a readout, Adam and clipping).
#include "crosscheck.hpp"

#include "char_text.hpp"

namespace F = torch::nn::functional;
using namespace crosscheck;
using bp::Matrix;
using bp::Vector;

namespace {

// Torch's recurrent layers in double, with the course's weights copied in.
// (A tensor is a handle: the copy returned shares the module's parameter.)
torch::Tensor param(torch::nn::Module& m, const std::string& name) { return m.named_parameters()[name]; }
void assign(torch::Tensor p, const torch::Tensor& value) {
    torch::NoGradGuard no_grad;
    p.copy_(value);
}

// Convention: torch's recurrent layers have two biases, b_ih and b_hh, added; the course has one.
// Torch's b_hh is set to 0 and frozen (no gradient, not optimized), so that b_ih is the course's b.
void freeze_second_bias(torch::nn::Module& m) {
    assign(param(m, "bias_hh_l0"), torch::zeros_like(param(m, "bias_hh_l0")));
    param(m, "bias_hh_l0").requires_grad_(false);
}

// The course's Rnn (tanh) as torch::nn::RNN: W_x, W_h and b in double, the second bias frozen at 0.
torch::nn::RNN torch_rnn(const Matrix& W_x, const Matrix& W_h, const Vector& b) {
    torch::nn::RNN rnn(torch::nn::RNNOptions(W_x.cols(), W_x.rows()).nonlinearity(torch::kTanh));
    rnn->to(torch::kDouble);
    assign(param(*rnn, "weight_ih_l0"), tensor(W_x));
    assign(param(*rnn, "weight_hh_l0"), tensor(W_h));
    assign(param(*rnn, "bias_ih_l0"), tensor(b));
    freeze_second_bias(*rnn);
    return rnn;
}

// Convention: the course stacks an LSTM's gates i, f, o, g (the sigmoid gates first); torch
// stacks them i, f, g, o. Swapping the last two blocks of rows maps either order onto the other.
Matrix swap_og(const Matrix& m) {
    const bp::Index n = m.rows() / 4;
    Matrix r = m;
    r.middleRows(2 * n, n) = m.middleRows(3 * n, n);
    r.middleRows(3 * n, n) = m.middleRows(2 * n, n);
    return r;
}

bp::Sequence random_sequence(bp::Rng& rng, bp::Index n, bp::Index T, bp::Index m) { return bp::Sequence(random(rng, n, T * m), m); }

// One-hot targets for a sequence: K x m at each of T steps.
bp::Sequence one_hot_sequence(bp::Rng& rng, bp::Index K, bp::Index T, bp::Index m) {
    return bp::Sequence(one_hot_columns(rng, K, T * m), m);
}

// The course's sequence loss (sequence_loss): at each step the mean over the batch, SUMMED over the
// steps. Convention: torch's cross_entropy of all T m rows at once would be this divided by T.
torch::Tensor torch_sequence_loss(const torch::Tensor& logits, const torch::Tensor& targets) {
    torch::Tensor loss = torch::zeros({}, torch::kDouble);
    for (int64_t t = 0; t < logits.size(0); ++t) loss = loss + F::cross_entropy(logits[t], targets[t]);
    return loss;
}

}  // namespace

TEST(TorchRnn, AnRnnOverTStepsFromAGivenStartAgreesWithTorchRnn) {
    const bp::Index n_x = 3, n_h = 4, T = 6, m = 2;
    bp::Rng rng(101);
    const Matrix W_x = random(rng, n_h, n_x), W_h = random(rng, n_h, n_h, 0.6), h0 = random(rng, n_h, m);
    const Vector b = random_vector(rng, n_h);
    const bp::Sequence x = random_sequence(rng, n_x, T, m), G = random_sequence(rng, n_h, T, m);

    // torch::nn::RNN (tanh), input (T, m, n_x); the loss sum_t sum(G_t ⊙ h_t), whose gradient
    // dL/dh_t is G_t, what the course's backward takes.
    torch::nn::RNN rnn = torch_rnn(W_x, W_h, b);
    torch::Tensor xt = sequence_tensor(x).requires_grad_(true), h0t = as_rows(h0).unsqueeze(0).requires_grad_(true);
    const auto [h, h_T] = rnn->forward(xt, h0t);
    (h * sequence_tensor(G)).sum().backward();
    const Quantities torch_side{{"h_1..h_T", sequence_matrix(h)},
                                {"dL/dx_1..dL/dx_T", sequence_matrix(xt.grad())},
                                {"dL/dh_0", from_rows(h0t.grad()[0])},
                                {"dL/dW_x", grad_of(param(*rnn, "weight_ih_l0"))},
                                {"dL/dW_h", grad_of(param(*rnn, "weight_hh_l0"))},
                                {"dL/db", grad_of(param(*rnn, "bias_ih_l0"))}};
    check_piece(
        "Rnn",
        [&](const Perturb& perturb) {
            bp::Rnn layer(W_x, W_h, b);
            perturb("W_h", layer.W_h);
            const bp::Sequence out = layer.forward(x, {h0, {}});
            const bp::Sequence dx = layer.backward(G);
            return Quantities{{"h_1..h_T", out.all()}, {"dL/dx_1..dL/dx_T", dx.all()}, {"dL/dh_0", layer.start_grad().h}} +
                   gradients(layer);
        },
        torch_side);
}

TEST(TorchRnn, TruncatedBpttAgreesWithTorchDetachingTheStateAtEachCut) {
    // An Rnn with a readout (o_t = V h_t + c), softmax cross-entropy at every step, T = 7 in
    // chunks of k = 3 (3, 3, 1), an Sgd step after each chunk, from a given h_0.
    const bp::Index n_x = 3, n_h = 4, K = 3, T = 7, m = 2, k = 3;
    const double lr = 0.2;
    bp::Rng rng(111);
    const Matrix W_x = random(rng, n_h, n_x), W_h = random(rng, n_h, n_h, 0.6), V = random(rng, K, n_h), h0 = random(rng, n_h, m);
    const Vector b = random_vector(rng, n_h), c = random_vector(rng, K);
    const bp::SequenceBatch batch{random_sequence(rng, n_x, T, m), one_hot_sequence(rng, K, T, m), 1};

    // torch: each chunk starts from the state the last one ended in, detach()ed: the state
    // carries over, the gradient does not. zero_grad, the chunk's loss, backward, SGD.
    torch::nn::RNN rnn = torch_rnn(W_x, W_h, b);
    const Named leaves{{"rnn.W_x", param(*rnn, "weight_ih_l0")},
                       {"rnn.W_h", param(*rnn, "weight_hh_l0")},
                       {"rnn.b", param(*rnn, "bias_ih_l0")},
                       {"readout.W", leaf(V)},
                       {"readout.b", leaf(c)}};
    std::vector<torch::Tensor> params;
    for (const auto& [name, t] : leaves) params.push_back(t);
    torch::optim::SGD sgd(params, torch::optim::SGDOptions(lr));
    const torch::Tensor xs = sequence_tensor(batch.x), ys = sequence_tensor(batch.y);
    torch::Tensor state = as_rows(h0).unsqueeze(0);
    Matrix chunk_losses(1, 3);
    int chunk = 0;
    for (bp::Index first = 0; first < T; first += k, ++chunk) {
        const int64_t count = std::min<int64_t>(k, T - first);
        sgd.zero_grad();
        const auto [h, h_last] = rnn->forward(xs.narrow(0, first, count), state.detach());
        const torch::Tensor loss = torch_sequence_loss(F::linear(h, params[3], params[4]), ys.narrow(0, first, count));
        loss.backward();
        sgd.step();
        chunk_losses(0, chunk) = loss.item<double>();
        state = h_last;
    }
    const Quantities torch_side = Quantities{{"the chunks' losses", chunk_losses}, {"h_T", from_rows(state[0])}} +
                                  gradients(leaves, "the last chunk's dL/d") + values(leaves, " after the 3 steps");
    check_piece(
        "truncated_bptt",
        [&](const Perturb& perturb) {
            bp::SequenceModel model(std::make_unique<bp::Rnn>(W_x, W_h, b), bp::Dense(V, c, bp::Activation::identity));
            perturb("rnn.W_x", dynamic_cast<bp::Rnn&>(*model.layer).W_x);
            bp::Sgd opt(lr);
            std::vector<double> losses;
            bp::truncated_bptt(
                model, bp::softmax_cross_entropy(), batch, k, [&] { opt.step(model.parameters()); }, {h0, {}}, &losses);
            const Matrix l = Eigen::Map<const Matrix>(losses.data(), 1, static_cast<bp::Index>(losses.size()));
            return Quantities{{"the chunks' losses", l}, {"h_T", model.layer->final_state().h}} +
                   gradients(model, "the last chunk's dL/d") + values(model, " after the 3 steps");
        },
        torch_side);
}

TEST(TorchLstm, AnLstmAgreesWithTorchLstmOnceItsGatesAndBiasesAreMoved) {
    const bp::Index n_x = 3, n_h = 4, T = 5, m = 2;
    bp::Rng rng(121);
    const Matrix W_x = random(rng, 4 * n_h, n_x), W_h = random(rng, 4 * n_h, n_h, 0.6);
    const Vector b = random_vector(rng, 4 * n_h);
    const Matrix h0 = random(rng, n_h, m), c0 = random(rng, n_h, m);
    const bp::Sequence x = random_sequence(rng, n_x, T, m), G = random_sequence(rng, n_h, T, m);

    // torch::nn::LSTM with the rows of W_x, W_h and b moved into its gate order (i, f, g, o);
    // torch's b_ih = the course's b and b_hh = 0 (whose gradient, not used for a step here, is
    // also dL/db: both are compared).
    torch::nn::LSTM lstm(torch::nn::LSTMOptions(n_x, n_h));
    lstm->to(torch::kDouble);
    assign(param(*lstm, "weight_ih_l0"), tensor(swap_og(W_x)));
    assign(param(*lstm, "weight_hh_l0"), tensor(swap_og(W_h)));
    assign(param(*lstm, "bias_ih_l0"), tensor(Vector(swap_og(b))));
    assign(param(*lstm, "bias_hh_l0"), torch::zeros({4 * n_h}, torch::kDouble));
    torch::Tensor xt = sequence_tensor(x).requires_grad_(true);
    torch::Tensor h0t = as_rows(h0).unsqueeze(0).requires_grad_(true), c0t = as_rows(c0).unsqueeze(0).requires_grad_(true);
    const auto [h, state] = lstm->forward(xt, std::make_tuple(h0t, c0t));
    (h * sequence_tensor(G)).sum().backward();
    const Quantities torch_side{{"h_1..h_T", sequence_matrix(h)},
                                {"c_T", from_rows(std::get<1>(state)[0])},
                                {"dL/dx_1..dL/dx_T", sequence_matrix(xt.grad())},
                                {"dL/dh_0", from_rows(h0t.grad()[0])},
                                {"dL/dc_0", from_rows(c0t.grad()[0])},
                                {"dL/dW_x", swap_og(grad_of(param(*lstm, "weight_ih_l0")))},
                                {"dL/dW_h", swap_og(grad_of(param(*lstm, "weight_hh_l0")))},
                                {"dL/db", swap_og(grad_of(param(*lstm, "bias_ih_l0")))},
                                {"dL/db (torch's b_hh)", swap_og(grad_of(param(*lstm, "bias_hh_l0")))}};
    check_piece(
        "Lstm",
        [&](const Perturb& perturb) {
            bp::Lstm layer(W_x, W_h, b);
            perturb("W_h", layer.W_h);
            const bp::Sequence out = layer.forward(x, {h0, c0});
            const bp::Sequence dx = layer.backward(G);
            return Quantities{{"h_1..h_T", out.all()},           {"c_T", layer.final_state().c},
                              {"dL/dx_1..dL/dx_T", dx.all()},    {"dL/dh_0", layer.start_grad().h},
                              {"dL/dc_0", layer.start_grad().c}, {"dL/dW_x", layer.dW_x},
                              {"dL/dW_h", layer.dW_h},           {"dL/db", layer.db},
                              {"dL/db (torch's b_hh)", layer.db}};
        },
        torch_side);
}

namespace {

struct GruWeights {
    Matrix W_xu, W_hu, W_xr, W_hr, W_xh, W_hh;
    Vector b_u, b_r, b_h;
    GruWeights(bp::Rng& rng, bp::Index n_x, bp::Index n_h) {
        W_xu = random(rng, n_h, n_x), W_hu = random(rng, n_h, n_h, 0.6), b_u = random_vector(rng, n_h);
        W_xr = random(rng, n_h, n_x), W_hr = random(rng, n_h, n_h, 0.6), b_r = random_vector(rng, n_h);
        W_xh = random(rng, n_h, n_x), W_hh = random(rng, n_h, n_h, 0.6), b_h = random_vector(rng, n_h);
    }
    bp::Gru layer() const { return bp::Gru(W_xu, W_hu, b_u, W_xr, W_hr, b_r, W_xh, W_hh, b_h); }
};

// The course's side of a GRU: forward from h0, backward from G; h, dx, dh_0 and every gradient.
Quantities course_gru(bp::Gru& gru, const bp::Sequence& x, const Matrix& h0, const bp::Sequence& G) {
    const bp::Sequence h = gru.forward(x, {h0, {}});
    const bp::Sequence dx = gru.backward(G);
    return Quantities{{"h_1..h_T", h.all()}, {"dL/dx_1..dL/dx_T", dx.all()}, {"dL/dh_0", gru.start_grad().h}} + gradients(gru);
}

}  // namespace

TEST(TorchGru, AGruAgreesWithTorchWrittenWithTheCoursesEquations) {
    const bp::Index n_x = 3, n_h = 4, T = 5, m = 2;
    bp::Rng rng(131);
    const GruWeights w(rng, n_x, n_h);
    const Matrix h0 = random(rng, n_h, m);
    const bp::Sequence x = random_sequence(rng, n_x, T, m), G = random_sequence(rng, n_h, T, m);

    // The course's GRU in torch's operations, batch as rows:
    //   u = sigmoid(x W_xu^T + h W_hu^T + b_u), r = sigmoid(x W_xr^T + h W_hr^T + b_r),
    //   h~ = tanh(x W_xh^T + (r ⊙ h) W_hh^T + b_h), h_t = u ⊙ h + (1 - u) ⊙ h~.
    const Named leaves{{"W_xu", leaf(w.W_xu)}, {"W_hu", leaf(w.W_hu)}, {"b_u", leaf(w.b_u)},
                       {"W_xr", leaf(w.W_xr)}, {"W_hr", leaf(w.W_hr)}, {"b_r", leaf(w.b_r)},
                       {"W_xh", leaf(w.W_xh)}, {"W_hh", leaf(w.W_hh)}, {"b_h", leaf(w.b_h)}};
    std::vector<torch::Tensor> p;
    for (const auto& [name, t] : leaves) p.push_back(t);
    torch::Tensor xt = sequence_tensor(x).requires_grad_(true), h0t = as_rows(h0).requires_grad_(true);
    torch::Tensor h = h0t;
    std::vector<torch::Tensor> torch_hs;
    for (int64_t t = 0; t < T; ++t) {
        const torch::Tensor u = torch::sigmoid(F::linear(xt[t], p[0]) + F::linear(h, p[1]) + p[2]);
        const torch::Tensor r = torch::sigmoid(F::linear(xt[t], p[3]) + F::linear(h, p[4]) + p[5]);
        const torch::Tensor cand = torch::tanh(F::linear(xt[t], p[6]) + F::linear(r * h, p[7]) + p[8]);
        h = u * h + (1 - u) * cand;
        torch_hs.push_back(h);
    }
    const torch::Tensor all = torch::stack(torch_hs);
    (all * sequence_tensor(G)).sum().backward();
    const Quantities torch_side =
        Quantities{
            {"h_1..h_T", sequence_matrix(all)}, {"dL/dx_1..dL/dx_T", sequence_matrix(xt.grad())}, {"dL/dh_0", from_rows(h0t.grad())}} +
        gradients(leaves);
    check_piece(
        "Gru",
        [&](const Perturb& perturb) {
            bp::Gru gru = w.layer();
            perturb("W_hh", gru.W_hh);
            return course_gru(gru, x, h0, G);
        },
        torch_side);

    // The same GRU recorded step by step in chapter 3's graph (gru_step, exercise 7.10), its
    // parameters bound to the layer's: L = sum_t sum(G_t ⊙ h_t), differentiated by Graph::backward.
    check_piece(
        "Gru through the Graph (gru_step)",
        [&](const Perturb& perturb) {
            bp::Gru gru = w.layer();
            perturb("W_hh", gru.W_hh);
            bp::Graph g;
            const bp::GruVars vars = bp::gru_graph_parameters(g, gru);
            const bp::Var start = g.input(h0, "h_0");
            bp::Var h_t = start, L{};
            std::vector<bp::Var> xs, hs;
            for (bp::Index t = 1; t <= T; ++t) {
                xs.push_back(g.input(x.at(t), "x_" + std::to_string(t)));
                h_t = bp::gru_step(g, vars, xs.back(), h_t);
                hs.push_back(h_t);
                const bp::Var term = g.sum(g.mul(h_t, g.input(G.at(t), "G_" + std::to_string(t))));
                L = t == 1 ? term : g.add(L, term);
            }
            g.backward(L);
            Matrix h_all(n_h, T * m), dx_all(n_x, T * m);
            for (bp::Index t = 0; t < T; ++t) {
                h_all.middleCols(t * m, m) = g.value(hs[t]);
                dx_all.middleCols(t * m, m) = g.grad(xs[t]);
            }
            return Quantities{{"h_1..h_T", h_all}, {"dL/dx_1..dL/dx_T", dx_all}, {"dL/dh_0", g.grad(start)}} + gradients(gru);
        },
        torch_side);
}

TEST(TorchGru, TorchGruIsTheCoursesGruWhenWhhIsZeroButItsResetGateComesAfterTheProduct) {
    // Convention: torch::nn::GRU computes the candidate as tanh(x W_in^T + b_in + r ⊙ (h W_hn^T +
    // b_hn)), r AFTER the product; the course as tanh(x W_xh^T + (r ⊙ h) W_hh^T + b_h), r before
    // it: another function. Where W_hh = 0 (and b_hn = 0) they are the same: torch's blocks r, z,
    // n take the course's r, u and h~ weights (its z is the course's update gate u, and both
    // write h_t = u ⊙ h + (1 - u) ⊙ h~), and every output and gradient agrees but dL/dW_hh: the
    // course's is sum dA (r ⊙ h)^T, torch's sum (dA ⊙ r) h^T, compared apart and shown to differ.
    const bp::Index n_x = 3, n_h = 4, T = 5, m = 2;
    bp::Rng rng(141);
    GruWeights w(rng, n_x, n_h);
    w.W_hh.setZero();
    const Matrix h0 = random(rng, n_h, m);
    const bp::Sequence x = random_sequence(rng, n_x, T, m), G = random_sequence(rng, n_h, T, m);

    auto stack = [](const Matrix& r, const Matrix& u, const Matrix& n) {
        Matrix s(r.rows() * 3, r.cols());
        s << r, u, n;
        return s;
    };
    auto block = [n_h](const Matrix& m3, int i) { return Matrix(m3.middleRows(i * n_h, n_h)); };
    torch::nn::GRU gru(torch::nn::GRUOptions(n_x, n_h));
    gru->to(torch::kDouble);
    assign(param(*gru, "weight_ih_l0"), tensor(stack(w.W_xr, w.W_xu, w.W_xh)));
    assign(param(*gru, "weight_hh_l0"), tensor(stack(w.W_hr, w.W_hu, w.W_hh)));
    assign(param(*gru, "bias_ih_l0"), tensor(Vector(stack(w.b_r, w.b_u, w.b_h))));
    freeze_second_bias(*gru);
    torch::Tensor xt = sequence_tensor(x).requires_grad_(true), h0t = as_rows(h0).unsqueeze(0).requires_grad_(true);
    const auto [h, h_T] = gru->forward(xt, h0t);
    (h * sequence_tensor(G)).sum().backward();
    const Matrix dWi = grad_of(param(*gru, "weight_ih_l0")), dWh = grad_of(param(*gru, "weight_hh_l0"));
    const Matrix db = grad_of(param(*gru, "bias_ih_l0"));
    const Quantities torch_side{{"h_1..h_T", sequence_matrix(h)},
                                {"dL/dx_1..dL/dx_T", sequence_matrix(xt.grad())},
                                {"dL/dh_0", from_rows(h0t.grad()[0])},
                                {"dL/dW_xu", block(dWi, 1)},
                                {"dL/dW_hu", block(dWh, 1)},
                                {"dL/db_u", block(db, 1)},
                                {"dL/dW_xr", block(dWi, 0)},
                                {"dL/dW_hr", block(dWh, 0)},
                                {"dL/db_r", block(db, 0)},
                                {"dL/dW_xh", block(dWi, 2)},
                                {"dL/db_h", block(db, 2)}};
    auto without_dW_hh = [](Quantities q) {
        q.erase(std::remove_if(q.begin(), q.end(), [](const Quantity& e) { return e.name == "dL/dW_hh"; }), q.end());
        return q;
    };
    check_piece(
        "Gru with W_hh = 0 against torch::nn::GRU",
        [&](const Perturb& perturb) {
            bp::Gru course = w.layer();
            perturb("W_xh", course.W_xh);
            return without_dW_hh(course_gru(course, x, h0, G));
        },
        torch_side);

    // The difference: dL/dW_hh against torch's dL/dW_hn.
    bp::Gru course = w.layer();
    course_gru(course, x, h0, G);
    const testing::AssertionResult same =
        agree("Gru's dL/dW_hh against torch::nn::GRU's dL/dW_hn", {{"dL/dW_hh", course.dW_hh}}, {{"dL/dW_hh", block(dWh, 2)}});
    EXPECT_FALSE(same) << "the reset gate's place should make dL/dW_hh differ from torch's: " << same.message();
    std::cout << "[ differ   ] as expected: " << same.message() << "\n";
}

TEST(TorchCharModel, ATrainingStepOfTheCharacterModelAgrees) {
    // Chapter 7's character model (ch07-char-lm): an Lstm over one-hot characters, a readout to
    // the logits of the next character, the sequence loss, clipping by norm, Adam; its own
    // initial weights (bp::Lstm's, forget bias 1). Three steps of train_sequence_step.
    const bp::CharText text = bp::encode_text("the quick brown fox jumps over the lazy dog, and then it naps in the sun.", "text");
    const bp::Index K = text.size(), n_h = 5, T = 6, m = 3;
    const int steps = 3;
    const double lr = 0.05, clip = 1.0;
    auto batch_at = [&](int step) {
        bp::SequenceBatch b{bp::Sequence(K, T, m), bp::Sequence(K, T, m), 1};
        for (bp::Index k = 0; k < m; ++k) {
            const bp::Index start = (7 * step + 13 * k) % static_cast<bp::Index>(text.codes.size() - T - 1);
            for (bp::Index t = 1; t <= T; ++t) {
                b.x.at(t)(text.codes[start + t - 1], k) = 1;
                b.y.at(t)(text.codes[start + t], k) = 1;
            }
        }
        return b;
    };
    bp::Rng rng(151);
    const bp::SequenceModel initial(std::make_unique<bp::Lstm>(K, n_h, rng), K, rng);
    const auto& lstm0 = dynamic_cast<const bp::Lstm&>(*initial.layer);

    // torch: nn::LSTM (gates moved to i, f, g, o; b_hh frozen at 0), a linear readout, the
    // sequence loss, clip_grad_norm_ (its epsilon converted), torch::optim::Adam.
    torch::nn::LSTM lstm(torch::nn::LSTMOptions(K, n_h));
    lstm->to(torch::kDouble);
    assign(param(*lstm, "weight_ih_l0"), tensor(swap_og(lstm0.W_x)));
    assign(param(*lstm, "weight_hh_l0"), tensor(swap_og(lstm0.W_h)));
    assign(param(*lstm, "bias_ih_l0"), tensor(Vector(swap_og(lstm0.b))));
    freeze_second_bias(*lstm);
    std::vector<torch::Tensor> params{param(*lstm, "weight_ih_l0"), param(*lstm, "weight_hh_l0"), param(*lstm, "bias_ih_l0"),
                                      leaf(initial.readout->W), leaf(initial.readout->b)};
    torch::optim::Adam adam(params, torch::optim::AdamOptions(lr));
    Quantities torch_side;
    int clipped = 0;  // steps whose gradient norm was above clip
    for (int s = 1; s <= steps; ++s) {
        const bp::SequenceBatch b = batch_at(s);
        adam.zero_grad();
        const auto [h, state] = lstm->forward(sequence_tensor(b.x));
        const torch::Tensor loss = torch_sequence_loss(F::linear(h, params[3], params[4]), sequence_tensor(b.y));
        loss.backward();
        // The gradients before clipping too: Adam's step hardly changes when every gradient is
        // scaled, so the weights alone would not show a gradient off by a constant factor.
        const std::string at = " at step " + std::to_string(s);
        torch_side = torch_side + Quantities{{"dL/dlstm.W_x" + at, swap_og(grad_of(params[0]))},
                                             {"dL/dlstm.W_h" + at, swap_og(grad_of(params[1]))},
                                             {"dL/dlstm.b" + at, swap_og(grad_of(params[2]))},
                                             {"dL/dreadout.W" + at, grad_of(params[3])},
                                             {"dL/dreadout.b" + at, grad_of(params[4])}};
        const double n = torch::nn::utils::clip_grad_norm_(params, std::numeric_limits<double>::infinity());
        torch::nn::utils::clip_grad_norm_(params, clip * (n + 1e-6) / n);
        clipped += n > clip;
        adam.step();
        const std::string after = " after step " + std::to_string(s);
        torch_side = torch_side + Quantities{{"loss at step " + std::to_string(s), matrix(loss)},
                                             {"lstm.W_x" + after, swap_og(matrix(params[0]))},
                                             {"lstm.W_h" + after, swap_og(matrix(params[1]))},
                                             {"lstm.b" + after, swap_og(matrix(params[2]))},
                                             {"readout.W" + after, matrix(params[3])},
                                             {"readout.b" + after, matrix(params[4])}};
    }
    EXPECT_GT(clipped, 0) << "no step's gradient norm was above " << clip << ": clipping was not compared";
    check_piece(
        "the character model's training step",
        [&](const Perturb& perturb) {
            bp::SequenceModel model = initial;
            perturb("lstm.W_x", dynamic_cast<bp::Lstm&>(*model.layer).W_x);
            bp::Adam opt(lr);
            bp::EpochOptions options;
            options.clip_norm = clip;
            Quantities q;
            // The gradients before clipping, where the training step shows them (a monitor's hook).
            options.after_backward = [&](long step, double, const std::vector<bp::Parameter>& course_params) {
                for (const bp::Parameter& p : course_params)
                    q.push_back({"dL/d" + p.name + " at step " + std::to_string(step + 1), p.grad()});
            };
            for (int s = 1; s <= steps; ++s) {
                const double loss = bp::train_sequence_step(model, bp::softmax_cross_entropy(), opt, batch_at(s), options, s - 1);
                q = q + Quantities{{"loss at step " + std::to_string(s), scalar(loss)}} + values(model, " after step " + std::to_string(s));
            }
            return q;
        },
        torch_side);
}
