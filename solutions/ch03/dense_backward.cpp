// Chapter 3: the backward pass of one layer.
#include "bp/layers/dense.hpp"

#include "bp/core/linear.hpp"

namespace bp {

//! [dense_backward]
Matrix Dense::backward(const Matrix& da) {
    if (!has_forward) throw UsageError("Dense::backward", "run forward first: backward needs the stored z and a_prev");
    if (da.rows() != z.rows() || da.cols() != z.cols())
        throw ShapeError("Dense::backward", "da is " + shape(da) + " but this layer's a is " + shape(a));
    // BEGIN EXERCISE 3.3 (ch03-layer-backward): Dense::backward: dz = da ⊙ f'(z) from the stored z, then the linear backward.
    // HINT 3.3 1: A dense layer's backward pass: the activation's rule, then the linear layer's.
    // HINT 3.3 2: da is n_out x m, like the stored z; the return value is n_in x m, like a_prev.
    // HINT 3.3 3: No new Eigen: activation_backward(f, da, z) (exercise 3.2), then return linear_backward(dz, W, a_prev, dW, db) (exercise 3.1).
    // HINT 3.3 4: Use the members forward stored (z and a_prev), not new ones: const Matrix dz = activation_backward(f, da, z); then the linear backward.
    // a = f(z) element by element: dz = da ⊙ f'(z).
    const Matrix dz = activation_backward(f, da, z);
    // z = W a_prev + b: dW += dz a_prev^T, db += row sums of dz, da_prev = W^T dz.
    return linear_backward(dz, W, a_prev, dW, db);
    // END EXERCISE 3.3
}
//! [dense_backward]

}  // namespace bp
