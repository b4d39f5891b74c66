// Chapter 2 demo: softmax cross-entropy and its gradient on a small batch, and why it is
// computed from logits. Run it with ./course demo 2.
#include "bp/core/activations.hpp"
#include "bp/core/loss.hpp"
#include "bp/io/options.hpp"

#include <cmath>
#include <iostream>

int main(int argc, char** argv) try {
    // --help says what the demo shows; anything else on the command line is refused by name.
    bp::Options("ch02-demo", "Softmax cross-entropy and its gradient on a small batch, and why it is computed from logits.")
        .parse_or_exit(argc, argv);
    const Eigen::IOFormat fmt(4, 0, "  ", "\n", "    [", "]");

    //! [demo]
    bp::Matrix z(3, 2);  // logits for 3 classes, 2 examples (one per column)
    z << 2.0, 0.5,       //
        1.0, 0.5,        //
        -1.0, 3.0;
    bp::Matrix y(3, 2);  // one-hot targets: example 1 is class 0, example 2 is class 1
    y << 1, 0,           //
        0, 1,            //
        0, 0;
    const double loss = bp::softmax_cross_entropy_loss(z, y);
    const bp::Matrix dz = bp::softmax_cross_entropy_grad(z, y);  // (y_hat - y) / m
    //! [demo]

    std::cout << "logits z:\n"
              << z.format(fmt) << "\ntargets y:\n"
              << y.format(fmt) << "\n"
              << "y_hat = softmax(z):\n"
              << bp::softmax(z).format(fmt) << "\n\n"
              << "softmax cross-entropy (mean over 2 examples) = " << loss << "\n"
              << "  example 1: -log y_hat[0] = " << -std::log(bp::softmax(z)(0, 0)) << "\n"
              << "  example 2: -log y_hat[1] = " << -std::log(bp::softmax(z)(1, 1)) << "\n"
              << "dL/dz = (y_hat - y) / 2:\n"
              << dz.format(fmt) << "\n"
              << "  each column sums to 0 (here, up to rounding, " << dz.colwise().sum().cwiseAbs().maxCoeff()
              << "): raising one logit lowers the others\n\n";

    //! [naive]
    bp::Matrix big(2, 1);
    big << 1000.0, -1000.0;  // a confident prediction of class 0; the truth is class 1
    bp::Matrix target(2, 1);
    target << 0.0, 1.0;
    const double naive = -std::log(big.array().exp()(1) / big.array().exp().sum());  // e^1000 = inf
    const double stable = bp::softmax_cross_entropy_loss(big, target);
    //! [naive]
    std::cout << "logits (1000, -1000), true class 1 (classes count from 0):\n"
              << "  naive -log(e^z1 / sum e^z) = " << naive << "\n"
              << "  log_sum_exp(z) - z1        = " << stable << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch02-demo: " << e.what() << "\n";
    return 1;
}
