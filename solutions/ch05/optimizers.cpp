// Chapter 5: optimizers, learning-rate schedules and gradient clipping.
#include "bp/train/optimizers.hpp"

#include <cmath>

namespace bp {

//! [sgd]
void Sgd::step(std::vector<Parameter> params) {
    check_settings("Sgd::step");
    for (Parameter& p : params) {
        // BEGIN EXERCISE 5.1 (ch05-sgd): Sgd::step: w <- w - lr g, for this parameter p.
        // HINT 5.1 1: Plain stochastic gradient descent.
        // HINT 5.1 2: p.value() and p.grad() are Maps of the same shape (the parameter's).
        // HINT 5.1 3: p.value() -= lr * p.grad(); a Map writes through to the layer's matrix.
        // HINT 5.1 4: w = 1, g = 2, lr = 0.1: w becomes 0.8.
        p.value() -= lr * p.grad();
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
        // HINT 5.2 1: Momentum: a velocity that remembers past gradients.
        // HINT 5.2 2: v (this parameter's velocity, from the optimizer's state) has the parameter's shape.
        // HINT 5.2 3: v = beta * v + p.grad(); p.value() -= lr * v.
        // HINT 5.2 4: v = 0, g = 1, beta = 0.9, lr = 0.1: v = 1, w moves by -0.1; the next step with g = 1: v = 1.9, w moves by -0.19.
        v = beta * v + p.grad();
        p.value() -= lr * v;
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
        // HINT 5.3 1: Nesterov momentum: the look-ahead written as a step on the current weights.
        // HINT 5.3 2: v has the parameter's shape.
        // HINT 5.3 3: v = beta * v + p.grad(); then p.value() -= lr * (p.grad() + beta * v).
        // HINT 5.3 4: v = 0, g = 1, beta = 0.9, lr = 0.1: v = 1, then w moves by -0.1 * (1 + 0.9) = -0.19.
        v = beta * v + p.grad();
        p.value() -= lr * (p.grad() + beta * v);  // the step momentum is about to take, looked ahead
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
        // HINT 5.4 1: RMSProp: dividing each step by a running size of the gradient.
        // HINT 5.4 2: s has the parameter's shape; everything is element by element.
        // HINT 5.4 3: s = rho * s + (1 - rho) * p.grad().cwiseAbs2(); p.value().array() -= lr * p.grad().array() / (s.array().sqrt() + eps).
        // HINT 5.4 4: s = 0, g = 2, rho = 0.9: s = 0.4; the step is lr * 2 / (0.632 + eps), about 3.16 lr.
        s = rho * s + (1 - rho) * p.grad().cwiseAbs2();
        p.value().array() -= lr * p.grad().array() / (s.array().sqrt() + eps);
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
    // HINT 5.5 1: Adam: two running averages, their bias correction, and the step count t.
    // HINT 5.5 2: m.at(p.name) and v.at(p.name) have each parameter's shape; t counts the calls of step, once per call (not per parameter).
    // HINT 5.5 3: ++t; std::pow(beta1, t) for the corrections; cwiseAbs2() for g^2; .array() for the element-by-element division and sqrt.
    // HINT 5.5 4: First step, g = 2, beta1 = 0.9, beta2 = 0.999: m = 0.2, v = 0.004; corrected 2 and 4; the step is lr * 2 / (2 + eps), about lr.
    ++t;
    // m and v start at 0, so early on they underestimate; dividing by 1 - beta^t undoes that.
    const double correct1 = 1 - std::pow(beta1, static_cast<double>(t));
    const double correct2 = 1 - std::pow(beta2, static_cast<double>(t));
    for (Parameter& p : params) {
        Matrix& m_p = m.at(p.name);
        Matrix& v_p = v.at(p.name);
        m_p = beta1 * m_p + (1 - beta1) * p.grad();
        v_p = beta2 * v_p + (1 - beta2) * p.grad().cwiseAbs2();
        p.value().array() -= lr * (m_p.array() / correct1) / ((v_p.array() / correct2).sqrt() + eps);
    }
    // END EXERCISE 5.5
}
//! [adam]

//! [adamw]
void AdamW::step(std::vector<Parameter> params) {
    check_settings("AdamW::step");
    // BEGIN EXERCISE 5.6 (ch05-adamw): AdamW::step: shrink every w by lr weight_decay w, then take Adam's step.
    // HINT 5.6 1: AdamW: decoupled weight decay, then Adam.
    // HINT 5.6 2: Each p.value() is scaled as a whole, before Adam's step.
    // HINT 5.6 3: p.value() *= 1 - lr * weight_decay for every parameter; then call Adam::step(params).
    // HINT 5.6 4: w = 1, lr = 0.1, weight_decay = 0.01: w becomes 0.999 before Adam's step.
    for (Parameter& p : params) p.value() *= 1 - lr * weight_decay;
    Adam::step(params);
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
    // HINT 5.7 1: The step schedule: the rate multiplied by gamma every few epochs.
    // HINT 5.7 2: Numbers only: epoch and every are ints, the result a double.
    // HINT 5.7 3: epoch / every between ints is already the floor; std::pow(gamma, that).
    // HINT 5.7 4: lr0 = 0.1, every = 10, gamma = 0.5: epochs 0-9 give 0.1, 10-19 give 0.05, 20 gives 0.025.
    return lr0 * std::pow(gamma, epoch / every);
    // END EXERCISE 5.7
}

double cosine_schedule(double lr0, long step, long total, double lr_min) {
    require_setting("cosine_schedule", "lr0", lr0, 0, HUGE_VAL);
    require_setting("cosine_schedule", "lr_min", lr_min, 0, HUGE_VAL);
    if (step < 0) throw std::invalid_argument("cosine_schedule: step must be >= 0, got " + std::to_string(step));
    if (total <= 0) throw std::invalid_argument("cosine_schedule: total must be positive, got " + std::to_string(total));
    // BEGIN EXERCISE 5.8 (ch05-schedules): cosine_schedule: lr_min + (lr0 - lr_min) (1 + cos(pi step / total)) / 2; lr_min after total.
    // HINT 5.8 1: The cosine schedule, and what it returns after the last step.
    // HINT 5.8 2: step and total are longs; divide them as doubles (static_cast<double>).
    // HINT 5.8 3: std::cos; pi is 3.14159265358979323846; return lr_min once step >= total.
    // HINT 5.8 4: lr0 = 1, lr_min = 0, total = 100: step 0 gives 1, step 50 gives 0.5, step 100 and after give 0.
    if (step >= total) return lr_min;
    const double progress = static_cast<double>(step) / static_cast<double>(total);
    return lr_min + (lr0 - lr_min) * (1 + std::cos(3.14159265358979323846 * progress)) / 2;
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
    // BEGIN EXERCISE 5.9 (ch05-clipping): clip_grad_norm: n = sqrt(sum of all g^2); if n > max_norm, scale every g by max_norm / n; return n.
    // HINT 5.9 1: Clipping by the norm of all the gradients together.
    // HINT 5.9 2: One norm over every parameter's gradient, whatever their shapes.
    // HINT 5.9 3: p.grad().squaredNorm() summed over params, then std::sqrt; p.grad() *= factor scales in place.
    // HINT 5.9 4: Gradients (3) and (4): the norm is 5; with max_norm 1 they become (0.6) and (0.8); return 5, the norm before clipping.
    double sum_of_squares = 0;
    for (Parameter& p : params) sum_of_squares += p.grad().squaredNorm();
    const double norm = std::sqrt(sum_of_squares);
    if (norm > max_norm)
        for (Parameter& p : params) p.grad() *= max_norm / norm;  // one factor for all: the direction is kept
    return norm;
    // END EXERCISE 5.9
}
//! [clip]
// NOLINTEND(performance-unnecessary-value-param)

}  // namespace bp
