// Chapter 1: the forward pass of a whole network.
#include "bp/mlp.hpp"

namespace bp {

//! [mlp_forward]
const Matrix& Mlp::forward(const Matrix& x) {
    require_rows("Mlp::forward", "the input x", x, input_size());
    // BEGIN EXERCISE 1.12 (ch01-network): Mlp::forward: run the layers in order; each one's a is the next one's a_prev.
    const Matrix* a = &x;  // a^[0] = x
    for (Dense& layer : layers) a = &layer.forward(*a);
    // END EXERCISE 1.12
    return layers.back().a;
}
//! [mlp_forward]

}  // namespace bp
