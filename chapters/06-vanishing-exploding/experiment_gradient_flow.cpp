// Chapter 6, the key figure: ||dW|| of every layer of a deep network at initialisation, for
// sigmoid and tanh with Xavier, ReLU with He, ReLU with He and skip connections, and sigmoid
// with batch normalization. Run it with ./course experiment 6, or on its own with options:
//
//   ch06-experiment-gradient-flow [FOLDER] [--depth L] [--width N] [--batch M] [--seed S]
//                                 [--gain G] [--branch-gain B] [--activation F --init I]
#include "gradient_flow.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <limits>

namespace {

struct Settings {
    std::string folder = ".";
    int depth = 15;
    bp::Index width = 64, batch = 128;
    std::uint64_t seed = 1;
    double gain = 1, branch_gain = 0;         // 0: 1/sqrt(depth)
    std::string activation, init = "xavier";  // an extra curve, if an activation is given
};

// The command line, read with bp::Options: --help lists the options; a bad value is refused by
// name.
Settings parse(int argc, char** argv) {
    Settings s;
    bp::Options options("ch06-experiment-gradient-flow",
                        "||dW|| of every layer of five deep networks at initialisation; writes FOLDER/gradient_flow (.png, .svg, .dat).");
    options.positional("folder", s.folder, "where the figure goes")
        .integer("depth", s.depth, 2, 200, "layers with weights, the output layer included")
        .integer("width", s.width, bp::Index{1}, bp::Index{4096}, "units per hidden layer, and inputs")
        .integer("batch", s.batch, bp::Index{1}, bp::Index{100000}, "examples in the batch")
        .integer("seed", s.seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(), "the inputs, the labels and the weights")
        .real("gain", s.gain, 0, 100, "every network's weights times this (above 0: with 0 every gradient below the top layer is 0)",
              bp::Options::above_min)
        .real("branch-gain", s.branch_gain, 0, 100, "residual branches' weights times this too (0: 1/sqrt(depth))")
        .text("activation", s.activation, "add a sixth network with this activation...", {"sigmoid", "tanh", "relu", "leaky_relu"})
        .text("init", s.init, "...initialised so", {"xavier", "he", "lecun"});
    options.parse_or_exit(argc, argv);
    // Every layer's outputs and gradients, kept for the backward pass: about 7 per layer, unit and example (measured).
    options.limit_memory(7 * 8.0 * double(s.depth) * double(s.width) * double(s.batch),
                         {{"depth", s.depth}, {"width", s.width}, {"batch", s.batch}});
    return s;
}

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
    bp::require_figure_folder(s.folder, "folder");  // before the work, not after it
    //! [experiment]
    bp::Rng rng(s.seed);
    const bp::Matrix x = rng.normal_matrix(s.width, s.batch, 1.0);  // inputs of variance 1
    bp::Matrix y = bp::Matrix::Zero(10, s.batch);                   // and random labels
    for (bp::Index k = 0; k < s.batch; ++k) y(rng.below(10), k) = 1;

    bp::DeepNet base;
    base.inputs = s.width, base.width = s.width, base.depth = s.depth;
    std::vector<bp::DeepNet> nets(5, base);
    nets[0].activation = bp::Activation::sigmoid, nets[0].init = bp::Init::xavier();
    nets[1].activation = bp::Activation::tanh, nets[1].init = bp::Init::xavier();
    nets[2].activation = bp::Activation::relu, nets[2].init = bp::Init::he();
    nets[3] = nets[2], nets[3].residual = true;
    nets[3].branch_gain = s.branch_gain > 0 ? s.branch_gain : 1 / std::sqrt(static_cast<double>(s.depth));
    nets[4] = nets[0], nets[4].batch_norm = true;
    //! [experiment]
    if (!s.activation.empty()) {
        bp::DeepNet extra = base;
        extra.activation = s.activation == "sigmoid" ? bp::Activation::sigmoid
                           : s.activation == "tanh"  ? bp::Activation::tanh
                           : s.activation == "relu"  ? bp::Activation::relu
                                                     : bp::Activation::leaky_relu;
        extra.init = s.init == "xavier" ? bp::Init::xavier() : s.init == "he" ? bp::Init::he() : bp::Init::lecun();
        nets.push_back(extra);
    }

    bp::Figure figure{"gradient_flow",
                      "||dW|| of each layer at initialisation, " + std::to_string(s.depth) + " layers of " + std::to_string(s.width) +
                          ", batch of " + std::to_string(s.batch),
                      "layer l",
                      "||dW^{[l]}||",
                      {},
                      {},
                      {"set logscale y", "set format y '10^{%L}'", "set key bottom right", "set xtics 1"}};
    for (int l = 1; l <= s.depth; ++l) figure.x.push_back(l);
    // The first column as wide as its longest label, and two spaces: a label never runs into its number.
    std::size_t column = std::string("network").size();
    for (bp::DeepNet net : nets) {
        net.init = net.init.scaled(net.init.gain * s.gain);
        column = std::max(column, net.label().size());
    }
    const int width = static_cast<int>(column) + 2;
    std::cout << std::left << std::setw(width) << "network"
              << "||dW|| of layer 1 / of layer " << s.depth << "\n";
    // Colours that read on white (gnuplot's fifth is a pale yellow).
    const char* const colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"};
    std::size_t colour = 0;
    for (bp::DeepNet& net : nets) {
        net.init = net.init.scaled(net.init.gain * s.gain);
        bp::Rng weights(s.seed + 1);  // the same draws for every network
        bp::Sequential model = bp::deep_network(net, weights);
        //! [measure]
        const bp::NamedValues norms = bp::weight_gradient_norms(model, x, y);
        //! [measure]
        figure.curves.push_back(
            {net.label(), norms.values, std::string("linespoints lw 2 pt 7 ps 0.6 lc rgb '") + colours[colour++ % 6] + "'"});
        std::cout << std::left << std::setw(width) << net.label();
        // Weights small enough to underflow leave layer `depth` no gradient: a ratio of 0 / 0 is no number.
        if (norms.values.back() == 0) std::cout << "none: ||dW|| of layer " << s.depth << " is 0\n";
        else
            std::cout << std::scientific << std::setprecision(2) << norms.values.front() / norms.values.back() << std::defaultfloat << "\n";
    }
    bp::save_figure(figure, s.folder);
    std::cout << "wrote gradient_flow (.png, .svg, .dat) in " << s.folder << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch06-experiment-gradient-flow: " << e.what() << "\n";
    return 1;
}
