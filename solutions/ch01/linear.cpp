// Chapter 1: the linear part of a layer.
#include "bp/core/linear.hpp"

namespace bp {

//! [linear_forward]
Matrix linear_forward(const Matrix& W, const Vector& b, const Matrix& a_prev) {
    if (W.cols() != a_prev.rows() || b.size() != W.rows())
        throw ShapeError("linear_forward", "W is " + shape(W) + ", b is " + shape(b) + " and a_prev is " +
                                               shape(a_prev) + "; need W.cols() == a_prev.rows() and b.size() == W.rows()");
    // BEGIN EXERCISE 1.1 (ch01-linear): linear_forward: z = W a_prev + b, with b added to every column of W a_prev.
    // HINT 1.1 1: The formula z = W a_prev + b and the paragraph on broadcasting b over the columns.
    // HINT 1.1 2: W is n_out x n_in, a_prev is n_in x m (one example per column), b has n_out entries; z is n_out x m.
    // HINT 1.1 3: W * a_prev is the matrix product; (...).colwise() + b adds the vector b to every column.
    // HINT 1.1 4: W = [1 2; 3 4], b = (1, -1), a_prev = [1 0; 0 1] (two examples): W a_prev = W, so z = [2 3; 2 3].
    return (W * a_prev).colwise() + b;
    // END EXERCISE 1.1
}
//! [linear_forward]

}  // namespace bp
