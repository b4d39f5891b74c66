// ch07-char-lm's command line, apart from the program (char_lm.cpp): read by ch07-char-lm,
// and by ch07-char-lm-options, which reads it and does nothing more. That one builds in
// seconds (bp::Options alone, no Eigen, no library), so ./course train --text runs it before
// the minutes that ch07-char-lm's build takes: a mistyped option is named at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ch07 {

struct CharLmOptions {
    long steps = 2000;
    std::ptrdiff_t hidden = 128, length = 64, batch = 32, sample = 600;  // bp::Index (Eigen's), not included here
    double lr = 3e-3, clip = 5.0, temperature = 0.7;
    std::uint64_t seed = 1;
    std::string prime = "The ", figures = ".", file = "/usr/share/common-licenses/GPL-3", model = "char_lm.bin";
    bool resume = false, sample_only = false;
    long monitor = 0;
};

// The command line, read with bp::Options: an unknown option or a value it does not accept
// is refused by name (the program exits with 2); --help lists every option (it exits with 0).
CharLmOptions parse_char_lm_options(int argc, char** argv);

}  // namespace ch07
