// Chapter 1: the forward pass of one layer, keeping what the backward pass will need.
#include "bp/layers/dense.hpp"

#include "bp/core/linear.hpp"

namespace bp {

//! [dense_forward]
const Matrix& Dense::forward(const Matrix& input) {
    require_rows("Dense::forward", "the input a_prev", input, n_in());
    // BEGIN EXERCISE 1.11 (ch01-layer): Dense::forward: store a_prev, then z = W a_prev + b and a = f(z), in the members.
    // HINT 1.11 1: What a layer computes and what it must keep for the backward pass (chapter 3 uses it).
    // HINT 1.11 2: input is n_in x m; the members a_prev (n_in x m), z and a (both n_out x m) are what you set.
    // HINT 1.11 3: No new Eigen: call linear_forward(W, b, a_prev) (exercise 1.1) and activate(f, z), and assign the members.
    // HINT 1.11 4: Store a_prev = input first, then z = linear_forward(W, b, a_prev), then a = activate(f, z); the function returns a for you.
    a_prev = input;
    z = linear_forward(W, b, a_prev);
    a = activate(f, z);
    // END EXERCISE 1.11
    has_forward = true;
    return a;
}
//! [dense_forward]

}  // namespace bp
