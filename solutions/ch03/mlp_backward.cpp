// Chapter 3: the backward pass of a whole network.
#include "bp/mlp.hpp"

namespace bp {

//! [mlp_backward]
Matrix Mlp::backward(const Matrix& dz_out) {
    require_rows("Mlp::backward", "dz_out", dz_out, output_size());
    // BEGIN EXERCISE 3.4 (ch03-network-backward): Mlp::backward: the last layer from dz_out, then each earlier layer from the da it gets.
    // dz^[L] is given; each layer turns the gradient of its output into that of its input,
    // da^[l-1] = W^[l]T dz^[l], which is the da the layer before it needs.
    Matrix da = layers.back().backward_from_dz(dz_out);
    for (auto layer = layers.rbegin() + 1; layer != layers.rend(); ++layer) da = layer->backward(da);
    return da;  // dL/dx
    // END EXERCISE 3.4
}
//! [mlp_backward]

}  // namespace bp
