// Chapter 5's classifier in LibTorch (torch_engine.hpp): the network, its training step and
// the moves of its weights between the course's bp::Sequential and torch's modules. The
// appendix "Chapter 5's classifier in LibTorch" (docs/bridge.md) shows these lines beside the
// course's own.
#include "torch_engine.hpp"

#include "bp/core/errors.hpp"
#include "bp/layers/dense.hpp"

#include <torch/torch.h>
#include <torch/version.h>

#include <cmath>
#include <utility>

namespace ch05 {

namespace {

namespace F = torch::nn::functional;

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

torch::Dtype dtype_of(TorchPrecision precision) { return precision == TorchPrecision::float64 ? torch::kFloat64 : torch::kFloat32; }

// The Dense layer `l` of net, which must be what the chapter's classifier has: ReLU hidden
// layers and an identity (logits) output layer, as nn::Sequential holds them below.
const bp::Dense& dense_layer(const bp::Sequential& net, std::size_t l) {
    const auto* d = dynamic_cast<const bp::Dense*>(net.layers[l].get());
    if (!d)
        throw bp::UsageError("TorchEngine",
                             bp::layer_name(l) + " is a " + net.layers[l]->kind() + " layer; the LibTorch engine needs Dense layers");
    const bool last = l + 1 == net.size();
    if (d->f != (last ? bp::Activation::identity : bp::Activation::relu))
        throw bp::UsageError("TorchEngine", bp::layer_name(l) + " is " + bp::to_string(d->f) +
                                                "; the LibTorch engine needs ReLU hidden layers and an identity output layer (logits)");
    return *d;
}

//! [to_torch]
// The course's network in torch: each Dense layer an nn::Linear, followed by an nn::ReLU but
// for the last, which gives the logits. nn::Linear's weight is out x in, the shape of the
// course's W, but torch puts a batch's examples in rows: it computes x W^T + b, the transpose
// of the course's z = W a + b with the examples in columns. The numbers are the same; only
// their order in memory differs: Eigen stores W by columns and torch by rows, so the copy goes
// through a row-major matrix.
torch::nn::Sequential to_torch(const bp::Sequential& net, torch::Dtype dtype) {
    net.require_layers("to_torch");
    torch::nn::Sequential model;
    for (std::size_t l = 0; l < net.size(); ++l) {
        const bp::Dense& dense = dense_layer(net, l);
        torch::nn::Linear linear(dense.W.cols(), dense.W.rows());  // (in, out), its random start overwritten
        linear->to(dtype);
        RowMajor W = dense.W;  // out x in, by rows
        bp::Vector b = dense.b;
        const torch::NoGradGuard no_gradient;  // a copy into the parameters, not a step to record
        linear->weight.copy_(torch::from_blob(W.data(), {W.rows(), W.cols()}, torch::kFloat64));
        linear->bias.copy_(torch::from_blob(b.data(), {b.size()}, torch::kFloat64));
        model->push_back(linear);
        if (l + 1 < net.size()) model->push_back(torch::nn::ReLU());
    }
    return model;
}

// And back: each nn::Linear a Dense layer, ReLU but for the last.
bp::Sequential to_course(const torch::nn::Sequential& model) {
    std::vector<std::pair<torch::Tensor, torch::Tensor>> linears;
    for (const auto& module : model->children())
        if (const auto* linear = module->as<torch::nn::Linear>()) linears.emplace_back(linear->weight, linear->bias);
    bp::Sequential net;
    for (std::size_t l = 0; l < linears.size(); ++l) {
        const torch::Tensor W = linears[l].first.detach().to(torch::kFloat64).contiguous();  // out x in, by rows
        const torch::Tensor b = linears[l].second.detach().to(torch::kFloat64).contiguous();
        const bp::Matrix W_course = Eigen::Map<const RowMajor>(W.data_ptr<double>(), W.size(0), W.size(1));
        const bp::Vector b_course = Eigen::Map<const bp::Vector>(b.data_ptr<double>(), b.size(0));
        net.add(bp::Dense(W_course, b_course, l + 1 < linears.size() ? bp::Activation::relu : bp::Activation::identity));
    }
    return net;
}
//! [to_torch]

//! [data]
// A data set's examples as torch wants them, one per row. The course's x is n_features x m,
// an example per column, and Eigen stores it by columns: byte for byte, that is an m x
// n_features matrix stored by rows, torch's layout, so no transpose is needed.
torch::Tensor examples_of(const bp::Matrix& x, torch::Dtype dtype) {
    return torch::from_blob(const_cast<double*>(x.data()), {x.cols(), x.rows()}, torch::kFloat64).to(dtype);
}
// The labels as class indices (int64), which torch's cross_entropy takes instead of the
// course's one-hot columns.
torch::Tensor labels_of(const bp::Dataset& data) {
    return torch::from_blob(const_cast<int*>(data.labels.data()), {data.size()}, torch::kInt32).to(torch::kInt64);
}
//! [data]

std::vector<int> classes_of(const torch::Tensor& logits) {
    const torch::Tensor best = logits.argmax(1).to(torch::kInt32).contiguous();
    return {best.data_ptr<int>(), best.data_ptr<int>() + best.size(0)};
}

}  // namespace

struct TorchEngine::Impl {
    torch::Dtype dtype;
    torch::nn::Sequential model;
    torch::optim::Adam adam;

