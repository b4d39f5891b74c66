#include "bp/train/gradient_monitor.hpp"

#include "bp/recurrent/sequence.hpp"
#include "bp/train/train.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace bp {

std::optional<std::string> dead_layer(const Module& model) {
    for (const LayerOutput& out : layer_outputs(model))
        if (out.f == Activation::relu && out.a->size() > 0 && (out.a->array() == 0).all()) return out.name;
    return std::nullopt;
}

std::vector<LayerOutput> layer_outputs(const Module& model) {
    std::vector<LayerOutput> out;
    for_each_module(model, [&](const std::string& name, const Module& m) {
        if (const auto output = m.activation_output()) out.push_back({name, output->f, &output->a});
    });
    return out;
}

GradientMonitor::GradientMonitor(Module& model, const Optimizer& optimizer, long every)
    : GradientMonitor(
          model, [&optimizer] { return optimizer.lr; }, every) {}

GradientMonitor::GradientMonitor(Module& model, std::function<double()> learning_rate, long every)
    : model_(&model), lr_(std::move(learning_rate)), every_(every) {
    if (every < 0) throw std::invalid_argument("GradientMonitor: `every` must be at least 0, got " + std::to_string(every));
    if (!lr_) throw UsageError("GradientMonitor", "the learning-rate function is empty");
}

void GradientMonitor::observe(long step, double loss, const std::vector<Parameter>& params) {
    const auto bad = find_not_finite(loss, params, Checked::gradients);
    if (bad && !divergence_) divergence_ = Divergence{step, bad->parameter, bad->detail};
    if (every_ == 0 || (!due(step) && !bad)) return;

    Record r;
    r.step = step;
    r.loss = loss;
    r.lr = lr_();
    const std::vector<double> norms = gradient_norms(params);  // exercise 6.1
    for (std::size_t i = 0; i < params.size(); ++i) {
        const double value_norm = params[i].value().norm();
        r.parameters.push_back(
            {params[i].name, norms[i], value_norm, value_norm > 0 ? r.lr * norms[i] / value_norm : 0.0, params[i].value().cols() > 1});
    }
    r.global_norm = global_grad_norm(params);
    for (const LayerOutput& out : layer_outputs(*model_))
        if (out.f != Activation::identity && out.a->size() > 0)
            r.activations.push_back({out.name, out.f, saturated_fraction(out.f, *out.a)});  // exercise 6.2
    for_each_module(*model_, [&](const std::string& name, Module& m) {
        if (const Sequence* dh = m.hidden_gradients()) {
            HiddenGradientStats h{name, {}};
            for (Index t = 1; t <= dh->steps(); ++t) h.norms.push_back(dh->at(t).norm());
            r.hidden.push_back(std::move(h));
        }
    });
    records_.push_back(std::move(r));
}

void GradientMonitor::hook_into(EpochOptions& options) {
    options.after_backward = [this](long step, double loss, const std::vector<Parameter>& params) { observe(step, loss, params); };
    options.after_backward_due = [this](long step) { return due(step); };
}

