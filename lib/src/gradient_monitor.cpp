#include "bp/gradient_monitor.hpp"

#include "bp/activation_layer.hpp"
#include "bp/dense.hpp"
#include "bp/residual.hpp"
#include "bp/sequential.hpp"
#include "bp/train.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace bp {

namespace {

void collect_outputs(Layer& layer, const std::string& name, std::vector<LayerOutput>& out) {
    if (auto* seq = dynamic_cast<Sequential*>(&layer)) {
        for (std::size_t i = 0; i < seq->layers.size(); ++i) collect_outputs(*seq->layers[i], join_name(name, layer_name(i)), out);
    } else if (auto* block = dynamic_cast<Residual*>(&layer)) {
        collect_outputs(block->inner(), join_name(name, "inner"), out);
    } else if (auto* dense = dynamic_cast<Dense*>(&layer)) {
        if (dense->has_forward) out.push_back({name, dense->f, &dense->a});
    } else if (auto* act = dynamic_cast<ActivationLayer*>(&layer)) {
        if (act->has_forward) out.push_back({name, act->f, &act->a});
    }
}

}  // namespace

std::vector<LayerOutput> layer_outputs(Layer& model) {
    std::vector<LayerOutput> out;
    collect_outputs(model, "", out);
    return out;
}

GradientMonitor::GradientMonitor(Layer& model, const Optimizer& optimizer, long every)
    : GradientMonitor(model, [&optimizer] { return optimizer.lr; }, every) {}

GradientMonitor::GradientMonitor(Layer& model, std::function<double()> learning_rate, long every)
    : model_(&model), lr_(std::move(learning_rate)), every_(every) {
    if (every < 0) throw std::invalid_argument("GradientMonitor: `every` must be at least 0, got " + std::to_string(every));
    if (!lr_) throw UsageError("GradientMonitor", "the learning-rate function is empty");
}

void GradientMonitor::observe(long step, double loss, const std::vector<Parameter>& params) {
    const auto bad = find_not_finite(loss, params, "gradient");
    if (bad && !divergence_) divergence_ = Divergence{step, bad->parameter, bad->detail};
    if (every_ == 0 || (step % every_ != 0 && !bad)) return;

    Record r;
    r.step = step;
    r.loss = loss;
    r.lr = lr_();
    const std::vector<double> norms = gradient_norms(params);  // exercise 6.1
    double squares = 0;
    for (std::size_t i = 0; i < params.size(); ++i) {
        const double value_norm = params[i].value().norm();
        r.parameters.push_back({params[i].name, norms[i], value_norm, value_norm > 0 ? r.lr * norms[i] / value_norm : 0.0});
        squares += norms[i] * norms[i];
    }
    r.global_norm = std::sqrt(squares);
    for (const LayerOutput& out : layer_outputs(*model_))
        if (out.f != Activation::identity && out.a->size() > 0)
            r.activations.push_back({out.name, out.f, saturated_fraction(out.f, *out.a)});  // exercise 6.2
    records_.push_back(std::move(r));
}

std::function<void(long, double, const std::vector<Parameter>&)> GradientMonitor::hook() {
    return [this](long step, double loss, const std::vector<Parameter>& params) { observe(step, loss, params); };
}

std::vector<double> GradientMonitor::grad_norms_of(const std::string& parameter) const {
    std::vector<double> out;
    for (const Record& r : records_) {
        const auto it = std::find_if(r.parameters.begin(), r.parameters.end(), [&](const ParameterStats& p) { return p.name == parameter; });
        if (it == r.parameters.end())
            throw UsageError("GradientMonitor::grad_norms_of", "no parameter " + parameter + " at step " + std::to_string(r.step));
        out.push_back(it->grad_norm);
    }
    return out;
}

namespace {

// A number in the monitor's tables: 3 significant digits, and nan without a sign ("-nan" means
// nothing more).
std::string number(double v) {
    if (std::isnan(v)) return "nan";
    std::ostringstream out;
    out << std::scientific << std::setprecision(2) << v;
    return out.str();
}

}  // namespace

std::string format_record(const GradientMonitor::Record& r) {
    std::ostringstream out;
    out << "step " << r.step << ": loss " << number(r.loss) << ", lr " << number(r.lr) << ", global gradient norm "
        << number(r.global_norm) << "\n";
    std::size_t width = 9;
    for (const auto& p : r.parameters) width = std::max(width, p.name.size());
    for (const auto& a : r.activations) width = std::max(width, a.layer.size());
    const int w = static_cast<int>(width);
    out << "  " << std::left << std::setw(w) << "parameter" << std::right << std::setw(12) << "||grad||" << std::setw(12)
        << "||value||" << std::setw(26) << "lr ||grad|| / ||value||" << "\n";
    for (const auto& p : r.parameters)
        out << "  " << std::left << std::setw(w) << p.name << std::right << std::setw(12) << number(p.grad_norm) << std::setw(12)
            << number(p.value_norm) << std::setw(26) << number(p.update_ratio) << "\n";
    if (!r.activations.empty()) {
        out << "  " << std::left << std::setw(w) << "layer" << "  activation  saturated or dead\n";
        for (const auto& a : r.activations)
            out << "  " << std::left << std::setw(w) << a.layer << "  " << std::setw(10) << to_string(a.f) << "  " << std::fixed
                << std::setprecision(1) << 100 * a.saturated << " %" << (a.f == Activation::relu ? " dead" : " saturated") << "\n";
    }
    return out.str();
}

std::string GradientMonitor::report() const {
    // The last record before the first step that is not finite: how the gradients stood then.
    const Record* last = nullptr;
    for (const Record& r : records_)
        if (!divergence_ || r.step < divergence_->step) last = &r;
    std::string out = last ? format_record(*last) : std::string("no step recorded") + (divergence_ ? " before it" : " yet") + "\n";
    if (divergence_)
        out += "first value that is not finite: at step " + std::to_string(divergence_->step) + ", " + divergence_->detail + "\n";
    return out;
}

}  // namespace bp
