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
    for (Index first = 1; first <= T; first += k) {
        const SequenceBatch chunk = batch.chunk(first, std::min(k, T - first + 1));
        model.zero_grad();
        Sequence d_out;
        losses.push_back(sequence_loss(loss, model.forward(chunk.x, carried), chunk, &d_out));
        model.backward(d_out);                 // through this chunk only: what reaches its start state is dropped
        carried = model.layer->final_state();  // the forward pass goes on where this chunk ended
        update();
    }
    // END EXERCISE 7.7
    if (chunk_losses) *chunk_losses = losses;
    return std::accumulate(losses.begin(), losses.end(), 0.0);
}
//! [truncated_bptt]

}  // namespace bp
