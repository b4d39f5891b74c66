// Chapter 5: train a 784-256-128-10 MLP (ReLU, softmax cross-entropy, Adam with a cosine
// schedule) on Fashion-MNIST and report its test accuracy. Run it with ./course train.
//
//   ch05-train [--epochs N] [--batch B] [--lr LR] [--seed S] [--model FILE]
//              [--engine fast|course] [--precision float32|float64] [--threads T]
//              [--batch-norm] [--residual-blocks K] [--monitor N]
//
// --engine fast (the default) trains with bp::FastMlp, in float32 unless --precision says
// float64; --engine course trains with the chapters' own code (Sequential, Adam, train_epoch),
// in double. Both start from the same weights and see the same batches. Chapter 6's tools
// need the course engine, which they select (FastMlp only trains plain ReLU MLPs):
// --batch-norm puts a BatchNorm between each hidden layer's linear step and its ReLU, and
// --residual-blocks K adds K skip connections of width 128 before the output layer.
// --monitor N records the gradients every N steps with bp::GradientMonitor and prints the
// last record after each epoch. The model is saved to FILE after every epoch (default
// fashion_mnist_mlp.bin in the current folder; ./course train passes
// build/models/fashion_mnist_mlp.bin), and the accuracy shown is the saved model's. If
// training diverges (a loss, gradient or weight that is not finite), it stops with exit code
// 3, naming the step and the parameter (as the gradient monitor, which watches the course
// engine's steps, names them), and the last saved model is left as it was.
#include "bp/activation_layer.hpp"
#include "bp/batch_norm.hpp"
#include "bp/fast_mlp.hpp"
#include "bp/gradient_monitor.hpp"
#include "bp/mlp.hpp"
#include "bp/model_file.hpp"
#include "bp/residual.hpp"

#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <type_traits>

namespace {

struct Options {
    int epochs = 10;
    bp::Index batch = 128;
    double lr = 1e-3;
    std::uint64_t seed = 1;
    std::string model = "fashion_mnist_mlp.bin";
    std::string engine;     // fast, unless chapter 6's layers need the course's
    std::string precision;  // float32 for the fast engine, float64 (its only one) for the course's
    int threads = 1;
    bool batch_norm = false;
    int residual_blocks = 0;
    long monitor = 0;  // record the gradients every N steps; 0: only watch for divergence
};

const char* const usage =
    "usage: ch05-train [--epochs N] [--batch B] [--lr LR] [--seed S] [--model FILE]\n"
    "                  [--engine fast|course] [--precision float32|float64] [--threads T]\n"
    "                  [--batch-norm] [--residual-blocks K] [--monitor N]\n"
    "  --engine fast (default): bp::FastMlp, float32 unless --precision float64\n"
    "  --engine course: the chapters' own layers and Adam, in float64\n"
    "  --batch-norm: batch normalization before each hidden ReLU (chapter 6; the course engine)\n"
    "  --residual-blocks K: K skip connections of width 128 before the output (chapter 6; the course engine)\n"
    "  --monitor N: record the gradients every N steps and print the last record after each epoch\n";

// The number in `text`, all of it, or an error naming the option.
template <class T>
T number(const std::string& option, const std::string& text) {
    std::size_t used = 0;
    T value{};
    try {
        if constexpr (std::is_same_v<T, double>) value = std::stod(text, &used);
        else value = static_cast<T>(std::stoll(text, &used));
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size()) throw std::invalid_argument(option + " needs a number, not '" + text + "'");
    return value;
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::cout << usage;
            std::exit(0);
        }
        if (a == "--batch-norm") {  // a flag: no value
            o.batch_norm = true;
            continue;
        }
        if (i + 1 >= argc) throw std::invalid_argument("option " + a + " needs a value\n" + usage);
        const std::string v = argv[++i];
        if (a == "--epochs") o.epochs = number<int>(a, v);
        else if (a == "--batch") o.batch = number<bp::Index>(a, v);
        else if (a == "--lr") o.lr = number<double>(a, v);
        else if (a == "--seed") o.seed = number<std::uint64_t>(a, v);
        else if (a == "--model") o.model = v;
        else if (a == "--engine") o.engine = v;
        else if (a == "--precision") o.precision = v;
        else if (a == "--threads") o.threads = number<int>(a, v);
        else if (a == "--residual-blocks") o.residual_blocks = number<int>(a, v);
        else if (a == "--monitor") o.monitor = number<long>(a, v);
        else throw std::invalid_argument("unknown option " + a + "\n" + usage);
    }
    if (o.epochs < 1) throw std::invalid_argument("--epochs must be at least 1, not " + std::to_string(o.epochs));
    if (o.batch < 1) throw std::invalid_argument("--batch must be at least 1, not " + std::to_string(o.batch));
    if (!(o.lr > 0)) throw std::invalid_argument("--lr must be positive");
    if (o.threads < 1) throw std::invalid_argument("--threads must be at least 1, not " + std::to_string(o.threads));
    if (o.residual_blocks < 0 || o.residual_blocks > 100)
        throw std::invalid_argument("--residual-blocks must be from 0 to 100, not " + std::to_string(o.residual_blocks));
    if (o.monitor < 0) throw std::invalid_argument("--monitor must be 0 or more, not " + std::to_string(o.monitor));
    const bool chapter6_layers = o.batch_norm || o.residual_blocks > 0;
    if (o.engine.empty()) o.engine = chapter6_layers ? "course" : "fast";
    if (o.engine != "fast" && o.engine != "course") throw std::invalid_argument("--engine is fast or course, not " + o.engine);
    if (o.engine == "fast" && chapter6_layers)
        throw std::invalid_argument("--batch-norm and --residual-blocks need --engine course: FastMlp trains plain ReLU MLPs only");
    if (o.precision.empty()) o.precision = o.engine == "fast" ? "float32" : "float64";
    if (o.precision != "float32" && o.precision != "float64")
        throw std::invalid_argument("--precision is float32 or float64, not " + o.precision);
    if (o.engine == "course" && o.precision != "float64")
        throw std::invalid_argument("--engine course trains in float64 only: the chapters' code is written in double");
    return o;
}

