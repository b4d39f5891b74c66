#include "bp/train/train.hpp"

#include "bp/core/loss.hpp"

#include <algorithm>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <sstream>
#include <unistd.h>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace bp {

namespace {

std::string clock_time(double seconds) {
    const long s = std::lround(seconds);
    std::ostringstream out;
    out << s / 60 << ":" << std::setw(2) << std::setfill('0') << s % 60;
    return out.str();
}

// A training step frees and allocates the same matrices at every step (the exercises return
// new ones). By default glibc hands freed memory back to the system as soon as a few MB are
// free at the top of the heap, or gives big blocks their own mapping, and the next step then
// faults every 4 KB page back in: at batch 512, a tenth of an epoch. Once per process, keep
// up to 256 MB of freed memory for reuse and serve blocks of up to 32 MB from it.
void keep_freed_memory() {
#if defined(__GLIBC__)
    static const bool kept = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1;
    static_cast<void>(kept);
#endif
}

}  // namespace

ProgressBar::ProgressBar(std::string label, long total, std::ostream& out)
    : label_(std::move(label)),
      total_(total),
      out_(out),
      terminal_(&out == &std::cout   ? isatty(STDOUT_FILENO)
                : &out == &std::cerr ? isatty(STDERR_FILENO)
                                     : false),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(long done, double loss) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = static_cast<double>(done) / std::max(elapsed, 1e-9);
    const double left = static_cast<double>(total_ - done) / std::max(rate, 1e-9);
    std::ostringstream line;
    line << label_ << " " << done << "/" << total_ << "  " << std::fixed << std::setprecision(0) << rate << " steps/s  loss "
         << std::setprecision(4) << loss << "  " << clock_time(left) << " left";
    if (terminal_) {
        const int width = 24, filled = static_cast<int>(width * done / std::max(total_, 1L));
        out_ << "\r"
             << "[" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << line.str() << "   " << std::flush;
    } else if (const long tenth = 10 * done / std::max(total_, 1L); tenth > last_tenth_ || elapsed - last_line_ >= 30) {
        last_tenth_ = tenth;  // a line at every tenth, and at least every 30 s: a slow run never looks stuck
        last_line_ = elapsed;
        out_ << line.str() << "\n";
    }
}

void ProgressBar::finish(const std::string& summary) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (terminal_) out_ << "\r\033[K";
    std::ostringstream line;  // (not out_ << std::fixed: that would stay set on the caller's stream)
    line << label_ << " done in " << std::fixed << std::setprecision(1) << elapsed << " s  " << summary;
    out_ << line.str() << '\n' << std::flush;
}

Metrics evaluate(Layer& model, const Dataset& data, Index batch) {
    if (batch <= 0) throw std::invalid_argument("evaluate: the batch size must be positive, got " + std::to_string(batch));
    data.check("evaluate");
    const bool was_training = model.training();
    model.set_training(false);
    Metrics metrics;
    Matrix x, y;
    for (Index first = 0; first < data.size(); first += batch) {
        const Index count = std::min(batch, data.size() - first);
        data.batch({}, first, count, x, y);
        const Matrix& logits = model.forward(x);
        metrics.loss += softmax_cross_entropy_loss(logits, y) * static_cast<double>(count);
        const std::vector<int> predicted = argmax_per_column(logits);
        for (std::size_t k = 0; k < predicted.size(); ++k)
            metrics.accuracy += predicted[k] == data.labels[static_cast<std::size_t>(first) + k];
    }
    model.set_training(was_training);
    metrics.loss /= static_cast<double>(data.size());
    metrics.accuracy /= static_cast<double>(data.size());
    return metrics;
}

Diverged::Diverged(long step_, const std::string& detail)
    : std::runtime_error("training diverged at step " + std::to_string(step_) + ": " + detail +
                         " (a smaller learning rate, or clipping, may help)"),
      step(step_) {}

Diverged Diverged::of_loss(long step, double loss) { return Diverged(step, "the loss is " + number_text(loss)); }

LossLimit LossLimit::for_classes(Index classes) {
    if (classes < 2)
        throw std::invalid_argument("LossLimit::for_classes: a classifier needs at least 2 classes, got " + std::to_string(classes));
    const double chance = std::log(static_cast<double>(classes));
    return {3 * chance, 50,
            "3 ln " + std::to_string(classes) + ", three times an untrained classifier's loss ln " + std::to_string(classes) + " = " +
                number_text(chance)};
}

std::optional<NotFinite> find_not_finite(double loss, const std::vector<Parameter>& params, Checked what) {
    if (!std::isfinite(loss)) return NotFinite{"", "the loss is " + number_text(loss)};
    const bool gradients = what == Checked::gradients;
    for (const Parameter& p : params)
        if (const auto bad = first_non_finite(gradients ? p.grad() : p.value()))
            return NotFinite{p.name, (gradients ? "the gradient of " + p.name : p.name + " after the step") + " is " + bad->describe()};
    return std::nullopt;
}

void require_not_diverged(long step, double loss, const std::vector<Parameter>& params, Checked what) {
    if (const auto bad = find_not_finite(loss, params, what)) throw Diverged(step, bad->detail);
}

