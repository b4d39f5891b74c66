#include "bp/layers/sequential.hpp"

namespace bp {

Sequential::Sequential(const Sequential& other) : Layer(other) {
    other.require_layers("Sequential (a copy)", false);
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

void Sequential::require_layers(const char* op, bool nonempty) const {
    if (nonempty && layers.empty()) throw UsageError(op, "the network has no layers");
    for (std::size_t i = 0; i < layers.size(); ++i)
        if (!layers[i])
            throw UsageError(op, layer_name(i) + " is null (an empty pointer in layers, of " + std::to_string(layers.size()) +
                                     "); add layers with add(), which refuses one");
}

Layer& Sequential::checked(std::size_t i) const {
    if (i >= layers.size())
        throw UsageError("Sequential::at", "there is no " + layer_name(i) + ": the network has " + std::to_string(layers.size()) +
                                               " layers (at(0) is layer1)");
    if (!layers[i]) require_layers("Sequential::at", false);
    return *layers[i];
}

void Sequential::throw_wrong_kind(std::size_t i, const std::type_info& asked) const {
    throw UsageError("Sequential::at", layer_name(i) + " is a " + layers[i]->kind() + " layer, not a " + layer_type_name(asked));
}

std::pair<Index, Index> Sequential::sizes() const {
    require_layers("Sequential::sizes", false);
    Index in = 0, out = 0;
    for (const auto& layer : layers) {
        const auto [n_in, n_out] = layer->sizes();
        if (in == 0 && out == 0 && n_in != 0) in = n_in;
        if (n_out != 0) out = n_out;
    }
    return {in, out};
}

void Sequential::require_sizes_fit(const char* op) const {
    require_layers(op, false);
    Index flowing = 0;  // the rows the layers so far give out, where known
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto [n_in, n_out] = layers[i]->sizes();
        if (n_in != 0 && flowing != 0 && n_in != flowing)
            throw ShapeError(op, layer_name(i) + " (" + layers[i]->kind() + ") takes " + std::to_string(n_in) +
                                     " rows in, but the layers before it give " + std::to_string(flowing));
        if (n_out != 0) flowing = n_out;
    }
}

void Sequential::backward_parameters(const Matrix& dy) {
    require_layers("Sequential::backward_parameters");
    if (layers.size() == 1) return layers.front()->backward_parameters(dy);
    Matrix da = layers.back()->backward(dy);
    for (std::size_t i = layers.size() - 2; i > 0; --i) da = layers[i]->backward(da);
    layers.front()->backward_parameters(da);  // its dx would be dL/dx, of the data
}

std::vector<Child> Sequential::children() {
    require_layers("Sequential::children", false);
    std::vector<Child> all;
    all.reserve(layers.size());
    for (std::size_t i = 0; i < layers.size(); ++i) all.push_back({layer_name(i), *layers[i]});
    return all;
}

}  // namespace bp
