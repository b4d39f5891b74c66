#include "bp/optimizers.hpp"

#include <string>

namespace bp {

void Optimizer::ensure_state(const char* op, std::vector<Matrix>& state, const std::vector<Parameter>& params) {
    if (state.empty()) {
        for (const Parameter& p : params) state.push_back(Matrix::Zero(p.value.rows(), p.value.cols()));
        return;
    }
    if (state.size() != params.size())
        throw ShapeError(op, "the optimizer was made for " + std::to_string(state.size()) + " parameters but got " +
                                 std::to_string(params.size()) + "; use one optimizer per model");
    for (std::size_t i = 0; i < params.size(); ++i)
        if (state[i].rows() != params[i].value.rows() || state[i].cols() != params[i].value.cols())
            throw ShapeError(op, "parameter " + std::to_string(i) + " (" + params[i].name + ") is " +
                                     shape(Matrix(params[i].value)) + " but was " + shape(state[i]) + " at the first step");
}

}  // namespace bp
