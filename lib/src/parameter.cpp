#include "bp/parameter.hpp"

#include <utility>

namespace bp {

Parameter make_parameter(std::string name, Matrix& value, Matrix& grad) {
    if (value.rows() != grad.rows() || value.cols() != grad.cols())
        throw ShapeError("make_parameter", name + " is " + shape(value) + " but its gradient is " + shape(grad));
    return {std::move(name), Eigen::Map<Matrix>(value.data(), value.rows(), value.cols()),
            Eigen::Map<Matrix>(grad.data(), grad.rows(), grad.cols())};
}

Parameter make_parameter(std::string name, Vector& value, Vector& grad) {
    if (value.size() != grad.size())
        throw ShapeError("make_parameter", name + " is " + shape(value) + " but its gradient is " + shape(grad));
    return {std::move(name), Eigen::Map<Matrix>(value.data(), value.size(), 1),
            Eigen::Map<Matrix>(grad.data(), grad.size(), 1)};
}

}  // namespace bp
