// Chapter 6 experiment: the standard deviation of every layer's output (forward) and of the
// gradient reaching it (backward) in a deep network at initialisation, with its weights
// drawn at 0.5, 1 and 2 times the right scale. Run it with ./course experiment 6, or on its
// own with options:
//
//   ch06-experiment-spread [FOLDER] [--depth L] [--width N] [--batch M] [--seed S]
//                          [--activation F] [--init I]
#include "bp/gradient_flow.hpp"
#include "bp/mlp.hpp"
#include "bp/plot.hpp"

#include <cstdlib>
#include <iomanip>
#include <iostream>

namespace {

struct Settings {
    std::string folder = ".";
    int depth = 20;
    bp::Index width = 256, batch = 256;
    std::uint64_t seed = 1;
    std::string activation = "relu", init = "he";
};

Settings parse(int argc, char** argv);

bp::Activation activation_named(const std::string& name) {
    return name == "sigmoid" ? bp::Activation::sigmoid : name == "tanh" ? bp::Activation::tanh
         : name == "relu"    ? bp::Activation::relu    : bp::Activation::leaky_relu;
}

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
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

    bp::Figure forward{"spread_forward", "Forward: the spread of each layer's output", "layer l", "std of a^{[l]}", {}, {},
                       {"set logscale y", "set format y '10^{%L}'", "set key top left"}};
    bp::Figure backward{"spread_backward", "Backward: the spread of the gradient reaching each layer's output", "layer l",
                        "std of da^{[l]}", {}, {}, {"set logscale y", "set format y '10^{%L}'", "set key top right"}};
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

namespace {

const char* const usage =
    "usage: ch06-experiment-spread [FOLDER] [options]\n"
    "  the spread of every layer's output and gradient at initialisation, for weights 0.5, 1 and 2 times\n"
    "  the scheme's scale; writes FOLDER/spread_forward and FOLDER/spread_backward (.png, .svg, .dat)\n"
    "  --depth L         layers, 2 to 200 (default 20)\n"
    "  --width N         units per layer, 1 to 4096 (default 256)\n"
    "  --batch M         examples, 1 to 100000 (default 256)\n"
    "  --seed S          the inputs, the gradient and the weights (default 1)\n"
    "  --activation F    sigmoid, tanh, relu or leaky_relu (default relu)\n"
    "  --init I          xavier, he or lecun (default he)\n";

// The command line (to read with bp::Options once it is in the library).
Settings parse(int argc, char** argv) {
    Settings s;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::cout << usage;
            std::exit(0);
        }
        if (a.rfind("--", 0) != 0) {
            s.folder = a;
            continue;
        }
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value\n" + usage);
        const std::string v = argv[++i];
        const auto number = [&](double lo, double hi) {
            std::size_t used = 0;
            double d = 0;
            try {
                d = std::stod(v, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != v.size() || !(d >= lo && d <= hi))
                throw std::invalid_argument(a + " must be a number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", not '" + v + "'");
            return d;
        };
        if (a == "--depth") s.depth = static_cast<int>(number(2, 200));
        else if (a == "--width") s.width = static_cast<bp::Index>(number(1, 4096));
        else if (a == "--batch") s.batch = static_cast<bp::Index>(number(1, 100000));
        else if (a == "--seed") s.seed = static_cast<std::uint64_t>(number(0, 1e15));
        else if (a == "--activation") s.activation = v;
        else if (a == "--init") s.init = v;
        else throw std::invalid_argument("unknown option " + a + "\n" + usage);
    }
    if (s.activation != "sigmoid" && s.activation != "tanh" && s.activation != "relu" && s.activation != "leaky_relu")
        throw std::invalid_argument("--activation is sigmoid, tanh, relu or leaky_relu, not " + s.activation);
    if (s.init != "xavier" && s.init != "he" && s.init != "lecun") throw std::invalid_argument("--init is xavier, he or lecun, not " + s.init);
    return s;
}

}  // namespace
