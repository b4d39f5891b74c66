// Chapter 7's character model reads its text through bp::read_text (chapters/07-bptt/char_text.hpp):
// every byte comes back from its code, a tenth is held out, and what is not a text to learn is
// refused by name. (tests/fuzz/fuzz_char_text.cpp feeds it any bytes.)
#include "check.hpp"

#include "bp/io/data.hpp"
#include "char_text.hpp"

#include <sys/stat.h>

#include <string>

namespace {

using bp_test::error_of;
using bp_test::TempDir;

// The bytes written to `file`, whose path it gives as read_text takes it.
std::string write_text(const std::filesystem::path& file, const std::string& bytes) {
    bp_test::write_bytes(file, bytes);
    return file.string();
}

TEST(Ch07Text, EveryByteComesBackFromItsCodeAndATenthIsHeldOut) {
    TempDir dir;
    std::string bytes;
    for (int i = 0; i < 400; ++i) bytes += "the cat\n\xff\x80"[i % 10];
    const bp::CharText text = bp::read_text(write_text(dir.path / "text.txt", bytes));
    // char order, as models saved before were made with: the bytes above 127 (negative chars) first.
    EXPECT_EQ(text.alphabet, std::string("\x80\xff\n aceht"));
    ASSERT_EQ(text.codes.size(), 360u);
    ASSERT_EQ(text.held_out.size(), 40u) << "pieces 10, 20, 30 and 40 of 40";
    std::string decoded, held;
    for (bp::Index c : text.codes) decoded += text.alphabet[static_cast<std::size_t>(c)];
    for (bp::Index c : text.held_out) held += text.alphabet[static_cast<std::size_t>(c)];
    EXPECT_EQ(held, bytes.substr(90, 10) + bytes.substr(190, 10) + bytes.substr(290, 10) + bytes.substr(390, 10));
    EXPECT_EQ(decoded, bytes.substr(0, 90) + bytes.substr(100, 90) + bytes.substr(200, 90) + bytes.substr(300, 90));
}

TEST(Ch07Text, WhatIsNotATextToLearnIsRefusedByName) {
    TempDir dir;
    EXPECT_MENTIONS(error_of<bp::DataError>([&] { bp::read_text((dir.path / "none.txt").string()); }), "none.txt: no such file");
    EXPECT_MENTIONS(error_of<bp::DataError>([&] { bp::read_text(write_text(dir.path / "empty.txt", "")); }),
                    "empty.txt: the file is empty");
    EXPECT_MENTIONS(error_of<bp::DataError>([&] { bp::read_text(dir.path.string()); }), "not a regular file");
    const auto pipe = dir.path / "pipe";
    ASSERT_EQ(::mkfifo(pipe.c_str(), 0600), 0);
    EXPECT_MENTIONS(error_of<bp::DataError>([&] { bp::read_text(pipe.string()); }), "pipe: not a regular file");
    EXPECT_MENTIONS(error_of<bp::DataError>([&] { bp::encode_text(std::string(bp::CharText::largest + 1, 'a'), "big.txt"); }),
                    "big.txt: 64 MB is more than the 64 MB this program reads");
}

}  // namespace
