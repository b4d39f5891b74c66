/// \file
/// Synthetic sequence tasks for chapter 7, each made from a seeded bp::Rng: long dependencies
/// of a length you choose, with nothing to download.
#pragma once

#include "bp/core/random.hpp"
#include "bp/recurrent/sequence_model.hpp"

namespace bp {

/// The adding problem (Hochreiter and Schmidhuber, 1997). At each step two inputs: a number
/// drawn from [0, 1) and a marker, 1 at two steps (one in each half of the sequence) and 0
/// elsewhere. The target, at the last step only (first_scored = T), is the sum of the two
/// marked numbers (K = 1, for the squared error). Always answering 1 scores 1/12 with chapter
/// 2's squared error; a model must remember the marked numbers for up to T - 1 steps to do
/// better. T >= 2.
SequenceBatch adding_problem(Index T, Index m, Rng& rng);

/// Remember the first symbol: T symbols drawn from `symbols`, one-hot (n_x = symbols). The
/// target, at the last step only, is the first symbol (K = symbols): a dependency of T - 1
/// steps, and chance is 1 / symbols. symbols >= 2.
SequenceBatch first_symbol(Index T, Index m, Index symbols, Rng& rng);

/// Parity: T random bits (n_x = 1, the bit as 0 or 1). The target at every step is the parity
/// of the bits so far, one-hot over two classes (K = 2).
SequenceBatch parity(Index T, Index m, Rng& rng);

/// Delayed recall: T symbols drawn from `symbols`, one-hot. The target at step t is the symbol
/// of step t - delay, from step delay + 1 on (first_scored): a dependency of exactly `delay`
/// steps at every scored step. 1 <= delay < T.
SequenceBatch delayed_recall(Index T, Index delay, Index m, Index symbols, Rng& rng);

}  // namespace bp
