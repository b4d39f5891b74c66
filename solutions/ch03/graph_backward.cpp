// Chapter 3: reverse-mode automatic differentiation over a recorded graph.
#include "bp/autodiff/graph.hpp"

#include "bp/core/activations.hpp"

namespace bp {

//! [graph_backward]
void Graph::backward(Var loss) {
    if (node(loss, "Graph::backward").value.size() != 1)
        throw ShapeError("Graph::backward", "the loss must be 1x1, got " + shape(node(loss, "").value));
    // BEGIN EXERCISE 3.5 (ch03-graphs): Graph::backward: zero all grads, dL/dL = 1, then propagate nodes from the loss down to node 0.
    // The rules add into the grads: start every one at 0, or a second backward adds to the first's.
    for (Node& n : nodes_) n.grad.setZero();
    nodes_[static_cast<std::size_t>(loss.id)].grad(0, 0) = 1.0;
    // Nodes were made after their inputs, so walking the list backwards visits every node
    // after all the nodes that use it: its gradient is complete when it passes it on.
    for (int i = loss.id; i >= 0; --i) propagate(nodes_[static_cast<std::size_t>(i)]);
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
    // n_ik = sum_j W_ij a_jk: dL/dW_ij = sum_k dn_ik a_jk, dL/da_jk = sum_i W_ij dn_ik.
    dW += dn * a.transpose();
    da += W.transpose() * dn;
    // END EXERCISE 3.6
}

void mul_backward(const Matrix& dn, const Matrix& x, const Matrix& y, Matrix& dx, Matrix& dy) {
    if (dn.rows() != x.rows() || dn.cols() != x.cols() || y.rows() != x.rows() || y.cols() != x.cols() || dx.rows() != x.rows() ||
        dx.cols() != x.cols() || dy.rows() != y.rows() || dy.cols() != y.cols())
        throw ShapeError("mul_backward", "dn is " + shape(dn) + ", x is " + shape(x) + ", y is " + shape(y) + ", dx is " + shape(dx) +
                                             " and dy is " + shape(dy) + "; all must match");
    // BEGIN EXERCISE 3.7 (ch03-graph-rules): mul_backward: dx += dn ⊙ y and dy += dn ⊙ x.
    // n_ij = x_ij y_ij: dL/dx_ij = dn_ij y_ij. Two separate +=, so that x ⊙ x gets both shares.
    dx += dn.cwiseProduct(y);
    dy += dn.cwiseProduct(x);
    // END EXERCISE 3.7
}
//! [rules]

}  // namespace bp
