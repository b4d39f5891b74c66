// Chapter 1: the forward pass of one layer, keeping what the backward pass will need.
#include "bp/layers/dense.hpp"

#include "bp/core/linear.hpp"

namespace bp {

//! [dense_forward]
const Matrix& Dense::forward(const Matrix& input) {
    require_rows("Dense::forward", "the input a_prev", input, n_in());
    // BEGIN EXERCISE 1.11 (ch01-layer): Dense::forward: store a_prev, then z = W a_prev + b and a = f(z), in the members.
    a_prev = input;
    z = linear_forward(W, b, a_prev);
    a = activate(f, z);
    // END EXERCISE 1.11
    has_forward = true;
    return a;
}
//! [dense_forward]

}  // namespace bp
