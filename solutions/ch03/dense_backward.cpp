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
    // a = f(z) element by element: dz = da ⊙ f'(z).
    const Matrix dz = activation_backward(f, da, z);
    // z = W a_prev + b: dW += dz a_prev^T, db += row sums of dz, da_prev = W^T dz.
    return linear_backward(dz, W, a_prev, dW, db);
    // END EXERCISE 3.3
}
//! [dense_backward]

}  // namespace bp
