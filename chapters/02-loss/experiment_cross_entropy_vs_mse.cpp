// Chapter 2 experiment: one sigmoid output with target y = 1, trained by squared error or by
// cross-entropy. Plots each loss, and its gradient with respect to the pre-activation z,
// against z. Run it with ./course experiment 2 (--help: its options).
#include "bp/core/activations.hpp"
#include "bp/core/loss.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"

#include <cmath>
#include <iostream>

int main(int argc, char** argv) try {
    std::string folder = ".";
    double target = 1.0, from = -8.0, to = 8.0, step = 0.05;
    bp::Options options("ch02-experiment-cross-entropy-vs-mse",
                        "Chapter 2: one sigmoid output trained by squared error or by cross-entropy: each loss and its "
                        "gradient dL/dz, plotted against the pre-activation z.");
    options.positional("FOLDER", folder, "where the figures (.png, .svg) and their data (.dat) go");
    options.real("target", target, 0, 1, "the target y (a probability)");
    options.real("from", from, -100, 100, "the smallest z");
    options.real("to", to, -100, 100, "the largest z");
    options.real("step", step, 0, 10, "the step between two values of z", bp::Options::above_min);
    options.parse_or_exit(argc, argv);
    if (!(from < to)) options.fail("--from " + bp::number_text(from) + " must be below --to " + bp::number_text(to));
    // How many z: from, from + step, ..., up to to (counted, so that rounding loses none).
    const double count = std::floor((to - from) / step + 1e-9) + 1;
    if (count > 1e6) options.fail("--step gives more than a million values of z between --from and --to");
    bp::require_figure_folder(folder, "FOLDER");  // before the work, not after it

    //! [experiment]
    const bp::Matrix y = bp::Matrix::Constant(1, 1, target);
    std::vector<double> zs, mse, bce, mse_dz, bce_dz;
    for (int i = 0; i < static_cast<int>(count); ++i) {
        const double z0 = from + i * step;
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

    const std::filesystem::path dir = folder;
    const std::string y_text = bp::number_text(target);
    const bool one = target == 1.0;  // the chapter's case: the curves' names in their simplest form
    bp::save_figure({"loss_behind_sigmoid",
                     "Loss of a = sigmoid(z) against the target y = " + y_text,
                     "z",
                     "loss",
                     zs,
                     {{one ? "squared error 1/2 (a - 1)^2" : "squared error 1/2 (a - y)^2", mse},
                      {one ? "cross-entropy -log a" : "cross-entropy -y log a - (1 - y) log(1 - a)", bce}},
                     {"set yrange [0:5]", "set key top right"}},
                    dir);
    bp::save_figure({"gradient_behind_sigmoid",
                     "Its gradient dL/dz: what the weights below get to learn from",
                     "z",
                     "dL/dz",
                     zs,
                     {{one ? "squared error (a - 1) a (1 - a)" : "squared error (a - y) a (1 - a)", mse_dz},
                      {one ? "cross-entropy a - 1" : "cross-entropy a - y", bce_dz}},
                     {one ? "set yrange [-1.1:0.1]" : "set yrange [-1.1:1.1]", "set key bottom right"}},
                    dir);
    std::cout << "wrote loss_behind_sigmoid and gradient_behind_sigmoid (.png, .svg, .dat) to " << dir.string() << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch02-experiment-cross-entropy-vs-mse: " << e.what() << "\n";
    return 1;
}
