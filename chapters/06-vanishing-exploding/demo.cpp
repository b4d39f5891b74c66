// Chapter 6's demo, in three parts: the gradient of a chain of one-neuron sigmoid layers as a
// product of factors (chain); batch normalization's backward checked with chapter 4's checker
// (check); and the gradient monitor watching a deep sigmoid network train (monitor). Run it
// with ./course demo 6 for all three, or ch06-demo PART for one.
#include "bp/core/activations.hpp"
#include "bp/layers/batch_norm.hpp"
#include "bp/check/gradcheck.hpp"
#include "bp/io/options.hpp"
#include "gradient_flow.hpp"
#include "bp/train/gradient_monitor.hpp"
#include "bp/train/train.hpp"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <stdexcept>
#include <string>

namespace {

void chain() {
    std::cout << "A chain of 8 one-neuron sigmoid layers, w = 1.5 and b = 0.5 in each, from x = 1:\n"
              << "layer          z    sigma'(z)   w sigma'(z)   dL/dz of this layer (dL/da at the top = 1)\n";
    //! [chain]
    const int L = 8;
    const double w = 1.5, b = 0.5;
    std::vector<double> z(L + 1), a(L + 1);
    a[0] = 1.0;  // the input x
    for (int l = 1; l <= L; ++l) {
        z[l] = w * a[l - 1] + b;
        a[l] = 1 / (1 + std::exp(-z[l]));
    }
    // Backward: dz[l] = sigma'(z[l]) * w * dz[l + 1], from dL/da[L] = 1.
    std::vector<double> dz(L + 2);
    for (int l = L; l >= 1; --l) {
        const double slope = a[l] * (1 - a[l]);  // sigma'(z) = a (1 - a) <= 1/4
        dz[l] = slope * (l == L ? 1.0 : w * dz[l + 1]);
    }
    //! [chain]
    for (int l = L; l >= 1; --l)
        std::cout << std::setw(5) << l << std::fixed << std::setprecision(4) << std::setw(11) << z[l] << std::setw(13) << a[l] * (1 - a[l])
                  << std::setw(14) << w * a[l] * (1 - a[l]) << std::scientific << std::setprecision(3) << std::setw(16) << dz[l]
                  << std::defaultfloat << "\n";
}

void check() {
    std::cout << "Batch normalization's backward (exercise 6.7) against finite differences, random G:\n";
    //! [check_batch_norm]
    bp::Rng rng(6);
    bp::BatchNorm bn(3);
    bn.gamma << 1.5, -0.7, 2.0;  // away from 1 and 0, so that mistakes with them show
    bn.shift << 0.3, -1.2, 0.5;
    bp::Matrix z_batch = rng.uniform_matrix(3, 5, -2, 2), dz_batch = bp::Matrix::Zero(3, 5);
    const bp::Matrix G = rng.uniform_matrix(3, 5, -1, 1);  // not all ones: L = sum(y) has dz = 0
    std::vector<bp::Parameter> params = bn.parameters();
    params.emplace_back("z", z_batch, dz_batch);                                  // the input, with the gradient backward returns
    const auto loss = [&] { return G.cwiseProduct(bn.forward(z_batch)).sum(); };  // L = sum(G ⊙ y): dL/dy = G
    const auto backward = [&] {
        bn.zero_grad();
        bn.forward(z_batch);
        dz_batch = bn.backward(G);
    };
    std::cout << bp::check_gradients(params, loss, backward).report();
    //! [check_batch_norm]
}

void monitor() {
    std::cout << "The gradient monitor after 20 steps of SGD on 6 sigmoid layers of 16 (Xavier):\n";
    //! [monitor]
    bp::Rng data_rng(7);
    const bp::Dataset data = bp::gaussian_clusters(4, 50, 8, 6.0, data_rng);
    bp::DeepNet spec;
    spec.inputs = 8, spec.width = 16, spec.outputs = 4, spec.depth = 6, spec.activation = bp::Activation::sigmoid;
    bp::Rng rng(8);
    bp::Sequential net = bp::deep_network(spec, rng);
    bp::Sgd sgd(0.5);
    bp::GradientMonitor monitor(net, sgd, 5);  // records every 5 steps
    bp::EpochOptions options;
    options.batch = 25;
    monitor.hook_into(options);
    bp::train_for_steps(net, data, sgd, options, 20, rng);
    std::cout << monitor.report();
    //! [monitor]
}

}  // namespace

int main(int argc, char** argv) try {
    std::string part;
    bp::Options options("ch06-demo",
                        "Chapter 6's demo: the chain of sigmoid factors, batch normalization's backward checked, "
                        "the gradient monitor; all three, or the PART named.");
    options.positional("part", part, "chain, check or monitor (all three without one)");
    options.parse_or_exit(argc, argv);
    if (part != "" && part != "chain" && part != "check" && part != "monitor")
        options.fail("no part named '" + part + "': chain, check or monitor (all three without one)");
    if (part == "" || part == "chain") chain();
    if (part == "") std::cout << "\n";
    if (part == "" || part == "check") check();
    if (part == "") std::cout << "\n";
    if (part == "" || part == "monitor") monitor();
} catch (const std::exception& e) {
    std::cerr << "ch06-demo: " << e.what() << "\n";
    return 1;
}
