// Chapter 3: the backward pass of a = f(z).
#include "bp/core/activations.hpp"

namespace bp {

//! [activation_backward]
Matrix activation_backward(Activation f, const Matrix& da, const Matrix& z) {
    if (da.rows() != z.rows() || da.cols() != z.cols())
        throw ShapeError("activation_backward", "da is " + shape(da) + " but z is " + shape(z) + "; they must match");
    // BEGIN EXERCISE 3.2 (ch03-activation-backward): activation_backward: dz = da ⊙ f'(z), element by element.
    // a_ik depends only on z_ik, so dL/dz_ik = dL/da_ik * f'(z_ik).
    return da.cwiseProduct(activate_prime(f, z));
    // END EXERCISE 3.2
}
//! [activation_backward]

}  // namespace bp
