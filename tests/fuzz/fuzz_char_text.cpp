// Fuzz target: the text reader of chapter 7's character model (bp::read_text,
// chapters/07-bptt/char_text.hpp), on any bytes. It must return the text encoded or throw
// bp::DataError; never crash, read out of bounds, or encode a byte wrongly: every byte of the
// input must come back from its code, in the part it belongs to.
#include "char_text.hpp"

#include "bp/io/data.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // read_text reads a file: the input goes to one of this process's own.
    static const std::string file = "/tmp/bp-fuzz-char-text-" + std::to_string(::getpid()) + ".txt";
    // A new file each time: truncating one makes ext4 flush it to disk (auto_da_alloc), a
    // hundred times slower.
    std::remove(file.c_str());
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    bp::CharText text;
    try {
        text = bp::read_text(file);
    } catch (const bp::DataError&) {
        if (size == 0) return 0;  // refused by name: what the reader must do with an empty file
        __builtin_trap();         // nothing else is a reason to refuse a text this small
    }
    // The alphabet: distinct bytes, in order. Every byte of the input: its code's character.
    if (text.alphabet.empty() || !std::is_sorted(text.alphabet.begin(), text.alphabet.end()) ||
        std::adjacent_find(text.alphabet.begin(), text.alphabet.end()) != text.alphabet.end() ||
        text.codes.size() + text.held_out.size() != size)
        __builtin_trap();
    std::size_t trained = 0, held = 0;
    for (std::size_t i = 0; i < size; ++i) {
        const bool held_out = i * 40 / size % 10 == 9;
        const bp::Index code = held_out ? text.held_out[held++] : text.codes[trained++];
        if (code < 0 || code >= text.size() || text.alphabet[static_cast<std::size_t>(code)] != static_cast<char>(data[i]))
            __builtin_trap();
    }
    return 0;
}
