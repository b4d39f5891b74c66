// Chapter 3: the backward pass of a whole network.
#include "bp/mlp.hpp"

namespace bp {

//! [mlp_backward]
Matrix Mlp::backward(const Matrix& dz_out) {
    require_rows("Mlp::backward", "dz_out", dz_out, output_size());
    // BEGIN EXERCISE 3.4 (ch03-network-backward): Mlp::backward: the last layer from dz_out, then each earlier layer from the da it gets.
    throw bp::NotImplemented("3.4", "exercises/ch03/mlp_backward.cpp",
                             "Chapter 3, section 'The network's backward' (chapters/03-backward/chapter.md)");
    // END EXERCISE 3.4
}
//! [mlp_backward]

}  // namespace bp
