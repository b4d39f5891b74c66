// Chapter 5 experiment: the paths of the optimizers on two surfaces in the plane, drawn over
// their contour lines: a saddle point, and Rosenbrock's curved valley.
// Run it with ./course experiment 5.
#include "bp/optimizers.hpp"
#include "bp/plot.hpp"

#include <functional>
#include <iostream>
#include <memory>

namespace {

using Gradient = std::function<bp::Matrix(double x, double y)>;

// Follows one optimizer from (x0, y0) for `steps` steps of the given gradient.
bp::Path follow(const std::string& title, bp::Optimizer& opt, const Gradient& gradient, double x0, double y0, int steps) {
    bp::Matrix w(2, 1), g(2, 1);
    w << x0, y0;
    bp::Path path{title, {x0}, {y0}};
    for (int s = 0; s < steps; ++s) {
        g = gradient(w(0), w(1));
        opt.step({bp::Parameter("w", w, g)});
        path.x.push_back(w(0));
        path.y.push_back(w(1));
    }
    return path;
}

}  // namespace

int main(int argc, char** argv) try {
    const auto dir = bp::output_dir(argc, argv);

    //! [saddle]
    // f = x^4/4 - x^2/2 + y^2/2: a saddle at (0, 0) between two minima at (+-1, 0). Starting
    // almost on the ridge, the gradient along x is tiny: how fast does each optimizer escape?
    const Gradient saddle = [](double x, double y) { return (bp::Matrix(2, 1) << x * x * x - x, y).finished(); };
    bp::Sgd sgd(0.05);
    bp::Momentum momentum(0.05, 0.9);
    bp::Nesterov nesterov(0.05, 0.9);
    bp::RmsProp rmsprop(0.05);
    bp::Adam adam(0.05);
    const double x0 = 1e-3, y0 = 1.5;
    const int steps = 60;
    //! [saddle]
    bp::save_contour_figure({"paths_saddle", "60 steps from (0.001, 1.5) near the saddle point (0, 0)", "x**4/4 - x**2/2 + y**2/2",
                             -1.6, 1.6, -1.6, 1.8, {-0.2, -0.1, 0, 0.1, 0.3, 0.6, 1.0, 1.5},
                             {follow("SGD", sgd, saddle, x0, y0, steps), follow("momentum", momentum, saddle, x0, y0, steps),
                              follow("Nesterov", nesterov, saddle, x0, y0, steps), follow("RMSProp", rmsprop, saddle, x0, y0, steps),
                              follow("Adam", adam, saddle, x0, y0, steps)}},
                            dir);

    //! [rosenbrock]
    // f = (1 - x)^2 + 100 (y - x^2)^2: a long, curved, narrow valley to the minimum at (1, 1).
    const Gradient rosenbrock = [](double x, double y) {
        return (bp::Matrix(2, 1) << -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)).finished();
    };
    bp::Sgd r_sgd(1e-3);
    bp::Momentum r_momentum(1e-3, 0.9);
    bp::Nesterov r_nesterov(1e-3, 0.9);
    bp::RmsProp r_rmsprop(1e-2);
    bp::Adam r_adam(0.1);
    //! [rosenbrock]
    const int r_steps = 500;
    bp::save_contour_figure({"paths_rosenbrock", "500 steps on the Rosenbrock function from (-1.5, 2); the minimum is at (1, 1)",
                             "(1-x)**2 + 100*(y-x**2)**2", -2, 2, -1, 3, {0.5, 2, 5, 10, 30, 100, 300, 1000},
                             {follow("SGD", r_sgd, rosenbrock, -1.5, 2, r_steps),
                              follow("momentum", r_momentum, rosenbrock, -1.5, 2, r_steps),
                              follow("Nesterov", r_nesterov, rosenbrock, -1.5, 2, r_steps),
                              follow("RMSProp", r_rmsprop, rosenbrock, -1.5, 2, r_steps),
                              follow("Adam", r_adam, rosenbrock, -1.5, 2, r_steps)}},
                            dir);
    std::cout << "wrote paths_saddle and paths_rosenbrock (.png, .svg, .dat) to " << dir.string() << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch05-experiment-paths: " << e.what() << "\n";
    return 1;
}