// The chapters' own code, in double: the layers, Adam and train_epoch.
struct CourseEngine {
    bp::Sequential& net;
    bp::Adam adam;
    void set_lr(double lr) { adam.lr = lr; }
    double lr() const { return adam.lr; }
    double epoch(const bp::Dataset& data, const bp::EpochOptions& options, bp::Rng& rng, long& step, bp::ProgressBar* bar) {
        return bp::train_epoch(net, bp::softmax_cross_entropy(), adam, data, options, rng, step, bar);
    }
    bp::Metrics evaluate(const bp::Dataset& data) { return bp::evaluate(net, data); }
    const bp::Sequential& model() { return net; }
};

// bp::FastMlp in float or double; it calls none of the exercises.
template <class Scalar>
struct FastEngine {
    bp::FastMlp<Scalar> fast;
    bp::Sequential network;  // its weights, in double, to save
    void set_lr(double lr) { fast.lr = lr; }
    double lr() const { return fast.lr; }
    double epoch(const bp::Dataset& data, const bp::EpochOptions& options, bp::Rng& rng, long& step, bp::ProgressBar* bar) {
        return bp::train_epoch(fast, data, options, rng, step, bar);
    }
    bp::Metrics evaluate(const bp::Dataset& data) { return fast.evaluate(data); }
    const bp::Sequential& model() { return network = fast.to_network(); }
};

// How many epochs finished (and were saved), for the message if training diverges.
int epochs_saved = 0;

template <class Engine>
void run(Engine engine, bp::Sequential& net, const bp::Dataset& train, const bp::Dataset& test, bp::Rng& rng, const Options& o) {
    //! [train]
    const long steps_per_epoch = (train.size() + o.batch - 1) / o.batch, total = steps_per_epoch * o.epochs;
    bp::EpochOptions options;
    options.batch = o.batch;
    options.schedule = [&](long step) { engine.set_lr(bp::cosine_schedule(o.lr, step, total)); };
    // Chapter 6: the monitor watches every step for the first loss or gradient that is not
    // finite, and records the gradients every o.monitor steps (0: never).
    bp::GradientMonitor monitor(net, [&] { return engine.lr(); }, o.monitor);
    if (o.engine == "course" || o.monitor > 0) options.after_backward = monitor.hook();  // FastMlp copies its gradients for it

    const bp::FlushDenormals flush;  // denormal floats are slow, and too small to matter
    long step = 0;
    for (int epoch = 1; epoch <= o.epochs; ++epoch) {
        bp::ProgressBar bar("epoch " + std::to_string(epoch) + "/" + std::to_string(o.epochs), steps_per_epoch, std::cout);
        double train_loss = 0;
        try {
            train_loss = engine.epoch(train, options, rng, step, &bar);
        } catch (const bp::Diverged&) {  // how the gradients stood before it, if they were recorded
            if (!monitor.records().empty()) std::cerr << "\nThe gradient monitor:\n" << monitor.report();
            throw;
        }
        bp::save_model(engine.model(), o.model);  // a finished epoch is never lost
        epochs_saved = epoch;
        const bp::Metrics m = engine.evaluate(test);
        std::ostringstream summary;
        summary << std::fixed << std::setprecision(4) << "train loss " << train_loss << "  test loss " << m.loss
                << std::setprecision(2) << "  test accuracy " << 100 * m.accuracy << " %";
        bar.finish(summary.str());
        if (o.monitor > 0 && !monitor.records().empty()) std::cout << bp::format_record(monitor.records().back());
    }
    //! [train]
    std::cout << "test accuracy after " << o.epochs << " epochs: " << 100 * engine.evaluate(test).accuracy << " %  (model saved to "
              << o.model << ")\n";
}

