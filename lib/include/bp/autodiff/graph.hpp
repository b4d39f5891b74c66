/// \file
/// A computational graph, recorded while the forward pass runs, and differentiated in reverse
/// (reverse-mode automatic differentiation): what PyTorch's autograd does, on matrices, small
/// enough to read in one sitting.
///
/// Each operation makes a node holding its value. backward() walks the nodes from the loss
/// back to the inputs and applies each node's chain-rule step, adding into its inputs'
/// gradients, so that a value used twice receives both contributions.
#pragma once

#include "bp/core/matrix.hpp"
#include "bp/core/parameter.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bp {

/// A handle to a node of a Graph: only that graph (or the one it was moved into) takes it.
struct Var {
    int id = -1;
    std::uint64_t graph = 0;  ///< which graph made it (its serial number; 0: none)
};

class Graph {
public:
    /// What made a node; backward() applies the chain rule of its op.
    enum class Op { input, matmul, add_bias, add, sub, mul, scale, one_minus, sigmoid, tanh, relu, sum, mse, softmax_cross_entropy };

    Graph() = default;
    /// A copy is another graph: the Vars of the original are not its own (their nodes there
    /// could grow apart). A move keeps them valid in the graph moved into.
    Graph(const Graph& other) : nodes_(other.nodes_), differentiated_(other.differentiated_) {}
    Graph& operator=(const Graph& other) {
        if (this != &other) nodes_ = other.nodes_, differentiated_ = other.differentiated_, serial_ = next_serial();
        return *this;
    }
    Graph(Graph&&) = default;
    Graph& operator=(Graph&&) = default;

    /// A leaf: data or a parameter, whose gradient you read after backward(). value is a Matrix,
    /// or a Vector such as a layer's bias (Dense::b), taken as it is: it becomes an n x 1 leaf,
    /// the b of add_bias, and grad() of it assigns straight to a Vector (`layer.db = g.grad(b)`).
    Var input(const Eigen::Ref<const Matrix>& value, const std::string& name);
    /// A leaf holding a library Parameter's current value, named after it; backward() ADDS
    /// the leaf's gradient into the parameter's gradient, as a layer's backward would.
    Var parameter(const Parameter& p);

    Var matmul(Var W, Var a);  ///< W a
    /// z + b, the bias b (a Vector of n elements, as the layers keep it: an n x 1 leaf made
    /// from a Vector or a Vector Parameter) added to every column of z (n x m).
    Var add_bias(Var z, Var b);
    Var add(Var x, Var y);       ///< x + y, same shapes
    Var sub(Var x, Var y);       ///< x - y, same shapes
    Var mul(Var x, Var y);       ///< x ⊙ y, element by element
    Var scale(Var x, double c);  ///< c x
    Var one_minus(Var x);        ///< 1 - x, element by element (a gate's complement)
    Var sigmoid(Var z);
    Var tanh(Var z);
    Var relu(Var z);
    Var sum(Var x);                                     ///< the sum of all elements, 1 x 1
    Var mse(Var y_hat, const Matrix& y);                ///< mse_loss(y_hat, y), 1 x 1
    Var softmax_cross_entropy(Var z, const Matrix& y);  ///< softmax_cross_entropy_loss(z, y), 1 x 1

    const Matrix& value(Var v) const;
    const Matrix& grad(Var v) const;  ///< dL/dv after backward(L)
    std::size_t size() const { return nodes_.size(); }

    /// Exercise 3.5 (exercises/ch03/graph_backward.cpp): sets every gradient to zero, the
    /// loss's to 1, then applies the chain rule node by node in reverse topological order.
    /// `loss` must be 1 x 1. Every gradient is made (as zeros of its node's shape) with the node.
    void backward(Var loss);

    /// The graph in Graphviz's dot language, for drawing it.
    std::string to_dot() const;

private:
    // [node]
    struct Node {
        Op op;                           // what made it
        std::string name;                // "x", "matmul", ...
        Matrix value;                    // computed when the node is made
        Matrix grad;                     // dL/d(this node): made as zeros of value's shape; backward() fills it
        int left = -1, right = -1;       // the inputs (the operands of matmul(left, right), ...), as indices into nodes_ (-1: none)
        Matrix target;                   // the y of a loss node
        double c = 0;                    // scale's factor
        std::optional<Parameter> bound;  // a parameter() leaf's parameter
    };
    std::vector<Node> nodes_;  // in creation order: every node after its inputs
    // [node]
    bool differentiated_ = false;  // backward() has run: grad() may be read
    // A number no other graph has, so that a Var of another graph is refused by name instead
    // of read as whichever node has its id here.
    std::uint64_t serial_ = next_serial();
    static std::uint64_t next_serial();

    Var add_node(Op op, std::string name, Matrix value, int left, int right = -1, Matrix target = Matrix());
    const Node& node(Var v, const char* op) const;

    // The chain rule of one node (lib/src/autodiff/graph.cpp): n.grad is complete; add each input's
    // share to its grad (for a parameter() leaf, to its parameter's gradient).
    void propagate(Node& n);
    void require_gradient_shape(const Node& n) const;
};

/// Exercise 3.6 (exercises/ch03/graph_backward.cpp), the rule of n = W a: given dn = dL/dn,
/// ADD dn a^T to dW and W^T dn to da.
void matmul_backward(const Matrix& dn, const Matrix& W, const Matrix& a, Matrix& dW, Matrix& da);

/// Exercise 3.7, the rule of n = x ⊙ y (element-wise): ADD dn ⊙ y to dx and dn ⊙ x to dy.
/// x and y may be the same node (n = x ⊙ x), and then dx and dy are the same matrix.
void mul_backward(const Matrix& dn, const Matrix& x, const Matrix& y, Matrix& dx, Matrix& dy);

}  // namespace bp
