// Chapter 5 experiment: the paths of the optimizers on two surfaces in the plane, drawn over
// their contour lines: a saddle point, and Rosenbrock's curved valley; then plain gradient
// descent with and without noise in its gradient (a model of the mini-batch's) at a saddle
// point and in a shallow local minimum.
// Run it with ./course experiment 5 (--help: its options).
#include "bp/train/optimizers.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"
#include "bp/core/random.hpp"

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

// The gradient plus noise of standard deviation sigma in each coordinate: a model of the
// mini-batch gradient, the exact one plus the error of estimating it from a few examples.
Gradient noisy(const Gradient& gradient, double sigma, bp::Rng& rng) {
    return [gradient, sigma, &rng](double x, double y) { return (gradient(x, y) + rng.normal_matrix(2, 1, sigma)).eval(); };
}

}  // namespace

int main(int argc, char** argv) try {
    std::string folder = ".";
    std::uint64_t seed = 8;
    int steps = 60, r_steps = 500, ridge_steps = 150, minimum_steps = 400;
    double x0 = 1e-3, y0 = 1.5;
    bp::Options options("ch05-experiment-paths",
                        "Chapter 5: the paths of SGD, momentum, Nesterov, RMSProp and Adam near a saddle point and on the "
                        "Rosenbrock function; then gradient descent with and without noise on the saddle's ridge and in a "
                        "shallow local minimum.");
    options.positional("FOLDER", folder, "where the figures (.png, .svg) and their data (.dat) go");
    options.integer("steps", steps, 1, 100000, "steps near the saddle point");
    options.real("x0", x0, -1.6, 1.6, "the start's x near the saddle point (0 is exactly on the ridge)");
    options.real("y0", y0, -1.6, 1.8, "the start's y near the saddle point");
    options.integer("rosenbrock-steps", r_steps, 1, 100000, "steps on the Rosenbrock function");
    options.integer<std::uint64_t>("seed", seed, 0, UINT64_MAX, "the random seed of the gradient noise");
    options.integer("ridge-steps", ridge_steps, 1, 100000, "steps of the noisy runs on the saddle's ridge");
    options.integer("minimum-steps", minimum_steps, 1, 100000, "steps of the noisy runs in the shallow minimum");
    options.parse_or_exit(argc, argv);
    bp::require_figure_folder(folder, "FOLDER");  // before the work, not after it
    const std::filesystem::path dir = folder;
    const auto text = [](double x) { return bp::number_text(x); };

    //! [saddle]
    // f = x^4/4 - x^2/2 + y^2/2: a saddle at (0, 0) between two minima at (+-1, 0). Starting
    // almost on the ridge, the gradient along x is tiny: how fast does each optimizer escape?
    const Gradient saddle = [](double x, double y) { return (bp::Matrix(2, 1) << x * x * x - x, y).finished(); };
    bp::Sgd sgd(0.05);
    bp::Momentum momentum(0.05, 0.9);
    bp::Nesterov nesterov(0.05, 0.9);
    bp::RmsProp rmsprop(0.05);
    bp::Adam adam(0.05);
    // x0 = 0.001, y0 = 1.5, 60 steps by default
    //! [saddle]
    bp::save_contour_figure({"paths_saddle",
                             std::to_string(steps) + " steps from (" + text(x0) + ", " + text(y0) + ") near the saddle point (0, 0)",
                             "x**4/4 - x**2/2 + y**2/2",
                             -1.6,
                             1.6,
                             -1.6,
                             1.8,
                             {-0.2, -0.1, 0, 0.1, 0.3, 0.6, 1.0, 1.5},
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
    bp::save_contour_figure(
        {"paths_rosenbrock",
         std::to_string(r_steps) + " steps on the Rosenbrock function from (-1.5, 2); the minimum is at (1, 1)",
         "(1-x)**2 + 100*(y-x**2)**2",
         -2,
         2,
         -1,
         3,
         {0.5, 2, 5, 10, 30, 100, 300, 1000},
         {follow("SGD", r_sgd, rosenbrock, -1.5, 2, r_steps), follow("momentum", r_momentum, rosenbrock, -1.5, 2, r_steps),
          follow("Nesterov", r_nesterov, rosenbrock, -1.5, 2, r_steps), follow("RMSProp", r_rmsprop, rosenbrock, -1.5, 2, r_steps),
          follow("Adam", r_adam, rosenbrock, -1.5, 2, r_steps)}},
        dir);
    //! [noise]
    // Exactly on the saddle's ridge, x = 0, the gradient has no x part: gradient descent slides
    // into the saddle point and stops there. Noise pushes it off the ridge.
    bp::Rng noise(seed);
    bp::Sgd exact(0.05), with_noise(0.05);
    const bp::Path stuck = follow("exact gradient", exact, saddle, 0, 1.5, ridge_steps);
    const bp::Path escapes = follow("gradient + noise (sigma 0.3)", with_noise, noisy(saddle, 0.3, noise), 0, 1.5, ridge_steps);

    // Tilted, f = x^4/4 - x^2/2 + x/4 + y^2/2 has a shallow local minimum near (0.84, 0) and a
    // deeper one near (-1.11, 0), with a saddle point between them.
    const Gradient tilted = [](double x, double y) { return (bp::Matrix(2, 1) << x * x * x - x + 0.25, y).finished(); };
    bp::Sgd t_exact(0.05), t_small(0.05), t_large(0.05);
    const bp::Path in_local = follow("exact gradient", t_exact, tilted, 0.9, 1.5, minimum_steps);
    const bp::Path small_noise = follow("gradient + noise (sigma 0.5)", t_small, noisy(tilted, 0.5, noise), 0.9, 1.5, minimum_steps);
    const bp::Path large_noise = follow("gradient + noise (sigma 1.5)", t_large, noisy(tilted, 1.5, noise), 0.9, 1.5, minimum_steps);
    //! [noise]
    bp::save_contour_figure({"paths_noise_saddle",
                             std::to_string(ridge_steps) + " steps of SGD (lr 0.05) from (0, 1.5), on the saddle's ridge",
                             "x**4/4 - x**2/2 + y**2/2",
                             -1.6,
                             1.6,
                             -1.0,
                             1.8,
                             {-0.2, -0.1, 0, 0.1, 0.3, 0.6, 1.0, 1.5},
                             {stuck, escapes}},
                            dir);
    bp::save_contour_figure({"paths_noise_minimum",
                             std::to_string(minimum_steps) + " steps of SGD (lr 0.05) from (0.9, 1.5), above the shallow minimum",
                             "x**4/4 - x**2/2 + x/4 + y**2/2",
                             -2,
                             2,
                             -1.2,
                             1.8,
                             {-0.5, -0.4, -0.2, -0.1, 0, 0.03, 0.1, 0.3, 0.6, 1.0, 1.5},
                             {in_local, small_noise, large_noise}},
                            dir);
    std::cout << "wrote paths_saddle, paths_rosenbrock, paths_noise_saddle and paths_noise_minimum (.png, .svg, .dat) to " << dir.string()
              << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch05-experiment-paths: " << e.what() << "\n";
    return 1;
}
