/// \file
/// Watching the gradients while a network trains (chapter 6): the norm of every parameter's
/// gradient, the update ratio, the fraction of saturated or dead units of every layer, and the
/// first loss or gradient that stops being a finite number.
#pragma once

#include "bp/core/activations.hpp"
#include "bp/core/module.hpp"
#include "bp/train/optimizers.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bp {

struct EpochOptions;

/// Exercise 6.1 (exercises/ch06/gradient_flow.cpp): the Frobenius norm of each parameter's
/// gradient, \f$\|g\|_F = \sqrt{\sum_{ij} g_{ij}^2}\f$, in the order given (for
/// `net.parameters()`, layer order: layer1.W, layer1.b, layer2.W, ...).
std::vector<double> gradient_norms(const std::vector<Parameter>& params);

/// How close to its flat tails a sigmoid or tanh output may come before it counts as saturated.
inline constexpr double saturation_margin = 0.01;

/// Exercise 6.2: what share of a layer's output `a` (n x m, a batch) passes almost no gradient.
/// Sigmoid: the fraction of the elements strictly within saturation_margin of 0 or 1
/// (a < 0.01 or a > 0.99); tanh: of the elements strictly within saturation_margin of -1 or 1
/// (|a| > 0.99, where f' is below 2 % of its largest value); an element exactly 0.01 away does
/// not count. ReLU: the fraction of the units (rows) that are dead on this batch, 0 for every
/// example. 0 for identity and leaky ReLU, whose slope never vanishes; softmax is refused
/// (std::invalid_argument). `a` must not be empty.
double saturated_fraction(Activation f, const Matrix& a);

/// A monitor of the gradients, for any training loop through EpochOptions::after_backward:
///
///     bp::GradientMonitor monitor(net, adam);  // net: the model; adam: its optimizer (for lr)
///     monitor.hook_into(options);  // options: the loop's EpochOptions
///
/// At every step it checks the loss and every gradient, and keeps the first that is not finite
/// (train_step then stops with bp::Diverged, which says the same). Every `every` steps (and at
/// that first step that is not finite) it records, for each parameter, the norms of its gradient and of its value and
/// the update ratio lr ||grad|| / ||value||; for each layer with an activation the fraction
/// of saturated or dead units of its last output (saturated_fraction); and for each recurrent
/// layer (chapter 7) the norm of dL/dh_t at every step t. It works on any bp::Module, reads
/// its layers, never changes them, and calls exercises 6.1 and 6.2 when it records; with
/// `every` = 0 it only watches for the first value that is not finite, and calls no exercise.
class GradientMonitor {
public:
    /// One parameter at one recorded step.
    struct ParameterStats {
        std::string name;         ///< e.g. "layer2.W"
        double grad_norm = 0;     ///< ||dW||_F
        double value_norm = 0;    ///< ||W||_F
        double update_ratio = 0;  ///< lr ||dW|| / ||W||: the size of an SGD step relative to the weights (0 if W = 0)
        bool weights = false;     ///< a matrix of more than one column (a layer's W), not a bias
    };
    /// One layer's activation at one recorded step.
    struct ActivationStats {
        std::string layer;  ///< e.g. "layer3", or "layer3.inner" inside a residual block
        Activation f = Activation::identity;
        double saturated = 0;  ///< saturated_fraction(f, a): saturated (sigmoid, tanh) or dead (ReLU)
    };
    /// One recurrent layer's dL/dh_t at one recorded step.
    struct HiddenGradientStats {
        std::string layer;          ///< e.g. "lstm"
        std::vector<double> norms;  ///< norms[t - 1] = ||dL/dh_t||_F for t = 1, ..., T, in full (what came back through time too)
    };
    struct Record {
        long step = 0;
        double loss = 0, lr = 0;
        double global_norm = 0;  ///< of all gradients together, as clip_grad_norm measures it
        std::vector<ParameterStats> parameters;
        std::vector<ActivationStats> activations;
        std::vector<HiddenGradientStats> hidden;
    };
    /// The first step at which the loss or a gradient was not finite, and what it was.
    struct Divergence {
        long step = 0;
        std::string parameter;  ///< empty for the loss
        std::string detail;     ///< as bp::Diverged says it: "the gradient of layer2.W is inf at row 3, column 0"
    };

    /// Watches `model` (the layers whose outputs it reads), with the learning rate read from
    /// `optimizer` at each record (a schedule may change it). Records every `every` steps (0:
    /// never; it then only watches).
    GradientMonitor(Module& model, const Optimizer& optimizer, long every = 1);
    /// The same with the learning rate from a function, for loops without a bp::Optimizer.
    GradientMonitor(Module& model, std::function<double()> learning_rate, long every = 1);

    /// What after_backward calls: checks, and records if the step is due.
    void observe(long step, double loss, const std::vector<Parameter>& params);
    /// Whether it records at `step` (every `every` steps).
    bool due(long step) const { return every_ > 0 && step % every_ == 0; }
    /// Plugs the monitor into a training loop's options: after_backward calls observe, and
    /// after_backward_due is `due`, so that an engine that must copy its gradients to show them
    /// does so only at the recorded steps. The monitor must outlive the training.
    void hook_into(EpochOptions& options);

    const std::vector<Record>& records() const { return records_; }
    const std::optional<Divergence>& divergence() const { return divergence_; }
    /// The gradient norm of one parameter at every record, e.g. to plot it against records()'s steps.
    std::vector<double> grad_norms_of(const std::string& parameter) const;

    /// The last record as a table (one line per parameter, then one per activation); if a step
    /// was not finite, the last record before it, and that step with what was not finite.
    std::string report() const;

private:
    Module* model_;
    std::function<double()> lr_;
    long every_;
    std::vector<Record> records_;
    std::optional<Divergence> divergence_;
};

/// The monitor's text for one record: a line per parameter and per activation, then a warning
/// for each failure chapter 6 teaches that the record shows (record_warnings).
std::string format_record(const GradientMonitor::Record& record);

/// What in a record is a failure chapter 6 teaches, one sentence each: parameters whose gradient
/// is exactly 0 (they no longer learn); a layer whose units are all dead (ReLU) or all
/// saturated (sigmoid, tanh) on the batch; a first weight's gradient more than 1e4 times smaller
/// (vanishing) or larger (exploding) than the last weight's, the weights being the parameters
/// with more than one column; an update ratio above 1 (an SGD step larger than the weights).
/// Empty for a healthy record.
std::vector<std::string> record_warnings(const GradientMonitor::Record& record);

/// Each module inside `model` whose output passes through an activation (Dense,
/// ActivationLayer, Rnn, at any depth) with its name as in parameter names, its activation and
/// its last output; modules that have not run forward are left out.
struct LayerOutput {
    std::string name;
    Activation f;
    const Matrix* a;
};
std::vector<LayerOutput> layer_outputs(const Module& model);

/// The first layer of `model` with a ReLU whose last output is 0 for every unit and every
/// example of the batch: all its units are dead, so the network's output no longer depends on
/// its input and no layer before it gets a gradient. Empty if there is none. Calls no exercise;
/// run the model forward on a batch first.
std::optional<std::string> dead_layer(const Module& model);

}  // namespace bp
