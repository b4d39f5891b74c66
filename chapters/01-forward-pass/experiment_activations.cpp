// Chapter 1 experiment: each activation and its derivative on z in [-5, 5].
// Writes activations.{png,svg,dat} and activation_derivatives.{png,svg,dat} into the folder
// given as the first argument. Run it with ./course experiment 1.
#include "bp/activations.hpp"
#include "bp/plot.hpp"

#include <iostream>

namespace {

std::vector<double> values(const bp::Matrix& m) { return {m.data(), m.data() + m.size()}; }

}  // namespace

int main(int argc, char** argv) try {
    //! [experiment]
    const int n = 401;
    const bp::Matrix z = bp::Matrix(Eigen::RowVectorXd::LinSpaced(n, -5.0, 5.0));  // 1 x n

    bp::Figure f{"activations", "Activation functions a = f(z)", "z", "a", values(z), {}, {"set yrange [-1.2:2.2]"}};
    bp::Figure df{"activation_derivatives", "Their derivatives f'(z)", "z", "f'(z)", values(z), {}, {"set yrange [-0.1:1.2]"}};
    f.curves = {{"sigmoid", values(bp::sigmoid(z))},
                {"tanh", values(bp::tanh(z))},
                {"ReLU", values(bp::relu(z))},
                {"leaky ReLU (alpha = 0.1)", values(bp::leaky_relu(z, 0.1)), "lines lw 2 dt 2"}};
    df.curves = {{"sigmoid'", values(bp::sigmoid_prime(z))},
                 {"tanh'", values(bp::tanh_prime(z))},
                 {"ReLU'", values(bp::relu_prime(z))},
                 {"leaky ReLU' (alpha = 0.1)", values(bp::leaky_relu_prime(z, 0.1)), "lines lw 2 dt 2"}};
    //! [experiment]

    const auto dir = bp::output_dir(argc, argv);
    bp::save_figure(f, dir);
    bp::save_figure(df, dir);
    std::cout << "wrote " << (dir / "activations.png").string() << " and " << (dir / "activation_derivatives.png").string()
              << " (with .svg and .dat)\n";
} catch (const std::exception& e) {
    std::cerr << "ch01-experiment-activations: " << e.what() << "\n";
    return 1;
}
