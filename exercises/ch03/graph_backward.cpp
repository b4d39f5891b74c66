// Chapter 3: reverse-mode automatic differentiation over a recorded graph.
#include "bp/autodiff/graph.hpp"

#include "bp/core/activations.hpp"

namespace bp {

//! [graph_backward]
void Graph::backward(Var loss) {
    if (node(loss, "Graph::backward").value.size() != 1)
        throw ShapeError("Graph::backward", "the loss must be 1x1, got " + shape(node(loss, "").value));
    // BEGIN EXERCISE 3.5 (ch03-graphs): Graph::backward: zero all grads, dL/dL = 1, then propagate nodes from the loss down to node 0.
    throw bp::NotImplemented("3.5", "exercises/ch03/graph_backward.cpp",
                             "Chapter 3, section 'Computational graphs' (chapters/03-backward/chapter.md)");
    // END EXERCISE 3.5
    differentiated_ = true;
}
//! [graph_backward]

//! [rules]
void matmul_backward(const Matrix& dn, const Matrix& W, const Matrix& a, Matrix& dW, Matrix& da) {
    if (dn.rows() != W.rows() || dn.cols() != a.cols() || W.cols() != a.rows() || dW.rows() != W.rows() || dW.cols() != W.cols() ||
        da.rows() != a.rows() || da.cols() != a.cols())
        throw ShapeError("matmul_backward", "dn is " + shape(dn) + ", W is " + shape(W) + ", a is " + shape(a) + ", dW is " + shape(dW) +
                                                " and da is " + shape(da));
    // BEGIN EXERCISE 3.6 (ch03-graph-rules): matmul_backward: dW += dn a^T and da += W^T dn.
    throw bp::NotImplemented("3.6", "exercises/ch03/graph_backward.cpp",
                             "Chapter 3, section 'Rules, and values used twice' (chapters/03-backward/chapter.md)");
    // END EXERCISE 3.6
}

void mul_backward(const Matrix& dn, const Matrix& x, const Matrix& y, Matrix& dx, Matrix& dy) {
    if (dn.rows() != x.rows() || dn.cols() != x.cols() || y.rows() != x.rows() || y.cols() != x.cols() || dx.rows() != x.rows() ||
        dx.cols() != x.cols() || dy.rows() != y.rows() || dy.cols() != y.cols())
        throw ShapeError("mul_backward", "dn is " + shape(dn) + ", x is " + shape(x) + ", y is " + shape(y) + ", dx is " + shape(dx) +
                                             " and dy is " + shape(dy) + "; all must match");
    // BEGIN EXERCISE 3.7 (ch03-graph-rules): mul_backward: dx += dn ⊙ y and dy += dn ⊙ x.
    throw bp::NotImplemented("3.7", "exercises/ch03/graph_backward.cpp",
                             "Chapter 3, section 'Rules, and values used twice' (chapters/03-backward/chapter.md)");
    // END EXERCISE 3.7
}
//! [rules]

}  // namespace bp
