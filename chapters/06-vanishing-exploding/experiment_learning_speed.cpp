// Chapter 6 experiment: how fast each hidden layer learns, ||db|| of every layer at every step
// of training on Fashion-MNIST, for sigmoid with Xavier and for ReLU with He. Run it with
// ./course experiment 6, or on its own with options:
//
//   ch06-experiment-learning-speed [FOLDER] [--depth L] [--width N] [--lr LR] [--batch M]
//                                  [--steps T] [--examples E] [--seed S]
#include "bp/gradient_flow.hpp"
#include "bp/plot.hpp"

#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>

namespace {

struct Settings {
    std::string folder = ".";
    int depth = 6;
    bp::Index width = 30, batch = 32, examples = 10000;
    long steps = 500;
    double lr = 0.1;
    std::uint64_t seed = 1;
};

Settings parse(int argc, char** argv);

// A moving average over `window` steps, so that the trend shows through the batches' noise.
std::vector<double> smoothed(const std::vector<double>& v, std::size_t window) {
    std::vector<double> out(v.size());
    double sum = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        sum += v[i] - (i >= window ? v[i - window] : 0.0);
        out[i] = sum / static_cast<double>(std::min(i + 1, window));
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
    bp::Dataset train = bp::load_fashion_mnist("train");
    train.x = train.x.leftCols(s.examples).eval();
    train.labels.resize(static_cast<std::size_t>(s.examples));
    bp::standardize(train);

    for (const bp::Activation f : {bp::Activation::sigmoid, bp::Activation::relu}) {
        //! [experiment]
        bp::DeepNet spec;
        spec.inputs = 784, spec.width = s.width, spec.depth = s.depth, spec.activation = f;  // Xavier or He, as suits f
        bp::Rng rng(s.seed);
        bp::Sequential net = bp::deep_network(spec, rng);
        const bp::LearningSpeed speed = bp::learning_speed(net, train, s.lr, s.batch, s.steps, rng);  // plain SGD
        //! [experiment]
        const std::string name = f == bp::Activation::sigmoid ? "sigmoid" : "relu";
        bp::Figure figure{"learning_speed_" + name, "Speed of learning of each hidden layer: " + spec.label() + ", SGD lr " +
                                                        std::to_string(s.lr).substr(0, 5),
                          "step", "||db^{[l]}|| (moving average of 20 steps)", {}, {},
                          {"set logscale y", "set format y '10^{%L}'", "set key outside right", "set yrange [1e-5:10]"}};
        for (long t = 0; t < s.steps; ++t) figure.x.push_back(static_cast<double>(t));
        std::cout << spec.label() << ": mean ||db|| over the run, layer by layer:";
        for (std::size_t l = 0; l < speed.names.size(); ++l) {
            std::vector<double> norms;
            for (const auto& step : speed.by_step) norms.push_back(step[l]);
            figure.curves.push_back({"hidden layer " + std::to_string(l + 1), smoothed(norms, 20)});
            double mean = 0;
            for (double v : norms) mean += v / static_cast<double>(norms.size());
            std::cout << " " << std::scientific << std::setprecision(2) << mean << std::defaultfloat;
        }
        std::cout << "; training accuracy " << 100 * bp::evaluate(net, train).accuracy << " %\n";
        bp::save_figure(figure, s.folder);
    }
    std::cout << "wrote learning_speed_sigmoid and learning_speed_relu (.png, .svg, .dat) in " << s.folder << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch06-experiment-learning-speed: " << e.what() << "\n";
    return 1;
}

namespace {

const char* const usage =
    "usage: ch06-experiment-learning-speed [FOLDER] [options]\n"
    "  ||db|| of every hidden layer at every step of training on Fashion-MNIST, sigmoid (Xavier) and\n"
    "  ReLU (He); writes FOLDER/learning_speed_sigmoid and FOLDER/learning_speed_relu (.png, .svg, .dat)\n"
    "  --depth L         layers with weights, 2 to 50 (default 6: 5 hidden layers)\n"
    "  --width N         units per hidden layer, 1 to 1024 (default 30)\n"
    "  --lr LR           SGD's learning rate, above 0 and up to 10 (default 0.1)\n"
    "  --batch M         examples per step, 1 to 10000 (default 32)\n"
    "  --steps T         steps of training, 1 to 100000 (default 500)\n"
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
        if (a == "--depth") s.depth = static_cast<int>(number(2, 50));
        else if (a == "--width") s.width = static_cast<bp::Index>(number(1, 1024));
        else if (a == "--lr") s.lr = number(1e-12, 10);
        else if (a == "--batch") s.batch = static_cast<bp::Index>(number(1, 10000));
        else if (a == "--steps") s.steps = static_cast<long>(number(1, 100000));
        else if (a == "--examples") s.examples = static_cast<bp::Index>(number(1, 60000));
        else if (a == "--seed") s.seed = static_cast<std::uint64_t>(number(0, 1e15));
        else throw std::invalid_argument("unknown option " + a + "\n" + usage);
    }
    return s;
}

}  // namespace
