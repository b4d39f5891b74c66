// Chapter 3: the backward pass of a whole network.
#include "bp/layers/sequential.hpp"

namespace bp {

//! [network_backward]
Matrix Sequential::backward(const Matrix& dy) {
    require_layers("Sequential::backward");  // some layers, none of them null
    // BEGIN EXERCISE 3.4 (ch03-network-backward): Sequential::backward: layers in reverse, each returning the da of the one before.
    // Each layer turns the gradient of its output into that of its input, da^[l-1] = W^[l]T dz^[l]: the da the layer before it needs.
    Matrix da = dy;  // dL/da^[L]
    for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer) da = (*layer)->backward(da);
    return da;  // dL/dx
    // END EXERCISE 3.4
}
//! [network_backward]

}  // namespace bp
