// Chapter 6 experiment: test accuracy on Fashion-MNIST after a fixed budget of training steps,
// against the depth of the network, for sigmoid (Xavier), ReLU (He) and ReLU with skip
// connections of one-layer and of two-layer branches. Run it with ./course experiment 6, or on its own with options:
//
//   ch06-experiment-depth [FOLDER] [--width N] [--lr LR] [--batch M] [--steps T]
//                         [--examples E] [--seed S]
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
    bp::Index width = 32, batch = 64, examples = 10000;
    long steps = 400;
    double lr = 1e-3;
    std::uint64_t seed = 1;
};

// The command line, read with bp::Options: --help lists the options; a bad value is refused by
// name.
Settings parse(int argc, char** argv) {
    Settings s;
    bp::Options options("ch06-experiment-depth",
                        "Test accuracy on Fashion-MNIST after a fixed budget, against depth, for sigmoid, ReLU and ReLU with skip "
                        "connections; writes FOLDER/depth_accuracy (.png, .svg, .dat).");
    options.positional("folder", s.folder, "where the figure goes")
        .integer("width", s.width, bp::Index{1}, bp::Index{1024}, "units per hidden layer")
        .real("lr", s.lr, 0, 1, "Adam's learning rate", bp::Options::above_min)
        .integer("batch", s.batch, bp::Index{1}, bp::Index{10000}, "examples per step")
        .integer("steps", s.steps, 1L, 100000L, "steps of training for each network")
        .integer("examples", s.examples, bp::Index{1}, bp::Index{60000}, "training images used")
        .integer("seed", s.seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(), "the weights and the order of the batches");
    options.parse_or_exit(argc, argv);
    // Fashion-MNIST (half a GB), then about 3 values per layer (20 at most), unit and example of a batch (measured).
    options.limit_memory(5e8 + 3 * 8.0 * (784.0 + 20.0 * double(s.width)) * double(std::min(s.batch, s.examples)),
                         {{"width", s.width}, {"batch", s.batch}});
    return s;
}

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
    bp::require_figure_folder(s.folder, "folder");  // before the work, not after it
    bp::Dataset train = bp::load_fashion_mnist("train"), test = bp::load_fashion_mnist("test");
    train.x = train.x.leftCols(s.examples).eval();
    train.labels.resize(static_cast<std::size_t>(s.examples));
    test.x = test.x.leftCols(2000).eval();  // 2000 test images: enough to tell 10 % from 80 %
    test.labels.resize(2000);
    bp::standardize(train, {&test});

    const std::vector<int> depths = {2, 4, 6, 8, 10, 15, 20};
    bp::Figure figure{"depth_accuracy",
                      "Test accuracy after " + std::to_string(s.steps) + " steps of Adam (batch " + std::to_string(s.batch) +
                          "), hidden layers of " + std::to_string(s.width),
                      "layers with weights",
                      "test accuracy",
                      {},
                      {},
                      {"set yrange [0:1]", "set key center right"}};
    for (int depth : depths) figure.x.push_back(depth);
    std::cout << "depth:    ";
    for (int depth : depths) std::cout << std::setw(6) << depth;
    std::cout << "\n";
    const char* const names[] = {"sigmoid", "relu", "residual", "residual2"};
    for (int kind = 0; kind < 4; ++kind) {
        bp::Curve curve{"", {}, "linespoints lw 2 pt 7 ps 0.8"};
        for (int depth : depths) {
            //! [experiment]
            bp::DeepNet spec;
            spec.inputs = 784, spec.width = s.width, spec.depth = depth;
            spec.activation = kind == 0 ? bp::Activation::sigmoid : bp::Activation::relu;  // Xavier, He
            spec.residual = kind >= 2;
            spec.branch_layers = kind == 3 ? 2 : 1;  // a = a_prev + relu(W a_prev + b), or a_prev + W2 relu(W1 a_prev + b1) + b2
            spec.branch_gain = 1 / std::sqrt(static_cast<double>(depth));
            bp::Rng rng(s.seed);
            bp::Sequential net = bp::deep_network(spec, rng);
            curve.y.push_back(bp::accuracy_after(net, train, test, s.lr, s.batch, s.steps, rng));
            //! [experiment]
            curve.title = kind == 2   ? "ReLU, He, residual, 1-layer branches (x 1/sqrt(depth))"
                          : kind == 3 ? "ReLU, He, residual, 2-layer branches (x 1/sqrt(depth))"
                                      : spec.label();
        }
        std::cout << std::left << std::setw(10) << names[kind] << std::right;
        for (double a : curve.y) std::cout << std::setw(6) << std::fixed << std::setprecision(2) << a;
        std::cout << std::defaultfloat << "\n";
        figure.curves.push_back(curve);
    }
    std::cout << "(residual: 1-layer branches; residual2: 2-layer branches, He et al. 2016's; with an odd number of middle layers one "
                 "branch has 1 layer)\n";
    figure.curves.push_back({"chance (1/10)", std::vector<double>(depths.size(), 0.1), "lines lw 2 dt 2 lc rgb '#888888'"});
    bp::save_figure(figure, s.folder);
    std::cout << "wrote depth_accuracy (.png, .svg, .dat) in " << s.folder << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch06-experiment-depth: " << e.what() << "\n";
    return 1;
}
