#include "bp/graph.hpp"

#include "bp/activations.hpp"
#include "bp/loss.hpp"

#include <sstream>

namespace bp {

const Graph::Node& Graph::node(Var v, const char* op) const {
    if (v.id < 0 || static_cast<std::size_t>(v.id) >= nodes_.size())
        throw UsageError(op, "Var " + std::to_string(v.id) + " is not a node of this graph (it has " +
                                 std::to_string(nodes_.size()) + " nodes)");
    return nodes_[static_cast<std::size_t>(v.id)];
}

Var Graph::add_node(Op op, std::string name, Matrix value, int x, int y, Matrix target) {
    nodes_.push_back({op, std::move(name), std::move(value), Matrix(), x, y, std::move(target)});
    return {static_cast<int>(nodes_.size()) - 1};
}

Var Graph::input(const Matrix& value, const std::string& name) { return add_node(Op::input, name, value, -1); }

Var Graph::matmul(Var W, Var a) {
    const Matrix &w = node(W, "Graph::matmul").value, &x = node(a, "Graph::matmul").value;
    if (w.cols() != x.rows()) throw ShapeError("Graph::matmul", "W is " + shape(w) + " and a is " + shape(x));
    return add_node(Op::matmul, "matmul", w * x, W.id, a.id);
}

Var Graph::add_bias(Var z, Var b) {
    const Matrix &zv = node(z, "Graph::add_bias").value, &bv = node(b, "Graph::add_bias").value;
    if (bv.cols() != 1 || bv.rows() != zv.rows())
        throw ShapeError("Graph::add_bias", "z is " + shape(zv) + " and b is " + shape(bv) + "; b must be " +
                                                std::to_string(zv.rows()) + "x1");
    return add_node(Op::add_bias, "add_bias", zv.colwise() + bv.col(0), z.id, b.id);
}

Var Graph::add(Var x, Var y) {
    require_same_shape("Graph::add", "x", node(x, "Graph::add").value, "y", node(y, "Graph::add").value);
    return add_node(Op::add, "add", node(x, "").value + node(y, "").value, x.id, y.id);
}

Var Graph::mul(Var x, Var y) {
    require_same_shape("Graph::mul", "x", node(x, "Graph::mul").value, "y", node(y, "Graph::mul").value);
    return add_node(Op::mul, "mul", node(x, "").value.cwiseProduct(node(y, "").value), x.id, y.id);
}

Var Graph::sigmoid(Var z) { return add_node(Op::sigmoid, "sigmoid", bp::sigmoid(node(z, "Graph::sigmoid").value), z.id); }
Var Graph::tanh(Var z) { return add_node(Op::tanh, "tanh", bp::tanh(node(z, "Graph::tanh").value), z.id); }
Var Graph::relu(Var z) { return add_node(Op::relu, "relu", bp::relu(node(z, "Graph::relu").value), z.id); }

Var Graph::sum(Var x) { return add_node(Op::sum, "sum", Matrix::Constant(1, 1, node(x, "Graph::sum").value.sum()), x.id); }

Var Graph::mse(Var y_hat, const Matrix& y) {
    const double loss = mse_loss(node(y_hat, "Graph::mse").value, y);
    return add_node(Op::mse, "mse", Matrix::Constant(1, 1, loss), y_hat.id, -1, y);
}

Var Graph::softmax_cross_entropy(Var z, const Matrix& y) {
    const double loss = softmax_cross_entropy_loss(node(z, "Graph::softmax_cross_entropy").value, y);
    return add_node(Op::softmax_cross_entropy, "softmax_cross_entropy", Matrix::Constant(1, 1, loss), z.id, -1, y);
}

const Matrix& Graph::value(Var v) const { return node(v, "Graph::value").value; }

const Matrix& Graph::grad(Var v) const {
    const Node& n = node(v, "Graph::grad");
    if (n.grad.size() == 0) throw UsageError("Graph::grad", "no gradient for " + n.name + " yet: call backward first");
    return n.grad;
}

std::string Graph::to_dot() const {
    std::ostringstream dot;
    dot << "digraph G {\n  rankdir=LR;\n  size=\"11,4\";\n  node [fontname=\"Helvetica\", fontsize=11];\n";
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const Node& n = nodes_[i];
        dot << "  n" << i << " [label=\"" << n.name << "\\n" << shape(n.value) << "\""
            << (n.op == Op::input ? ", shape=box, style=filled, fillcolor=\"#e8eef7\"" : ", shape=ellipse") << "];\n";
        for (int in : {n.x, n.y})
            if (in >= 0) dot << "  n" << in << " -> n" << i << ";\n";
    }
    dot << "}\n";
    return dot.str();
}

}  // namespace bp
