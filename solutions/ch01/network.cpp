// Chapter 1: the forward pass of a whole network.
#include "bp/layers/sequential.hpp"

namespace bp {

//! [network_forward]
const Matrix& Sequential::forward(const Matrix& x) {
    require_layers("Sequential::forward");  // some layers, none of them null
    // BEGIN EXERCISE 1.12 (ch01-network): Sequential::forward: each layer's output is the next one's input; return the last output.
    const Matrix* a = &x;  // a^[0] = x
    for (auto& layer : layers) a = &layer->forward(*a);
    return *a;  // a^[L], kept by the last layer
    // END EXERCISE 1.12
}
//! [network_forward]

}  // namespace bp
