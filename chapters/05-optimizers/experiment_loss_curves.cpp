// Chapter 5 experiment: the training loss of each optimizer on Fashion-MNIST, from the same
// initial weights and the same order of batches. Run it with ./course experiment 5 (--help:
// its options).
#include "bp/layers/mlp.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"
#include "bp/train/train.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>

int main(int argc, char** argv) try {
    std::string folder = ".", activation = "relu";
    std::uint64_t seed = 5;
    bp::Index m = 20000, batch = 128, width1 = 256, width2 = 128;
    bp::Options options("ch05-experiment-loss-curves",
                        "Chapter 5: the training loss of SGD, momentum, Nesterov, RMSProp, Adam and AdamW on Fashion-MNIST, "
                        "one pass over the first --examples images, from the same start and the same batches.");
    options.positional("FOLDER", folder, "where the figure (.png, .svg) and its data (.dat) go");
    options.integer<std::uint64_t>("seed", seed, 0, UINT64_MAX, "the random seed (initial weights, batch order)");
    options.integer<bp::Index>("examples", m, 1, 60000, "how many training images (one pass over them)");
    options.integer<bp::Index>("batch", batch, 1, 60000, "the batch size");
    options.integer<bp::Index>("width1", width1, 1, 4096, "the first hidden layer's width");
    options.integer<bp::Index>("width2", width2, 1, 4096, "the second hidden layer's width");
    options.text("activation", activation, "the hidden layers' activation", bp::hidden_activation_names());
    options.parse_or_exit(argc, argv);
    {  // the training images, then about 4 values per unit and example of a batch, and Adam's 5 per weight
        const double units = 784.0 + double(width1 + width2) + 10,
                     weights = 784.0 * double(width1) + double(width1 * width2) + double(width2) * 10;
        options.limit_memory(8.0 * (784.0 * 60000 + 4 * units * double(std::min(batch, m)) + 5 * weights),
                             {{"width1", width1}, {"width2", width2}, {"batch", batch}});
    }
    bp::require_figure_folder(folder, "FOLDER");  // before the work, not after it

    //! [experiment]
    bp::Dataset train = bp::load_fashion_mnist("train");  // m = 20000 by default: 157 steps of 128
    train.x = train.x.leftCols(m).eval();
    train.labels.resize(m);
    bp::standardize(train);

    std::vector<std::pair<std::string, std::unique_ptr<bp::Optimizer>>> runs;
    runs.emplace_back("SGD, lr 0.05", std::make_unique<bp::Sgd>(0.05));
    runs.emplace_back("momentum, lr 0.01", std::make_unique<bp::Momentum>(0.01));
    runs.emplace_back("Nesterov, lr 0.01", std::make_unique<bp::Nesterov>(0.01));
    runs.emplace_back("RMSProp, lr 0.0005", std::make_unique<bp::RmsProp>(0.0005));
    runs.emplace_back("Adam, lr 0.001", std::make_unique<bp::Adam>(0.001));
    runs.emplace_back("AdamW, lr 0.001", std::make_unique<bp::AdamW>(0.001, 0.01));

    const bp::FlushDenormals flush;
    std::vector<bp::Curve> curves;
    std::vector<double> steps;
    for (auto& [name, optimizer] : runs) {
        bp::Rng rng(seed);  // the same initial weights and batch order for every optimizer
        bp::Mlp net({784, width1, width2, 10}, bp::activation_named(activation), bp::Activation::identity, rng);
        bp::Curve curve{name, {}};
        double smoothed = 0;  // an exponential moving average of the batch losses
        bp::EpochOptions epoch;
        epoch.batch = batch;
        epoch.after_step = [&](long step, double loss) {
            smoothed = step == 0 ? loss : 0.8 * smoothed + 0.2 * loss;
            curve.y.push_back(smoothed);
        };
        long step = 0;
        bp::train_epoch(net, bp::softmax_cross_entropy(), *optimizer, train, epoch, rng, step);
        curves.push_back(curve);
    }
    for (std::size_t s = 1; s <= curves.front().y.size(); ++s) steps.push_back(static_cast<double>(s));
    //! [experiment]

    const std::string shape = "784-" + std::to_string(width1) + "-" + std::to_string(width2) + "-10, batch " + std::to_string(batch);
    bp::save_figure({"loss_curves",
                     "Training loss on Fashion-MNIST (" + shape + "), same start",
                     "step",
                     "training loss (moving average)",
                     steps,
                     curves,
                     {"set yrange [0.2:2.4]", "set key top right"}},
                    folder);
    std::cout << "wrote loss_curves (.png, .svg, .dat)\n";
} catch (const std::exception& e) {
    std::cerr << "ch05-experiment-loss-curves: " << e.what() << "\n";
    return 1;
}
