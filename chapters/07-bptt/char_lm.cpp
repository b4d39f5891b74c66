// Chapter 7: a character-level language model. An LSTM reads a text one character at a time
// and learns to predict the next one; then it writes text of its own, one character at a
// time, each drawn from what it predicts. Run it with ./course train --text [--mine] [FILE].
//
//   ch07-char-lm [--steps N] [--hidden N] [--length T] [--batch M] [--lr X] [--clip X]
//                [--seed S] [--sample N] [--temperature X] [--prime TEXT] [--figures DIR]
//                [--model FILE] [--resume] [--sample-only] [--monitor N] [TEXT]
//
// TEXT is the text to learn (default: the GNU GPL version 3, which every Debian system has in
// /usr/share/common-licenses). A tenth of it, every tenth of 40 pieces, is held out to measure
// the model on text it has not trained on. The loss curve goes to DIR/char_lm_loss.png, .svg
// and .dat. The model is saved to FILE (and Adam's state to FILE.train) at every point of the
// curve: --resume continues from them, taking the same steps as a run that never stopped
// (each step's stretches are drawn from the seed and the step alone); --sample-only writes text
// from the saved model and trains nothing.
#include "char_text.hpp"

#include "bp/io/data.hpp"
#include "bp/train/gradient_monitor.hpp"
#include "bp/recurrent/lstm.hpp"
#include "bp/io/model_file.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"
#include "bp/recurrent/sequence_model.hpp"
#include "bp/train/train.hpp"
#include "char_lm_options.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace {

// The command line (char_lm_options.cpp).
using Settings = ch07::CharLmOptions;
Settings parse(int argc, char** argv) { return ch07::parse_char_lm_options(argc, argv); }

using Text = bp::CharText;  // the text, as indices into its alphabet (char_text.hpp)

// m stretches of T + 1 characters from random places of `codes`: x_t is character t of a
// stretch, one-hot, and y_t the one after it, the target at every step.
bp::SequenceBatch stretches(const std::vector<bp::Index>& codes, bp::Index alphabet, bp::Index T, bp::Index m, bp::Rng& rng) {
    bp::SequenceBatch b{bp::Sequence(alphabet, T, m), bp::Sequence(alphabet, T, m), 1};
    for (bp::Index k = 0; k < m; ++k) {
        const std::size_t start = static_cast<std::size_t>(rng.below(static_cast<bp::Index>(codes.size()) - T));
        for (bp::Index t = 1; t <= T; ++t) {
            b.x.at(t)(codes[start + std::size_t(t) - 1], k) = 1.0;
            b.y.at(t)(codes[start + std::size_t(t)], k) = 1.0;
        }
    }
    return b;
}

// The loss per character on 4 batches of stretches of `codes`, in nats: the same 4 for the same
// seed, so that the points of a curve differ by what the model learned alone.
double loss_per_character(bp::SequenceModel& model, const std::vector<bp::Index>& codes, bp::Index alphabet, const Settings& s) {
    bp::Rng rng(s.seed + 1);
    double total = 0;
    for (int i = 0; i < 4; ++i) {
        const bp::SequenceBatch b = stretches(codes, alphabet, s.length, s.batch, rng);
        total += bp::sequence_loss(bp::softmax_cross_entropy(), model.forward(b.x), b) / static_cast<double>(s.length);
    }
    return total / 4;
}

