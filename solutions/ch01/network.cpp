// Chapter 1: the forward pass of a whole network.
#include "bp/layers/sequential.hpp"

namespace bp {

//! [network_forward]
const Matrix& Sequential::forward(const Matrix& x) {
    require_layers("Sequential::forward");  // some layers, none of them null
    // BEGIN EXERCISE 1.12 (ch01-network): Sequential::forward: run the layers in order, each one's output the next one's input; return the last output.
    // HINT 1.12 1: A network as a chain of layers: each one's output is the next one's input.
    // HINT 1.12 2: x is n_0 x m; after layer l the batch is n_l x m; the result is the last layer's output.
    // HINT 1.12 3: layers is a std::vector<std::unique_ptr<Layer>>; layer->forward(input) returns a const Matrix& to the layer's own output.
    // HINT 1.12 4: Keep a pointer to the current batch: const Matrix* a = &x; for each layer, a = &layer->forward(*a); return *a.
    const Matrix* a = &x;  // a^[0] = x
    for (auto& layer : layers) a = &layer->forward(*a);
    return *a;  // a^[L], kept by the last layer
    // END EXERCISE 1.12
}
//! [network_forward]

}  // namespace bp
