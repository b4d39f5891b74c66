// Chapter 5: the training step written out, and two sanity checks built on it.
#include "bp/train/training_step.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace bp {

//! [basic_train_step]
double basic_train_step(Layer& model, const Loss& loss, Optimizer& opt, const Matrix& x, const Matrix& y, double clip_norm) {
    // A NaN or a negative clip_norm would fail the test clip_norm > 0: no clipping, silently.
    require_setting("basic_train_step", "clip_norm", clip_norm, 0, HUGE_VAL);
    // BEGIN EXERCISE 5.10 (ch05-training-step): basic_train_step: L = loss, zero_grad, backward, clip if clip_norm > 0, opt.step; return L.
    const Matrix& output = model.forward(x);  // stored in the model: valid until the next forward
    const double L = loss.value(output, y);
    model.zero_grad();  // backward adds into the gradients: start them at 0
    model.backward(loss.grad(output, y));
    const std::vector<Parameter> params = model.parameters();
    if (clip_norm > 0) clip_grad_norm(params, clip_norm);  // after backward, before the step uses them
    opt.step(params);
    return L;
    // END EXERCISE 5.10
}
//! [basic_train_step]

//! [sanity_checks]
SanityCheck check_initial_loss(Layer& model, const Matrix& x, const Matrix& y, double tolerance) {
    require_setting("check_initial_loss", "tolerance", tolerance, 0, HUGE_VAL);
    SanityCheck check;
    check.what = "initial loss";
    check.tolerance = tolerance;
    // BEGIN EXERCISE 5.11 (ch05-sanity-checks): check_initial_loss: measured = the loss, expected = ln K; passed if within tolerance.
    check.measured = softmax_cross_entropy_loss(model.forward(x), y);
    check.expected = std::log(static_cast<double>(y.rows()));  // every class 1/K: -ln(1/K)
    check.passed = std::abs(check.measured - check.expected) <= tolerance;
    // END EXERCISE 5.11
    return check;
}

SanityCheck check_overfits(Layer& model, const Loss& loss, Optimizer& opt, const Matrix& x, const Matrix& y, int steps, double target) {
    if (steps < 1) throw std::invalid_argument("check_overfits: steps must be at least 1, got " + std::to_string(steps));
    require_setting("check_overfits", "target", target, 0, HUGE_VAL);
    SanityCheck check;
    check.what = "overfit one batch";
    check.expected = target;
    // BEGIN EXERCISE 5.12 (ch05-sanity-checks): check_overfits: steps of basic_train_step; measured = the loss after; passed if <= target.
    for (int s = 0; s < steps; ++s) basic_train_step(model, loss, opt, x, y);
    // Each step returns the loss before its own update: measure once more, after the last.
    check.measured = loss.value(model.forward(x), y);
    check.passed = check.measured <= target;
    // END EXERCISE 5.12
    return check;
}
//! [sanity_checks]

}  // namespace bp
