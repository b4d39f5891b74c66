// ch05-train's command line, apart from the program (train_fashion_mnist.cpp): read by
// ch05-train, and by ch05-train-options, which reads it and says which build of ch05-train it
// needs. That one builds in seconds (bp::Options alone, no Eigen, no library), so ./course
// train runs it before the minutes that ch05-train's build takes: a mistyped option is named
// at once, and the course tool builds the program where the options need it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ch05 {

struct TrainOptions {
    int epochs = 10;
    std::ptrdiff_t batch = 128;  // a bp::Index (Eigen's), which this header does not include
    double lr = 1e-3;
    std::uint64_t seed = 1;
    std::string model = "fashion_mnist_mlp.bin";
    std::string engine;     // fast, unless chapter 6's layers need the course's; or libtorch
    std::string precision;  // float32 for the fast and LibTorch engines, float64 (its only one) for the course's
    int threads = 1;
    bool batch_norm = false;
    int residual_blocks = 0;
    long monitor = 0;      // record the gradients every N steps; 0: only watch for divergence
    bool compare = false;  // every engine in turn, then the model moved between the course and LibTorch

    // --engine libtorch and --compare need ch05-train built with LibTorch (./course train builds
    // it in build/libtorch); the other engines are in every build.
    bool needs_libtorch() const { return engine == "libtorch" || compare; }
};

// The command line, read with bp::Options: a value out of range, not a number or not
// finite, an unknown option or two that do not go together is refused by name (the program
// exits with 2); --help lists every option (it exits with 0).
TrainOptions parse_train_options(int argc, char** argv);

}  // namespace ch05
