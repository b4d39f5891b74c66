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
    double largest = 0;  // what no element at all gives
    for (Parameter& p : params) {
        Eigen::Map<Matrix> g = p.grad();
        if (g.size() == 0) continue;  // maxCoeff() of an empty matrix has no answer
        largest = std::max(largest, g.cwiseAbs().maxCoeff());
        g = g.cwiseMax(-max_value).cwiseMin(max_value);  // each element on its own: the direction changes
    }
    return largest;
    // END EXERCISE 6.4
}
//! [clip_value]
// NOLINTEND(performance-unnecessary-value-param)

}  // namespace bp
