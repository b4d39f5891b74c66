// Chapter 6 experiment: how fast each hidden layer learns, ||db|| of every layer at every step
// of training on Fashion-MNIST, for sigmoid with Xavier and for ReLU with He. Run it with
// ./course experiment 6, or on its own with options:
//
//   ch06-experiment-learning-speed [FOLDER] [--depth L] [--width N] [--lr LR] [--batch M]
//                                  [--steps T] [--examples E] [--seed S]
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
    int depth = 6;
    bp::Index width = 30, batch = 32, examples = 10000;
    long steps = 500;
    double lr = 0.1;
    std::uint64_t seed = 1;
};

// The command line, read with bp::Options: --help lists the options; a bad value is refused by
// name.
Settings parse(int argc, char** argv) {
    Settings s;
    bp::Options options("ch06-experiment-learning-speed",
                        "||db|| of every hidden layer at every step of training on Fashion-MNIST, sigmoid (Xavier) and ReLU (He); "
                        "writes FOLDER/learning_speed_sigmoid and FOLDER/learning_speed_relu (.png, .svg, .dat).");
    options.positional("folder", s.folder, "where the figures go")
        .integer("depth", s.depth, 2, 50, "layers with weights, the output layer included")
        .integer("width", s.width, bp::Index{1}, bp::Index{1024}, "units per hidden layer")
        .real("lr", s.lr, 0, 10, "SGD's learning rate", bp::Options::above_min)
        .integer("batch", s.batch, bp::Index{1}, bp::Index{10000}, "examples per step")
        .integer("steps", s.steps, 1L, 100000L, "steps of training")
        .integer("examples", s.examples, bp::Index{1}, bp::Index{60000}, "training images used")
        .integer("seed", s.seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(), "the weights and the order of the batches");
    options.parse_or_exit(argc, argv);
    // Fashion-MNIST (half a GB), then about 3 values per layer, unit and example of a batch (measured).
    options.limit_memory(5e8 + 3 * 8.0 * (784.0 + double(s.depth) * double(s.width)) * double(std::min(s.batch, s.examples)),
                         {{"depth", s.depth}, {"width", s.width}, {"batch", s.batch}});
    return s;
}

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
    bp::require_figure_folder(s.folder, "folder");  // before the work, not after it
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
        bp::Figure figure{"learning_speed_" + name,
                          "Speed of learning of each hidden layer: " + spec.label() + ", SGD lr " + bp::number_text(s.lr),
                          "step",
                          "||db^{[l]}|| (moving average of 20 steps)",
                          {},
                          {},
                          {"set logscale y", "set format y '10^{%L}'", "set key outside right", "set yrange [1e-5:10]"}};
        for (long t = 0; t < s.steps; ++t) figure.x.push_back(static_cast<double>(t));
        std::cout << spec.label() << ": mean ||db|| over the run, layer by layer:";
        for (std::size_t l = 0; l < speed.names.size(); ++l) {
            std::vector<double> norms;
            norms.reserve(speed.by_step.size());
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
