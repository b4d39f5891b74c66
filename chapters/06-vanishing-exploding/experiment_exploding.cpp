// Chapter 6 experiment: a deep ReLU network whose weights start a little too large, trained
// with SGD on Fashion-MNIST without clipping, with clipping by norm and with clipping by value:
// the loss and the global gradient norm at every step, and the first step that is not finite.
// Run it with ./course experiment 6, or on its own with options:
//
//   ch06-experiment-exploding [FOLDER] [--depth L] [--width N] [--gain G] [--lr LR]
//                             [--clip-norm C] [--clip-value V] [--batch M] [--steps T] [--seed S]
#include "bp/gradient_flow.hpp"
#include "bp/plot.hpp"

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace {

struct Settings {
    std::string folder = ".";
    int depth = 10;
    bp::Index width = 64, batch = 64, examples = 10000;
    double gain = 1.3, lr = 0.05, clip_norm = 1, clip_value = 0.01;
    long steps = 200;
    std::uint64_t seed = 1;
};

Settings parse(int argc, char** argv);

std::string number(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
}

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
    bp::Dataset train = bp::load_fashion_mnist("train");
    train.x = train.x.leftCols(s.examples).eval();
    train.labels.resize(static_cast<std::size_t>(s.examples));
    bp::standardize(train);

    //! [experiment]
    bp::DeepNet spec;
    spec.inputs = 784, spec.width = s.width, spec.depth = s.depth, spec.activation = bp::Activation::relu;
    spec.init = bp::Init::he().scaled(s.gain);  // a little too large, at every layer
    bp::Rng rng(s.seed);
    const bp::Sequential net = bp::deep_network(spec, rng);

    bp::EpochOptions none, by_norm, by_value;
    none.batch = by_norm.batch = by_value.batch = s.batch;
    by_norm.clip_norm = s.clip_norm;
    by_value.clip_value = s.clip_value;
    std::vector<bp::ClippingRun> runs;
    for (const bp::EpochOptions* options : {&none, &by_norm, &by_value}) {
        bp::Rng order(s.seed + 1);  // the same batches for all three
        runs.push_back(bp::clipping_run(net, train, s.lr, *options, s.steps, order));
    }
    //! [experiment]

    const std::string titles[] = {"no clipping", "clipped by norm to " + number(s.clip_norm),
                                  "clipped by value to " + number(s.clip_value)};
    bp::Figure loss{"exploding_loss", "Training loss: " + spec.label() + ", " + std::to_string(s.depth) + " layers, SGD lr " + number(s.lr),
                    "step", "training loss (batch)", {}, {}, {"set logscale y", "set format y '10^{%L}'", "set yrange [0.1:1e6]", "set key top right"}};
    bp::Figure norm{"exploding_norm", "Global gradient norm before clipping, same runs", "step", "||g||", {}, {},
                    {"set logscale y", "set format y '10^{%L}'", "set yrange [1:1e8]", "set key top right"}};
    for (long t = 0; t < s.steps; ++t) loss.x.push_back(static_cast<double>(t)), norm.x.push_back(static_cast<double>(t));
    for (std::size_t r = 0; r < runs.size(); ++r) {
        loss.curves.push_back({titles[r], runs[r].loss});
        norm.curves.push_back({titles[r], runs[r].global_norm});
        if (runs[r].diverged_at < 0) {
            std::cout << titles[r] << ": trained " << s.steps << " steps, last loss " << runs[r].loss.back() << "\n";
            continue;
        }
        // The first step that was not finite: a dashed line, labelled.
        const std::string at = std::to_string(runs[r].diverged_at);
        for (bp::Figure* f : {&loss, &norm}) {
            f->settings.push_back("set arrow from " + at + ", graph 0 to " + at + ", graph 1 nohead dt 2 lw 2 lc rgb 'red'");
            f->settings.push_back("set label '" + titles[r] + ": not finite at step " + at + "' at " + at +
                                  ", graph 0.6 offset 1, 0 tc rgb 'red'");
        }
        std::cout << titles[r] << ": " << runs[r].divergence << "\n";
    }
    bp::save_figure(loss, s.folder);
    bp::save_figure(norm, s.folder);
    std::cout << "wrote exploding_loss and exploding_norm (.png, .svg, .dat) in " << s.folder << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch06-experiment-exploding: " << e.what() << "\n";
    return 1;
}

namespace {

const char* const usage =
    "usage: ch06-experiment-exploding [FOLDER] [options]\n"
    "  a deep ReLU network trained with SGD on Fashion-MNIST without clipping, clipped by norm and clipped\n"
    "  by value; writes FOLDER/exploding_loss and FOLDER/exploding_norm (.png, .svg, .dat)\n"
    "  --depth L         layers with weights, 2 to 50 (default 10)\n"
    "  --width N         units per hidden layer, 1 to 1024 (default 64)\n"
    "  --gain G          He's weights times G, 0 to 10 (default 1.3)\n"
    "  --lr LR           SGD's learning rate, above 0 and up to 10 (default 0.05)\n"
    "  --clip-norm C     the global norm to clip to, above 0 (default 1)\n"
    "  --clip-value V    the value to clip each element to, above 0 (default 0.01)\n"
    "  --batch M         examples per step, 1 to 10000 (default 64)\n"
    "  --steps T         steps of training, 1 to 100000 (default 200)\n"
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
        if (a == "--depth") s.depth = static_cast<int>(value(2, 50));
        else if (a == "--width") s.width = static_cast<bp::Index>(value(1, 1024));
        else if (a == "--gain") s.gain = value(0, 10);
        else if (a == "--lr") s.lr = value(1e-12, 10);
        else if (a == "--clip-norm") s.clip_norm = value(1e-12, 1e12);
        else if (a == "--clip-value") s.clip_value = value(1e-12, 1e12);
        else if (a == "--batch") s.batch = static_cast<bp::Index>(value(1, 10000));
        else if (a == "--steps") s.steps = static_cast<long>(value(1, 100000));
        else if (a == "--seed") s.seed = static_cast<std::uint64_t>(value(0, 1e15));
        else throw std::invalid_argument("unknown option " + a + "\n" + usage);
    }
    return s;
}

}  // namespace
