// Chapter 5: optimizers, learning-rate schedules and gradient clipping.
#include "bp/train/optimizers.hpp"

#include <cmath>

namespace bp {

//! [sgd]
void Sgd::step(std::vector<Parameter> params) {
    check_settings("Sgd::step");
    for (Parameter& p : params) {
        // BEGIN EXERCISE 5.1 (ch05-sgd): Sgd::step: w <- w - lr g, for this parameter p.
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
    ++t;
    // m and v start at 0, so early on they underestimate; dividing by 1 - beta^t undoes that.
    // Divided once here and multiplied below: a division per number costs several products.
    const double correct1 = 1 / (1 - std::pow(beta1, static_cast<double>(t)));
    const double correct2 = 1 / (1 - std::pow(beta2, static_cast<double>(t)));
    for (Parameter& p : params) {
        Matrix& m_p = m.at(p.name);
        Matrix& v_p = v.at(p.name);
        m_p = beta1 * m_p + (1 - beta1) * p.grad();
        v_p = beta2 * v_p + (1 - beta2) * p.grad().cwiseAbs2();
        // w -= lr m_hat / (sqrt(v_hat) + eps), m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t)
        p.value().array() -= lr * (m_p.array() * correct1) / ((v_p.array() * correct2).sqrt() + eps);
    }
    // END EXERCISE 5.5
}
//! [adam]

//! [adamw]
void AdamW::step(std::vector<Parameter> params) {
    check_settings("AdamW::step");
    // BEGIN EXERCISE 5.6 (ch05-adamw): AdamW::step: shrink every w by lr weight_decay w, then take Adam's step.
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
    return lr0 * std::pow(gamma, epoch / every);
    // END EXERCISE 5.7
}

double cosine_schedule(double lr0, long step, long total, double lr_min) {
    require_setting("cosine_schedule", "lr0", lr0, 0, HUGE_VAL);
    require_setting("cosine_schedule", "lr_min", lr_min, 0, HUGE_VAL);
    if (step < 0) throw std::invalid_argument("cosine_schedule: step must be >= 0, got " + std::to_string(step));
    if (total <= 0) throw std::invalid_argument("cosine_schedule: total must be positive, got " + std::to_string(total));
    // BEGIN EXERCISE 5.8 (ch05-schedules): cosine_schedule: lr_min + (lr0 - lr_min) (1 + cos(pi step / total)) / 2; lr_min after total.
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
    // BEGIN EXERCISE 5.9 (ch05-clipping): clip_grad_norm: n = sqrt(sum of all g^2); if n > max_norm, every g *= max_norm / n; return n.
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