    Impl(const bp::Sequential& net, double lr, TorchPrecision precision)
        : dtype(dtype_of(precision)),
          model(to_torch(net, dtype)),
          // betas (0.9, 0.999) and eps 1e-8, torch's defaults, are the course's Adam's
          adam(model->parameters(), torch::optim::AdamOptions(lr).betas({0.9, 0.999}).eps(1e-8)) {}

    torch::optim::AdamOptions& options() { return static_cast<torch::optim::AdamOptions&>(adam.param_groups().front().options()); }

    //! [step]
    // One training step, what exercise 5.10's basic_train_step does, with the course's names
    // beside torch's.
    double train_step(const torch::Tensor& x, const torch::Tensor& labels, long step) {
        adam.zero_grad();                                    // model.zero_grad()
        const auto logits = model->forward(x);               // model.forward(x)
        const auto loss = F::cross_entropy(logits, labels);  // loss.value(logits, y)
        loss.backward();                                     // model.backward(loss.grad(logits, y))
        const double value = loss.item<double>();
        // Stopped before the step, so that the weights stay as they were.
        if (!std::isfinite(value)) throw bp::Diverged::of_loss(step, value);
        adam.step();  // opt.step(model.parameters())
        return value;
    }
    //! [step]

    // The first weight that is not finite after a step, named as the course names it.
    void require_finite_weights(long step, double loss) {
        for (const torch::Tensor& p : model->parameters())
            if (!torch::isfinite(p).all().item<bool>()) {
                bp::Sequential net = to_course(model);
                bp::require_not_diverged(step, loss, net.parameters(), bp::Checked::values);
            }
    }
};

TorchEngine::TorchEngine(const bp::Sequential& net, double lr, TorchPrecision precision)
    : impl_(std::make_unique<Impl>(net, lr, precision)) {}
TorchEngine::~TorchEngine() = default;
TorchEngine::TorchEngine(TorchEngine&&) noexcept = default;
TorchEngine& TorchEngine::operator=(TorchEngine&&) noexcept = default;

void TorchEngine::set_lr(double lr) { impl_->options().lr(lr); }
double TorchEngine::lr() const { return impl_->options().lr(); }

//! [epoch]
double TorchEngine::epoch(const bp::Dataset& data, const bp::EpochOptions& options, bp::Rng& rng, long& step, bp::ProgressBar* bar) {
    data.check("TorchEngine::epoch");
    if (options.clip_norm > 0 || options.clip_value > 0)
        throw bp::UsageError("TorchEngine::epoch", "the LibTorch engine does not clip (torch::nn::utils::clip_grad_norm_ would)");
    const torch::Tensor examples = examples_of(data.x, impl_->dtype), labels = labels_of(data);
    impl_->model->train();
    return bp::for_each_batch(
        data.size(), options, rng, step, bar, [&](const std::vector<bp::Index>& order, bp::Index first, bp::Index count) {
            // The batch's rows, picked by the same shuffled order as the course's engines use.
            const torch::Tensor picked = torch::from_blob(const_cast<bp::Index*>(order.data() + first), {count}, torch::kInt64);
            const double loss = impl_->train_step(examples.index_select(0, picked), labels.index_select(0, picked), step);
            impl_->require_finite_weights(step, loss);
            return loss;
        });
}
//! [epoch]

bp::Metrics TorchEngine::evaluate(const bp::Dataset& data) {
    data.check("TorchEngine::evaluate");
    const torch::NoGradGuard no_gradient;
    impl_->model->eval();
    const torch::Tensor logits = impl_->model->forward(examples_of(data.x, impl_->dtype)), labels = labels_of(data);
    bp::Metrics m;
    m.loss = F::cross_entropy(logits, labels).item<double>();
    m.accuracy = logits.argmax(1).eq(labels).to(torch::kFloat64).mean().item<double>();
    return m;
}

std::vector<int> TorchEngine::predictions(const bp::Matrix& x) {
    const torch::NoGradGuard no_gradient;
    return classes_of(impl_->model->forward(examples_of(x, impl_->dtype)));
}

bp::Sequential& TorchEngine::model() { return network_ = to_course(impl_->model); }

std::optional<std::string> TorchEngine::dead_layer(const bp::Matrix& x) {
    const torch::NoGradGuard no_gradient;
    torch::Tensor a = examples_of(x, impl_->dtype);
    int layer = 0;
    for (const auto& module : impl_->model->children()) {
        if (auto* linear = module->as<torch::nn::Linear>()) {
            a = linear->forward(a);
            ++layer;
        } else if ((a = torch::relu(a)).eq(0).all().item<bool>()) {
            return "layer" + std::to_string(layer);
        }
    }
    return std::nullopt;
}

std::vector<int> torch_predictions(const bp::Sequential& net, const bp::Matrix& x, TorchPrecision precision) {
    const torch::NoGradGuard no_gradient;
    const torch::Dtype dtype = dtype_of(precision);
    return classes_of(to_torch(net, dtype)->forward(examples_of(x, dtype)));
}

bp::Sequential torch_round_trip(const bp::Sequential& net, TorchPrecision precision) {
    return to_course(to_torch(net, dtype_of(precision)));
}

void set_torch_threads(int threads) { torch::set_num_threads(threads); }

// Major and minor only: Debian's 1.13.1 says 1.13.0 in its torch/version.h.
std::string torch_version() { return "LibTorch " + std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR); }

}  // namespace ch05
