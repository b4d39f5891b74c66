/// \file
/// The training loop: seeded shuffling, mini-batches, evaluation, a progress bar, and saving
/// a trained model so that a finished run is not lost.
#pragma once

#include "bp/data.hpp"
#include "bp/mlp.hpp"
#include "bp/optimizers.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>

namespace bp {

/// A progress bar with rate, loss and time left on a terminal; plain lines (at every tenth)
/// when the output is not a terminal, so that logs stay readable.
class ProgressBar {
public:
    ProgressBar(std::string label, long total, std::ostream& out);
    void update(long done, double loss);  ///< after `done` of `total` steps, at this running loss
    void finish(const std::string& summary);

private:
    std::string label_;
    long total_;
    std::ostream& out_;
    bool terminal_;
    long last_tenth_ = -1;
    std::chrono::steady_clock::time_point start_;
};

struct Metrics {
    double loss = 0;      ///< mean softmax cross-entropy
    double accuracy = 0;  ///< fraction of examples whose largest output is the label
};

/// Loss and accuracy of a softmax classifier on a whole data set, in batches.
Metrics evaluate(Mlp& net, const Dataset& data, Index batch = 1000);

/// What one epoch of training does around the optimizer's step.
struct EpochOptions {
    Index batch = 128;
    double clip_norm = 0;  ///< clip gradients to this global norm; 0: no clipping
    /// Called before each step with the step's index in the whole run; may set opt.lr.
    std::function<void(long step)> schedule;
    /// Called after each step with its index and the batch's loss, e.g. to record a curve.
    std::function<void(long step, double loss)> after_step;
};

/// The loop every training epoch shares: an order of the `examples` shuffled by rng
/// (Fisher-Yates), then for each mini-batch of options.batch examples (the last may be
/// smaller): options.schedule(step), train(order, first, count), which trains on the examples
/// order[first], ..., order[first + count - 1] and returns their loss, options.after_step and
/// the progress bar. Returns the mean of the batches' losses.
double for_each_batch(Index examples, const EpochOptions& options, Rng& rng, long& step, ProgressBar* bar,
                      const std::function<double(const std::vector<Index>& order, Index first, Index count)>& train);

/// One pass over `data` in an order shuffled by rng (Fisher-Yates): for each mini-batch,
/// forward, softmax cross-entropy, backward from dz = (y_hat - y) / m, optimizer step.
/// `step` counts steps across epochs. Returns the mean training loss of the epoch.
double train_epoch(Mlp& net, Optimizer& opt, const Dataset& data, const EpochOptions& options, Rng& rng, long& step,
                   ProgressBar* bar = nullptr);

/// Writes the network (sizes, activations, weights) to `file`, through a temporary file, so
/// that a crash while saving never destroys an earlier model.
void save_model(const Mlp& net, const std::filesystem::path& file);

/// Reads a network written by save_model. Throws DataError naming the file and the offset of
/// anything truncated or corrupt.
Mlp load_model(const std::filesystem::path& file);

/// Turns on flush-to-zero for denormal floats (where the processor has it) while it lives:
/// denormals are thousands of times slower and too small to matter in training.
class FlushDenormals {
public:
    FlushDenormals();
    ~FlushDenormals();
    FlushDenormals(const FlushDenormals&) = delete;
    FlushDenormals& operator=(const FlushDenormals&) = delete;

private:
    unsigned saved_ = 0;
};

}  // namespace bp
