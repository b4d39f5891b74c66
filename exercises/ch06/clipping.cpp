// Chapter 6: clipping by value.
#include "bp/train/optimizers.hpp"

#include <algorithm>
#include <cmath>

namespace bp {

// A list of Parameters (handles to the model's matrices) is taken by value, as model.parameters()
// gives it and as the optimizers' step() takes it; clang-tidy sees only const use of the handles.
// NOLINTBEGIN(performance-unnecessary-value-param)
//! [clip_value]
double clip_grad_value(std::vector<Parameter> params, double max_value) {
    require_setting("clip_grad_value", "max_value", max_value, 0, HUGE_VAL);
    if (max_value == 0) throw std::invalid_argument("clip_grad_value: max_value must be positive, got 0");
    require_finite_gradients("clip_grad_value", params);
    // BEGIN EXERCISE 6.4 (ch06-clipping): clip_grad_value: clamp each g to [-max_value, max_value]; return the largest |g| before, or 0.
    throw bp::NotImplemented("6.4", "exercises/ch06/clipping.cpp",
                             "Chapter 6, section 'Clipping by norm and by value' (chapters/06-vanishing-exploding/chapter.md)");
    // END EXERCISE 6.4
}
//! [clip_value]
// NOLINTEND(performance-unnecessary-value-param)

}  // namespace bp
