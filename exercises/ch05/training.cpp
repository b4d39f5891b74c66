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
    throw bp::NotImplemented("5.10", "exercises/ch05/training.cpp",
                             "Chapter 5, section 'One training step, by hand' (chapters/05-optimizers/chapter.md)");
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
    throw bp::NotImplemented("5.11", "exercises/ch05/training.cpp",
                             "Chapter 5, section 'Sanity checks before a long run' (chapters/05-optimizers/chapter.md)");
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
    throw bp::NotImplemented("5.12", "exercises/ch05/training.cpp",
                             "Chapter 5, section 'Sanity checks before a long run' (chapters/05-optimizers/chapter.md)");
    // END EXERCISE 5.12
    return check;
}
//! [sanity_checks]

}  // namespace bp
