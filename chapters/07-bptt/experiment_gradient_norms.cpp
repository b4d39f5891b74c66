// Chapter 7 experiment: how far back the gradient of a loss at the last step reaches.
// ||dL/dh_t|| against the distance T - t, for a tanh RNN with W_h = rho Q (Q a random
// orthogonal matrix) for several rho, and for an LSTM. Run it with ./course experiment 7.
#include "bptt_experiments.hpp"
#include "bp/recurrent/lstm.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"
#include "bp/recurrent/rnn.hpp"

#include <cstdio>
#include <iostream>

namespace {

struct Settings {
    bp::Index hidden = 64, steps = 50, batch = 16;
    double input_scale = 0.5;
    std::uint64_t seed = 7;
    std::string dir = ".";
};

Settings parse(int argc, char** argv) {
    Settings s;
    bp::Options options("ch07-experiment-gradient-norms",
                        "||dL/dh_t|| against the distance T - t for a loss at the last step: a tanh RNN with W_h = rho Q, and an LSTM.");
    options.integer("hidden", s.hidden, bp::Index{2}, bp::Index{1024}, "n_h, the size of the state")
        .integer("steps", s.steps, bp::Index{10}, bp::Index{1000}, "T, the length of the sequence")
        .integer("batch", s.batch, bp::Index{1}, bp::Index{1024}, "m, sequences in the batch")
        .real("input-scale", s.input_scale, 0.0, 10.0, "the inputs' standard deviation")
        .integer("seed", s.seed, std::uint64_t{0}, std::uint64_t{1} << 62, "the random seed")
        .positional("DIR", s.dir, "where to write gradient_norms.png, .svg and .dat");
    options.parse_or_exit(argc, argv);
    // The LSTM's gates, cell and state at every step, and their gradients: about 9 per unit, step and sequence (measured).
    options.limit_memory(9 * 8.0 * double(s.hidden) * double(s.steps) * double(s.batch),
                         {{"hidden", s.hidden}, {"steps", s.steps}, {"batch", s.batch}});
    return s;
}

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
    bp::require_figure_folder(s.dir, "DIR");  // before the work, not after it
    //! [experiment]
    std::vector<bp::Curve> curves;
    std::vector<std::vector<double>> rnn_norms;
    const std::vector<double> rhos = {0.5, 0.9, 1.0, 1.1, 1.5};
    for (double rho : rhos) {
        bp::Rng rng(s.seed);  // the same inputs and loss for every layer
        bp::Rnn rnn(8, s.hidden, rng);
        rnn.W_h = rho * bp::random_orthogonal(s.hidden, rng);  // spectral radius and norm rho
        rnn_norms.push_back(bp::gradient_norms_by_distance(rnn, s.steps, s.batch, s.input_scale, rng));
        char title[40];
        std::snprintf(title, sizeof title, "RNN, ρ = %.1f", rho);
        curves.push_back({title, rnn_norms.back(), "lines lw 2"});
    }
    bp::Rng rng(s.seed);
    bp::Lstm lstm(8, s.hidden, rng);  // forget bias 1
    const std::vector<double> lstm_norms = bp::gradient_norms_by_distance(lstm, s.steps, s.batch, s.input_scale, rng);
    curves.push_back({"LSTM, forget bias 1", lstm_norms, "lines lw 3 dt 2 lc rgb 'black'"});
    //! [experiment]

    // The table of what the figure shows. (The tests check the page's claims about it on the
    // default options: tests/ch07_library_test.cpp.)
    const std::size_t T = static_cast<std::size_t>(s.steps);
    std::printf("    layer             ||dL/dh_t|| / ||dL/dh_T|| at distance %zu, %zu, %zu    mean factor per step\n", std::size_t{10},
                T / 2, T);
    for (std::size_t i = 0; i < rhos.size(); ++i) {
        const std::vector<double>& n = rnn_norms[i];
        std::printf("    RNN, rho = %.1f    %10.3g %10.3g %10.3g    %8.3f\n", rhos[i], n[10], n[T / 2], n[T], bp::factor_per_step(n, 0, T));
    }
    std::printf("    LSTM              %10.3g %10.3g %10.3g    %8.3f\n", lstm_norms[10], lstm_norms[T / 2], lstm_norms[T],
                bp::factor_per_step(lstm_norms, 0, T));

    std::vector<double> distance;
    for (std::size_t j = 0; j <= T; ++j) distance.push_back(static_cast<double>(j));
    bp::save_figure({"gradient_norms",
                     "How far back a loss at the last step reaches (n_h = " + std::to_string(s.hidden) + ")",
                     "distance T - t (steps back from the loss)",
                     "||dL/dh_t|| / ||dL/dh_T||",
                     distance,
                     curves,
                     {"set logscale y", "set format y '10^{%L}'", "set key bottom left", "set yrange [1e-20:1e4]"}},
                    s.dir);
    std::cout << "wrote gradient_norms (.png, .svg, .dat)\n";
} catch (const std::exception& e) {
    std::cerr << "ch07-experiment-gradient-norms: " << e.what() << "\n";
    return 1;
}
