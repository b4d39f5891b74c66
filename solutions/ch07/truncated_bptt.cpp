// Chapter 7: truncated backpropagation through time.
#include "bp/recurrent/sequence_model.hpp"

#include <algorithm>
#include <numeric>

namespace bp {

//! [truncated_bptt]
double truncated_bptt(SequenceModel& model, const Loss& loss, const SequenceBatch& batch, Index k,
                      const std::function<void()>& update, const RecurrentState& start, std::vector<double>* chunk_losses) {
    if (k < 1) throw std::invalid_argument("truncated_bptt: the window k must be at least 1 step, got " + std::to_string(k));
    if (batch.x.empty()) throw ShapeError("truncated_bptt", "the batch has no steps");
    const Index T = batch.steps();
    RecurrentState carried = start;  // what the first chunk starts from (empty: zeros)
    std::vector<double> losses;      // each chunk's loss, in order
    // BEGIN EXERCISE 7.7 (ch07-truncation): truncated_bptt: chunks of k steps; each: zero_grad, forward from the carried state, its loss into losses, backward, carry final_state(), update().
    // HINT 7.7 1: Cutting the sequence into chunks of k steps: the forward pass carries the state across a cut, the backward pass stops there, and an update after each chunk.
    // HINT 7.7 2: T = batch.steps(); chunks start at steps 1, 1 + k, 1 + 2k, ... and the last has min(k, T - first + 1) steps; `carried` (given) holds the state the next chunk starts from, `losses` gets one number per chunk.
    // HINT 7.7 3: batch.chunk(first, count); model.zero_grad(); losses.push_back(sequence_loss(loss, model.forward(chunk.x, carried), chunk, &d_out)); model.backward(d_out); carried = model.layer->final_state(); update().
    // HINT 7.7 4: T = 5, k = 2: chunks 1-2, 3-4 and 5 (1 step), so update() runs 3 times; if it changes nothing, the chunks' losses add up to the full loss, unless a chunk restarts from zeros.
    for (Index first = 1; first <= T; first += k) {
        const SequenceBatch chunk = batch.chunk(first, std::min(k, T - first + 1));
        model.zero_grad();
        Sequence d_out;
        losses.push_back(sequence_loss(loss, model.forward(chunk.x, carried), chunk, &d_out));
        model.backward(d_out);  // through this chunk only: what reaches its start state is dropped
        carried = model.layer->final_state();  // the forward pass goes on where this chunk ended
        update();
    }
    // END EXERCISE 7.7
    if (chunk_losses) *chunk_losses = losses;
    return std::accumulate(losses.begin(), losses.end(), 0.0);
}
//! [truncated_bptt]

}  // namespace bp