double for_each_batch(Index examples, const EpochOptions& options, Rng& rng, long& step, ProgressBar* bar,
                      const std::function<double(const std::vector<Index>& order, Index first, Index count)>& train) {
    if (options.batch <= 0)
        throw std::invalid_argument("train_epoch: the batch size must be positive, got " + std::to_string(options.batch));
    if (examples <= 0) throw DataError("train_epoch: the data set is empty");
    std::vector<Index> order(static_cast<std::size_t>(examples));
    std::iota(order.begin(), order.end(), Index{0});
    for (std::size_t i = order.size(); i > 1; --i)
        std::swap(order[i - 1], order[static_cast<std::size_t>(rng.below(static_cast<Index>(i)))]);
    double total_loss = 0;
    long batches = 0;
    if (options.step_limit < 0)
        throw std::invalid_argument("train_epoch: the step limit must be >= 0 (0: none), got " + std::to_string(options.step_limit));
    const LossLimit& limit = options.loss_limit;
    if (!(limit.value >= 0) || limit.steps < 1)
        throw std::invalid_argument("train_epoch: the loss limit must be >= 0 (0: none) over at least 1 step, got " +
                                    number_text(limit.value) + " over " + std::to_string(limit.steps));
    std::vector<double> recent(limit.value > 0 ? static_cast<std::size_t>(limit.steps) : 0);  // the last losses, a ring
    for (Index first = 0; first < examples && (options.step_limit == 0 || step < options.step_limit);
         first += options.batch, ++batches, ++step) {
        if (options.schedule) options.schedule(step);
        const double loss = train(order, first, std::min(options.batch, examples - first));
        total_loss += loss;
        if (options.after_step) options.after_step(step, loss);
        if (bar) bar->update(batches + 1, total_loss / static_cast<double>(batches + 1));
        if (!recent.empty()) {
            recent[static_cast<std::size_t>(batches % limit.steps)] = loss;
            if (batches + 1 >= limit.steps) {
                const double mean = std::accumulate(recent.begin(), recent.end(), 0.0) / static_cast<double>(limit.steps);
                if (mean > limit.value)
                    throw Diverged(step, "the mean loss of steps " + std::to_string(step - limit.steps + 1) + " to " +
                                             std::to_string(step) + " is " + number_text(mean) + ", above " + number_text(limit.value) +
                                             (limit.meaning.empty() ? "" : " = " + limit.meaning));
            }
        }
    }
    return total_loss / static_cast<double>(std::max(batches, 1L));
}

//! [train_step]
double train_step(Layer& model, const Loss& loss, Optimizer& opt, const Matrix& x, const Matrix& y, const EpochOptions& options,
                  long step) {
    keep_freed_memory();
    const std::vector<Parameter> params = model.parameters();
    model.zero_grad();  // backward adds into the gradients: start them at 0
    const Matrix& output = model.forward(x);
    const double L = loss.value(output, y);
    model.backward_parameters(loss.grad(output, y));  // backward, without dL/dx: x does not learn
    return apply_gradients(opt, params, L, options, step);
}
//! [train_step]

double train_sequence_step(SequenceModel& model, const Loss& loss, Optimizer& opt, const SequenceBatch& batch, const EpochOptions& options,
                           long step) {
    const std::vector<Parameter> params = model.parameters();
    model.zero_grad();
    Sequence d_out;
    const double L = sequence_loss(loss, model.forward(batch.x), batch, &d_out);
    model.backward(d_out);
    return apply_gradients(opt, params, L, options, step);
}

void EpochOptions::check_clipping(const char* op) const {
    for (const auto& [name, value] : {std::pair{"clip_norm", clip_norm}, std::pair{"clip_value", clip_value}})
        if (!(value >= 0) || !std::isfinite(value))
            throw std::invalid_argument(std::string(op) + ": options." + name + " must be finite and >= 0 (0: no clipping), got " +
                                        number_text(value));
}

//! [apply_gradients]
double apply_gradients(Optimizer& opt, const std::vector<Parameter>& params, double loss, const EpochOptions& options, long step) {
    options.check_clipping("apply_gradients");
    if (options.after_backward) options.after_backward(step, loss, params);
    require_not_diverged(step, loss, params, Checked::gradients);  // before the step: the model stays as it was
    if (options.clip_norm > 0) clip_grad_norm(params, options.clip_norm);
    if (options.clip_value > 0) clip_grad_value(params, options.clip_value);
    opt.step(params);
    require_not_diverged(step, loss, params, Checked::values);
    return loss;
}
//! [apply_gradients]

double train_epoch(Layer& model, const Loss& loss, Optimizer& opt, const Dataset& data, const EpochOptions& options, Rng& rng, long& step,
                   ProgressBar* bar) {
    data.check("train_epoch");
    Matrix x, y;
    return for_each_batch(data.size(), options, rng, step, bar, [&](const std::vector<Index>& order, Index first, Index count) {
        data.batch(order, first, count, x, y);
        return train_step(model, loss, opt, x, y, options, step);
    });
}

#if defined(__SSE__)
FlushDenormals::FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); }  // FTZ and DAZ
FlushDenormals::~FlushDenormals() { _mm_setcsr(saved_); }
#else
FlushDenormals::FlushDenormals() {}
FlushDenormals::~FlushDenormals() {}
#endif

}  // namespace bp
