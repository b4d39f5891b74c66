// Chapter 5: train a 784-256-128-10 MLP (ReLU, softmax cross-entropy, Adam with a cosine
// schedule) on Fashion-MNIST and report its test accuracy. Run it with ./course train
// (./course train --mine passes --engine course: your exercises train it).
//
//   ch05-train [--epochs N] [--batch B] [--lr LR] [--seed S] [--model FILE]
//              [--engine fast|course|libtorch] [--precision float32|float64] [--threads T]
//              [--batch-norm] [--residual-blocks K] [--monitor N] [--compare]
//
// --engine fast (the default) trains with bp::FastMlp, in float32 unless --precision says
// float64; --engine course trains with the chapters' own code (Sequential, Adam, train_epoch),
// in double; --engine libtorch with LibTorch, PyTorch's C++ API (torch_engine.cpp), in float32
// unless --precision says float64, in a build that has it (./course train --engine libtorch).
// All start from the same weights and see the same batches. --compare (the LibTorch build
// too) trains with each in turn, prints their accuracy and time as a table, and moves the
// models between the course and LibTorch (docs/bridge.md). Chapter 6's tools
// need the course engine, which they select (FastMlp only trains plain ReLU MLPs):
// --batch-norm puts a BatchNorm between each hidden layer's linear step and its ReLU, and
// --residual-blocks K adds K skip connections of width 128 before the output layer.
// --monitor N records the gradients every N steps with bp::GradientMonitor and prints the
// last record after each epoch. The model is saved to FILE after every epoch (default
// fashion_mnist_mlp.bin in the current folder; ./course train passes
// build/models/fashion_mnist_mlp.bin), and the accuracy shown is the saved model's; a FILE an
// earlier run wrote is kept as FILE.~N~ at the first save. If training diverges, it stops with
// exit code 3 and the last saved model is left as it was: a loss, gradient or weight that is
// not finite (named with its step and parameter, as the gradient monitor names them), a mean
// loss over 50 steps above 3 ln 10 (three times an untrained model's), or a layer whose units
// are all dead after an epoch.
#include "bp/layers/activation_layer.hpp"
#include "bp/layers/batch_norm.hpp"
#include "bp/fast_mlp.hpp"
#include "bp/openblas_kernel.hpp"
#include "bp/train/gradient_monitor.hpp"
#include "bp/layers/mlp.hpp"
#include "bp/io/model_file.hpp"
#include "bp/layers/residual.hpp"
#include "train_options.hpp"
#ifdef BP_HAVE_LIBTORCH
#include "torch_engine.hpp"
#endif

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>

namespace {

// The command line (train_options.cpp).
using Options = ch05::TrainOptions;
Options parse(int argc, char** argv) { return ch05::parse_train_options(argc, argv); }

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
    bp::Sequential& model() { return net; }
    std::optional<std::string> dead_layer(const bp::Matrix& x) {  // through the chapters' forward passes
        const bool was_training = net.training();
        net.set_training(false);
        net.forward(x);
        net.set_training(was_training);
        return bp::dead_layer(net);
    }
};

// bp::FastMlp in float or double; it calls none of the exercises.
template <class Scalar>
struct FastEngine {
    bp::FastMlp<Scalar> fast;
    bp::Sequential& shown;   // the network the gradient monitor reads: filled at the steps it records
    bp::Sequential network;  // its weights, in double, to save
    void set_lr(double lr) { fast.lr = lr; }
    double lr() const { return fast.lr; }
    double epoch(const bp::Dataset& data, const bp::EpochOptions& options, bp::Rng& rng, long& step, bp::ProgressBar* bar) {
        return bp::train_epoch(fast, data, options, rng, step, bar, &shown);
    }
    bp::Metrics evaluate(const bp::Dataset& data) { return fast.evaluate(data); }
    bp::Sequential& model() { return network = fast.to_network(); }
    std::optional<std::string> dead_layer(const bp::Matrix& x) { return fast.dead_layer(x.cast<Scalar>()); }  // calls no exercise
};

// How many epochs finished (and were saved), for the message if training diverges.
int epochs_saved = 0;
std::string model_file;

