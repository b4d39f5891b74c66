#include "bp/layers/sequential.hpp"

namespace bp {

Sequential::Sequential(const Sequential& other) : Layer(other) {
    for (const auto& layer : other.layers) layers.push_back(layer->clone());
}

Sequential& Sequential::operator=(const Sequential& other) {
    if (this != &other) *this = Sequential(other);
    return *this;
}

Layer& Sequential::add(std::unique_ptr<Layer> layer) {
    if (!layer) throw UsageError("Sequential::add", "the layer is null");
    layers.push_back(std::move(layer));
    return *layers.back();
}

std::string layer_name(std::size_t i) { return "layer" + std::to_string(i + 1); }

Layer& Sequential::checked(std::size_t i) const {
    if (i >= layers.size())
        throw UsageError("Sequential::at", "there is no " + layer_name(i) + ": the network has " + std::to_string(layers.size()) +
                                               " layers (at(0) is layer1)");
    return *layers[i];
}

void Sequential::throw_wrong_kind(std::size_t i, const std::type_info& asked) const {
    throw UsageError("Sequential::at", layer_name(i) + " is a " + layers[i]->kind() + " layer, not a " + layer_type_name(asked));
}

std::vector<Child> Sequential::children() {
    std::vector<Child> all;
    for (std::size_t i = 0; i < layers.size(); ++i) all.push_back({layer_name(i), *layers[i]});
    return all;
}

}  // namespace bp
