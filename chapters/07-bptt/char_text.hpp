/// \file
/// The text chapter 7's character model learns (ch07-char-lm): read from a file and written as
/// indices into its alphabet. Apart from the program, so that the tests and a fuzz target
/// (tests/fuzz/fuzz_char_text.cpp) read a text as the program does.
#pragma once

#include "bp/core/matrix.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace bp {

/// A text as indices into its alphabet, the distinct bytes it holds (in the order std::sort
/// gives a std::string's chars): the part to train on, and the part held out (pieces 10, 20, 30
/// and 40 of 40, a tenth).
struct CharText {
    std::string alphabet;
    std::vector<Index> codes, held_out;

    /// The largest text read: the character model keeps about 12 bytes per character.
    static constexpr std::uintmax_t largest = std::uintmax_t{64} << 20;

    Index size() const { return static_cast<Index>(alphabet.size()); }
};

/// The bytes of a text, encoded. Throws DataError naming `name` if there are none, or more than
/// CharText::largest.
CharText encode_text(const std::string& bytes, const std::string& name);

/// Reads `file` and encodes it. Throws DataError naming the file if it is missing, is not a
/// regular file (a pipe or a device, such as /dev/zero, could hang the program or never end),
/// holds more than CharText::largest bytes (also if it grows while it is read), cannot be read,
/// or is empty.
CharText read_text(const std::string& file);

}  // namespace bp
