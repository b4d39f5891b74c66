#include "bp/autodiff/graph.hpp"

#include "bp/core/activations.hpp"
#include "bp/core/loss.hpp"

#include <atomic>
#include <sstream>

namespace bp {

std::uint64_t Graph::next_serial() {
    static std::atomic<std::uint64_t> last{0};
    return ++last;
}

const Graph::Node& Graph::node(Var v, const char* op) const {
    if (v.graph != serial_)
        throw UsageError(op, "Var " + std::to_string(v.id) + " is " +
                                 (v.graph == 0 ? std::string("not made by any graph (a Var{} of its own)") : "a node of another Graph") +
                                 "; a Var works only with the graph that made it");
    if (v.id < 0 || static_cast<std::size_t>(v.id) >= nodes_.size())
        throw UsageError(
            op, "Var " + std::to_string(v.id) + " is not a node of this graph (it has " + std::to_string(nodes_.size()) + " nodes)");
    return nodes_[static_cast<std::size_t>(v.id)];
}

Var Graph::add_node(Op op, std::string name, Matrix value, int left, int right, Matrix target) {
    Matrix grad = Matrix::Zero(value.rows(), value.cols());
    nodes_.push_back({op, std::move(name), std::move(value), std::move(grad), left, right, std::move(target), 0.0, std::nullopt});
    return {static_cast<int>(nodes_.size()) - 1, serial_};
}

// A Ref, so that a Vector (a bias) is read where it is, with no Matrix made of it first.
Var Graph::input(const Eigen::Ref<const Matrix>& value, const std::string& name) { return add_node(Op::input, name, value, -1); }

Var Graph::parameter(const Parameter& p) {
    const Var v = add_node(Op::input, p.name, p.value(), -1);
    nodes_.back().bound = p;
    return v;
}

Var Graph::matmul(Var W, Var a) {
    const Matrix &w = node(W, "Graph::matmul").value, &x = node(a, "Graph::matmul").value;
    if (w.cols() != x.rows()) throw ShapeError("Graph::matmul", "W is " + shape(w) + " and a is " + shape(x));
    return add_node(Op::matmul, "matmul", w * x, W.id, a.id);
}

Var Graph::add_bias(Var z, Var b) {
    const Matrix &zv = node(z, "Graph::add_bias").value, &bv = node(b, "Graph::add_bias").value;
    if (bv.cols() != 1 || bv.rows() != zv.rows())
        throw ShapeError("Graph::add_bias", "z is " + shape(zv) + " and b is " + shape(bv) + "; b must be a Vector of " +
                                                std::to_string(zv.rows()) + " elements (" + std::to_string(zv.rows()) + "x1)");
    return add_node(Op::add_bias, "add_bias", zv.colwise() + bv.col(0), z.id, b.id);
}

Var Graph::add(Var x, Var y) {
    require_same_shape("Graph::add", "x", node(x, "Graph::add").value, "y", node(y, "Graph::add").value);
    return add_node(Op::add, "add", node(x, "").value + node(y, "").value, x.id, y.id);
}

Var Graph::sub(Var x, Var y) {
    require_same_shape("Graph::sub", "x", node(x, "Graph::sub").value, "y", node(y, "Graph::sub").value);
    return add_node(Op::sub, "sub", node(x, "").value - node(y, "").value, x.id, y.id);
}

Var Graph::scale(Var x, double c) {
    const Var v = add_node(Op::scale, "scale", c * node(x, "Graph::scale").value, x.id);
    nodes_.back().c = c;
    return v;
}

Var Graph::one_minus(Var x) {
    return add_node(Op::one_minus, "one_minus", (1.0 - node(x, "Graph::one_minus").value.array()).matrix(), x.id);
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

// One node's chain-rule step: n.grad is dL/dn, complete; add each input's share to its grad.
//! [propagate]
void Graph::propagate(Node& n) {
    const auto input = [this](int id) -> Node& { return nodes_[static_cast<std::size_t>(id)]; };
    require_gradient_shape(n);
    for (int id : {n.left, n.right})
        if (id >= 0) require_gradient_shape(input(id));
    switch (n.op) {
        case Op::input:  // a leaf; one bound to a library Parameter hands its gradient on
            if (n.bound) n.bound->grad() += n.grad;
            break;
        case Op::matmul:  // n = W a
            matmul_backward(n.grad, input(n.left).value, input(n.right).value, input(n.left).grad, input(n.right).grad);
            break;
        case Op::add_bias:  // n = z + b 1^T: dz = dn; b reaches every column, db = row sums
            input(n.left).grad += n.grad;
            input(n.right).grad += n.grad.rowwise().sum();
            break;
        case Op::add:  // n = x + y
            input(n.left).grad += n.grad;
            input(n.right).grad += n.grad;
            break;
        case Op::sub:  // n = x - y
            input(n.left).grad += n.grad;
            input(n.right).grad -= n.grad;
            break;
        case Op::scale:  // n = c x
            input(n.left).grad += n.c * n.grad;
            break;
        case Op::one_minus:  // n = 1 - x
            input(n.left).grad -= n.grad;
            break;
        case Op::mul:  // n = x ⊙ y
            mul_backward(n.grad, input(n.left).value, input(n.right).value, input(n.left).grad, input(n.right).grad);
            break;
        case Op::sigmoid:  // n = sigmoid(z): dz = dn ⊙ n (1 - n)
            input(n.left).grad += n.grad.cwiseProduct(n.value.cwiseProduct((1.0 - n.value.array()).matrix()));
            break;
        case Op::tanh:  // n = tanh(z): dz = dn ⊙ (1 - n^2)
            input(n.left).grad += n.grad.cwiseProduct((1.0 - n.value.array().square()).matrix());
            break;
        case Op::relu:  // n = relu(z): dz = dn where z > 0 (NaN where z is NaN)
            input(n.left).grad += n.grad.cwiseProduct(keep_nan(input(n.left).value, relu_prime(input(n.left).value)));
            break;
        case Op::sum:  // n = sum of x: every element of x counts once
            input(n.left).grad.array() += n.grad(0, 0);
            break;
        case Op::mse: {  // n = (1/m) 1/2 ||y_hat - y||^2: dy_hat = dn (y_hat - y) / m
            Node& y_hat = input(n.left);
            y_hat.grad += n.grad(0, 0) * (y_hat.value - n.target) / static_cast<double>(n.target.cols());
            break;
        }
        case Op::softmax_cross_entropy: {  // dz = dn (softmax(z) - y) / m
            Node& z = input(n.left);
            z.grad += n.grad(0, 0) * (softmax(z.value) - n.target) / static_cast<double>(n.target.cols());
            break;
        }
    }
}
//! [propagate]

// A gradient of another shape than its node's value cannot be added to: say so, rather than
// let Eigen report a mismatch deep inside a rule.
void Graph::require_gradient_shape(const Node& n) const {
    if (n.grad.rows() == n.value.rows() && n.grad.cols() == n.value.cols()) return;
    const std::size_t id = static_cast<std::size_t>(&n - nodes_.data());
    throw ShapeError("Graph::backward", "node " + std::to_string(id) + " (" + n.name + ") has a gradient of shape " + shape(n.grad) +
                                            " but a value of shape " + shape(n.value) +
                                            ": every node's grad has its value's shape; to set it to zero, "
                                            "n.grad.setZero() or Matrix::Zero(n.value.rows(), n.value.cols())");
}

const Matrix& Graph::value(Var v) const { return node(v, "Graph::value").value; }

const Matrix& Graph::grad(Var v) const {
    const Node& n = node(v, "Graph::grad");
    if (!differentiated_) throw UsageError("Graph::grad", "no gradient for " + n.name + " yet: call backward first");
    return n.grad;
}

std::string Graph::to_dot() const {
    std::ostringstream dot;
    dot << "digraph G {\n  rankdir=LR;\n  size=\"11,4\";\n  node [fontname=\"Helvetica\", fontsize=11];\n";
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const Node& n = nodes_[i];
        dot << "  n" << i << " [label=\"" << n.name << "\\n"
            << shape(n.value) << "\"" << (n.op == Op::input ? ", shape=box, style=filled, fillcolor=\"#e8eef7\"" : ", shape=ellipse")
            << "];\n";
        for (int in : {n.left, n.right})
            if (in >= 0) dot << "  n" << in << " -> n" << i << ";\n";
    }
    dot << "}\n";
    return dot.str();
}

}  // namespace bp
