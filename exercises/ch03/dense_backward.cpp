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
    throw bp::NotImplemented("3.3", "exercises/ch03/dense_backward.cpp",
                             "Chapter 3, section 'One layer's backward' (chapters/03-backward/chapter.md)");
    // END EXERCISE 3.3
}
//! [dense_backward]

}  // namespace bp
