// Chapter 1: the forward pass of a whole network.
#include "bp/mlp.hpp"

namespace bp {

//! [mlp_forward]
const Matrix& Mlp::forward(const Matrix& x) {
    require_rows("Mlp::forward", "the input x", x, input_size());
    // BEGIN EXERCISE 1.12 (ch01-network): Mlp::forward: run the layers in order; each one's a is the next one's a_prev.
    throw bp::NotImplemented("1.12", "exercises/ch01/mlp.cpp",
                             "Chapter 1, section 'Stacking layers: a network' (chapters/01-forward-pass/chapter.md)");
    // END EXERCISE 1.12
    return layers.back().a;
}
//! [mlp_forward]

}  // namespace bp
