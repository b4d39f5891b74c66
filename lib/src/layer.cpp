#include "bp/layer.hpp"

namespace bp {

std::vector<Parameter> Layer::parameters(const std::string&) { return {}; }

std::vector<State> Layer::state(const std::string&) { return {}; }

void Layer::zero_grad() {
    for (const Parameter& p : parameters()) p.grad().setZero();
}

}  // namespace bp
