#include "bp/mlp.hpp"

namespace bp {

Mlp::Mlp(const std::vector<Index>& sizes, Activation hidden, Activation output, Rng& rng) {
    if (sizes.size() < 2)
        throw ShapeError("Mlp", "sizes must list at least the input and the output size, got " +
                                    std::to_string(sizes.size()) + " size(s)");
    for (std::size_t l = 1; l < sizes.size(); ++l) {
        const Activation f = (l + 1 == sizes.size()) ? output : hidden;
        layers.emplace_back(sizes[l - 1], sizes[l], f, rng);
    }
}

void Mlp::zero_grad() {
    for (Dense& layer : layers) layer.zero_grad();
}

std::vector<Parameter> Mlp::parameters() {
    std::vector<Parameter> all;
    for (std::size_t l = 0; l < layers.size(); ++l)
        for (Parameter& p : layers[l].parameters("layer" + std::to_string(l + 1))) all.push_back(std::move(p));
    return all;
}

}  // namespace bp