// What a run gives: the final test accuracy, and the time of the training passes alone (not
// the evaluations or saves) per epoch.
struct Trained {
    double accuracy = 0, seconds_per_epoch = 0;
};

template <class Engine>
Trained run(Engine&& engine, bp::Sequential& net, const bp::Dataset& train, const bp::Dataset& test, bp::Rng& rng, const Options& o) {
    //! [train]
    const long steps_per_epoch = (train.size() + o.batch - 1) / o.batch, total = steps_per_epoch * o.epochs;
    bp::EpochOptions options;
    options.batch = o.batch;
    options.loss_limit = bp::LossLimit::for_classes(10);  // far above the untrained model's ln 10: diverged, though finite
    options.schedule = [&](long step) {                   // FastMlp's own copy of exercise 5.8: ./course train needs no exercise
        engine.set_lr(o.engine == "course" ? bp::cosine_schedule(o.lr, step, total) : bp::fast_cosine_schedule(o.lr, step, total));
    };
    // Chapter 6: the monitor watches every step for the first loss or gradient that is not
    // finite, and records the gradients every o.monitor steps (0: never).
    bp::GradientMonitor monitor(
        net, [&] { return engine.lr(); }, o.monitor);
    if (o.engine == "course" || o.monitor > 0) monitor.hook_into(options);  // FastMlp copies its gradients only at the recorded steps

    const bp::FlushDenormals flush;  // denormal floats are slow, and too small to matter
    bp::Matrix x, y;                 // the first examples, to see that no layer has died
    train.batch({}, 0, std::min<bp::Index>(1000, train.size()), x, y);
    long step = 0;
    double training_seconds = 0;
    int best_epoch = 0;
    double best_accuracy = -1;
    for (int epoch = 1; epoch <= o.epochs; ++epoch) {
        bp::ProgressBar bar("epoch " + std::to_string(epoch) + "/" + std::to_string(o.epochs), steps_per_epoch, std::cout);
        double train_loss = 0;
        try {
            const auto started = std::chrono::steady_clock::now();
            train_loss = engine.epoch(train, options, rng, step, &bar);
            training_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        } catch (const bp::Diverged&) {  // how the gradients stood before it, if they were recorded
            if (!monitor.records().empty()) std::cerr << "\nThe gradient monitor:\n" << monitor.report();
            throw;
        }
        // A layer whose units are all dead gives the same output for every input: the network
        // has diverged though every number is finite, and no gradient reaches the layers before it.
        if (const auto layer = engine.dead_layer(x))
            throw bp::Diverged(step - 1, "every unit of " + *layer + " is dead (its ReLU gives 0) on the first " +
                                             std::to_string(x.cols()) +
                                             " training examples, so the network's output no longer depends on its input");
        bp::Sequential& model = engine.model();
        if (epoch == 1)
            if (const auto backup = bp::keep_as_backup(o.model))
                std::cout << "the earlier " << o.model << " is kept as " << backup->string() << "\n";
        bp::save_model(model, o.model);  // a finished epoch is never lost
        epochs_saved = epoch;
        const bp::Metrics m = engine.evaluate(test);
        if (m.accuracy > best_accuracy) best_accuracy = m.accuracy, best_epoch = epoch;
        std::ostringstream summary;
        summary << std::fixed << std::setprecision(4) << "train loss " << train_loss << "  test loss " << m.loss << std::setprecision(2)
                << "  test accuracy " << 100 * m.accuracy << " %";
        bar.finish(summary.str());
        if (o.monitor > 0 && !monitor.records().empty()) std::cout << bp::format_record(monitor.records().back());
    }
    //! [train]
    const Trained trained{engine.evaluate(test).accuracy, training_seconds / o.epochs};
    std::cout << "test accuracy after " << o.epochs << (o.epochs == 1 ? " epoch: " : " epochs: ") << 100 * trained.accuracy << " %, "
              << std::setprecision(3) << trained.seconds_per_epoch << " s of training per epoch  (model saved to " << o.model << ")\n"
              << std::setprecision(6);
    if (best_epoch != o.epochs)  // said, not acted on: choosing the epoch by the test set would flatter its accuracy
        std::cout << "(it was highest after epoch " << best_epoch << ": " << 100 * best_accuracy << " %)\n";
    return trained;
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

#ifdef BP_HAVE_LIBTORCH
// --compare: the three engines, then the model moved between the course and LibTorch.

long differing(const std::vector<int>& a, const std::vector<int>& b) {
    long count = 0;
    for (std::size_t k = 0; k < a.size(); ++k) count += a[k] != b[k];
    return count;
}

// MODEL-ENGINE.bin beside --model's MODEL.bin: each engine's model, kept for the moves.
std::string model_of(const std::string& model, const std::string& engine) {
    std::filesystem::path path(model);
    return path.replace_filename(path.stem().string() + "-" + engine + path.extension().string()).string();
}

void compare(const bp::Dataset& train, const bp::Dataset& test, const Options& o) {
    // Each engine from the same weights and on the same batches: a fresh rng of the same seed.
    const auto setup = [&](const std::string& engine, const std::string& precision) {
        Options e = o;
        e.engine = engine, e.precision = precision, e.model = model_of(o.model, engine);
        bp::require_model_destination(e.model, "--model");
        return e;
    };
    const Options fast = setup("fast", "float32"), course = setup("course", "float64"), libtorch = setup("libtorch", "float32");
    bp::Rng fast_rng(o.seed), course_rng(o.seed), torch_rng(o.seed);
    bp::Sequential fast_net = network(fast, fast_rng), course_net = network(course, course_rng), torch_net = network(libtorch, torch_rng);
    ch05::TorchEngine torch_engine(torch_net, o.lr, ch05::TorchPrecision::float32);
    const auto heading = [](const Options& e) {
        std::cout << "\n" << e.engine << " engine, " << e.precision << ", model " << e.model << ":\n";
        model_file = e.model, epochs_saved = 0;  // for the message if it diverges
    };
    // The course's code first: in the student edition, an exercise not done yet stops the run at once.
    heading(course);
    const Trained by_course = run(CourseEngine{course_net, bp::Adam(o.lr)}, course_net, train, test, course_rng, course);
    heading(fast);
    const Trained by_fast = run(FastEngine<float>{bp::FastMlp<float>(fast_net, o.lr), fast_net, {}}, fast_net, train, test, fast_rng, fast);
    heading(libtorch);
    const Trained by_torch = run(torch_engine, torch_net, train, test, torch_rng, libtorch);

    std::cout << "\n"
              << std::fixed << std::setprecision(2) << "| engine | precision | test accuracy after " << o.epochs
              << (o.epochs == 1 ? " epoch" : " epochs") << " | seconds of training per epoch |\n|---|---|---|---|\n"
              << "| fast (bp::FastMlp, products by " << bp::fast_products_backend() << ") | float32 | " << 100 * by_fast.accuracy << " % | "
              << by_fast.seconds_per_epoch << " |\n"
              << "| course (the chapters' code) | float64 | " << 100 * by_course.accuracy << " % | " << by_course.seconds_per_epoch
              << " |\n"
              << "| libtorch (" << ch05::torch_version() << ") | float32 | " << 100 * by_torch.accuracy << " % | "
              << by_torch.seconds_per_epoch << " |\n";

    // The course's trained model, from its file, into torch: the same predictions in float64,
    // and in float32 all but the images whose two largest logits are closer than float's rounding.
    //! [moves]
    bp::Sequential course_model = bp::load_model(course.model);
    const std::vector<int> course_says = bp::argmax_per_column(course_model.forward(test.x));
    const long in_float64 = differing(course_says, ch05::torch_predictions(course_model, test.x, ch05::TorchPrecision::float64));
    const long in_float32 = differing(course_says, ch05::torch_predictions(course_model, test.x, ch05::TorchPrecision::float32));
    // LibTorch's trained model, saved as a course model file by run(), read by the course's code.
    bp::Sequential from_torch = bp::load_model(libtorch.model);
    const long back = differing(torch_engine.predictions(test.x), bp::argmax_per_column(from_torch.forward(test.x)));
    //! [moves]
    std::cout << "\nthe course's model, moved into LibTorch:\n  its predicted class differs on " << in_float64 << " of the " << test.size()
              << " test images in float64, " << in_float32 << " in float32\n"
              << "LibTorch's model, moved into the course's file and predicting with the course's code in float64:\n"
              << "  its predicted class differs from LibTorch's own (in float32) on " << back << " of the " << test.size()
              << " test images\n";
}
#endif

}  // namespace

