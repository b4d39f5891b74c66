// Chapter 3: the backward pass of a whole network.
#include "bp/layers/sequential.hpp"

namespace bp {

//! [network_backward]
Matrix Sequential::backward(const Matrix& dy) {
    require_layers("Sequential::backward");  // some layers, none of them null
    // BEGIN EXERCISE 3.4 (ch03-network-backward): Sequential::backward: layers in reverse, each returning the da of the one before.
    throw bp::NotImplemented("3.4", "exercises/ch03/network_backward.cpp",
                             "Chapter 3, section 'The network's backward' (chapters/03-backward/chapter.md)");
    // END EXERCISE 3.4
}
//! [network_backward]

}  // namespace bp
