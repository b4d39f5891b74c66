#include "bp/core/parameter.hpp"

namespace bp {

void Parameter::require_same_shape() const {
    if (value_.rows() != grad_.rows() || value_.cols() != grad_.cols())
        throw ShapeError("Parameter " + name, "the value is " + std::to_string(value_.rows()) + "x" + std::to_string(value_.cols()) +
                                                  " but its gradient is " + std::to_string(grad_.rows()) + "x" +
                                                  std::to_string(grad_.cols()) + "; a new matrix needs a gradient of its shape");
}

Eigen::Map<Matrix> Parameter::value() const {
    require_same_shape();
    return value_.map();
}

Eigen::Map<Matrix> Parameter::grad() const {
    require_same_shape();
    return grad_.map();
}

std::string join_name(const std::string& prefix, const std::string& name) { return prefix.empty() ? name : prefix + "." + name; }

}  // namespace bp
