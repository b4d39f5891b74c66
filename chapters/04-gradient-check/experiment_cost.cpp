// Chapter 4 experiment B: the cost of one backward pass against a forward pass and against a
// full finite-difference gradient, as the number of parameters N grows. Backpropagation is
// O(N) (a backward pass costs about two forward passes: two matrix products per layer against
// one); finite differences need 2 forward passes per parameter, O(N^2) in all.
// Run it with ./course experiment 4 (--help: its options).
#include "bp/check/gradcheck.hpp"
#include "bp/core/loss.hpp"
#include "bp/layers/mlp.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>

namespace {

// Seconds per call of f, repeated until at least 50 ms have passed.
template <class F>
double seconds_per_call(F f) {
    using clock = std::chrono::steady_clock;
    int calls = 0;
    const auto start = clock::now();
    double elapsed = 0;
    do {
        f();
        ++calls;
        elapsed = std::chrono::duration<double>(clock::now() - start).count();
    } while (elapsed < 0.05);
    return elapsed / calls;
}

}  // namespace

int main(int argc, char** argv) try {
    std::string folder = ".", activation = "tanh";
    std::uint64_t seed = 13;
    bp::Index max_width = 256, m = 8;
    bp::Options options("ch04-experiment-cost",
                        "Chapter 4: the time of a forward pass, a backward pass and a finite-difference gradient of a "
                        "4-layer network W-W-W-W, for widths W = 4, 8, 16, ... up to --max-width.");
    options.positional("FOLDER", folder, "where the figures (.png, .svg) and their data (.dat) go");
    options.integer<std::uint64_t>("seed", seed, 0, UINT64_MAX, "the random seed (weights and examples)");
    options.integer<bp::Index>("max-width", max_width, 4, 4096, "the widest network's width");
    options.integer<bp::Index>("examples", m, 1, 100000, "how many examples in the batch");
    options.text("activation", activation, "the hidden layers' activation", bp::hidden_activation_names());
    options.parse_or_exit(argc, argv);
    // x, y, and each layer's outputs and their gradients: about 12 W x m matrices.
    options.limit_memory(12 * 8.0 * double(max_width) * double(m), {{"max-width", max_width}, {"examples", m}});
    bp::require_figure_folder(folder, "FOLDER");  // before the work, not after it
    std::vector<bp::Index> widths;
    for (bp::Index width = 4; width <= max_width; width *= 2) widths.push_back(width);

    std::vector<double> ns, forward, backward, backprop, finite, ratio, proportional;
    std::cout << "       N    forward (s)   backward (s)   backward/forward   forward+backward (s)   finite differences (s)   ratio\n";
    //! [experiment]
    for (bp::Index width : widths) {
        bp::Rng rng(seed);
        bp::Mlp net({width, width, width, width}, bp::activation_named(activation), bp::Activation::identity, rng);
        const bp::Matrix x = rng.uniform_matrix(width, m, -1, 1), y = rng.uniform_matrix(width, m, -1, 1);
        const auto loss = [&] { return bp::mse_loss(net.forward(x), y); };
        double N = 0;
        for (const bp::Parameter& p : net.parameters()) N += static_cast<double>(p.value().size());

        const double t_forward = seconds_per_call([&] { net.forward(x); });
        const bp::Matrix dy = bp::mse_grad(net.forward(x), y);
        const double t_backward = seconds_per_call([&] {  // after that one forward pass
            net.zero_grad();
            net.backward(dy);
        });
        const double t_backprop = seconds_per_call([&] {  // every gradient at once
            net.zero_grad();
            net.backward(bp::mse_grad(net.forward(x), y));
        });
        // Finite differences cost the same for every parameter: time up to 500 of them
        // (the first weights of layer 1) and scale to all N.
        bp::Matrix& W = net.dense(0).W;
        const bp::Index k = std::min<bp::Index>(W.size(), 500);
        const double t_some = seconds_per_call([&] { bp::numerical_gradient(loss, Eigen::Map<bp::Matrix>(W.data(), k, 1)); });
        const double t_finite = t_some * N / static_cast<double>(k);
        ns.push_back(N);
        forward.push_back(t_forward);
        backward.push_back(t_backward);
        backprop.push_back(t_backprop);
        finite.push_back(t_finite);
        ratio.push_back(t_finite / t_backprop);
        std::printf("%8.0f   %12.3g   %12.3g   %16.1f   %20.3g   %22.3g   %5.0f\n", N, t_forward, t_backward, t_backward / t_forward,
                    t_backprop, t_finite, t_finite / t_backprop);
    }
    //! [experiment]
    std::cout << "(finite differences of at most 500 parameters timed, scaled to N)\n";
    const double scale = ratio.front() / ns.front();  // a line of slope 1 through the first point
    for (double N : ns) proportional.push_back(scale * N);

    const std::filesystem::path dir = folder;
    const std::vector<std::string> log_axes = {"set logscale xy", "set format x '10^{%L}'", "set format y '10^{%L}'", "set key top left"};
    bp::save_figure({"cost_times",
                     "Time for all N gradients of a 4-layer network",
                     "parameters N",
                     "seconds",
                     ns,
                     {{"one forward pass", forward, "linespoints lw 2 pt 7"},
                      {"one backward pass", backward, "linespoints lw 2 pt 7"},
                      {"forward + backward: every gradient", backprop, "linespoints lw 2 pt 7"},
                      {"finite differences, 2N forward passes", finite, "linespoints lw 2 pt 7"}},
                     log_axes},
                    dir);
    bp::save_figure({"cost_ratio",
                     "How many times slower finite differences are",
                     "parameters N",
                     "time ratio",
                     ns,
                     {{"finite differences / (forward + backward)", ratio, "linespoints lw 2 pt 7"},
                      {"proportional to N", proportional, "lines lw 1 dt 2"}},
                     log_axes},
                    dir);
} catch (const std::exception& e) {
    std::cerr << "ch04-experiment-cost: " << e.what() << "\n";
    return 1;
}
