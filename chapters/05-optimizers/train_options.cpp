#include "train_options.hpp"

#include "bp/io/options.hpp"

#include <limits>

namespace ch05 {

TrainOptions parse_train_options(int argc, char** argv) {
    TrainOptions o;
    bp::Options options("ch05-train", "Trains chapter 5's 784-256-128-10 classifier on Fashion-MNIST and reports its test accuracy.");
    options.integer("epochs", o.epochs, 1, 10000, "passes over the training set")
        .integer("batch", o.batch, std::ptrdiff_t{1}, std::ptrdiff_t{60000}, "examples per step")
        .real("lr", o.lr, 0, 10, "Adam's learning rate at the start of the cosine schedule", bp::Options::above_min)
        .integer("seed", o.seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(), "seeds the initial weights and the shuffling")
        .path("model", o.model, "the file the model is saved to after every epoch")
        .text("engine", o.engine,
              "fast: bp::FastMlp (the default); course: the chapters' own layers and Adam, in float64 "
              "(the default with chapter 6's layers); libtorch: the same network and Adam in LibTorch, PyTorch's C++ API "
              "(./course train --engine libtorch builds this program with it)",
              {"fast", "course", "libtorch"})
        .text("precision", o.precision, "the fast and LibTorch engines' (default float32); the course engine's is float64",
              {"float32", "float64"})
        .integer("threads", o.threads, 1, 256, "threads for the matrix products")
        .flag("batch-norm", o.batch_norm, "chapter 6: batch normalization before each hidden ReLU (the course engine)")
        .integer("residual-blocks", o.residual_blocks, 0, 100,
                 "chapter 6: skip connections of width 128 before the output layer (the course engine)")
        .integer("monitor", o.monitor, 0L, 1000000L,
                 "chapter 6: record the gradients every N steps and show them after each epoch (0: never)")
        .flag("compare", o.compare,
              "train with each engine in turn (fast, course, libtorch) from the same weights on the same batches, print "
              "their test accuracy and training time per epoch as a table, then move the course's model into LibTorch and "
              "LibTorch's into a course model file and count the test images whose predicted class changed (saves "
              "MODEL-fast.bin, MODEL-course.bin and MODEL-libtorch.bin beside --model's file)")
        .epilogue(
            "./course train [OPTIONS] runs this program with --model build/models/fashion_mnist_mlp.bin and the\n"
            "options given. ./course train --mine [OPTIONS] adds --engine course, so that your exercises train the\n"
            "network: --mine is the course tool's option, not this program's. --engine libtorch and --compare need the\n"
            "program built with LibTorch, which ./course train --engine libtorch (or --compare) builds in build/libtorch.");
    options.parse_or_exit(argc, argv);
    const bool chapter6_layers = o.batch_norm || o.residual_blocks > 0;
    if (o.compare && (!o.engine.empty() || !o.precision.empty() || chapter6_layers || o.monitor > 0))
        options.fail(
            "--compare trains chapter 5's network with every engine, each in its own precision: it takes no --engine, "
            "--precision, --batch-norm, --residual-blocks or --monitor");
    if (o.engine.empty()) o.engine = chapter6_layers ? "course" : "fast";
    if (o.engine == "fast" && chapter6_layers)
        options.fail("--batch-norm and --residual-blocks need --engine course: FastMlp trains plain ReLU MLPs only");
    if (o.engine == "libtorch" && (chapter6_layers || o.monitor > 0))
        options.fail("--batch-norm, --residual-blocks and --monitor need --engine course; the LibTorch engine trains chapter 5's network");
    if (o.precision.empty()) o.precision = o.engine == "course" ? "float64" : "float32";
    if (o.engine == "course" && o.precision != "float64")
        options.fail("--engine course trains in float64 only: the chapters' code is written in double");
    return o;
}

}  // namespace ch05

#ifdef BP_OPTIONS_ONLY
#include <iostream>

// ch05-train-options: when ch05-train would take this command line, prints the build of it
// that the line needs, one word for the course tool: libtorch (the libtorch preset) or fast;
// when not, prints what ch05-train would say and exits as it would (2); prints the help for
// --help.
int main(int argc, char** argv) try {
    std::cout << (ch05::parse_train_options(argc, argv).needs_libtorch() ? "libtorch" : "fast") << '\n';
} catch (const std::exception& e) {
    std::cerr << "ch05-train-options: " << e.what() << '\n';
    return 1;
}
#endif
