// Chapter 1 experiment: each activation and its derivative on z in [-5, 5].
// Writes activations.{png,svg,dat} and activation_derivatives.{png,svg,dat} into the folder
// given as the first argument. Run it with ./course experiment 1 (--help: its options).
#include "bp/core/activations.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"

#include <iostream>

namespace {

std::vector<double> values(const bp::Matrix& m) { return {m.data(), m.data() + m.size()}; }

}  // namespace

int main(int argc, char** argv) try {
    std::string folder = ".";
    int n = 401;
    double from = -5.0, to = 5.0, alpha = 0.1;
    bp::Options options("ch01-experiment-activations", "Chapter 1: each activation and its derivative, plotted on z in [from, to].");
    options.positional("FOLDER", folder, "where the figures (.png, .svg) and their data (.dat) go");
    options.integer("points", n, 2, 100000, "how many values of z");
    options.real("from", from, -1000, 1000, "the smallest z");
    options.real("to", to, -1000, 1000, "the largest z");
    options.real("alpha", alpha, 0, 1, "leaky ReLU's slope for z < 0");
    options.parse_or_exit(argc, argv);
    if (!(from < to)) options.fail("--from " + bp::number_text(from) + " must be below --to " + bp::number_text(to));
    bp::require_figure_folder(folder, "FOLDER");  // before the work, not after it
    const std::string leaky = "leaky ReLU (alpha = " + bp::number_text(alpha) + ")";

    //! [experiment]
    const bp::Matrix z = bp::Matrix(Eigen::RowVectorXd::LinSpaced(n, from, to));  // 1 x n

    bp::Figure f{"activations", "Activation functions a = f(z)", "z", "a", values(z), {}, {"set yrange [-1.2:2.2]"}};
    bp::Figure df{"activation_derivatives", "Their derivatives f'(z)", "z", "f'(z)", values(z), {}, {"set yrange [-0.1:1.2]"}};
    f.curves = {{"sigmoid", values(bp::sigmoid(z))},
                {"tanh", values(bp::tanh(z))},
                {"ReLU", values(bp::relu(z))},
                {leaky, values(bp::leaky_relu(z, alpha)), "lines lw 2 dt 2"}};
    df.curves = {{"sigmoid'", values(bp::sigmoid_prime(z))},
                 {"tanh'", values(bp::tanh_prime(z))},
                 {"ReLU'", values(bp::relu_prime(z))},
                 {leaky + "'", values(bp::leaky_relu_prime(z, alpha)), "lines lw 2 dt 2"}};
    //! [experiment]

    const std::filesystem::path dir = folder;
    bp::save_figure(f, dir);
    bp::save_figure(df, dir);
    std::cout << "wrote " << (dir / "activations.png").string() << " and " << (dir / "activation_derivatives.png").string()
              << " (with .svg and .dat)\n";
} catch (const std::exception& e) {
    std::cerr << "ch01-experiment-activations: " << e.what() << "\n";
    return 1;
}
