// Chapter 7: truncated backpropagation through time.
#include "bp/recurrent/sequence_model.hpp"

#include <algorithm>
#include <numeric>

namespace bp {

//! [truncated_bptt]
double truncated_bptt(SequenceModel& model, const Loss& loss, const SequenceBatch& batch, Index k, const std::function<void()>& update,
                      const RecurrentState& start, std::vector<double>* chunk_losses) {
    if (k < 1) throw std::invalid_argument("truncated_bptt: the window k must be at least 1 step, got " + std::to_string(k));
    if (batch.x.empty()) throw ShapeError("truncated_bptt", "the batch has no steps");
    const Index T = batch.steps();
    RecurrentState carried = start;  // what the first chunk starts from (empty: zeros)
    std::vector<double> losses;      // each chunk's loss, in order
    // BEGIN EXERCISE 7.7 (ch07-truncation): truncated_bptt: chunks of k steps: zero_grad, forward from the carried state, backward, update.
    throw bp::NotImplemented("7.7", "exercises/ch07/truncated_bptt.cpp",
                             "Chapter 7, section 'Truncated BPTT' (chapters/07-bptt/chapter.md)");
    // END EXERCISE 7.7
    if (chunk_losses) *chunk_losses = losses;
    return std::accumulate(losses.begin(), losses.end(), 0.0);
}
//! [truncated_bptt]

}  // namespace bp
