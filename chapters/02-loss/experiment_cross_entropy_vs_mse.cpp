// Chapter 2 experiment: one sigmoid output with target y = 1, trained by squared error or by
// cross-entropy. Plots each loss, and its gradient with respect to the pre-activation z,
// against z. Run it with ./course experiment 2.
#include "bp/activations.hpp"
#include "bp/loss.hpp"
#include "bp/plot.hpp"

#include <iostream>

int main(int argc, char** argv) try {
    //! [experiment]
    const bp::Matrix y = bp::Matrix::Ones(1, 1);
    std::vector<double> zs, mse, bce, mse_dz, bce_dz;
    for (double z0 = -8.0; z0 <= 8.0 + 1e-9; z0 += 0.05) {
        const bp::Matrix z = bp::Matrix::Constant(1, 1, z0);
        const bp::Matrix a = bp::sigmoid(z);
        zs.push_back(z0);
        mse.push_back(bp::mse_loss(a, y));
        bce.push_back(bp::bce_with_logits_loss(z, y));
        // dL/dz = dL/da * da/dz for squared error; cross-entropy from logits gives it directly.
        mse_dz.push_back((bp::mse_grad(a, y).array() * bp::sigmoid_prime(z).array())(0));
        bce_dz.push_back(bp::bce_with_logits_grad(z, y)(0));
    }
    //! [experiment]

    const auto dir = bp::output_dir(argc, argv);
    bp::save_figure({"loss_behind_sigmoid", "Loss of a = sigmoid(z) against the target y = 1", "z", "loss", zs,
                     {{"squared error 1/2 (a - 1)^2", mse}, {"cross-entropy -log a", bce}},
                     {"set yrange [0:5]", "set key top right"}},
                    dir);
    bp::save_figure({"gradient_behind_sigmoid", "Its gradient dL/dz: what the weights below get to learn from", "z",
                     "dL/dz", zs, {{"squared error (a - 1) a (1 - a)", mse_dz}, {"cross-entropy a - 1", bce_dz}},
                     {"set yrange [-1.1:0.1]", "set key bottom right"}},
                    dir);
    std::cout << "wrote loss_behind_sigmoid and gradient_behind_sigmoid (.png, .svg, .dat) to " << dir.string() << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch02-experiment-cross-entropy-vs-mse: " << e.what() << "\n";
    return 1;
}
