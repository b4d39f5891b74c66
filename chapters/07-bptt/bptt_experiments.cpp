#include "bptt_experiments.hpp"

#include "bp/train/train.hpp"

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
        if (how.window > 0)  // each chunk's loss is known only to the exercise: the checks see a finite 0
            result.loss.push_back(truncated_bptt(model, loss, b, how.window, [&] { apply_gradients(opt, params, 0.0, options, step); }));
        else
            result.loss.push_back(train_sequence_step(model, loss, opt, b, options, step));
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