// Chapter 5's network, 784-256-128-10 with ReLU, or with chapter 6's layers: a BatchNorm
// between each hidden layer's linear step and its ReLU, and skip connections of width 128.
bp::Sequential network(const Options& o, bp::Rng& rng) {
    if (!o.batch_norm && o.residual_blocks == 0) return bp::Mlp({784, 256, 128, 10}, bp::Activation::relu, bp::Activation::identity, rng);
    const auto hidden = [&](bp::Index n_in, bp::Index n) -> std::unique_ptr<bp::Layer> {
        if (!o.batch_norm) return std::make_unique<bp::Dense>(n_in, n, bp::Activation::relu, rng);
        auto layer = std::make_unique<bp::Sequential>();
        layer->add(bp::Dense(n_in, n, bp::Activation::identity, rng, bp::Init::he()));  // He: a ReLU follows
        layer->add(bp::BatchNorm(n));
        layer->add(bp::ActivationLayer(bp::Activation::relu));
        return layer;
    };
    bp::Sequential net;
    net.add(hidden(784, 256));
    net.add(hidden(256, 128));
    for (int k = 0; k < o.residual_blocks; ++k) net.add(std::unique_ptr<bp::Layer>(std::make_unique<bp::Residual>(hidden(128, 128))));
    net.add(bp::Dense(128, 10, bp::Activation::identity, rng));
    return net;
}

}  // namespace

int main(int argc, char** argv) try {
    const Options o = parse(argc, argv);
    //! [data]
    bp::Dataset train = bp::load_fashion_mnist("train"), test = bp::load_fashion_mnist("test");
    // Standardize the pixels with the training set's mean and deviation: inputs of mean 0
    // and variance 1 suit He initialisation.
    bp::standardize(train, {&test});

    bp::Rng rng(o.seed);
    bp::Sequential net = network(o, rng);  // 784-256-128-10, ReLU, ending at the logits
    //! [data]
    bp::set_product_threads(o.threads);
    std::cout << "training with " << (o.engine == "course" ? "the course's code" : "FastMlp") << " in " << o.precision
              << (o.engine == "course" ? "" : std::string(", products by ") + bp::fast_products_backend()) << ", "
              << o.threads << " thread" << (o.threads > 1 ? "s" : "") << (o.batch_norm ? ", with batch normalization" : "")
              << (o.residual_blocks ? ", with " + std::to_string(o.residual_blocks) + " residual block" + (o.residual_blocks > 1 ? "s" : "") : std::string())
              << "\n";
    if (o.engine == "course") run(CourseEngine{net, bp::Adam(o.lr)}, net, train, test, rng, o);
    else if (o.precision == "float32") run(FastEngine<float>{bp::FastMlp<float>(net, o.lr), {}}, net, train, test, rng, o);
    else run(FastEngine<double>{bp::FastMlp<double>(net, o.lr), {}}, net, train, test, rng, o);
} catch (const bp::Diverged& e) {
    std::cerr << "\nch05-train: " << e.what() << "\n"
              << (epochs_saved ? "The model saved after epoch " + std::to_string(epochs_saved) + " is left as it was.\n"
                               : std::string("No model was saved.\n"));
    return 3;
} catch (const std::exception& e) {
    std::cerr << "ch05-train: " << e.what() << "\n";
    return 1;
}
