// Chapter 3: the backward pass of a whole network.
#include "bp/layers/sequential.hpp"

namespace bp {

//! [network_backward]
Matrix Sequential::backward(const Matrix& dy) {
    require_layers("Sequential::backward");  // some layers, none of them null
    // BEGIN EXERCISE 3.4 (ch03-network-backward): Sequential::backward: the layers in reverse, each one's returned gradient the da of the layer before it.
    // HINT 3.4 1: The network's backward pass: the layers in reverse order.
    // HINT 3.4 2: dy is the gradient of the last layer's output (n_L x m); the return value is dL/dx, n_0 x m.
    // HINT 3.4 3: layers.rbegin() to layers.rend() walks the vector backwards; (*it)->backward(da) returns the da for the layer below.
    // HINT 3.4 4: Matrix da = dy; for (auto it = layers.rbegin(); it != layers.rend(); ++it) da = (*it)->backward(da); return da.
    // Each layer turns the gradient of its output into that of its input,
    // da^[l-1] = W^[l]T dz^[l], which is the da the layer before it needs.
    Matrix da = dy;  // dL/da^[L]
    for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer) da = (*layer)->backward(da);
    return da;  // dL/dx
    // END EXERCISE 3.4
}
//! [network_backward]

}  // namespace bp