int main(int argc, char** argv) try {
    bp::choose_openblas_kernel(argv);  // first: it may start the program again with a faster kernel
    const Options o = parse(argc, argv);
#ifndef BP_HAVE_LIBTORCH
    if (o.needs_libtorch()) {  // the options allow them: the LibTorch build of this program takes them
        std::cerr << "ch05-train: " << (o.compare ? "--compare" : "--engine libtorch")
                  << " needs this program built with LibTorch: ./course train --engine libtorch (or --compare) builds it\n";
        return 2;
    }
#endif
    bp::require_model_destination(o.model, "--model");  // before the work, not after it
    model_file = o.model;
    //! [data]
    bp::Dataset train = bp::load_fashion_mnist("train"), test = bp::load_fashion_mnist("test");
    // Standardize the pixels with the training set's mean and deviation: inputs of mean 0
    // and variance 1 suit He initialisation.
    bp::standardize(train, {&test});

    bp::Rng rng(o.seed);
    bp::Sequential net = network(o, rng);  // 784-256-128-10, ReLU, ending at the logits
    //! [data]
    bp::set_product_threads(o.threads);
#ifdef BP_HAVE_LIBTORCH
    ch05::set_torch_threads(o.threads);
    if (o.compare) {
        std::cout << "products of the fast engine and LibTorch: " << bp::products_kernel_line() << "\n";
        compare(train, test, o);
        return 0;
    }
#endif
    std::cout << "training with "
              << (o.engine == "course" ? "the course's code"
                  : o.engine == "fast" ? "FastMlp"
                                       : "LibTorch (torch_engine.cpp)")
              << " in " << o.precision << (o.engine == "fast" ? std::string(", products by ") + bp::fast_products_backend() : "") << ", "
              << o.threads << " thread" << (o.threads > 1 ? "s" : "") << (o.batch_norm ? ", with batch normalization" : "")
              << (o.residual_blocks ? ", with " + std::to_string(o.residual_blocks) + " residual block" + (o.residual_blocks > 1 ? "s" : "")
                                    : std::string())
              << "\n";
    if (o.engine != "course") std::cout << "products: " << bp::products_kernel_line() << "\n";
    if (std::filesystem::exists(o.model)) {  // an earlier run's: say what it holds, and that it is kept
        std::string what;
        try {  // read, not run: running it would call the exercises, which FastMlp's training needs none of
            const bp::Sequential earlier = bp::load_model(o.model);
            what = "a network of " + std::to_string(earlier.size()) + " layers";
        } catch (const std::exception& e) {
            what = std::string("a file that is not a network this program reads (") + e.what() + ")";
        }
        std::cout << o.model << " holds " << what << ", from an earlier run: it is kept as a numbered backup (" << o.model
                  << ".~N~) when this run first saves\n";
    }
    if (o.engine == "course") run(CourseEngine{net, bp::Adam(o.lr)}, net, train, test, rng, o);
#ifdef BP_HAVE_LIBTORCH
    else if (o.engine == "libtorch") {
        const auto precision = o.precision == "float32" ? ch05::TorchPrecision::float32 : ch05::TorchPrecision::float64;
        run(ch05::TorchEngine(net, o.lr, precision), net, train, test, rng, o);
    }
#endif
    else if (o.precision == "float32")
        run(FastEngine<float>{bp::FastMlp<float>(net, o.lr), net, {}}, net, train, test, rng, o);
    else run(FastEngine<double>{bp::FastMlp<double>(net, o.lr), net, {}}, net, train, test, rng, o);
} catch (const bp::Diverged& e) {
    std::cerr << "\nch05-train: " << e.what() << "\n"
              << (epochs_saved ? "The model saved after epoch " + std::to_string(epochs_saved) + " is left as it was.\n"
                               : std::string("No model was saved") +
                                     (std::filesystem::exists(model_file) ? "; " + model_file + " is left as it was.\n" : ".\n"));
    return 3;
} catch (const std::exception& e) {
    std::cerr << "ch05-train: " << e.what() << "\n";
    return 1;
}
