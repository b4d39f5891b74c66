/// \file
/// What chapter 7's experiments compute, as functions: the experiment programs draw their
/// figures from them at full size, and the tests call them on small sizes to check that what
/// the figures show holds.
#pragma once

#include "bp/train/optimizers.hpp"
#include "bp/recurrent/sequence_model.hpp"

#include <functional>
#include <string>
#include <vector>

namespace bp {

/// ||dL/dh_t|| against the distance j = T - t, for a loss at the last step only,
/// L = sum(g ⊙ h_T) with g drawn from rng: after a forward pass of `layer` over inputs drawn
/// from N(0, input_scale^2), T steps of m examples. norms[j] = ||dL/dh_{T-j}|| / ||g|| for
/// j = 0, ..., T (j = T is the start state h_0).
std::vector<double> gradient_norms_by_distance(SequenceLayer& layer, Index T, Index m, double input_scale, Rng& rng);

/// The average factor per step by which a norm changes from distance `from` to distance `to`:
/// (norms[to] / norms[from])^(1 / (to - from)). Below 1 the gradient vanishes, above 1 it explodes.
double factor_per_step(const std::vector<double>& norms, std::size_t from, std::size_t to);

/// Truncated BPTT with overlapping windows, Williams and Peng's BPTT(h; h') (Neural
/// Computation 2(4), 1990): every `every` = h' steps, a backward pass over the last `window` = h
/// steps, then update(). The targets of the h' steps since the last update are scored; the
/// forward pass of the window starts from the state the model had h steps back (zeros before
/// step 1), carried as in truncated_bptt. So each scored target's gradient reaches at least
/// h - h' steps back, where truncated_bptt (h' = h) gives the first target of a chunk none.
/// Each update costs a forward and backward pass over h steps, plus h' steps forward to carry
/// the state: about h / h' times truncated_bptt's work. With every == window it is
/// truncated_bptt(model, loss, batch, window, update) exactly. Returns the loss summed over
/// the scored targets (each once): the sequence's loss if update() changes nothing.
double overlapping_bptt(SequenceModel& model, const Loss& loss, const SequenceBatch& batch, Index window, Index every,
                        const std::function<void()>& update);

/// A task, as a maker of fresh batches of m examples.
using Task = std::function<SequenceBatch(Index m, Rng& rng)>;

/// How the experiments train a model on a task.
struct TaskTraining {
    long steps = 300;      ///< training steps, each on a fresh batch
    Index batch = 32;      ///< examples per batch
    double clip_norm = 0;  ///< clip gradients to this global norm; 0: no clipping
    Index window = 0;      ///< truncated BPTT with chunks of this many steps; 0: full BPTT
    Index every = 0;       ///< with a window: an update every this many steps (overlapping_bptt); 0: every window steps
    double stop_at = 2;    ///< stop early once the running training accuracy reaches this (2: never)
};

/// What training recorded: per step the loss and the gradient's global norm before clipping
/// (with truncation, of the last chunk), and the accuracy at the end on fresh examples.
struct TaskResult {
    std::vector<double> loss, grad_norm;
    double accuracy = 0;
};

/// Trains `model` with `opt` on fresh batches of `task`, then measures its accuracy on
/// `test_examples` fresh examples (sequence_accuracy: a classification task; 0 examples for
/// none).
TaskResult train_on_task(SequenceModel& model, const Loss& loss, Optimizer& opt, const Task& task, const TaskTraining& how,
                         Index test_examples, Rng& rng);

/// The accuracy of `model` on `examples` fresh examples of `task`, in batches of at most 256.
double task_accuracy(SequenceModel& model, const Task& task, Index examples, Rng& rng);

}  // namespace bp
