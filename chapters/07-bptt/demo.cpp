// Chapter 7 demo: backpropagation through time on the chapter's worked example, a linear RNN
// with integer weights whose gradients can be checked by hand; then a tanh RNN checked with
// chapter 4's checker. Run it with ./course demo 7 (--graph FILE also writes the unrolled
// network of three steps as a Graphviz file).
#include "bp/autodiff/graph.hpp"
#include "bp/io/options.hpp"
#include "bp/check/gradcheck.hpp"
#include "bp/recurrent/rnn.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

namespace {

// The RNN of the worked example unrolled over three steps in chapter 3's graph: W_x, W_h and
// b appear once and feed every step.
std::string unrolled_graph() {
    bp::Rng rng(1);
    bp::Rnn rnn(2, 3, rng);
    bp::Graph g;
    const std::vector<bp::Parameter> p = rnn.parameters();
    const bp::Var W_x = g.parameter(p[0]), W_h = g.parameter(p[1]), b = g.parameter(p[2]);
    bp::Var h = g.input(bp::Matrix::Zero(3, 1), "h_0");
    for (int t = 1; t <= 3; ++t)
        h = g.tanh(g.add_bias(g.add(g.matmul(W_x, g.input(bp::Matrix::Zero(2, 1), "x_" + std::to_string(t))), g.matmul(W_h, h)), b));
    std::string dot = g.to_dot();
    dot.insert(dot.rfind('}'), "  size=\"9,4\";\n");  // wider than chapter 3's graph: fit it to the page
    return dot;
}

}  // namespace

int main(int argc, char** argv) try {
    std::string graph_file;
    bp::Options options("ch07-demo", "Backpropagation through time on a worked example, then a gradient check.");
    options.path("graph", graph_file, "also write the unrolled network (3 steps) to this Graphviz file");
    options.parse_or_exit(argc, argv);
    if (!graph_file.empty()) {
        // Checked: an ofstream that cannot open its file writes nothing, and says nothing.
        std::ofstream out(graph_file);
        if (!out) throw std::runtime_error("--graph " + graph_file + ": cannot write this file: " + std::strerror(errno));
        out << unrolled_graph();
        out.close();
        if (!out) throw std::runtime_error("--graph " + graph_file + ": writing it failed");
    }

    //! [linear]
    // The worked example: n_h = 2, the identity instead of tanh, no input (W_x = 0, x_t = 0).
    bp::Matrix W_h(2, 2);
    W_h << 1, 2,  //
        0, 1;
    bp::Rnn rnn(bp::Matrix::Zero(2, 1), W_h, bp::Vector::Zero(2), bp::Activation::identity);
    rnn.forward(bp::Sequence(1, 3, 1), {(bp::Matrix(2, 1) << 1, 1).finished(), bp::Matrix()});  // T = 3, h_0 = (1, 1)
    // L = g^T h_3 with g = (1, 0): a loss at the last step only.
    bp::Sequence dh_out(2, 3, 1);
    dh_out.at(3) << 1, 0;
    rnn.backward(dh_out);
    //! [linear]
    const Eigen::IOFormat row(Eigen::StreamPrecision, 0, ", ", ", ", "", "", "(", ")");
    std::cout << "The linear RNN, W_h = [[1, 2], [0, 1]], h_0 = (1, 1):\n";
    for (bp::Index t = 1; t <= 3; ++t) std::cout << "  h_" << t << " = " << rnn.h.at(t).transpose().format(row) << "\n";
    std::cout << "L = g^T h_3 with g = (1, 0). Backpropagation through time, dh_{t-1} = W_h^T dh_t:\n";
    for (bp::Index t = 3; t >= 1; --t) std::cout << "  dL/dh_" << t << " = " << rnn.hidden_grads().at(t).transpose().format(row) << "\n";
    std::cout << "  dL/dh_0 = " << rnn.start_grad().h.transpose().format(row) << "\n";
    std::cout << "dW_h = sum over t of dz_t h_{t-1}^T =\n" << rnn.dW_h << "\n\n";

    //! [check]
    bp::Rng rng(7);
    bp::Rnn tanh_rnn(3, 4, rng);                                   // n_x = 3, n_h = 4
    const bp::Sequence x(rng.uniform_matrix(3, 5 * 2, -1, 1), 2);  // T = 5 steps of m = 2 sequences
    const bp::GradientCheck check = bp::check_rnn_gradients(tanh_rnn, x, rng.uniform_matrix(4, 2, -1, 1), rng);
    std::cout << "A tanh RNN, T = 5: " << check.report();
    //! [check]
} catch (const std::exception& e) {
    std::cerr << "ch07-demo: " << e.what() << "\n";
    return 1;
}
