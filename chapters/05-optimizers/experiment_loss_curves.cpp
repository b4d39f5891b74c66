// Chapter 5 experiment: the training loss of each optimizer on Fashion-MNIST, from the same
// initial weights and the same order of batches. Run it with ./course experiment 5.
#include "bp/plot.hpp"
#include "bp/mlp.hpp"
#include "bp/train.hpp"

#include <cmath>
#include <iostream>
#include <memory>

int main(int argc, char** argv) try {
    //! [experiment]
    bp::Dataset train = bp::load_fashion_mnist("train");
    const bp::Index m = 20000;  // one pass over a third of the training set: 157 steps
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
        bp::Rng rng(5);  // the same initial weights and batch order for every optimizer
        bp::Mlp net({784, 256, 128, 10}, bp::Activation::relu, bp::Activation::identity, rng);
        bp::Curve curve{name, {}};
        double smoothed = 0;  // an exponential moving average of the batch losses
        bp::EpochOptions options;
        options.after_step = [&](long step, double loss) {
            smoothed = step == 0 ? loss : 0.8 * smoothed + 0.2 * loss;
            curve.y.push_back(smoothed);
        };
        long step = 0;
        bp::train_epoch(net, bp::softmax_cross_entropy(), *optimizer, train, options, rng, step);
        curves.push_back(curve);
    }
    for (std::size_t s = 1; s <= curves.front().y.size(); ++s) steps.push_back(static_cast<double>(s));
    //! [experiment]

    bp::save_figure({"loss_curves", "Training loss on Fashion-MNIST (784-256-128-10, batch 128), same start", "step",
                     "training loss (moving average)", steps, curves, {"set yrange [0.2:2.4]", "set key top right"}},
                    bp::output_dir(argc, argv));
    std::cout << "wrote loss_curves (.png, .svg, .dat)\n";
} catch (const std::exception& e) {
    std::cerr << "ch05-experiment-loss-curves: " << e.what() << "\n";
    return 1;
}
