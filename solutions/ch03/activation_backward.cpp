// Chapter 3: the backward pass of a = f(z).
#include "bp/core/activations.hpp"

namespace bp {

//! [activation_backward]
Matrix activation_backward(Activation f, const Matrix& da, const Matrix& z) {
    if (da.rows() != z.rows() || da.cols() != z.cols())
        throw ShapeError("activation_backward", "da is " + shape(da) + " but z is " + shape(z) + "; they must match");
    // BEGIN EXERCISE 3.2 (ch03-activation-backward): activation_backward: dz = da ⊙ f'(z), element by element.
    // HINT 3.2 1: The backward rule of an element-by-element activation.
    // HINT 3.2 2: da and z are both n x m; dz has the same shape.
    // HINT 3.2 3: activate_prime(f, z) gives f'(z); da.cwiseProduct(...) multiplies element by element (not *, a matrix product).
    // HINT 3.2 4: f = sigmoid, z = [0], da = [2]: 2 * 0.25 = [0.5]. Use f'(z), not f'(a).
    // a_ik depends only on z_ik, so dL/dz_ik = dL/da_ik * f'(z_ik).
    return da.cwiseProduct(activate_prime(f, z));
    // END EXERCISE 3.2
}
//! [activation_backward]

}  // namespace bp
