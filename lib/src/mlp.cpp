#include "bp/mlp.hpp"

namespace bp {

Mlp::Mlp(const std::vector<Index>& sizes, Activation hidden, Activation output, Rng& rng, Init init) {
    if (sizes.size() < 2)
        throw ShapeError("Mlp", "sizes must list at least the input and the output size, got " +
                                    std::to_string(sizes.size()) + " size(s)");
    for (std::size_t l = 1; l < sizes.size(); ++l) {
        const Activation f = (l + 1 == sizes.size()) ? output : hidden;
        add(Dense(sizes[l - 1], sizes[l], f, rng, init));
    }
}

}  // namespace bp
