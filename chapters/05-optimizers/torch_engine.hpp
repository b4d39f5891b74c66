// Chapter 5's classifier in LibTorch, PyTorch's C++ API: ch05-train's third engine
// (--engine libtorch) and the moves of a model between the course and torch (--compare; the
// appendix "Chapter 5's classifier in LibTorch", docs/bridge.md). Built only where LibTorch
// is (BP_TORCH=ON: the libtorch and crosscheck presets). This header includes none of torch's
// headers, which cost each file that includes them about 12 s of compiling: only
// torch_engine.cpp does.
#pragma once

#include "bp/io/data.hpp"
#include "bp/layers/sequential.hpp"
#include "bp/train/train.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ch05 {

enum class TorchPrecision { float32, float64 };

/// The network of a bp::Sequential of Dense layers (ReLU hidden layers, logits out) as a
/// torch::nn::Sequential of Linear and ReLU modules, trained by torch::optim::Adam on torch's
/// cross-entropy: the same initial weights, the same batches for the same rng, and the same
/// Adam as the course's engines. It calls none of the exercises.
class TorchEngine {
public:
    /// Throws bp::UsageError naming the layer if net is not Dense layers with ReLU hidden
    /// layers and an identity (logits) output layer, as bp::FastMlp does.
    TorchEngine(const bp::Sequential& net, double lr, TorchPrecision precision);
    ~TorchEngine();
    TorchEngine(TorchEngine&&) noexcept;
    TorchEngine& operator=(TorchEngine&&) noexcept;

    void set_lr(double lr);
    double lr() const;
    /// One pass over data in the order bp::for_each_batch gives for rng, as the other engines'
    /// train_epoch. Throws bp::Diverged naming the step if the loss or a weight is not finite.
    double epoch(const bp::Dataset& data, const bp::EpochOptions& options, bp::Rng& rng, long& step, bp::ProgressBar* bar);
    bp::Metrics evaluate(const bp::Dataset& data);
    /// The class of each column of x: the largest logit.
    std::vector<int> predictions(const bp::Matrix& x);
    /// The weights moved back into the course's network (to save them as a course model).
    bp::Sequential& model();
    /// The first hidden layer whose ReLU gives 0 for every unit on every column of x, named as
    /// the course's network names it ("layer2"); nothing if there is none.
    std::optional<std::string> dead_layer(const bp::Matrix& x);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    bp::Sequential network_;
};

/// The classes that net, moved into torch in this precision, predicts for the columns of x.
std::vector<int> torch_predictions(const bp::Sequential& net, const bp::Matrix& x, TorchPrecision precision);
/// net moved into torch and back: the same weights, exactly in float64, rounded to float in
/// float32.
bp::Sequential torch_round_trip(const bp::Sequential& net, TorchPrecision precision);

/// Threads for torch's operations (its default is every core).
void set_torch_threads(int threads);
/// "LibTorch 1.13"
std::string torch_version();

}  // namespace ch05
