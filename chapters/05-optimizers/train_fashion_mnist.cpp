// Chapter 5: train a 784-256-128-10 MLP (ReLU, softmax cross-entropy, Adam with a cosine
// schedule) on Fashion-MNIST and report its test accuracy. Run it with ./course train.
//
//   ch05-train [--epochs N] [--batch B] [--lr LR] [--seed S] [--model FILE]
//
// The model is saved to FILE after every epoch (default fashion_mnist_mlp.bin in the current
// folder; ./course train passes build/models/fashion_mnist_mlp.bin).
#include "bp/train.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>
#include <iostream>
#include <string>

namespace {

struct Options {
    int epochs = 10;
    bp::Index batch = 128;
    double lr = 1e-3;
    std::uint64_t seed = 1;
    std::string model = "fashion_mnist_mlp.bin";
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) throw std::invalid_argument("option " + a + " needs a value");
        const std::string v = argv[++i];
        if (a == "--epochs") o.epochs = std::stoi(v);
        else if (a == "--batch") o.batch = std::stol(v);
        else if (a == "--lr") o.lr = std::stod(v);
        else if (a == "--seed") o.seed = std::stoull(v);
        else if (a == "--model") o.model = v;
        else throw std::invalid_argument("unknown option " + a + " (options: --epochs --batch --lr --seed --model)");
    }
    if (o.epochs < 1 || o.batch < 1 || !(o.lr > 0)) throw std::invalid_argument("epochs, batch and lr must be positive");
    return o;
}

}  // namespace

int main(int argc, char** argv) try {
    const Options o = parse(argc, argv);
    //! [train]
    bp::Dataset train = bp::load_fashion_mnist("train"), test = bp::load_fashion_mnist("test");
    // Standardize the pixels with the training set's mean and deviation: inputs of mean 0
    // and variance 1 suit He initialisation.
    bp::standardize(train, {&test});

    bp::Rng rng(o.seed);
    bp::Mlp net({784, 256, 128, 10}, bp::Activation::relu, bp::Activation::softmax, rng);
    bp::Adam adam(o.lr);
    const long steps_per_epoch = (train.size() + o.batch - 1) / o.batch, total = steps_per_epoch * o.epochs;
    bp::EpochOptions options;
    options.batch = o.batch;
    options.schedule = [&](long step) { adam.lr = bp::cosine_schedule(o.lr, step, total); };

    const bp::FlushDenormals flush;
    long step = 0;
    for (int epoch = 1; epoch <= o.epochs; ++epoch) {
        bp::ProgressBar bar("epoch " + std::to_string(epoch) + "/" + std::to_string(o.epochs), steps_per_epoch, std::cout);
        const double train_loss = bp::train_epoch(net, adam, train, options, rng, step, &bar);
        const bp::Metrics m = bp::evaluate(net, test);
        bp::save_model(net, o.model);  // a finished epoch is never lost
        std::ostringstream summary;
        summary << std::fixed << std::setprecision(4) << "train loss " << train_loss << "  test loss " << m.loss
                << std::setprecision(2) << "  test accuracy " << 100 * m.accuracy << " %";
        bar.finish(summary.str());
    }
    //! [train]
    const bp::Metrics final_metrics = bp::evaluate(net, test);
    std::cout << "test accuracy after " << o.epochs << " epochs: " << 100 * final_metrics.accuracy << " %  (model saved to "
              << o.model << ")\n";
} catch (const std::exception& e) {
    std::cerr << "ch05-train: " << e.what() << "\n";
    return 1;
}
