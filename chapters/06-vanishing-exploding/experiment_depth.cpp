// Chapter 6 experiment: test accuracy on Fashion-MNIST after a fixed budget of training steps,
// against the depth of the network, for sigmoid (Xavier), ReLU (He) and ReLU with skip
// connections. Run it with ./course experiment 6, or on its own with options:
//
//   ch06-experiment-depth [FOLDER] [--width N] [--lr LR] [--batch M] [--steps T]
//                         [--examples E] [--seed S]
#include "bp/gradient_flow.hpp"
#include "bp/plot.hpp"

#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>

namespace {

struct Settings {
    std::string folder = ".";
    bp::Index width = 32, batch = 64, examples = 10000;
    long steps = 400;
    double lr = 1e-3;
    std::uint64_t seed = 1;
};

Settings parse(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
    bp::Dataset train = bp::load_fashion_mnist("train"), test = bp::load_fashion_mnist("test");
    train.x = train.x.leftCols(s.examples).eval();
    train.labels.resize(static_cast<std::size_t>(s.examples));
    test.x = test.x.leftCols(2000).eval();  // 2000 test images: enough to tell 10 % from 80 %
    test.labels.resize(2000);
    bp::standardize(train, {&test});

    const std::vector<int> depths = {2, 3, 4, 6, 8, 10, 12, 15, 20};
    bp::Figure figure{"depth_accuracy", "Test accuracy after " + std::to_string(s.steps) + " steps of Adam (batch " +
                                            std::to_string(s.batch) + "), hidden layers of " + std::to_string(s.width),
                      "layers with weights", "test accuracy", {}, {}, {"set yrange [0:1]", "set key bottom left"}};
    for (int depth : depths) figure.x.push_back(depth);
    std::cout << "depth:    ";
    for (int depth : depths) std::cout << std::setw(6) << depth;
    std::cout << "\n";
    for (int kind = 0; kind < 3; ++kind) {
        bp::Curve curve{"", {}, "linespoints lw 2 pt 7 ps 0.8"};
        for (int depth : depths) {
            //! [experiment]
            bp::DeepNet spec;
            spec.inputs = 784, spec.width = s.width, spec.depth = depth;
            spec.activation = kind == 0 ? bp::Activation::sigmoid : bp::Activation::relu;  // Xavier, He
            spec.residual = kind == 2;
            spec.branch_gain = 1 / std::sqrt(static_cast<double>(depth));
            bp::Rng rng(s.seed);
            bp::Sequential net = bp::deep_network(spec, rng);
            curve.y.push_back(bp::accuracy_after(net, train, test, s.lr, s.batch, s.steps, rng));
            //! [experiment]
            curve.title = kind == 2 ? "ReLU, He, residual (branches x 1/sqrt(depth))" : spec.label();
        }
        std::cout << std::left << std::setw(10) << (kind == 0 ? "sigmoid" : kind == 1 ? "relu" : "residual") << std::right;
        for (double a : curve.y) std::cout << std::setw(6) << std::fixed << std::setprecision(2) << a;
        std::cout << std::defaultfloat << "\n";
        figure.curves.push_back(curve);
    }
    bp::save_figure(figure, s.folder);
    std::cout << "wrote depth_accuracy (.png, .svg, .dat) in " << s.folder << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch06-experiment-depth: " << e.what() << "\n";
    return 1;
}

namespace {

const char* const usage =
    "usage: ch06-experiment-depth [FOLDER] [options]\n"
    "  test accuracy on Fashion-MNIST after a fixed budget, against depth, for sigmoid, ReLU and ReLU\n"
    "  with skip connections; writes FOLDER/depth_accuracy (.png, .svg, .dat)\n"
    "  --width N         units per hidden layer, 1 to 1024 (default 32)\n"
    "  --lr LR           Adam's learning rate, above 0 and up to 1 (default 0.001)\n"
    "  --batch M         examples per step, 1 to 10000 (default 64)\n"
    "  --steps T         steps of training for each network, 1 to 100000 (default 400)\n"
    "  --examples E      training examples used, 1 to 60000 (default 10000)\n"
    "  --seed S          the weights and the order of the batches (default 1)\n";

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
        const auto value = [&](double lo, double hi) {
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
        if (a == "--width") s.width = static_cast<bp::Index>(value(1, 1024));
        else if (a == "--lr") s.lr = value(1e-12, 1);
        else if (a == "--batch") s.batch = static_cast<bp::Index>(value(1, 10000));
        else if (a == "--steps") s.steps = static_cast<long>(value(1, 100000));
        else if (a == "--examples") s.examples = static_cast<bp::Index>(value(1, 60000));
        else if (a == "--seed") s.seed = static_cast<std::uint64_t>(value(0, 1e15));
        else throw std::invalid_argument("unknown option " + a + "\n" + usage);
    }
    return s;
}

}  // namespace
