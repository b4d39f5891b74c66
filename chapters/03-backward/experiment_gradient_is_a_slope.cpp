// Chapter 3 experiment: what the number backpropagation computes means. The loss of a 2-3-2
// network as one weight moves, and the tangent line whose slope is that weight's gradient
// from the backward pass. Also draws the computational graph of the chapter's worked
// example (worked_example_graph.png, .svg and .dot). Run it with ./course experiment 3
// (--help: its options).
#include "bp/autodiff/graph.hpp"
#include "bp/core/loss.hpp"
#include "bp/layers/mlp.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"

#include <iostream>

int main(int argc, char** argv) try {
    std::string folder = ".", activation = "tanh";
    std::uint64_t seed = 7;
    bp::Index hidden = 3, m = 8;
    double range = 3.0;
    bp::Options options("ch03-experiment-gradient-is-a-slope",
                        "Chapter 3: the loss of a 2-H-2 classifier as its first weight moves, against the tangent line "
                        "whose slope backpropagation gives; and the worked example's computational graph.");
    options.positional("FOLDER", folder, "where the figures (.png, .svg), their data (.dat) and the graph (.dot) go");
    options.integer<std::uint64_t>("seed", seed, 0, UINT64_MAX, "the random seed (weights and examples)");
    options.integer<bp::Index>("hidden", hidden, 1, 1000, "H, the hidden layer's width");
    options.integer<bp::Index>("examples", m, 1, 100000, "how many examples in the batch");
    options.text("activation", activation, "the hidden layer's activation", bp::hidden_activation_names());
    // At least 1e-6: steps of range / 60 that a weight near 1 can still take in double (1e-300 drew one point).
    options.real("range", range, 1e-6, 100, "how far the weight moves each way");
    options.parse_or_exit(argc, argv);
    options.limit_memory(6 * 8.0 * double(hidden + 4) * double(m),
                         {{"hidden", hidden}, {"examples", m}});  // about six H x m matrices (measured)
    bp::require_figure_folder(folder, "FOLDER");                  // before the work, not after it
    const std::filesystem::path dir = folder;

    //! [experiment]
    bp::Rng rng(seed);
    bp::Mlp net({2, hidden, 2}, bp::activation_named(activation), bp::Activation::identity, rng);  // ends at the logits z
    const bp::Matrix x = rng.uniform_matrix(2, m, -2, 2);
    bp::Matrix y = bp::Matrix::Zero(2, m);
    for (bp::Index k = 0; k < m; ++k) y(x(0, k) * x(1, k) > 0 ? 0 : 1, k) = 1.0;  // the class: same sign or not
    const auto loss = [&] { return bp::softmax_cross_entropy_loss(net.forward(x), y); };

    double& w = net.dense(0).W(0, 0);  // the weight we move
    const double w0 = w, L0 = loss();
    net.zero_grad();
    net.backward(bp::softmax_cross_entropy_grad(net.forward(x), y));
    const double slope = net.dense(0).dW(0, 0);  // dL/dw from backpropagation

    std::vector<double> ws, losses, tangent;
    for (int i = -60; i <= 60; ++i) {
        const double dw = range * i / 60;
        w = w0 + dw;
        ws.push_back(w);
        losses.push_back(loss());
        tangent.push_back(L0 + slope * dw);
    }
    w = w0;
    //! [experiment]

    bp::save_figure({"gradient_is_a_slope",
                     "The loss as one weight moves, and the slope backpropagation gives",
                     "w = W1(0,0)",
                     "loss",
                     ws,
                     {{"loss L(w)", losses}, {"L(w0) + (dL/dw) (w - w0)", tangent, "lines lw 2 dt 2"}},
                     {"set key top center"}},
                    dir);

    // The worked example of the chapter as a graph, drawn with Graphviz.
    bp::Graph g;
    const bp::Var a1 = g.sigmoid(g.add_bias(g.matmul(g.input(bp::Matrix::Ones(1, 1), "w1"), g.input(bp::Matrix::Ones(1, 1), "x")),
                                            g.input(bp::Matrix::Zero(1, 1), "b1")));
    const bp::Var a2 = g.sigmoid(g.add_bias(g.matmul(g.input(bp::Matrix::Ones(1, 1), "w2"), a1), g.input(bp::Matrix::Zero(1, 1), "b2")));
    g.mse(a2, bp::Matrix::Ones(1, 1));
    bp::save_graph(g.to_dot(), "worked_example_graph", dir);
    std::cout << "wrote gradient_is_a_slope (.png, .svg, .dat) and worked_example_graph (.png, .svg, .dot) to " << dir.string() << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch03-experiment-gradient-is-a-slope: " << e.what() << "\n";
    return 1;
}
