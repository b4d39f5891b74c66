// Chapter 7 experiment: an RNN trained with plain SGD at a large learning rate, with and
// without clipping the gradient's norm: the loss and the norm at every step. Run it with
// ./course experiment 7.
#include "bptt_experiments.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"
#include "bp/recurrent/rnn.hpp"
#include "sequence_tasks.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace {

struct Settings {
    long steps = 600;
    double lr = 0.3, clip = 1.0;
    std::uint64_t seed = 3;
    std::string dir = ".";
};

Settings parse(int argc, char** argv) {
    Settings s;
    bp::Options options("ch07-experiment-clipping",
                        "An RNN learning to remember the first of 20 symbols with SGD, with and without clipping.");
    options.integer("steps", s.steps, 50L, 100000L, "training steps (batches of 32)")
        .real("lr", s.lr, 0.0, 100.0, "SGD's learning rate", bp::Options::above_min)
        .real("clip", s.clip, 0.0, 1e6, "the largest gradient norm when clipping", bp::Options::above_min)
        .integer("seed", s.seed, std::uint64_t{0}, std::uint64_t{1} << 62, "the random seed")
        .positional("DIR", s.dir, "where to write clipping_loss and clipping_norm (.png, .svg, .dat)");
    options.parse_or_exit(argc, argv);
    return s;
}

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
    bp::require_figure_folder(s.dir, "DIR");  // before the work, not after it
    //! [experiment]
    bp::TaskResult runs[2];
    for (int clipped = 0; clipped < 2; ++clipped) {
        bp::Rng rng(s.seed);  // the same start and the same batches for both
        bp::SequenceModel model(std::make_unique<bp::Rnn>(4, 32, rng), 4, rng);
        bp::Sgd sgd(s.lr);
        bp::TaskTraining how;
        how.steps = s.steps;
        how.clip_norm = clipped ? s.clip : 0.0;
        const bp::Task task = [](bp::Index m, bp::Rng& r) { return bp::first_symbol(20, m, 4, r); };
        runs[clipped] = bp::train_on_task(model, bp::softmax_cross_entropy(), sgd, task, how, 1024, rng);
    }
    //! [experiment]
    for (int c = 0; c < 2; ++c) {
        const auto largest = std::max_element(runs[c].grad_norm.begin(), runs[c].grad_norm.end());
        std::printf("%-18s accuracy %5.1f %%, largest gradient norm %.3g at step %ld\n",
                    c ? "with clipping:" : "without clipping:", 100 * runs[c].accuracy, *largest,
                    long(largest - runs[c].grad_norm.begin()) + 1);
        std::printf("%-18s mean loss per 50 steps:", "");
        for (std::size_t first = 0; first + 50 <= runs[c].loss.size(); first += 50) {
            double sum = 0;
            for (std::size_t t = first; t < first + 50; ++t) sum += runs[c].loss[t];
            std::printf(" %.3g", sum / 50);
        }
        std::printf("\n");
    }
    std::vector<double> step;
    for (std::size_t i = 1; i <= runs[0].loss.size(); ++i) step.push_back(static_cast<double>(i));
    char lr[32];
    std::snprintf(lr, sizeof lr, "SGD, lr %g", s.lr);
    const std::string clip = "clipped to norm " + bp::number_text(s.clip);
    bp::save_figure({"clipping_loss",
                     std::string("Training loss of an RNN (") + lr + ")",
                     "step",
                     "loss (the batch's, summed over its scored step)",
                     step,
                     {{"no clipping", runs[0].loss, "lines lw 1"}, {clip, runs[1].loss, "lines lw 1"}},
                     {"set logscale y", "set format y '10^{%L}'", "set key bottom left"}},
                    s.dir);
    bp::save_figure({"clipping_norm",
                     std::string("Gradient norm before clipping (") + lr + ")",
                     "step",
                     "||g||",
                     step,
                     {{"no clipping", runs[0].grad_norm, "lines lw 1"}, {clip, runs[1].grad_norm, "lines lw 1"}},
                     {"set logscale y", "set format y '10^{%L}'", "set key bottom left"}},
                    s.dir);
    std::cout << "wrote clipping_loss and clipping_norm (.png, .svg, .dat) in " << s.dir << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch07-experiment-clipping: " << e.what() << "\n";
    return 1;
}
