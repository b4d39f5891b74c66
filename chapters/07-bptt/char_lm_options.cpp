#include "char_lm_options.hpp"

#include "bp/io/options.hpp"

namespace ch07 {

CharLmOptions parse_char_lm_options(int argc, char** argv) {
    using Index = std::ptrdiff_t;
    CharLmOptions s;
    bp::Options options("ch07-char-lm", "Trains an LSTM to predict the next character of a text, then samples text from it.");
    options.integer("steps", s.steps, 1L, 10000000L, "training steps (Adam), each on a batch of random stretches of the text")
        .integer("hidden", s.hidden, Index{1}, Index{4096}, "n_h, the LSTM's state")
        .integer("length", s.length, Index{1}, Index{10000}, "T, the characters in each stretch (the BPTT window)")
        .integer("batch", s.batch, Index{1}, Index{4096}, "m, stretches per batch")
        .real("lr", s.lr, 0.0, 1.0, "Adam's learning rate", bp::Options::above_min)
        .real("clip", s.clip, 0.0, 1e6, "the largest gradient norm", bp::Options::above_min)
        .integer("seed", s.seed, std::uint64_t{0}, std::uint64_t{1} << 62, "the random seed")
        .integer("sample", s.sample, Index{0}, Index{1000000}, "characters to write after training")
        .real("temperature", s.temperature, 0.01, 10.0, "below 1: likelier characters; above 1: more varied ones")
        .text("prime", s.prime, "the text the sample starts from")
        .path("figures", s.figures, "where to write char_lm_loss.png, .svg and .dat")
        .path("model", s.model, "where the model is saved (and Adam's state, in FILE.train), and read by --resume and --sample-only")
        .flag("resume", s.resume, "continue training the saved model (--model) for --steps more steps")
        .flag("sample-only", s.sample_only, "write --sample characters from the saved model (--model) and train nothing")
        .integer("monitor", s.monitor, 0L, 1000000L,
                 "chapter 6's gradient monitor: record every N steps and show the last record (0: never)")
        .positional("TEXT", s.file, "the text to learn");
    options.parse_or_exit(argc, argv);
    return s;
}

}  // namespace ch07

#ifdef BP_OPTIONS_ONLY
#include <iostream>

// ch07-char-lm-options: exits with 0, printing nothing, when ch07-char-lm would take this
// command line; prints what ch07-char-lm would say and exits as it would (2) when not; prints
// the help for --help.
int main(int argc, char** argv) try { ch07::parse_char_lm_options(argc, argv); } catch (const std::exception& e) {
    std::cerr << "ch07-char-lm-options: " << e.what() << '\n';
    return 1;
}
#endif
