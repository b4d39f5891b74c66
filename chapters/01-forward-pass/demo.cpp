// Chapter 1 demo: the forward pass of a 2-3-2 network on a batch of two examples, printing
// every z and a. Run it with ./course demo 1.
#include "bp/io/options.hpp"
#include "bp/layers/mlp.hpp"

#include <iostream>

int main(int argc, char** argv) try {
    // --help says what the demo shows; anything else on the command line is refused by name.
    bp::Options("ch01-demo", "The forward pass of a 2-3-2 network on a batch of two examples, every z and a printed.")
        .parse_or_exit(argc, argv);
    //! [demo]
    bp::Rng rng(2024);  // the same seed gives the same weights everywhere
    bp::Mlp net({2, 3, 2}, bp::Activation::tanh, bp::Activation::softmax, rng);

    bp::Matrix x(2, 2);  // two examples, one per column
    x << 1.0, -0.5,      //
        2.0, 0.5;
    const bp::Matrix& y_hat = net.forward(x);
    //! [demo]

    const Eigen::IOFormat fmt(4, 0, "  ", "\n", "    [", "]");
    std::cout << "x = a[0] (2 inputs x 2 examples):\n" << x.format(fmt) << "\n";
    for (std::size_t l = 0; l < net.size(); ++l) {
        const bp::Dense& layer = net.dense(l);
        const std::string n = std::to_string(l + 1);
        std::cout << "\nlayer " << n << " (" << bp::to_string(layer.f) << ")\n"
                  << "  W[" << n << "] =\n"
                  << layer.W.format(fmt) << "\n"
                  << "  b[" << n << "] =\n"
                  << layer.b.format(fmt) << "\n"
                  << "  z[" << n << "] = W[" << n << "] a[" << l << "] + b[" << n << "] =\n"
                  << layer.z.format(fmt) << "\n"
                  << "  a[" << n << "] = " << bp::to_string(layer.f) << "(z[" << n << "]) =\n"
                  << layer.a.format(fmt) << "\n";
    }
    std::cout << "\ny_hat = a[2]: each column sums to 1 (" << y_hat.colwise().sum() << ")\n";
} catch (const std::exception& e) {
    std::cerr << "ch01-demo: " << e.what() << "\n";
    return 1;
}
