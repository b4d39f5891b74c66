// Chapter 4: find the bug. BuggySwishDense's backward pass (chapters/04-gradient-check/swish_dense.cpp) has a
// mistake; the gradient checker shows which gradients it spoils, and this is the fix.
#include "swish_dense.hpp"

#include "bp/core/linear.hpp"

namespace bp {

//! [swish_backward]
Matrix SwishDense::backward(const Matrix& da) {
    if (!has_forward) throw UsageError("SwishDense::backward", "run forward first: backward needs the stored z and a_prev");
    if (da.rows() != z.rows() || da.cols() != z.cols())
        throw ShapeError("SwishDense::backward", "da is " + shape(da) + " but this layer's a is " + shape(a));
    // BEGIN EXERCISE 4.4 (ch04-find-the-bug): SwishDense::backward: fix the mistake check_dense_layer finds in BuggySwishDense::backward.
    throw bp::NotImplemented("4.4", "exercises/ch04/find_the_bug.cpp",
                             "Chapter 4, section 'Find the bug' (chapters/04-gradient-check/chapter.md)");
    // END EXERCISE 4.4
}
//! [swish_backward]

}  // namespace bp
