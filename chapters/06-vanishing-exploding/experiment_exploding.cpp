// Chapter 6 experiment: a deep ReLU network whose weights start a little too large, trained
// with SGD on Fashion-MNIST without clipping, with clipping by norm and with clipping by value:
// the loss and the global gradient norm at every step, and the first step that is not finite.
// Run it with ./course experiment 6, or on its own with options:
//
//   ch06-experiment-exploding [FOLDER] [--depth L] [--width N] [--gain G] [--lr LR]
//                             [--clip-norm C] [--clip-value V] [--batch M] [--steps T] [--seed S]
#include "gradient_flow.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>

namespace {

struct Settings {
    std::string folder = ".";
    int depth = 10;
    bp::Index width = 64, batch = 64, examples = 10000;
    double gain = 1.3, lr = 0.05, clip_norm = 1, clip_value = 0.01;
    long steps = 200;
    std::uint64_t seed = 1;
};

// The command line, read with bp::Options: --help lists the options; a bad value is refused by
// name.
Settings parse(int argc, char** argv) {
    Settings s;
    bp::Options options("ch06-experiment-exploding",
                        "A deep ReLU network trained with SGD on Fashion-MNIST without clipping, clipped by norm and clipped by "
                        "value; writes FOLDER/exploding_loss and FOLDER/exploding_norm (.png, .svg, .dat).");
    options.positional("folder", s.folder, "where the figures go")
        .integer("depth", s.depth, 2, 50, "layers with weights, the output layer included")
        .integer("width", s.width, bp::Index{1}, bp::Index{1024}, "units per hidden layer")
        .real("gain", s.gain, 0, 10, "He's weights times this")
        .real("lr", s.lr, 0, 10, "SGD's learning rate", bp::Options::above_min)
        .real("clip-norm", s.clip_norm, 0, 1e12, "the global norm to clip to", bp::Options::above_min)
        .real("clip-value", s.clip_value, 0, 1e12, "the value to clip each element to", bp::Options::above_min)
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

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
    bp::require_figure_folder(s.folder, "folder");  // before the work, not after it
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

    const std::string titles[] = {"no clipping", "clipped by norm to " + bp::number_text(s.clip_norm),
                                  "clipped by value to " + bp::number_text(s.clip_value)};
    bp::Figure loss{"exploding_loss",
                    "Training loss: " + spec.label() + ", " + std::to_string(s.depth) + " layers, SGD lr " + bp::number_text(s.lr),
                    "step",
                    "training loss (batch)",
                    {},
                    {},
                    {"set logscale y", "set format y '10^{%L}'", "set yrange [0.1:1e6]", "set key top right"}};
    bp::Figure norm{"exploding_norm",
                    "Global gradient norm before clipping, same runs",
                    "step",
                    "||g||",
                    {},
                    {},
                    {"set logscale y", "set format y '10^{%L}'", "set key top right"}};
    double smallest_norm = 1, largest_of_all = 0;  // the norm figure's floor: 1, unless every norm is below it
    for (long t = 0; t < s.steps; ++t) loss.x.push_back(static_cast<double>(t)), norm.x.push_back(static_cast<double>(t));
    for (std::size_t r = 0; r < runs.size(); ++r) {
        loss.curves.push_back({titles[r], runs[r].loss});
        norm.curves.push_back({titles[r], runs[r].global_norm});
        // The largest finite loss, which may be far above the loss figure's range (the norm
        // figure's range takes in every norm): said on the figure and printed.
        std::size_t top = 0;
        double largest_norm = 0;
        for (std::size_t t = 0; t < runs[r].loss.size(); ++t) {
            if (std::isfinite(runs[r].loss[t]) && !(runs[r].loss[t] <= runs[r].loss[top])) top = t;
            if (std::isfinite(runs[r].global_norm[t])) largest_norm = std::max(largest_norm, runs[r].global_norm[t]);
            if (runs[r].global_norm[t] > 0) smallest_norm = std::min(smallest_norm, runs[r].global_norm[t]);
        }
        largest_of_all = std::max(largest_of_all, largest_norm);
        std::cout << titles[r] << ": largest loss " << runs[r].loss[top] << " at step " << top << ", largest gradient norm " << largest_norm
                  << " (at step 0: " << runs[r].global_norm.front() << ")\n";
        if (runs[r].loss[top] > 1e6)
            loss.settings.push_back("set label '" + titles[r] + ": loss " + bp::number_text(runs[r].loss[top]) + " at step " +
                                    std::to_string(top) + ", off the scale' at graph 0.05, graph " +
                                    bp::number_text(0.93 - 0.06 * static_cast<double>(r)) + " tc rgb 'red'");
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
    // A floor of 1 above every norm (--gain 0, say) would leave gnuplot no point to draw: it would fail.
    norm.settings.push_back("set yrange [" + (largest_of_all >= 1 ? std::string("1") : bp::number_text(smallest_norm)) + ":*]");
    bp::save_figure(loss, s.folder);
    bp::save_figure(norm, s.folder);
    std::cout << "wrote exploding_loss and exploding_norm (.png, .svg, .dat) in " << s.folder << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch06-experiment-exploding: " << e.what() << "\n";
    return 1;
}