// Writes `count` characters after `prime`: one step of the LSTM at a time, from the state the
// step before left, each character drawn from softmax(o_t / temperature).
std::string sample(bp::SequenceModel& model, const Text& text, const Settings& s, bp::Rng& rng) {
    bp::RecurrentState state;  // zeros
    bp::Sequence x(text.size(), 1, 1);
    std::string out = s.prime;
    bp::Index next = 0;
    const auto feed = [&](bp::Index code) {
        x.all().setZero();
        x.at(1)(code, 0) = 1.0;
        const bp::Sequence& o = model.forward(x, state);
        state = model.layer->final_state();
        // softmax(o / temperature), then the character whose share of [0, 1) holds a uniform draw
        const Eigen::ArrayXd z = o.at(1).col(0).array() / s.temperature;
        const Eigen::ArrayXd p = (z - z.maxCoeff()).exp();
        double u = rng.uniform() * p.sum();
        for (next = 0; next + 1 < text.size() && u >= p(next); ++next) u -= p(next);
    };
    for (char c : s.prime) feed(static_cast<bp::Index>(text.alphabet.find(c)));  // main checked that each is there
    if (s.prime.empty()) feed(text.codes.front());
    for (bp::Index i = 0; i < s.sample; ++i) {
        out += text.alphabet[std::size_t(next)];
        feed(next);
    }
    return out;
}

// The stretches of step `step`: drawn from the seed and the step alone, so that a resumed run
// draws what a run that never stopped would have.
bp::SequenceBatch stretches_of_step(const Text& text, const Settings& s, long step) {
    bp::Rng rng(s.seed * 1000003 + 2 + static_cast<std::uint64_t>(step));
    return stretches(text.codes, text.size(), s.length, s.batch, rng);
}

void print_sample(bp::SequenceModel& model, const Text& text, const Settings& s) {
    bp::Rng draw(s.seed + 2);
    const std::string written = sample(model, text, s, draw);
    std::cout << "\nSampled text (temperature " << s.temperature << "), starting from \"" << s.prime << "\":\n\n" << written << "\n";
}

