#include "bptt_experiments.hpp"

#include "bp/train/train.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace bp {

std::vector<double> gradient_norms_by_distance(SequenceLayer& layer, Index T, Index m, double input_scale, Rng& rng) {
    if (T < 1 || m < 1) throw std::invalid_argument("gradient_norms_by_distance: needs T >= 1 and m >= 1");
    const Sequence x(rng.normal_matrix(layer.n_in(), T * m, input_scale), m);
    layer.forward(x);
    Sequence dh_out(layer.n_out(), T, m);
    dh_out.at(T) = rng.normal_matrix(layer.n_out(), m, 1.0);  // the loss is at step T only
    const double g = dh_out.at(T).norm();
    layer.zero_grad();
    layer.backward(dh_out);
    std::vector<double> norms;
    for (Index t = T; t >= 1; --t) norms.push_back(layer.hidden_grads().at(t).norm() / g);
    norms.push_back(layer.start_grad().h.norm() / g);
    return norms;
}

double factor_per_step(const std::vector<double>& norms, std::size_t from, std::size_t to) {
    if (from >= to || to >= norms.size()) throw std::invalid_argument("factor_per_step: needs from < to < norms.size()");
    return std::pow(norms[to] / norms[from], 1.0 / static_cast<double>(to - from));
}

double overlapping_bptt(SequenceModel& model, const Loss& loss, const SequenceBatch& batch, Index window, Index every,
                        const std::function<void()>& update) {
    if (window < 1 || every < 1 || every > window)
        throw std::invalid_argument("overlapping_bptt: needs 1 <= every <= window, got window " + std::to_string(window) + " and every " +
                                    std::to_string(every));
    if (batch.x.empty()) throw ShapeError("overlapping_bptt", "the batch has no steps");
    //! [overlapping_bptt]
    const Index T = batch.steps();
    double total = 0;
    RecurrentState start;  // the state before step `first`, where the window starts; empty: zeros
    Index first = 1;
    for (Index scored_from = 1; scored_from <= T;) {
        const Index last = std::min(scored_from + every - 1, T);  // an update every `every` steps
        // The next window ends at last + every (or T) and starts window - 1 steps before that
        // end: carry the state to its start with the weights this window sees (a forward pass
        // without backward, when the windows overlap).
        const Index next = std::max<Index>(1, last + every - window + 1);
        RecurrentState next_start = start;
        if (last < T && next > first && next <= last) {
            model.forward(batch.x.slice(first, next - first), start);
            next_start = model.layer->final_state();
        }
        // This window: steps first..last, forward from its start state, scoring steps scored_from..last only.
        SequenceBatch chunk = batch.chunk(first, last - first + 1);
        chunk.first_scored = std::max(chunk.first_scored, scored_from - first + 1);
        model.zero_grad();
        Sequence d_out;
        total += sequence_loss(loss, model.forward(chunk.x, start), chunk, &d_out);
        model.backward(d_out);  // through the window only: what reaches its start state is dropped
        if (last < T && next == last + 1) next_start = model.layer->final_state();  // no overlap: h' = h
        update();
        start = next_start;
        first = next;
        scored_from = last + 1;
    }
    //! [overlapping_bptt]
    return total;
}

double task_accuracy(SequenceModel& model, const Task& task, Index examples, Rng& rng) {
    double right = 0;
    for (Index done = 0; done < examples;) {
        const Index m = std::min<Index>(256, examples - done);
        const SequenceBatch b = task(m, rng);
        right += sequence_accuracy(model.forward(b.x), b) * static_cast<double>(m);
        done += m;
    }
    return right / static_cast<double>(examples);
}

TaskResult train_on_task(SequenceModel& model, const Loss& loss, Optimizer& opt, const Task& task, const TaskTraining& how,
                         Index test_examples, Rng& rng) {
    TaskResult result;
    const std::vector<Parameter> params = model.parameters();
    EpochOptions options;  // clipping, and the norm before it (with truncation, the last chunk's)
    options.clip_norm = how.clip_norm;
    double norm = 0;
    options.after_backward = [&](long, double, const std::vector<Parameter>& ps) { norm = global_grad_norm(ps); };
    double running_accuracy = 0;
    for (long step = 0; step < how.steps; ++step) {
        const SequenceBatch b = task(how.batch, rng);
        const auto update = [&] { apply_gradients(opt, params, 0.0, options, step); };  // each chunk's loss is known only to the
                                                                                        // loop: the checks see a finite 0
        if (how.window > 0 && how.every > 0 && how.every < how.window)
            result.loss.push_back(overlapping_bptt(model, loss, b, how.window, how.every, update));
        else if (how.window > 0) result.loss.push_back(truncated_bptt(model, loss, b, how.window, update));
        else result.loss.push_back(train_sequence_step(model, loss, opt, b, options, step));
        result.grad_norm.push_back(norm);
        if (how.stop_at <= 1) {
            running_accuracy = 0.9 * running_accuracy + 0.1 * sequence_accuracy(model.forward(b.x), b);
            if (step >= 20 && running_accuracy >= how.stop_at) break;
        }
    }
    if (test_examples > 0) result.accuracy = task_accuracy(model, task, test_examples, rng);
    return result;
}

}  // namespace bp
