// Chapter 5 demo: the training loop on a small synthetic problem, three interleaved spirals.
// Run it with ./course demo 5.
#include "bp/io/options.hpp"
#include "bp/layers/mlp.hpp"
#include "bp/train/train.hpp"

#include <iostream>

int main(int argc, char** argv) try {
    // --help says what the demo shows; anything else on the command line is refused by name.
    bp::Options("ch05-demo", "The training loop on a small synthetic problem, three interleaved spirals.").parse_or_exit(argc, argv);
    //! [demo]
    bp::Rng rng(5);
    const bp::Dataset data = bp::spiral(3, 100, 0.1, rng);                         // 300 points in 2-D, 3 classes
    bp::Mlp net({2, 32, 3}, bp::Activation::relu, bp::Activation::identity, rng);  // ends at the logits
    bp::Adam adam(0.02);
    bp::EpochOptions options;
    options.batch = 30;
    long step = 0;
    for (int epoch = 1; epoch <= 150; ++epoch) {
        const double loss = bp::train_epoch(net, bp::softmax_cross_entropy(), adam, data, options, rng, step);
        if (epoch % 25 == 0)
            std::cout << "epoch " << epoch << ": training loss " << loss << ", accuracy " << 100 * bp::evaluate(net, data).accuracy
                      << " %\n";
    }
    //! [demo]
} catch (const std::exception& e) {
    std::cerr << "ch05-demo: " << e.what() << "\n";
    return 1;
}