// The saved model, checked against the text: its inputs and outputs are the text's alphabet.
bp::SequenceModel load_for(const Text& text, const Settings& s) {
    bp::SequenceModel model = bp::load_sequence_model(s.model);
    if (model.layer->n_in() != text.size() || !model.readout || model.readout->n_out() != text.size())
        throw bp::DataError(s.model + ": this model reads " + std::to_string(model.layer->n_in()) + " different characters but " + s.file +
                            " has " + std::to_string(text.size()) + ": give the text it learned from");
    return model;
}

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
    const Text text = bp::read_text(s.file);
    const std::size_t n = text.codes.size() + text.held_out.size();
    if (text.held_out.size() <= std::size_t(s.length))
        throw bp::DataError(s.file + ": " + std::to_string(n) + " characters are too few: the tenth held out (" +
                            std::to_string(text.held_out.size()) +
                            " characters) must hold a stretch of --length + 1 = " + std::to_string(s.length + 1));
    // Everything that can be checked is checked before the first step, not after the training.
    // What forward and backward keep: the LSTM's gates, cell and state (7 n_h numbers) and the
    // readout's outputs and their gradients (2 K) at each of T steps, for m stretches.
    const double bytes = 8.0 * double(s.length) * double(s.batch) * (7.0 * double(s.hidden) + 2.0 * double(text.size()));
    if (!s.sample_only) bp::require_memory(bytes, {{"hidden", s.hidden}, {"batch", s.batch}, {"length", s.length}});
    for (char c : s.sample > 0 || s.sample_only ? s.prime : std::string())  // the prime is read only to write a sample
        if (text.alphabet.find(c) == std::string::npos)
            throw std::invalid_argument(std::string("--prime: the text has no character '") + c + "', so the model cannot read it");
    if (!s.sample_only) bp::require_figure_folder(s.figures, "--figures");
    if (!s.sample_only) bp::require_model_destination(s.model, "--model");
    if (s.sample_only) {  // no training: the saved model writes text
        bp::SequenceModel model = load_for(text, s);
        std::cout << s.model << ": an " << model.layer->kind() << " of n_h = " << model.layer->n_out() << "\n";
        print_sample(model, text, s);
        return 0;
    }
    std::cout << s.file << ": " << n << " characters, " << text.size() << " different ones\n";

    //! [model]
    bp::Rng rng(s.seed);
    bp::SequenceModel model(std::make_unique<bp::Lstm>(text.size(), s.hidden, rng), text.size(), rng);  // o_t: logits of the next character
    bp::Adam adam(s.lr);
    long first = 0;  // the step to start from: 0, or where the saved run stopped
    if (s.resume) {
        model = load_for(text, s);
        first = bp::load_training_state(adam, model.parameters(), s.model + ".train");
        adam.lr = s.lr;
        std::cout << "resuming " << s.model << " at step " << first << "\n";
    }
    std::cout << "an LSTM of n_h = " << model.layer->n_out() << " reads stretches of " << s.length << ", " << s.batch << " at a time\n";
    bp::EpochOptions options;
    options.clip_norm = s.clip;
    bp::GradientMonitor monitor(model, adam, s.monitor);  // chapter 6's monitor, on the LSTM: its weights, and dL/dh_t through time
    monitor.hook_into(options);
    bp::ProgressBar bar("training", s.steps, std::cout);
    const long every = std::max(1L, s.steps / 25);  // how often to measure the loss on the held-out text, and save
    std::vector<double> step, training, unseen;
    double running = 0;
    bool saved = s.resume;  // whether this run has saved: its first save keeps an earlier run's files
    for (long i = first; i < first + s.steps; ++i) {
        const bp::SequenceBatch b = stretches_of_step(text, s, i);
        double loss = 0;
        try {
            loss = bp::train_sequence_step(model, bp::softmax_cross_entropy(), adam, b, options, i);
        } catch (const bp::Diverged&) {  // how the gradients stood before it, if they were recorded
            if (!monitor.records().empty()) std::cerr << "\nThe gradient monitor:\n" << monitor.report();
            throw;
        }
        // The loss is summed over the T steps: per character, it is L / T.
        const double per_char = loss / double(s.length);
        running = i == first ? per_char : 0.95 * running + 0.05 * per_char;
        bar.update(i - first + 1, running);
        if ((i - first + 1) % every == 0 || i + 1 == first + s.steps) {
            step.push_back(double(i + 1));
            training.push_back(running);
            unseen.push_back(loss_per_character(model, text.held_out, text.size(), s));
            if (!saved)
                for (const std::string& f : {s.model, s.model + ".train"})
                    if (const auto backup = bp::keep_as_backup(f))
                        std::cout << "\nan earlier run's " << f << " is kept as " << backup->string() << "\n";
            saved = true;
            bp::save_model(model, s.model);  // a run stopped here resumes from here
            bp::save_training_state(adam, i + 1, s.model + ".train");
        }
    }
    //! [model]
    const double train_loss = loss_per_character(model, text.codes, text.size(), s);
    bar.finish(std::to_string(s.steps) + " steps");
    std::ostringstream losses;  // (not std::cout << std::fixed, which would stay set)
    losses << std::fixed << std::setprecision(3) << "loss per character, in nats (bits: / ln 2):\n"
           << "  on the text it learned from    " << train_loss << "\n"
           << "  on the tenth held out          " << unseen.back() << " (lowest " << *std::min_element(unseen.begin(), unseen.end())
           << ")\n"
           << "  guessing uniformly             " << std::log(double(text.size())) << "\n"
           << "model saved to " << s.model << " (resume with --resume, sample with --sample-only)\n";
    std::cout << losses.str();
    if (s.monitor > 0 && !monitor.records().empty())
        std::cout << "\nThe gradient monitor, last record:\n" << bp::format_record(monitor.records().back());

    bp::save_figure({"char_lm_loss",
                     "A character-level LSTM on " + s.file.substr(s.file.find_last_of('/') + 1),
                     "training step",
                     "loss per character (nats)",
                     step,
                     {{"training batches (moving average)", training, "linespoints lw 2 pt 7 ps 0.6"},
                      {"the tenth held out, never trained on", unseen, "linespoints lw 2 pt 7 ps 0.6"}},
                     {"set key top right"}},
                    s.figures);
    if (s.sample > 0) print_sample(model, text, s);
} catch (const bp::Diverged& e) {
    std::cerr << "\nch07-char-lm: " << e.what() << "\n";
    return 3;
} catch (const std::exception& e) {
    std::cerr << "ch07-char-lm: " << e.what() << "\n";
    return 1;
}
