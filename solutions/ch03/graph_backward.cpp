// Chapter 3: reverse-mode automatic differentiation over a recorded graph.
#include "bp/autodiff/graph.hpp"

#include "bp/core/activations.hpp"

namespace bp {

//! [graph_backward]
void Graph::backward(Var loss) {
    if (node(loss, "Graph::backward").value.size() != 1)
        throw ShapeError("Graph::backward", "the loss must be 1x1, got " + shape(node(loss, "").value));
    // BEGIN EXERCISE 3.5 (ch03-graphs): Graph::backward: zero all grads, dL/dL = 1, then propagate nodes from the loss down to node 0.
    // HINT 3.5 1: How a graph is walked backwards: the order of the nodes, and starting every gradient at 0.
    // HINT 3.5 2: Each node's grad has its value's shape; the loss node is 1 x 1 and its gradient dL/dL is 1.
    // HINT 3.5 3: nodes_ is a std::vector<Node>; n.grad.setZero() zeroes one; propagate(node) applies that node's rule to its inputs.
    // HINT 3.5 4: Zero every grad, set nodes_[loss.id].grad(0, 0) = 1.0, then for i from loss.id down to 0: propagate(nodes_[i]).
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
    if (dn.rows() != W.rows() || dn.cols() != a.cols() || W.cols() != a.rows() || dW.rows() != W.rows() ||
        dW.cols() != W.cols() || da.rows() != a.rows() || da.cols() != a.cols())
        throw ShapeError("matmul_backward", "dn is " + shape(dn) + ", W is " + shape(W) + ", a is " + shape(a) +
                                                ", dW is " + shape(dW) + " and da is " + shape(da));
    // BEGIN EXERCISE 3.6 (ch03-graph-rules): matmul_backward: dW += dn a^T and da += W^T dn.
    // HINT 3.6 1: The backward rule of n = W a in a graph.
    // HINT 3.6 2: dn is like n (r x m); W and dW are r x k; a and da are k x m.
    // HINT 3.6 3: dW += dn * a.transpose(); da += W.transpose() * dn. Add (+=): a node used twice gets both shares.
    // HINT 3.6 4: W = [1 2], a = (3, 4) as a column, dn = [1]: dW += [3 4], da += (1, 2).
    // n_ik = sum_j W_ij a_jk: dL/dW_ij = sum_k dn_ik a_jk, dL/da_jk = sum_i W_ij dn_ik.
    dW += dn * a.transpose();
    da += W.transpose() * dn;
    // END EXERCISE 3.6
}

void mul_backward(const Matrix& dn, const Matrix& x, const Matrix& y, Matrix& dx, Matrix& dy) {
    if (dn.rows() != x.rows() || dn.cols() != x.cols() || y.rows() != x.rows() || y.cols() != x.cols() ||
        dx.rows() != x.rows() || dx.cols() != x.cols() || dy.rows() != y.rows() || dy.cols() != y.cols())
        throw ShapeError("mul_backward", "dn is " + shape(dn) + ", x is " + shape(x) + ", y is " + shape(y) +
                                             ", dx is " + shape(dx) + " and dy is " + shape(dy) + "; all must match");
    // BEGIN EXERCISE 3.7 (ch03-graph-rules): mul_backward: dx += dn ⊙ y and dy += dn ⊙ x.
    // HINT 3.7 1: The backward rule of an element-by-element product n = x ⊙ y.
    // HINT 3.7 2: dn, x, y, dx and dy all have one shape.
    // HINT 3.7 3: dn.cwiseProduct(y) and dn.cwiseProduct(x); two separate +=.
    // HINT 3.7 4: x = [2], y = [3], dn = [1]: dx += [3], dy += [2]. For x ⊙ x (the same node twice) dx gets 2x.
    // n_ij = x_ij y_ij: dL/dx_ij = dn_ij y_ij. Two separate +=, so that x ⊙ x gets both shares.
    dx += dn.cwiseProduct(y);
    dy += dn.cwiseProduct(x);
    // END EXERCISE 3.7
}
//! [rules]

}  // namespace bp
