#include "gradient_flow.hpp"

#include "bp/layers/activation_layer.hpp"
#include "bp/layers/batch_norm.hpp"
#include "bp/layers/dense.hpp"
#include "bp/train/gradient_monitor.hpp"
#include "bp/core/loss.hpp"
#include "bp/layers/residual.hpp"

#include <cmath>
#include <iomanip>
#include <limits>
#include <numeric>
#include <sstream>

namespace bp {

namespace {

std::string init_name(const Init& init, Activation f) {
    switch (init.scheme) {
        case Init::Scheme::automatic: return f == Activation::relu || f == Activation::leaky_relu ? "He" : "Xavier";
        case Init::Scheme::xavier: return "Xavier";
        case Init::Scheme::he: return "He";
        case Init::Scheme::lecun: return "LeCun";
        case Init::Scheme::normal: {
            std::ostringstream out;
            out << "N(0, " << init.stddev << "^2)";
            return out.str();
        }
    }
    return "?";
}

std::string activation_name(Activation f) {
    switch (f) {
        case Activation::relu: return "ReLU";
        case Activation::leaky_relu: return "leaky ReLU";
        default: return to_string(f);
    }
}

// One hidden layer of `spec`: Dense with the activation, or Dense, BatchNorm, ActivationLayer;
// without its activation if `activated` is false (a two-layer branch's second layer).
std::unique_ptr<Layer> hidden_layer(const DeepNet& spec, Index n_in, const Init& init, Rng& rng, bool activated = true) {
    // The weights are drawn for the activation that follows (the normalization).
    Dense dense(n_in, spec.width, spec.activation, rng, init);
    if (!activated || spec.batch_norm) dense.f = Activation::identity;
    if (!spec.batch_norm) return std::make_unique<Dense>(std::move(dense));
    auto layer = std::make_unique<Sequential>();
    layer->add(std::move(dense));
    layer->add(BatchNorm(spec.width));
    if (activated) layer->add(ActivationLayer(spec.activation));
    return layer;
}

}  // namespace

std::string DeepNet::label() const {
    std::ostringstream out;
    out << activation_name(activation) << ", " << init_name(init, activation);
    if (init.gain != 1) out << " x " << init.gain;
    if (residual) out << ", residual";
    if (residual && branch_layers == 2) out << " (2-layer branches)";
    if (residual && branch_gain != 1) out << " (branches x " << std::setprecision(2) << branch_gain << ")";
    if (batch_norm) out << ", batch norm";
    return out.str();
}

Sequential deep_network(const DeepNet& spec, Rng& rng) {
    if (spec.depth < 2) throw std::invalid_argument("deep_network: the depth must be at least 2, got " + std::to_string(spec.depth));
    if (spec.inputs <= 0 || spec.width <= 0 || spec.outputs <= 0)
        throw ShapeError("deep_network", "inputs, width and outputs must be positive, got " + std::to_string(spec.inputs) + ", " +
                                             std::to_string(spec.width) + " and " + std::to_string(spec.outputs));
    if (spec.activation == Activation::softmax) throw UsageError("deep_network", "softmax is not a hidden layer's activation");
    Sequential net;
    if (!(std::isfinite(spec.branch_gain) && spec.branch_gain >= 0))
        throw std::invalid_argument("deep_network: branch_gain must be finite and >= 0, got " + std::to_string(spec.branch_gain));
    if (spec.branch_layers != 1 && spec.branch_layers != 2)
        throw std::invalid_argument("deep_network: branch_layers must be 1 or 2, got " + std::to_string(spec.branch_layers));
    net.add(hidden_layer(spec, spec.inputs, spec.init, rng));
    const Init branch = spec.residual ? spec.init.scaled(spec.init.gain * spec.branch_gain) : spec.init;
    for (int l = 2; l < spec.depth; ++l) {
        if (spec.residual && spec.branch_layers == 2 && l + 1 < spec.depth) {  // W2 f(W1 a + b1) + b2, layers l and l + 1
            auto inner = std::make_unique<Sequential>();
            inner->add(hidden_layer(spec, spec.width, spec.init, rng));
            inner->add(hidden_layer(spec, spec.width, branch, rng, false));
            std::unique_ptr<Layer> block = std::make_unique<Residual>(std::move(inner));
            net.add(std::move(block));
            ++l;
            continue;
        }
        std::unique_ptr<Layer> layer = hidden_layer(spec, spec.width, branch, rng);
        if (spec.residual) layer = std::make_unique<Residual>(std::move(layer));
        net.add(std::move(layer));
    }
    net.add(Dense(spec.width, spec.outputs, Activation::identity, rng, spec.init));
    return net;
}

NamedValues weight_gradient_norms(Layer& net, const Matrix& x, const Matrix& y) {
    net.zero_grad();
    const Matrix& logits = net.forward(x);
    net.backward(softmax_cross_entropy_grad(logits, y));
    std::vector<Parameter> weights;
    for (Parameter& p : net.parameters())
        if (p.name.size() >= 2 && p.name.compare(p.name.size() - 2, 2, ".W") == 0) weights.push_back(std::move(p));
    NamedValues out;
    for (const Parameter& p : weights) out.names.push_back(p.name);
    out.values = gradient_norms(weights);  // exercise 6.1
    return out;
}

double stddev(const Matrix& m) {
    if (m.size() == 0) throw ShapeError("stddev", "the matrix is empty");
    const double mean = m.mean();
    return std::sqrt((m.array() - mean).square().mean());
}

Spread spread_per_layer(Sequential& net, const Matrix& x, const Matrix& G) {
    net.require_layers("spread_per_layer");
    Spread s;
    const Matrix* a = &x;
    for (auto& layer : net.layers) {
        a = &layer->forward(*a);
        s.forward.push_back(stddev(*a));
    }
    require_same_shape("spread_per_layer", "G", G, "the network's output", *a);
    net.zero_grad();
    s.backward.resize(net.layers.size());
    Matrix d = G;
    for (std::size_t l = net.layers.size(); l-- > 0;) {
        s.backward[l] = stddev(d);  // the gradient reaching layer l + 1's output
        d = net.layers[l]->backward(d);
    }
    return s;
}

void train_for_steps(Layer& net, const Dataset& data, Optimizer& opt, const EpochOptions& options, long steps, Rng& rng) {
    if (steps <= 0) return;
    EpochOptions limited = options;
    limited.step_limit = steps;
    for (long step = 0; step < steps;) train_epoch(net, softmax_cross_entropy(), opt, data, limited, rng, step);
}

LearningSpeed learning_speed(Sequential& net, const Dataset& data, double lr, Index batch, long steps, Rng& rng) {
    Sgd sgd(lr);
    GradientMonitor monitor(net, sgd);
    EpochOptions options;
    options.batch = batch;
    monitor.hook_into(options);
    train_for_steps(net, data, sgd, options, steps, rng);
    LearningSpeed speed;
    for (const Parameter& p : net.parameters())
        if (p.name.size() >= 2 && p.name.compare(p.name.size() - 2, 2, ".b") == 0) speed.names.push_back(p.name);
    if (!speed.names.empty()) speed.names.pop_back();  // the output layer's
    for (const GradientMonitor::Record& r : monitor.records()) {
        std::vector<double> norms;
        for (const std::string& name : speed.names)
            for (const auto& p : r.parameters)
                if (p.name == name) norms.push_back(p.grad_norm);
        speed.by_step.push_back(norms);
    }
    return speed;
}

ClippingRun clipping_run(const Sequential& net, const Dataset& data, double lr, const EpochOptions& options, long steps, Rng& rng) {
    Sequential model = net;
    Sgd sgd(lr);
    GradientMonitor monitor(model, sgd);
    EpochOptions o = options;
    monitor.hook_into(o);
    ClippingRun run;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    run.loss.assign(static_cast<std::size_t>(steps), nan);
    run.global_norm.assign(static_cast<std::size_t>(steps), nan);
    o.after_step = [&](long step, double loss) { run.loss[static_cast<std::size_t>(step)] = loss; };
    try {
        train_for_steps(model, data, sgd, o, steps, rng);
    } catch (const Diverged& e) {
        run.diverged_at = e.step;
        run.divergence = e.what();
    }
    for (const GradientMonitor::Record& r : monitor.records())
        if (std::isfinite(r.global_norm)) run.global_norm[static_cast<std::size_t>(r.step)] = r.global_norm;
    return run;
}

double accuracy_after(Sequential& net, const Dataset& train, const Dataset& test, double lr, Index batch, long steps, Rng& rng) {
    Adam adam(lr);
    EpochOptions options;
    options.batch = batch;
    try {
        train_for_steps(net, train, adam, options, steps, rng);
    } catch (const Diverged&) {
        return 0;
    }
    return evaluate(net, test).accuracy;
}

Dataset gaussian_clusters(int classes, int per_class, Index dims, double separation, Rng& rng) {
    if (classes < 2 || per_class < 1 || dims < 1)
        throw std::invalid_argument("gaussian_clusters: needs at least 2 classes, 1 point per class and 1 dimension");
    // Centres with independent N(0, s^2) coordinates are about s sqrt(2 dims) apart.
    const Matrix centres = rng.normal_matrix(dims, classes, separation / std::sqrt(2.0 * static_cast<double>(dims)));
    Dataset d;
    d.classes = classes;
    d.x.resize(dims, static_cast<Index>(classes) * per_class);
    for (int k = 0; k < per_class; ++k)
        for (int c = 0; c < classes; ++c) {
            const Index col = static_cast<Index>(k) * classes + c;
            d.x.col(col) = centres.col(c) + rng.normal_matrix(dims, 1, 1.0);
            d.labels.push_back(c);
        }
    return d;
}

}  // namespace bp
