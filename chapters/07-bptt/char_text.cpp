#include "char_text.hpp"

#include "bp/io/data.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>

namespace bp {

namespace {

DataError too_large(const std::string& name, std::uintmax_t size) {
    return DataError(name + ": " + std::to_string(size >> 20) + " MB is more than the " + std::to_string(CharText::largest >> 20) +
                     " MB this program reads (it keeps about 12 bytes per character): give a part of it");
}

}  // namespace

CharText encode_text(const std::string& bytes, const std::string& name) {
    if (bytes.empty()) throw DataError(name + ": the file is empty: there is no text to learn from");
    if (bytes.size() > CharText::largest) throw too_large(name, bytes.size());
    CharText t;
    std::array<bool, 256> seen{};
    for (char c : bytes) seen[static_cast<unsigned char>(c)] = true;
    for (std::size_t b = 0; b < seen.size(); ++b)
        if (seen[b]) t.alphabet += static_cast<char>(b);
    std::sort(t.alphabet.begin(), t.alphabet.end());  // char order, as the saved models were made with
    std::array<Index, 256> code{};
    for (std::size_t i = 0; i < t.alphabet.size(); ++i) code[static_cast<unsigned char>(t.alphabet[i])] = static_cast<Index>(i);
    const std::size_t pieces = 40;
    for (std::size_t i = 0; i < bytes.size(); ++i)
        (i * pieces / bytes.size() % 10 == 9 ? t.held_out : t.codes).push_back(code[static_cast<unsigned char>(bytes[i])]);
    return t;
}

CharText read_text(const std::string& file) {
    std::error_code error;
    const auto status = std::filesystem::status(file, error);
    if (!std::filesystem::exists(status)) throw DataError(file + ": no such file: give the path of a text to learn");
    // A pipe or a device (/dev/zero) could hang the program or never end: only a file is read.
    if (!std::filesystem::is_regular_file(status))
        throw DataError(file + ": not a regular file (a folder, a pipe or a device): give the path of a text file");
    if (const auto size = std::filesystem::file_size(file, error); !error && size > CharText::largest) throw too_large(file, size);
    std::ifstream in(file, std::ios::binary);
    if (!in) throw DataError(file + ": cannot open it");
    // In chunks, and no further than one byte past the largest text: a file that grows while it
    // is read is refused, not read without end.
    std::string bytes;
    char chunk[1 << 16];
    while (bytes.size() <= CharText::largest && in.read(chunk, sizeof chunk).gcount() > 0)
        bytes.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (in.bad()) throw DataError(file + ": reading it failed");
    return encode_text(bytes, file);
}

}  // namespace bp
