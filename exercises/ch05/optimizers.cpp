// Chapter 5: optimizers, learning-rate schedules and gradient clipping.
#include "bp/train/optimizers.hpp"

#include <cmath>

namespace bp {

//! [sgd]
void Sgd::step(std::vector<Parameter> params) {
    check_settings("Sgd::step");
    for (Parameter& p : params) {
        // BEGIN EXERCISE 5.1 (ch05-sgd): Sgd::step: w <- w - lr g, for this parameter p.
        throw bp::NotImplemented("5.1", "exercises/ch05/optimizers.cpp",
                                 "Chapter 5, section 'Stochastic gradient descent' (chapters/05-optimizers/chapter.md)");
        // END EXERCISE 5.1
    }
}
//! [sgd]

//! [momentum]
void Momentum::step(std::vector<Parameter> params) {
    check_settings("Momentum::step");
    ensure_memory("Momentum::step", velocity, params);
    for (Parameter& p : params) {
        Matrix& v = velocity.at(p.name);
        // BEGIN EXERCISE 5.2 (ch05-momentum): Momentum::step: v <- beta v + g; w <- w - lr v.
        throw bp::NotImplemented("5.2", "exercises/ch05/optimizers.cpp",
                                 "Chapter 5, section 'Momentum' (chapters/05-optimizers/chapter.md)");
        // END EXERCISE 5.2
    }
}
//! [momentum]

//! [nesterov]
void Nesterov::step(std::vector<Parameter> params) {
    check_settings("Nesterov::step");
    ensure_memory("Nesterov::step", velocity, params);
    for (Parameter& p : params) {
        Matrix& v = velocity.at(p.name);
        // BEGIN EXERCISE 5.3 (ch05-nesterov): Nesterov::step: v <- beta v + g; w <- w - lr (g + beta v).
        throw bp::NotImplemented("5.3", "exercises/ch05/optimizers.cpp",
                                 "Chapter 5, section 'Nesterov momentum' (chapters/05-optimizers/chapter.md)");
        // END EXERCISE 5.3
    }
}
//! [nesterov]

//! [rmsprop]
void RmsProp::step(std::vector<Parameter> params) {
    check_settings("RmsProp::step");
    ensure_memory("RmsProp::step", mean_square, params);
    for (Parameter& p : params) {
        Matrix& s = mean_square.at(p.name);
        // BEGIN EXERCISE 5.4 (ch05-rmsprop): RmsProp::step: s <- rho s + (1 - rho) g^2; w <- w - lr g / (sqrt(s) + eps).
        throw bp::NotImplemented("5.4", "exercises/ch05/optimizers.cpp",
                                 "Chapter 5, section 'RMSProp' (chapters/05-optimizers/chapter.md)");
        // END EXERCISE 5.4
    }
}
//! [rmsprop]

//! [adam]
void Adam::step(std::vector<Parameter> params) {
    check_settings("Adam::step");
    ensure_memory("Adam::step", m, params);
    ensure_memory("Adam::step", v, params);
    // BEGIN EXERCISE 5.5 (ch05-adam): Adam::step: count the step, update m and v, correct their bias, step every parameter.
    throw bp::NotImplemented("5.5", "exercises/ch05/optimizers.cpp",
                             "Chapter 5, section 'Adam' (chapters/05-optimizers/chapter.md)");
    // END EXERCISE 5.5
}
//! [adam]

//! [adamw]
void AdamW::step(std::vector<Parameter> params) {
    check_settings("AdamW::step");
    // BEGIN EXERCISE 5.6 (ch05-adamw): AdamW::step: shrink every w by lr weight_decay w, then take Adam's step.
    throw bp::NotImplemented("5.6", "exercises/ch05/optimizers.cpp",
                             "Chapter 5, section 'AdamW' (chapters/05-optimizers/chapter.md)");
    // END EXERCISE 5.6
}
//! [adamw]

//! [schedules]
double step_schedule(double lr0, int epoch, int every, double gamma) {
    require_setting("step_schedule", "lr0", lr0, 0, HUGE_VAL);
    require_setting("step_schedule", "gamma", gamma, 0, HUGE_VAL);
    if (epoch < 0) throw std::invalid_argument("step_schedule: epoch must be >= 0, got " + std::to_string(epoch));
    if (every <= 0) throw std::invalid_argument("step_schedule: every must be positive, got " + std::to_string(every));
    // BEGIN EXERCISE 5.7 (ch05-schedules): step_schedule: lr0 gamma^floor(epoch / every).
    throw bp::NotImplemented("5.7", "exercises/ch05/optimizers.cpp",
                             "Chapter 5, section 'Learning-rate schedules' (chapters/05-optimizers/chapter.md)");
    // END EXERCISE 5.7
}

double cosine_schedule(double lr0, long step, long total, double lr_min) {
    require_setting("cosine_schedule", "lr0", lr0, 0, HUGE_VAL);
    require_setting("cosine_schedule", "lr_min", lr_min, 0, HUGE_VAL);
    if (step < 0) throw std::invalid_argument("cosine_schedule: step must be >= 0, got " + std::to_string(step));
    if (total <= 0) throw std::invalid_argument("cosine_schedule: total must be positive, got " + std::to_string(total));
    // BEGIN EXERCISE 5.8 (ch05-schedules): cosine_schedule: lr_min + (lr0 - lr_min) (1 + cos(pi step / total)) / 2; lr_min after total.
    throw bp::NotImplemented("5.8", "exercises/ch05/optimizers.cpp",
                             "Chapter 5, section 'Learning-rate schedules' (chapters/05-optimizers/chapter.md)");
    // END EXERCISE 5.8
}
//! [schedules]

// A list of Parameters (handles to the model's matrices) is taken by value, as model.parameters()
// gives it and as the optimizers' step() takes it; clang-tidy sees only const use of the handles.
// NOLINTBEGIN(performance-unnecessary-value-param)
//! [clip]
double clip_grad_norm(std::vector<Parameter> params, double max_norm) {
    require_setting("clip_grad_norm", "max_norm", max_norm, 0, HUGE_VAL);
    if (max_norm == 0) throw std::invalid_argument("clip_grad_norm: max_norm must be positive, got 0");
    require_finite_gradients("clip_grad_norm", params);
    // BEGIN EXERCISE 5.9 (ch05-clipping): clip_grad_norm: n = sqrt(sum of all g^2); if n > max_norm, every g *= max_norm / n; return n.
    throw bp::NotImplemented("5.9", "exercises/ch05/optimizers.cpp",
                             "Chapter 5, section 'Gradient clipping' (chapters/05-optimizers/chapter.md)");
    // END EXERCISE 5.9
}
//! [clip]
// NOLINTEND(performance-unnecessary-value-param)

}  // namespace bp
