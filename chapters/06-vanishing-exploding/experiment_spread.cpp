// Chapter 6 experiment: the standard deviation of every layer's output (forward) and of the
// gradient reaching it (backward) in a deep network at initialisation, with its weights
// drawn at 0.5, 1 and 2 times the right scale. Run it with ./course experiment 6, or on its
// own with options:
//
//   ch06-experiment-spread [FOLDER] [--depth L] [--width N] [--batch M] [--seed S]
//                          [--activation F] [--init I]
#include "gradient_flow.hpp"
#include "bp/layers/mlp.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"

#include <iomanip>
#include <iostream>
#include <limits>

namespace {

struct Settings {
    std::string folder = ".";
    int depth = 20;
    bp::Index width = 256, batch = 256;
    std::uint64_t seed = 1;
    std::string activation = "relu", init = "he";
};

// The command line, read with bp::Options: --help lists the options; a bad value is refused by
// name.
Settings parse(int argc, char** argv) {
    Settings s;
    bp::Options options("ch06-experiment-spread",
                        "The spread of every layer's output and gradient at initialisation, for weights 0.5, 1 and 2 times the "
                        "scheme's scale; writes FOLDER/spread_forward and FOLDER/spread_backward (.png, .svg, .dat).");
    options.positional("folder", s.folder, "where the figures go")
        .integer("depth", s.depth, 2, 200, "layers")
        .integer("width", s.width, bp::Index{1}, bp::Index{4096}, "units per layer, and inputs")
        .integer("batch", s.batch, bp::Index{1}, bp::Index{100000}, "examples in the batch")
        .integer("seed", s.seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(), "the inputs, the gradient and the weights")
        .text("activation", s.activation, "of every layer", {"sigmoid", "tanh", "relu", "leaky_relu"})
        .text("init", s.init, "the scheme the gains multiply", {"xavier", "he", "lecun"});
    options.parse_or_exit(argc, argv);
    // Every layer's outputs and gradients: about 4 per layer, unit and example (measured).
    options.limit_memory(4 * 8.0 * double(s.depth) * double(s.width) * double(s.batch),
                         {{"depth", s.depth}, {"width", s.width}, {"batch", s.batch}});
    return s;
}

bp::Activation activation_named(const std::string& name) {
    return name == "sigmoid" ? bp::Activation::sigmoid
           : name == "tanh"  ? bp::Activation::tanh
           : name == "relu"  ? bp::Activation::relu
                             : bp::Activation::leaky_relu;
}

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
    bp::require_figure_folder(s.folder, "folder");  // before the work, not after it
    //! [experiment]
    bp::Rng rng(s.seed);
    const bp::Matrix x = rng.normal_matrix(s.width, s.batch, 1.0);  // inputs of standard deviation 1
    const bp::Matrix G = rng.normal_matrix(s.width, s.batch, 1.0);  // a gradient of standard deviation 1 at the top
    const bp::Init scheme = s.init == "he" ? bp::Init::he() : s.init == "xavier" ? bp::Init::xavier() : bp::Init::lecun();
    const double gains[] = {0.5, 1.0, 2.0};
    std::vector<bp::Spread> spreads;
    for (double gain : gains) {
        // depth layers of width x width, each with the activation, the weights drawn times gain
        bp::Mlp net(std::vector<bp::Index>(static_cast<std::size_t>(s.depth) + 1, s.width), activation_named(s.activation),
                    activation_named(s.activation), rng, scheme.scaled(gain));
        spreads.push_back(bp::spread_per_layer(net, x, G));
    }
    //! [experiment]

    bp::Figure forward{"spread_forward",
                       "Forward: the spread of each layer's output",
                       "layer l",
                       "std of a^{[l]}",
                       {},
                       {},
                       {"set logscale y", "set format y '10^{%L}'", "set key top left"}};
    bp::Figure backward{"spread_backward",
                        "Backward: the spread of the gradient reaching each layer's output",
                        "layer l",
                        "std of da^{[l]}",
                        {},
                        {},
                        {"set logscale y", "set format y '10^{%L}'", "set key top right"}};
    for (int l = 1; l <= s.depth; ++l) forward.x.push_back(l), backward.x.push_back(l);
    for (std::size_t i = 0; i < spreads.size(); ++i) {
        const std::string title = s.activation + ", " + s.init + " x " + (i == 0 ? "0.5" : i == 1 ? "1" : "2");
        forward.curves.push_back({title, spreads[i].forward, "linespoints lw 2 pt 7 ps 0.6"});
        backward.curves.push_back({title, spreads[i].backward, "linespoints lw 2 pt 7 ps 0.6"});
        std::cout << std::left << std::setw(16) << title << std::scientific << std::setprecision(2) << "output std at layer 1 "
                  << spreads[i].forward.front() << ", at layer " << s.depth << " " << spreads[i].forward.back()
                  << "; gradient std at layer 1 " << spreads[i].backward.front() << ", at layer " << s.depth << " "
                  << spreads[i].backward.back() << std::defaultfloat << "\n";
    }
    bp::save_figure(forward, s.folder);
    bp::save_figure(backward, s.folder);
    std::cout << "wrote spread_forward and spread_backward (.png, .svg, .dat) in " << s.folder << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch06-experiment-spread: " << e.what() << "\n";
    return 1;
}
