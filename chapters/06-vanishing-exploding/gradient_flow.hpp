/// \file
/// Deep networks, and measurements of how signals and gradients flow through them: what
/// chapter 6's experiments plot and what its tests assert, on small sizes, so that a change
/// that breaks a figure's point fails the suite.
#pragma once

#include "bp/io/data.hpp"
#include "bp/core/init.hpp"
#include "bp/train/optimizers.hpp"
#include "bp/layers/sequential.hpp"
#include "bp/train/train.hpp"

#include <string>
#include <vector>

namespace bp {

/// A deep network of equal hidden widths: layer 1 maps the inputs to `width`, layers 2 to
/// depth - 1 map width to width, and the last one gives `outputs` logits.
struct DeepNet {
    Index inputs = 64, width = 64, outputs = 10;
    int depth = 15;                               ///< layers with weights, the output layer included; at least 2
    Activation activation = Activation::sigmoid;  ///< of the hidden layers (not softmax)
    Init init = Init::automatic();                ///< for every layer, gain included
    bool residual = false;                        ///< layers 2 to depth - 1 as skip connections: a = a_prev + f(W a_prev + b)
    double branch_gain =
        1;  ///< a residual branch's (last) weights are drawn times this too (1/sqrt(depth) keeps the sum's variance bounded)
    /// Layers with weights in each residual branch: 1, a = a_prev + f(W a_prev + b); or 2, He et
    /// al.'s (2016) a = a_prev + W2 f(W1 a_prev + b1) + b2, the branch_gain on W2 (with batch
    /// norm, each Dense is followed by its BatchNorm, and the first by the activation). With 2,
    /// layers 2 to depth - 1 pair up in branches; an odd one left over is a one-layer branch.
    int branch_layers = 1;
    bool batch_norm = false;  ///< every hidden layer as Dense (identity), BatchNorm, ActivationLayer

    /// "sigmoid, Xavier", "ReLU, He x 2, residual", ...: for figure legends.
    std::string label() const;
};

/// The network `spec` describes, its weights drawn from rng in layer order.
Sequential deep_network(const DeepNet& spec, Rng& rng);

/// Parameter names with their values, in one order.
struct NamedValues {
    std::vector<std::string> names;
    std::vector<double> values;
};

/// ||dW||_F of each weight matrix of `net` (its parameters named *.W, in layer order), after one
/// forward and backward pass of the softmax cross-entropy on (x, y) from zeroed gradients: the
/// gradient of a first training step. Calls exercise 6.1.
NamedValues weight_gradient_norms(Layer& net, const Matrix& x, const Matrix& y);

/// The standard deviation of every layer's output, forward from x, and of the gradient that
/// reaches every layer's output, backward from G at the top (G has the network's output
/// shape): element l is layer l + 1's. A spread that shrinks or grows by a constant factor per
/// layer is a signal, or a gradient, that vanishes or explodes.
struct Spread {
    std::vector<double> forward, backward;
};
Spread spread_per_layer(Sequential& net, const Matrix& x, const Matrix& G);

/// The standard deviation of all elements of m (with 1/size).
double stddev(const Matrix& m);

/// Trains `net` on mini-batches of `data` (reshuffled by rng every epoch) for `steps` steps
/// of train_step with the softmax cross-entropy; options.after_step and after_backward are
/// called as train_epoch calls them, with the step counted from 0. Throws Diverged as
/// train_step does.
void train_for_steps(Layer& net, const Dataset& data, Optimizer& opt, const EpochOptions& options, long steps, Rng& rng);

/// ||db|| of each hidden layer's bias at every step of training `net` with plain SGD at `lr`
/// (batch of `batch`), from the gradient monitor: how fast each layer learns. by_step[t] holds
/// step t's norms, in the order of names (layer1.b, ...; the output layer's left out).
struct LearningSpeed {
    std::vector<std::string> names;
    std::vector<std::vector<double>> by_step;
};
LearningSpeed learning_speed(Sequential& net, const Dataset& data, double lr, Index batch, long steps, Rng& rng);

/// The loss and the global gradient norm (before clipping) at every step of training with SGD,
/// NaN after a step that diverged, and where it diverged (-1 if it did not).
struct ClippingRun {
    std::vector<double> loss, global_norm;
    long diverged_at = -1;
    std::string divergence;  ///< what bp::Diverged said
};
/// Trains a copy of `net` for `steps` steps of SGD at `lr`, clipping as `options` says
/// (clip_norm, clip_value, batch).
ClippingRun clipping_run(const Sequential& net, const Dataset& data, double lr, const EpochOptions& options, long steps, Rng& rng);

/// Test accuracy of `net` after `steps` steps of Adam at `lr` (batch of `batch`) on `train`; 0
/// if training diverged.
double accuracy_after(Sequential& net, const Dataset& train, const Dataset& test, double lr, Index batch, long steps, Rng& rng);

/// `classes` Gaussian clusters in `dims` dimensions, `per_class` points each, the centres drawn
/// at distance about `separation` from each other, with unit noise: a small synthetic set
/// that a shallow network learns well, for the tests and for quick runs.
Dataset gaussian_clusters(int classes, int per_class, Index dims, double separation, Rng& rng);

}  // namespace bp
