// Chapter 1: the forward pass of a whole network.
#include "bp/layers/sequential.hpp"

namespace bp {

//! [network_forward]
const Matrix& Sequential::forward(const Matrix& x) {
    require_layers("Sequential::forward");  // some layers, none of them null
    // BEGIN EXERCISE 1.12 (ch01-network): Sequential::forward: each layer's output is the next one's input; return the last output.
    throw bp::NotImplemented("1.12", "exercises/ch01/network.cpp",
                             "Chapter 1, section 'Stacking layers: a network' (chapters/01-forward-pass/chapter.md)");
    // END EXERCISE 1.12
}
//! [network_forward]

}  // namespace bp
