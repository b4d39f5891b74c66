// Chapter 4 demo: a gradient check that passes, and one that catches a mistake.
// Run it with ./course demo 4.
#include "bp/check/gradcheck.hpp"
#include "bp/core/loss.hpp"
#include "bp/io/options.hpp"
#include "bp/layers/mlp.hpp"

#include <iostream>

int main(int argc, char** argv) try {
    // --help says what the demo shows; anything else on the command line is refused by name.
    bp::Options("ch04-demo", "A gradient check that passes, and one that catches a mistake.").parse_or_exit(argc, argv);
    //! [demo]
    bp::Rng rng(4);
    bp::Mlp net({4, 5, 3}, bp::Activation::tanh, bp::Activation::identity, rng);  // ends at the logits z
    const bp::Matrix x = rng.uniform_matrix(4, 6, -1, 1);
    bp::Matrix y = bp::Matrix::Zero(3, 6);
    for (bp::Index k = 0; k < 6; ++k) y(k % 3, k) = 1;

    const auto loss = [&] { return bp::softmax_cross_entropy_loss(net.forward(x), y); };
    const auto backward = [&] {
        net.zero_grad();
        net.backward(bp::softmax_cross_entropy_grad(net.forward(x), y));
    };
    std::cout << bp::check_gradients(net.parameters(), loss, backward).report();
    //! [demo]

    //! [mistake]
    // The same network, with a classic mistake: the gradient of the loss without its 1/m.
    const auto wrong_backward = [&] {
        net.zero_grad();
        net.backward(bp::softmax(net.forward(x)) - y);
    };
    std::cout << "\n" << bp::check_gradients(net.parameters(), loss, wrong_backward).report();
    //! [mistake]
} catch (const std::exception& e) {
    std::cerr << "ch04-demo: " << e.what() << "\n";
    return 1;
}
