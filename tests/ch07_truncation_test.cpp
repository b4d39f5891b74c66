// Chapter 7's truncated BPTT (exercise 7.7): the chunks' forward passes carry the state (an
// LSTM's cell too), their gradients stop at each chunk's start, and update() sees each chunk's
// own.
#include "ch07_recurrent.hpp"
#include "check.hpp"

#include "bp/recurrent/lstm.hpp"
#include "bp/recurrent/rnn.hpp"
#include "bp/recurrent/sequence_model.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

using bp::Matrix;
using bp::Sequence;
using bp::Vector;
using bp_test::explained;
using bp_test::matches_or_names_mistake_first;
using bp_test::matrices_near;
using bp_test::OwnLstmStep;
using bp_test::scalar;
using bp_test::small_rnn;

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

// Two mistakes of the loop, with the model as it is: chunks that start every k steps but hold one
// step fewer (window k - 1: one step left out after each), or chunks of k steps whose losses are
// each divided by their number of steps (a mean over the chunk's steps, where the page sums).
double short_windows_loss(bp::SequenceModel& model, const bp::Loss& loss, const bp::SequenceBatch& batch, bp::Index k) {
    double total = 0;
    bp::RecurrentState carried;
    for (bp::Index first = 1; first <= batch.steps(); first += k) {
        const bp::Index count = std::min(k - 1, batch.steps() - first + 1);
        if (count < 1) continue;
        const bp::SequenceBatch chunk = batch.chunk(first, count);
        total += bp::sequence_loss(loss, model.forward(chunk.x, carried), chunk);
        carried = model.layer->final_state();
    }
    return total;
}
double chunk_means_loss(bp::SequenceModel& model, const bp::Loss& loss, const bp::SequenceBatch& batch, bp::Index k) {
    double total = 0;
    bp::RecurrentState carried;
    for (bp::Index first = 1; first <= batch.steps(); first += k) {
        const bp::SequenceBatch chunk = batch.chunk(first, std::min(k, batch.steps() - first + 1));
        total += bp::sequence_loss(loss, model.forward(chunk.x, carried), chunk) / static_cast<double>(chunk.steps());
        carried = model.layer->final_state();
    }
    return total;
}
const char* const window_one_step_short =
    "each chunk holds k - 1 steps and the step after it is left out: chunk j holds steps first, ..., first + k - 1, that is "
    "batch.chunk(first, count) with count = min(k, T - first + 1) steps, and the next starts at first + k";
const char* const chunk_means =
    "each chunk's loss was divided by its number of steps: sequence_loss already gives the chunk's loss summed over its steps "
    "(and averaged over the batch), which truncated_bptt pushes as it is";

TEST(Ex7_7, AWindowOfTStepsIsFullBptt) {
    Truncation c;
    std::vector<Gradients> seen;
    const double L = bp::truncated_bptt(c.model, c.loss, c.batch, 5, [&] { seen.push_back(c.gradients()); });
    ASSERT_EQ(seen.size(), 1u) << "with k = T there is one chunk, so update() is called once";
    c.model.zero_grad();
    bp::Sequence d_out;
    const double full = bp::sequence_loss(c.loss, c.model.forward(c.batch.x), c.batch, &d_out);
    c.model.backward(d_out);
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "the loss truncated_bptt returned", scalar(full), scalar(L),
        {{window_one_step_short, scalar(short_windows_loss(c.model, c.loss, c.batch, 5))}, {chunk_means, scalar(full / 5)}},
        "with k = T = 5, one chunk: the loss of all 5 steps, summed over them", 1e-12));
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
void expect_chunks_add_up(bp::SequenceModel& model, const bp::Loss& loss, const bp::SequenceBatch& batch, bp::Index k, double L,
                          const std::string& about) {
    const double full = bp::sequence_loss(loss, model.forward(batch.x), batch);
    const bp::Index chunk_count = (batch.steps() + k - 1) / k;  // the last chunk may be shorter
    const double chunks = static_cast<double>(chunk_count);
    std::vector<bp_test::Mistake> mistakes = {
        {"each chunk started from zeros: the forward pass must carry the state across a cut, starting each chunk from "
         "the state the one before ended in (model.layer->final_state())",
         scalar(chunks_loss(model, loss, batch, k, [](const bp::RecurrentState&) { return bp::RecurrentState{}; }))},
        {"the total divided by the number of chunks: truncated_bptt returns the chunks' losses summed, as the full loss "
         "sums over the steps",
         scalar(full / chunks)},
        {"the total divided by the number of steps T: truncated_bptt returns the chunks' losses summed, as the full loss "
         "sums over the steps",
         scalar(full / static_cast<double>(batch.steps()))},
        {window_one_step_short, scalar(short_windows_loss(model, loss, batch, k))},
        {chunk_means, scalar(chunk_means_loss(model, loss, batch, k))}};
    if (model.layer->final_state().c.size() > 0)
        mistakes.insert(mistakes.begin(),
                        {"only h was carried across a cut, and the cell restarted at 0: an LSTM's state is h and c, carry "
                         "both, the whole RecurrentState that model.layer->final_state() returns",
                         scalar(chunks_loss(model, loss, batch, k, [](const bp::RecurrentState& s) {
                             return bp::RecurrentState{s.h, Matrix()};
                         }))});
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
            const OwnLstmStep step(*this, x.at(t), h_prev, c_prev);
            gates.at(t) = step.gates, c.at(t) = step.c, h.at(t) = step.h;
            h_prev = step.h, c_prev = step.c;
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
    bp::SequenceModel model(
        std::make_unique<ForwardOnlyLstm>(rng.uniform_matrix(4 * n_h, 2, -1.5, 1.5), rng.uniform_matrix(4 * n_h, n_h, -0.8, 0.8), b), 2,
        rng);
    const bp::SequenceBatch batch{Sequence(rng.uniform_matrix(2, 6 * 2, -1, 1), 2), Sequence(rng.uniform_matrix(2, 6 * 2, -1, 1), 2), 1};
    const double L = bp::truncated_bptt(model, bp::mean_squared_error(), batch, 2, [] {});
    expect_chunks_add_up(model, bp::mean_squared_error(), batch, 2, L, "An LSTM (n_h = 3) with a readout, T = 6 steps in chunks of k = 2");
}

TEST(Ex7_7, StartsFromTheGivenStateAndListsEachChunksLoss) {
    Truncation c;
    bp::RecurrentState start{c.rng.uniform_matrix(3, 2, -0.9, 0.9), Matrix()};  // h_0 of a batch that goes on an earlier one
    std::vector<double> losses;
    const double L = bp::truncated_bptt(
        c.model, c.loss, c.batch, 2, [] {}, start, &losses);
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
    const std::string stop =
        "forward and backward run on the chunk alone (batch.chunk), forward from the state the chunk "
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

}  // namespace