std::vector<double> GradientMonitor::grad_norms_of(const std::string& parameter) const {
    std::vector<double> out;
    for (const Record& r : records_) {
        const auto it =
            std::find_if(r.parameters.begin(), r.parameters.end(), [&](const ParameterStats& p) { return p.name == parameter; });
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
    out << "step " << r.step << ": loss " << number(r.loss) << ", lr " << number(r.lr) << ", global gradient norm " << number(r.global_norm)
        << "\n";
    std::size_t width = 9;
    for (const auto& p : r.parameters) width = std::max(width, p.name.size());
    for (const auto& a : r.activations) width = std::max(width, a.layer.size());
    const int w = static_cast<int>(width);
    out << "  " << std::left << std::setw(w) << "parameter" << std::right << std::setw(12) << "||grad||" << std::setw(12) << "||value||"
        << std::setw(26) << "lr ||grad|| / ||value||"
        << "\n";
    for (const auto& p : r.parameters)
        out << "  " << std::left << std::setw(w) << p.name << std::right << std::setw(12) << number(p.grad_norm) << std::setw(12)
            << number(p.value_norm) << std::setw(26) << number(p.update_ratio) << "\n";
    if (!r.activations.empty()) {
        out << "  " << std::left << std::setw(w) << "layer"
            << "  activation  saturated or dead\n";
        for (const auto& a : r.activations)
            out << "  " << std::left << std::setw(w) << a.layer << "  " << std::setw(10) << to_string(a.f) << "  " << std::fixed
                << std::setprecision(1) << 100 * a.saturated << " %" << (a.f == Activation::relu ? " dead" : " saturated") << "\n";
    }
    for (const auto& h : r.hidden) {
        // ||dL/dh_t|| at the first, middle and last step, and the factor per step from the last
        // to the first: below 1, the gradient fades on its way back through time (chapter 7).
        const std::size_t T = h.norms.size();
        if (T == 0) continue;
        out << "  " << std::left << std::setw(w) << h.layer << "  ||dL/dh_t||: t = 1 " << number(h.norms.front());
        if (T > 2) out << ", t = " << (T + 1) / 2 << " " << number(h.norms[(T + 1) / 2 - 1]);
        if (T > 1) {
            out << ", t = " << T << " " << number(h.norms.back());
            if (h.norms.back() > 0 && h.norms.front() > 0)
                out << "; factor per step " << number(std::pow(h.norms.front() / h.norms.back(), 1.0 / static_cast<double>(T - 1)));
        }
        out << "\n";
    }
    for (const std::string& warning : record_warnings(r)) out << "  warning: " << warning << "\n";
    return out.str();
}

std::vector<std::string> record_warnings(const GradientMonitor::Record& r) {
    constexpr double far = 1e4;  // a factor no healthy network shows between its first and last layer
    std::vector<std::string> out;
    std::string zero;
    for (const auto& p : r.parameters)
        if (p.grad_norm == 0) zero += (zero.empty() ? "" : ", ") + p.name;
    if (!zero.empty())
        out.push_back("the gradient of " + zero +
                      " is 0: " + (zero.find(',') == std::string::npos ? "it no longer learns" : "they no longer learn") +
                      " (dead or saturated units pass no gradient back)");
    for (const auto& a : r.activations)
        if (a.saturated == 1)
            out.push_back(a.layer + ": every unit is " + (a.f == Activation::relu ? "dead" : "saturated") +
                          " on this batch, so the layers before it learn nothing through it");
    const GradientMonitor::ParameterStats* first = nullptr;  // the first and the last layer's weights
    const GradientMonitor::ParameterStats* last = nullptr;
    for (const auto& p : r.parameters)
        if (p.weights) {
            if (!first) first = &p;
            else last = &p;
        }
    if (r.hidden.empty() && first && last && last->grad_norm > 0 && first->grad_norm > 0) {
        const double ratio = first->grad_norm / last->grad_norm;
        if (ratio < 1 / far || ratio > far)
            out.push_back("||grad|| of " + first->name + " / ||grad|| of " + last->name + " = " + number(ratio) + ": the gradient " +
                          (ratio < 1 ? "vanishes" : "explodes") + " on its way back to the first layer");
    }
    for (const auto& h : r.hidden)
        if (h.norms.size() > 1 && h.norms.front() > 0 && h.norms.back() > 0) {
            const double ratio = h.norms.front() / h.norms.back();
            if (ratio < 1 / far || ratio > far)
                out.push_back(h.layer + ": ||dL/dh_1|| / ||dL/dh_T|| = " + number(ratio) + ": the gradient " +
                              (ratio < 1 ? "vanishes" : "explodes") + " on its way back through time");
        }
    for (const auto& p : r.parameters)
        if (p.update_ratio > 1)
            out.push_back(p.name + ": lr ||grad|| / ||value|| = " + number(p.update_ratio) +
                          ": an SGD step would be larger than the weights; a smaller learning rate may help");
    return out;
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
