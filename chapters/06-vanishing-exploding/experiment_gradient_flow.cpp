// Chapter 6, the key figure: ||dW|| of every layer of a deep network at initialisation, for
// sigmoid and tanh with Xavier, ReLU with He, ReLU with He and skip connections, and sigmoid
// with batch normalization. Run it with ./course experiment 6, or on its own with options:
//
//   ch06-experiment-gradient-flow [FOLDER] [--depth L] [--width N] [--batch M] [--seed S]
//                                 [--gain G] [--branch-gain B] [--activation F --init I]
#include "bp/gradient_flow.hpp"
#include "bp/plot.hpp"

#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>

namespace {

struct Settings {
    std::string folder = ".";
    int depth = 15;
    bp::Index width = 64, batch = 128;
    std::uint64_t seed = 1;
    double gain = 1, branch_gain = 0;  // 0: 1/sqrt(depth)
    std::string activation, init;      // an extra curve, if given
};

Settings parse(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
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
                         : s.activation == "tanh"    ? bp::Activation::tanh
                         : s.activation == "relu"    ? bp::Activation::relu
                                                     : bp::Activation::leaky_relu;
        extra.init = s.init == "xavier" ? bp::Init::xavier() : s.init == "he" ? bp::Init::he() : bp::Init::lecun();
        nets.push_back(extra);
    }

    bp::Figure figure{"gradient_flow", "||dW|| of each layer at initialisation, " + std::to_string(s.depth) + " layers of " +
                                           std::to_string(s.width) + ", batch of " + std::to_string(s.batch),
                      "layer l", "||dW^{[l]}||", {}, {}, {"set logscale y", "set format y '10^{%L}'", "set key bottom right",
                                                         "set xtics 1"}};
    for (int l = 1; l <= s.depth; ++l) figure.x.push_back(l);
    std::cout << std::left << std::setw(42) << "network" << "||dW|| of layer 1 / of layer " << s.depth << "\n";
    for (bp::DeepNet& net : nets) {
        net.init = net.init.scaled(net.init.gain * s.gain);
        bp::Rng weights(s.seed + 1);  // the same draws for every network
        bp::Sequential model = bp::deep_network(net, weights);
        //! [measure]
        const bp::NamedValues norms = bp::weight_gradient_norms(model, x, y);
        //! [measure]
        figure.curves.push_back({net.label(), norms.values, "linespoints lw 2 pt 7 ps 0.6"});
        std::cout << std::left << std::setw(42) << net.label() << std::scientific << std::setprecision(2)
                  << norms.values.front() / norms.values.back() << std::defaultfloat << "\n";
    }
    bp::save_figure(figure, s.folder);
    std::cout << "wrote gradient_flow (.png, .svg, .dat) in " << s.folder << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch06-experiment-gradient-flow: " << e.what() << "\n";
    return 1;
}

namespace {

const char* const usage =
    "usage: ch06-experiment-gradient-flow [FOLDER] [options]\n"
    "  ||dW|| of every layer of a deep network at initialisation; writes FOLDER/gradient_flow.{png,svg,dat}\n"
    "  --depth L         layers with weights, 2 to 200 (default 15)\n"
    "  --width N         units per hidden layer and inputs, 1 to 4096 (default 64)\n"
    "  --batch M         examples, 1 to 100000 (default 128)\n"
    "  --seed S          the inputs, labels and weights (default 1)\n"
    "  --gain G          every network's weights times G, 0 to 100 (default 1)\n"
    "  --branch-gain B   residual branches' weights times B too, 0 to 100 (default 0: 1/sqrt(depth))\n"
    "  --activation F    add a network of sigmoid, tanh, relu or leaky_relu ...\n"
    "  --init I          ... initialised with xavier, he or lecun (default xavier)\n";

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
        else if (a == "--gain") s.gain = number(0, 100);
        else if (a == "--branch-gain") s.branch_gain = number(0, 100);
        else if (a == "--activation") s.activation = v;
        else if (a == "--init") s.init = v;
        else throw std::invalid_argument("unknown option " + a + "\n" + usage);
    }
    if (!s.activation.empty() && s.activation != "sigmoid" && s.activation != "tanh" && s.activation != "relu" && s.activation != "leaky_relu")
        throw std::invalid_argument("--activation is sigmoid, tanh, relu or leaky_relu, not " + s.activation);
    if (s.init.empty()) s.init = "xavier";
    if (s.init != "xavier" && s.init != "he" && s.init != "lecun") throw std::invalid_argument("--init is xavier, he or lecun, not " + s.init);
    return s;
}

}  // namespace
