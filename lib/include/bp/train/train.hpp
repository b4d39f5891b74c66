/// \file
/// The training loop: seeded shuffling, mini-batches, one step (forward, loss, backward,
/// clipping, the optimizer), a check that nothing has diverged, evaluation and a progress bar.
/// It trains any Layer with any Loss, and chapter 7's sequence models.
#pragma once

#include "bp/io/data.hpp"
#include "bp/layers/layer.hpp"
#include "bp/core/loss.hpp"
#include "bp/train/optimizers.hpp"
#include "bp/recurrent/sequence_model.hpp"

#include <chrono>
#include <functional>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bp {

/// A progress bar with rate, loss and time left on a terminal; plain lines (at every tenth, and
/// at least every 30 seconds) when the output is not a terminal, so that logs stay readable.
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
    double last_line_ = 0;  ///< seconds from the start to the last plain line
    std::chrono::steady_clock::time_point start_;
};

struct Metrics {
    double loss = 0;      ///< mean softmax cross-entropy
    double accuracy = 0;  ///< fraction of examples whose largest logit is the label
};

/// Loss and accuracy of a classifier that ends at its logits, on a whole data set, in
/// batches, in evaluation mode (the model's mode is restored afterwards).
Metrics evaluate(Layer& model, const Dataset& data, Index batch = 1000);

/// Training stopped because the loss, a gradient or a parameter stopped being a finite number.
/// what() names the step and, for a gradient or a parameter, its name, the element and the value.
class Diverged : public std::runtime_error {
public:
    Diverged(long step, const std::string& detail);
    static Diverged of_loss(long step, double loss);  ///< "... at step 3: the loss is nan"
    long step;                                        ///< the step, counted from 0 over the whole run
};

/// A loss that stays far above an untrained model's has diverged too, though it is finite:
/// training stops (Diverged) when the mean loss of `steps` consecutive steps is above `value`.
struct LossLimit {
    double value = 0;     ///< 0: no limit
    long steps = 50;      ///< how many steps in a row the mean is taken over
    std::string meaning;  ///< what `value` is, for the message: "3 ln 10, three times an untrained classifier's loss"
    /// Chapter 5's sanity check: an untrained classifier of K classes has a loss near ln K (it
    /// guesses each class with about 1/K); a mean of 3 ln K over 50 steps is not learning.
    static LossLimit for_classes(Index classes);
};

/// What a training step does around the optimizer's step, and what an epoch adds.
struct EpochOptions {
    Index batch = 128;
    /// Stop once the run's step count reaches this (0: no limit): an epoch then ends early, for
    /// the experiments that train for a number of steps rather than of epochs.
    long step_limit = 0;
    double clip_norm = 0;   ///< clip gradients to this global norm; 0: no clipping
    double clip_value = 0;  ///< then clip each gradient element to [-clip_value, clip_value] (chapter 6); 0: no clipping
    /// Called before each step with the step's index in the whole run; may set opt.lr.
    std::function<void(long step)> schedule;
    /// Called after backward and before the finite checks, clipping and the optimizer's step,
    /// with the batch's loss and every named parameter and its gradient: where a monitor of
    /// the gradients plugs in (bp::GradientMonitor, chapter 6). It sees a loss or a gradient
    /// that is not finite before training stops on it.
    std::function<void(long step, double loss, const std::vector<Parameter>& params)> after_backward;
    /// The steps at which after_backward must see the gradients (GradientMonitor::hook_into sets
    /// it to the steps it records). An engine that must copy its gradients to show them
    /// (bp::FastMlp) calls after_backward only at those steps and at a step whose loss or
    /// gradients are not finite; the course's own steps call it at every step. Unset: every step.
    std::function<bool(long step)> after_backward_due;
    /// Called after each step with its index and the batch's loss, e.g. to record a curve.
    std::function<void(long step, double loss)> after_step;
    /// Stop with Diverged when the loss stays above this (no limit unless set).
    LossLimit loss_limit;

    /// Throws std::invalid_argument naming `op` and the setting unless clip_norm and
    /// clip_value are finite and >= 0: a NaN or a negative one would mean no clipping, silently.
    /// apply_gradients checks them at every step (they are public, and may change between steps).
    void check_clipping(const char* op) const;
};

/// One step on a batch x (n_0 x m) with targets y: zero_grad, forward, the loss, backward from
/// its gradient (model.backward_parameters: no dL/dx), options.after_backward, clipping if options.clip_norm or options.clip_value
/// is > 0, the optimizer's step. Returns the batch's loss. Throws Diverged if the loss or a gradient is not finite
/// (before the step, so the model is left as it was) or a parameter is not finite after it.
/// The first call in a process asks glibc (mallopt) to keep freed memory for reuse, up to
/// 256 MB, instead of returning it to the system: every step frees and allocates the same matrices.
// [train_step]
double train_step(Layer& model, const Loss& loss, Optimizer& opt, const Matrix& x, const Matrix& y, const EpochOptions& options, long step);
// [train_step]

/// One training step on a batch of sequences, as train_step: zero_grad, forward, the loss
/// (sequence_loss), backward, then apply_gradients. Returns the batch's loss.
double train_sequence_step(SequenceModel& model, const Loss& loss, Optimizer& opt, const SequenceBatch& batch, const EpochOptions& options,
                           long step);

/// What follows backward in every training step of the library (train_step,
/// train_sequence_step, the experiments' loops): options.after_backward, the finite checks of
/// the loss and gradients, clipping by norm (options.clip_norm) then by value
/// (options.clip_value), the optimizer's step, the finite check of the new values. Returns loss.
// [apply_gradients]
double apply_gradients(Optimizer& opt, const std::vector<Parameter>& params, double loss, const EpochOptions& options, long step);
// [apply_gradients]

/// The loop every training epoch shares: an order of the `examples` shuffled by rng
/// (Fisher-Yates), then for each mini-batch of options.batch examples (the last may be
/// smaller), until the epoch ends or `step` reaches options.step_limit: options.schedule(step),
/// train(order, first, count), which trains on the examples order[first], ...,
/// order[first + count - 1] and returns their loss, options.after_step, the progress bar, and
/// the check of options.loss_limit (Diverged once the last loss_limit.steps steps of this
/// epoch have a mean above it). Returns the mean of the batches' losses.
double for_each_batch(Index examples, const EpochOptions& options, Rng& rng, long& step, ProgressBar* bar,
                      const std::function<double(const std::vector<Index>& order, Index first, Index count)>& train);

/// One pass over `data` in an order shuffled by rng: a train_step per mini-batch, with the
/// one-hot labels as targets. `step` counts steps across epochs. Returns the mean training
/// loss of the epoch.
double train_epoch(Layer& model, const Loss& loss, Optimizer& opt, const Dataset& data, const EpochOptions& options, Rng& rng, long& step,
                   ProgressBar* bar = nullptr);

/// What was found not to be a finite number: the loss, or an element of a parameter's gradient
/// or value.
struct NotFinite {
    std::string parameter;  ///< its name, e.g. "layer2.W"; empty for the loss
    std::string detail;     ///< "the loss is nan", "the gradient of layer2.W is inf at row 3, column 0"
};

/// Which half of the parameters a finite check reads.
enum class Checked { gradients, values };

/// The first of `loss`, then every gradient or every value of `params`, in order, that is not
/// finite; nothing if all are.
std::optional<NotFinite> find_not_finite(double loss, const std::vector<Parameter>& params, Checked what);

/// Throws Diverged(step, what find_not_finite found), if it found anything: the checks
/// apply_gradients makes.
void require_not_diverged(long step, double loss, const std::vector<Parameter>& params, Checked what);

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
