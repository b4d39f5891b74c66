/// \file
/// A recurrent network for sequence tasks (chapter 7): a recurrent layer with a readout at
/// every step, the loss of a sequence (summed over time, averaged over the batch), and
/// truncated backpropagation through time. Its training step is bp::train_sequence_step
/// (bp/train/train.hpp).
#pragma once

#include "bp/layers/dense.hpp"
#include "bp/core/loss.hpp"
#include "bp/recurrent/sequence.hpp"

#include <functional>
#include <memory>
#include <optional>

namespace bp {

/// A batch of a sequence task: an input at every step, and a target at every step from step
/// first_scored on (the adding problem has one at the last step only; a language model at
/// every step).
struct SequenceBatch {
    Sequence x;              ///< n_x x m at each of the T steps
    Sequence y;              ///< K x m at each of the T steps; steps before first_scored are ignored
    Index first_scored = 1;  ///< 1: a target at every step; T: at the last step only

    Index steps() const { return x.steps(); }
    /// Steps first, ..., first + count - 1 as a batch of their own, scoring those of them that
    /// the whole batch scores (none, if they all come before first_scored).
    SequenceBatch chunk(Index first, Index count) const;
};

/// A recurrent layer with a readout at every step: o_t = V h_t + c, a Dense layer with the
/// identity (the outputs are logits, or numbers for a squared error), applied to all T states
/// in one product. The model of every task in chapter 7. Without a readout, o_t = h_t.
// [sequence_model]
class SequenceModel : public Module {
public:
    std::unique_ptr<SequenceLayer> layer;  ///< an Rnn, Lstm or Gru
    std::optional<Dense> readout;          ///< V (K x n_h) and c; none: the outputs are h_t

    /// The layer, and a readout to K outputs drawn from rng (Xavier, c = 0).
    SequenceModel(std::unique_ptr<SequenceLayer> layer, Index K, Rng& rng);
    /// The layer and a given readout (n_h inputs, any activation), or none (std::nullopt): a
    /// loss then applies to h_t directly.
    SequenceModel(std::unique_ptr<SequenceLayer> layer, std::optional<Dense> readout);
    SequenceModel(const SequenceModel& other);  ///< copies the layer too
    SequenceModel& operator=(const SequenceModel& other);
    SequenceModel(SequenceModel&&) = default;
    SequenceModel& operator=(SequenceModel&&) = default;

    /// o_1, ..., o_T (each K x m) from x_1, ..., x_T, the layer starting from `start`.
    const Sequence& forward(const Sequence& x, const RecurrentState& start = {});
    /// d_out = dL/do_t for every step -> ADDS into every gradient (the readout's, then the
    /// layer's through time); returns dL/dx_t.
    const Sequence& backward(const Sequence& d_out);

    /// The layer, named by its kind ("lstm": its parameters are lstm.W_x, ...), then the
    /// readout ("readout": readout.W, readout.b).
    std::vector<Child> children() override;
    std::string kind() const override { return "sequence_model"; }

private:
    Sequence out_;
};
// [sequence_model]

/// The loss of a batch of sequences and its gradient: the loss of each scored step, chapter 2's
/// mean over the batch, SUMMED over the steps,
/// L = sum_{t >= first_scored} (1/m) sum_k loss(o_tk, y_tk).
/// (PyTorch's cross-entropy of the same outputs, a mean over all their columns, is this divided
/// by the number of scored steps.) If d_out is given, it is set to dL/do_t for every step,
/// zero before first_scored.
double sequence_loss(const Loss& loss, const Sequence& out, const SequenceBatch& batch, Sequence* d_out = nullptr);

/// The fraction of the scored (step, example) pairs whose largest output is the target's class.
double sequence_accuracy(const Sequence& out, const SequenceBatch& batch);

/// Exercise 7.7 (exercises/ch07/truncated_bptt.cpp), truncated backpropagation through time
/// with a window of k steps: the T steps in chunks of k (the last may be shorter), and for
/// each chunk: zero_grad; forward from the state the previous chunk ended in (`start` for the
/// first: empty for zeros, or the state a previous batch ended in); its loss (sequence_loss of
/// batch.chunk(...)); backward through this chunk only; then update(), which steps the
/// optimizer. Returns the loss summed over all chunks, and if chunk_losses is given, sets it to
/// each chunk's loss, in order. After it, model.layer->final_state() is where the batch ended.
double truncated_bptt(SequenceModel& model, const Loss& loss, const SequenceBatch& batch, Index k, const std::function<void()>& update,
                      const RecurrentState& start = {}, std::vector<double>* chunk_losses = nullptr);

}  // namespace bp
