// Chapter 7 experiment: truncated BPTT with a window of k steps, on a task whose targets
// depend on the input exactly d steps back: in chunks of k steps (exercise 7.7), and with
// overlapping windows, Williams and Peng's BPTT(k; h') (overlapping_bptt). Run it with ./course experiment 7.
#include "bptt_experiments.hpp"
#include "bp/recurrent/gru.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"
#include "sequence_tasks.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <iostream>

namespace {

struct Settings {
    long steps = 300;
    bp::Index every = 1;  // h' of the overlapping runs, BPTT(k; h')
    std::uint64_t seed = 5;
    std::string dir = ".";
};

Settings parse(int argc, char** argv) {
    Settings s;
    bp::Options options("ch07-experiment-truncation",
                        "Accuracy at recalling the symbol d steps back, trained with truncated BPTT of window k: in chunks of k "
                        "steps, and overlapping, a backward pass over the last k steps every h' steps (BPTT(k; h')).");
    options.integer("steps", s.steps, 1L, 100000L, "the most training steps for each d and k (batches of 32)")
        .integer("every", s.every, bp::Index{1}, bp::Index{24},
                 "h', the steps between updates of the overlapping runs (those with k <= h' are not run)")
        .integer("seed", s.seed, std::uint64_t{0}, std::uint64_t{1} << 62, "the random seed")
        .positional("DIR", s.dir, "where to write truncation.png, .svg and .dat");
    options.parse_or_exit(argc, argv);
    return s;
}

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
    bp::require_figure_folder(s.dir, "DIR");  // before the work, not after it
    const std::vector<bp::Index> windows = {1, 2, 3, 4, 5, 6, 7, 8, 10};
    const char* const colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c"};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<bp::Curve> curves;
    for (int overlapping = 0; overlapping < 2; ++overlapping) {
        int colour = 0;
        for (bp::Index d : {2, 4, 6}) {
            bp::Curve curve{
                overlapping ? "d = " + std::to_string(d) + ", BPTT(k; " + std::to_string(s.every) + ")"
                            : "d = " + std::to_string(d) + ", chunks of k",
                {},
                std::string(overlapping ? "linespoints lw 2 dt 2 pt 6" : "linespoints lw 2 pt 7") + " lc rgb '" + colours[colour++] + "'"};
            for (bp::Index k : windows) {
                if (overlapping && k <= s.every) {  // no overlap: the same run as the chunks'
                    curve.y.push_back(nan);
                    continue;
                }
                //! [experiment]
                bp::Rng rng(s.seed);
                bp::SequenceModel model(std::make_unique<bp::Gru>(4, 24, rng), 4, rng);
                bp::Adam adam(0.01);
                bp::TaskTraining how;
                how.steps = s.steps;
                how.window = k;                        // truncated BPTT: chunks of k steps
                if (overlapping) how.every = s.every;  // or a backward pass over the last k steps every h' steps
                how.clip_norm = 1.0;
                how.stop_at = 0.99;
                const bp::Task task = [d](bp::Index m, bp::Rng& r) { return bp::delayed_recall(24, d, m, 4, r); };
                curve.y.push_back(bp::train_on_task(model, bp::softmax_cross_entropy(), adam, task, how, 1024, rng).accuracy);
                //! [experiment]
            }
            curves.push_back(curve);
        }
    }
    std::printf("accuracy             window k:");
    for (bp::Index k : windows) std::printf("%6ld", long(k));
    std::printf("\n");
    for (const bp::Curve& c : curves) {
        std::printf("%-28s", c.title.c_str());
        for (double a : c.y) std::isnan(a) ? std::printf("     -") : std::printf("%6.2f", a);
        std::printf("\n");
    }
    curves.push_back({"chance (1/4)", std::vector<double>(windows.size(), 0.25), "lines lw 2 dt 3 lc rgb '#888888'"});
    bp::save_figure({"truncation",
                     "Recall the symbol d steps back, trained with truncated BPTT",
                     "window k (steps of each backward pass)",
                     "test accuracy",
                     std::vector<double>(windows.begin(), windows.end()),
                     curves,
                     {"set yrange [0:1.05]", "set key below maxrows 3", "set xtics 1"}},
                    s.dir);
    std::cout << "wrote truncation (.png, .svg, .dat) in " << s.dir << "\n";
} catch (const std::exception& e) {
    std::cerr << "ch07-experiment-truncation: " << e.what() << "\n";
    return 1;
}
