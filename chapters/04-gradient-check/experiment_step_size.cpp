// Chapter 4 experiment A: the error of forward and central differences against the step h,
// for one weight of a small network, measured against the gradient from backpropagation.
// Run it with ./course experiment 4 (--help: its options).
#include "bp/core/loss.hpp"
#include "bp/layers/mlp.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"

#include <cmath>
#include <iostream>

int main(int argc, char** argv) try {
    std::string folder = ".", activation = "tanh";
    std::uint64_t seed = 12;
    bp::Index hidden = 4, m = 5;
    bp::Options options("ch04-experiment-step-size",
                        "Chapter 4: the relative error of forward and central differences against the step h, for one "
                        "weight of a 3-H-2 classifier, measured against backpropagation's gradient.");
    options.positional("FOLDER", folder, "where the figure (.png, .svg) and its data (.dat) go");
    options.integer<std::uint64_t>("seed", seed, 0, UINT64_MAX, "the random seed (weights and examples)");
    options.integer<bp::Index>("hidden", hidden, 2, 1000, "H, the hidden layer's width");
    options.integer<bp::Index>("examples", m, 1, 100000, "how many examples in the batch");
    options.text("activation", activation, "the hidden layer's activation", bp::hidden_activation_names());
    options.parse_or_exit(argc, argv);
    options.limit_memory(6 * 8.0 * double(hidden + 5) * double(m),
                         {{"hidden", hidden}, {"examples", m}});  // about six H x m matrices (measured)
    bp::require_figure_folder(folder, "FOLDER");                  // before the work, not after it

    //! [experiment]
    bp::Rng rng(seed);
    bp::Mlp net({3, hidden, 2}, bp::activation_named(activation), bp::Activation::identity, rng);  // ends at the logits z
    const bp::Matrix x = rng.uniform_matrix(3, m, -1, 1);
    bp::Matrix y = bp::Matrix::Zero(2, m);
    for (bp::Index k = 0; k < m; ++k) y(k % 2, k) = 1.0;  // classes 0, 1, 0, 1, ...
    const auto loss = [&] { return bp::softmax_cross_entropy_loss(net.forward(x), y); };
    net.backward(bp::softmax_cross_entropy_grad(net.forward(x), y));
    double& w = net.dense(0).W(1, 2);
    const double w0 = w, analytic = net.dense(0).dW(1, 2), L0 = loss();

    std::vector<double> hs, forward_error, central_error;
    for (int k = 4; k <= 56; ++k) {  // h = 10^-1 ... 10^-14, four steps a decade
        const double h = std::pow(10.0, -k / 4.0);
        w = w0 + h;
        const double plus = loss();
        w = w0 - h;
        const double minus = loss();
        w = w0;
        hs.push_back(h);
        forward_error.push_back(std::abs((plus - L0) / h - analytic) / std::abs(analytic));
        central_error.push_back(std::abs((plus - minus) / (2 * h) - analytic) / std::abs(analytic));
    }
    //! [experiment]

    bp::save_figure(
        {"step_size",
         "Relative error of a finite difference against the step h",
         "h",
         "relative error",
         hs,
         {{"forward (f(x+h) - f(x)) / h", forward_error, "linespoints lw 2 pt 7 ps 0.6"},
          {"central (f(x+h) - f(x-h)) / 2h", central_error, "linespoints lw 2 pt 7 ps 0.6"}},
         {"set logscale xy", "set format x '10^{%L}'", "set format y '10^{%L}'", "set key top center", "set xrange [*:*] reverse"}},
        folder);
    std::cout << "analytic dL/dw = " << analytic << "; wrote step_size (.png, .svg, .dat)\n";
} catch (const std::exception& e) {
    std::cerr << "ch04-experiment-step-size: " << e.what() << "\n";
    return 1;
}
