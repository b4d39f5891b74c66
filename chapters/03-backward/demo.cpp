// Chapter 3 demo: the chain rule, factor by factor, through a network of one neuron per
// layer; then the same derivative from the layer backward pass and from the graph.
// Run it with ./course demo 3.
#include "bp/autodiff/graph.hpp"
#include "bp/core/loss.hpp"
#include "bp/io/options.hpp"
#include "bp/layers/mlp.hpp"

#include <iostream>

int main(int argc, char** argv) try {
    // --help says what the demo shows; anything else on the command line is refused by name.
    bp::Options("ch03-demo",
                "The chain rule factor by factor through a network of one neuron per layer, then the same derivative from the layers' "
                "backward pass and from the graph.")
        .parse_or_exit(argc, argv);
    //! [network]
    bp::Rng rng(0);
    bp::Mlp net({1, 1, 1}, bp::Activation::sigmoid, bp::Activation::sigmoid, rng);
    net.dense(0).W << 0.5;   // w1
    net.dense(0).b << 0.1;   // b1
    net.dense(1).W << -1.2;  // w2
    net.dense(1).b << 0.3;   // b2
    const bp::Matrix x = bp::Matrix::Constant(1, 1, 1.5), y = bp::Matrix::Ones(1, 1);
    const bp::Matrix& a2 = net.forward(x);
    const double L = bp::mse_loss(a2, y);  // 1/2 (a2 - y)^2
    //! [network]

    const double z1 = net.dense(0).z(0), a1 = net.dense(0).a(0), z2 = net.dense(1).z(0);
    const double w2 = net.dense(1).W(0);
    std::cout << "forward:  z1 = w1 x + b1 = " << z1 << ",  a1 = sigmoid(z1) = " << a1 << "\n"
              << "          z2 = w2 a1 + b2 = " << z2 << ",  a2 = sigmoid(z2) = " << a2(0) << "\n"
              << "          L = 1/2 (a2 - y)^2 = " << L << "   (y = 1)\n\n";

    //! [factors]
    const double dL_da2 = a2(0) - y(0);  // from L = 1/2 (a2 - y)^2
    const double da2_dz2 = bp::sigmoid_prime(net.dense(1).z)(0);
    const double dz2_da1 = w2;  // from z2 = w2 a1 + b2
    const double da1_dz1 = bp::sigmoid_prime(net.dense(0).z)(0);
    const double dz1_dw1 = x(0);  // from z1 = w1 x + b1
    const double dL_dw1 = dL_da2 * da2_dz2 * dz2_da1 * da1_dz1 * dz1_dw1;
    //! [factors]
    std::cout << "the chain rule, dL/dw1 = dL/da2 * da2/dz2 * dz2/da1 * da1/dz1 * dz1/dw1:\n"
              << "  dL/da2  = a2 - y        = " << dL_da2 << "\n"
              << "  da2/dz2 = sigmoid'(z2)  = " << da2_dz2 << "\n"
              << "  dz2/da1 = w2            = " << dz2_da1 << "\n"
              << "  da1/dz1 = sigmoid'(z1)  = " << da1_dz1 << "\n"
              << "  dz1/dw1 = x             = " << dz1_dw1 << "\n"
              << "  product: dL/dw1         = " << dL_dw1 << "\n\n";

    //! [backward]
    net.backward(bp::mse_grad(a2, y));  // from dL/da2: every layer's dW and db, in one sweep down
    //! [backward]
    std::cout << "the layer backward pass: dW1 = " << net.dense(0).dW(0) << ", db1 = " << net.dense(0).db(0)
              << ", dW2 = " << net.dense(1).dW(0) << ", db2 = " << net.dense(1).db(0) << "\n";

    //! [graph]
    bp::Graph g;
    const bp::Var w1 = g.input(net.dense(0).W, "w1"), b1 = g.input(net.dense(0).b, "b1");
    const bp::Var w2v = g.input(net.dense(1).W, "w2"), b2 = g.input(net.dense(1).b, "b2");
    const bp::Var a1v = g.sigmoid(g.add_bias(g.matmul(w1, g.input(x, "x")), b1));
    const bp::Var loss = g.mse(g.sigmoid(g.add_bias(g.matmul(w2v, a1v), b2)), y);
    g.backward(loss);
    //! [graph]
    std::cout << "the computational graph:  dw1 = " << g.grad(w1)(0) << ", db1 = " << g.grad(b1)(0) << ", dw2 = " << g.grad(w2v)(0)
              << ", db2 = " << g.grad(b2)(0) << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch03-demo: " << e.what() << "\n";
    return 1;
}
