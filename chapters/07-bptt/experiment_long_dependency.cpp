// Chapter 7 experiment: learning a dependency of T - 1 steps (remember the first of T
// symbols) as T grows from 5 to 80, with an RNN, a GRU and an LSTM of about the same number of
// parameters; and the LSTM again with its forget gate starting less open. Run it with
// ./course experiment 7.
#include "bptt_experiments.hpp"
#include "bp/recurrent/gru.hpp"
#include "bp/recurrent/lstm.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"
#include "bp/recurrent/rnn.hpp"
#include "sequence_tasks.hpp"

#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>

namespace {

struct Settings {
    long steps = 600;
    double gate_bias = 3.0;
    std::uint64_t seed = 11;
    std::string dir = ".";
};

// A kind of layer, with its name in the figure.
struct Model {
    std::string title;
    std::function<std::unique_ptr<bp::SequenceLayer>(bp::Rng&)> make;
};

Settings parse(int argc, char** argv) {
    Settings s;
    bp::Options options("ch07-experiment-long-dependency",
                        "Final accuracy at remembering the first of T symbols, T = 5 to 80: RNN, GRU and LSTM.");
    options.integer("steps", s.steps, 1L, 100000L, "the most training steps for each model and T (batches of 32)")
        .real("gate-bias", s.gate_bias, -10.0, 10.0, "the starting bias of the LSTM's forget gate and the GRU's update gate")
        .integer("seed", s.seed, std::uint64_t{0}, std::uint64_t{1} << 62, "the random seed")
        .positional("DIR", s.dir, "where to write long_dependency.png, .svg and .dat");
    options.parse_or_exit(argc, argv);
    return s;
}

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
    bp::require_figure_folder(s.dir, "DIR");  // before the work, not after it
    const auto start = std::chrono::steady_clock::now();
    //! [experiment]
    const bp::Index symbols = 4;
    const std::vector<bp::Index> lengths = {5, 10, 20, 40, 80};
    const std::string bias = " " + bp::number_text(s.gate_bias);
    // About 1,300 weights each: the gated cells have three or four weight matrices per unit.
    const std::vector<Model> models = {
        {"RNN, n_h = 32", [&](bp::Rng& r) { return std::make_unique<bp::Rnn>(symbols, 32, r); }},
        {"GRU, n_h = 18, update bias" + bias, [&](bp::Rng& r) { return std::make_unique<bp::Gru>(symbols, 18, r, s.gate_bias); }},
        {"LSTM, n_h = 16, forget bias" + bias, [&](bp::Rng& r) { return std::make_unique<bp::Lstm>(symbols, 16, r, s.gate_bias); }},
        {"LSTM, n_h = 16, forget bias 1", [&](bp::Rng& r) { return std::make_unique<bp::Lstm>(symbols, 16, r, 1.0); }},
    };
    bp::TaskTraining how;
    how.steps = s.steps;
    how.clip_norm = 1.0;
    how.stop_at = 0.99;  // a model that has learned the task stops early
    std::vector<bp::Curve> curves;
    for (const Model& model_of : models) {
        bp::Curve curve{model_of.title, {}, "linespoints lw 2 pt 7"};
        for (bp::Index T : lengths) {
            bp::Rng rng(s.seed);
            bp::SequenceModel model(model_of.make(rng), symbols, rng);
            bp::Adam adam(0.01);
            const bp::Task task = [T](bp::Index m, bp::Rng& r) { return bp::first_symbol(T, m, symbols, r); };
            const bp::TaskResult r = bp::train_on_task(model, bp::softmax_cross_entropy(), adam, task, how, 1024, rng);
            curve.y.push_back(r.accuracy);
            std::printf("%-32s T = %2ld: accuracy %5.1f %% after %3zu steps\n", model_of.title.c_str(), long(T), 100 * r.accuracy,
                        r.loss.size());
        }
        curves.push_back(curve);
    }
    //! [experiment]
    std::printf("(%.1f s)\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());

    curves.push_back({"chance (1/4)", std::vector<double>(lengths.size(), 0.25), "lines lw 2 dt 2 lc rgb '#888888'"});
    std::vector<double> x(lengths.begin(), lengths.end());
    bp::save_figure({"long_dependency",
                     "Remember the first of T symbols: accuracy after training",
                     "T (the dependency is T - 1 steps)",
                     "test accuracy",
                     x,
                     curves,
                     {"set logscale x 2", "set yrange [0:1.05]", "set key bottom left", "set xtics (5, 10, 20, 40, 80)"}},
                    s.dir);
    std::cout << "wrote long_dependency (.png, .svg, .dat)\n";
} catch (const std::exception& e) {
    std::cerr << "ch07-experiment-long-dependency: " << e.what() << "\n";
    return 1;
}
