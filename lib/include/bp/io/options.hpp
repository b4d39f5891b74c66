/// \file
/// Command-line options for the course's programs (demos, experiments, ch05-train). Each
/// option is declared with its name, a help text, its default (the variable's value when it
/// is declared) and, for numbers, the range it must lie in:
///
///     bp::Options options("ch05-train", "Trains chapter 5's classifier on Fashion-MNIST.");
///     options.integer("epochs", epochs, 1, 1000, "passes over the training set");
///     options.real("lr", lr, 0, 10, "Adam's learning rate", bp::Options::above_min);
///     options.text("engine", engine, "which code trains", {"fast", "course"});
///     options.parse_or_exit(argc, argv);
///
/// `--help` prints every option with its default and range, and the program exits with 0. An
/// unknown option, a missing value, or a value that is not a number, not finite or out of
/// range is an error naming the option and the value, and the program exits with 2.
///
/// The command line is read by CLI11 (a CLI::App, kept out of this header); what CLI11 would
/// let through is checked before it converts a value: its integers are strtoll/strtoull, which
/// wrap -1 around to 2^64 - 1, read 010 as octal and saturate 2^64 silently, and its ranges let
/// NaN through.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace bp {

/// A command line that the program's options do not accept. what() names the option and the
/// value, e.g. "--epochs: 4294967297 is out of range: give a whole number from 1 to 1000".
class OptionError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// The options of one program.
class Options {
public:
    Options(const std::string& program, const std::string& summary);
    Options(Options&&) noexcept;
    Options& operator=(Options&&) noexcept;
    ~Options();

    /// Whether a real option's lower bound is allowed itself (0 <= x) or not (0 < x).
    enum Bound { min_included, above_min };

    /// --name N: a whole number in [min, max]. Int is any integer type; the value is checked
    /// before it is converted, so it cannot wrap around.
    template <class Int>
    Options& integer(const std::string& name, Int& value, Int min, Int max, const std::string& help);

    /// --name X: a finite number in [min, max] (or (min, max] with above_min).
    Options& real(const std::string& name, double& value, double min, double max, const std::string& help, Bound bound = min_included);

    /// --name TEXT: any text, or one of `choices` if any are given.
    Options& text(const std::string& name, std::string& value, const std::string& help, std::vector<std::string> choices = {});

    /// --name PATH: a file or folder (not checked here: the program says what is wrong with it).
    Options& path(const std::string& name, std::string& value, const std::string& help);

    /// --name, without a value: sets value to true.
    Options& flag(const std::string& name, bool& value, const std::string& help);

    /// An argument without a leading --, such as a folder to write into; optional, in the order
    /// declared. Its default is the variable's value.
    Options& positional(const std::string& name, std::string& value, const std::string& help);

    /// A paragraph that help() prints after the options, such as how another tool runs the
    /// program. Each call adds one; the text is printed as given, lines and all.
    Options& epilogue(const std::string& text);

    /// Reads argv[1..argc): "--name value" or "--name=value"; given twice, an option takes the
    /// last value. Returns false as soon as --help (or -h) is read, without checking the values
    /// before it or reading further; true when every argument was taken. Throws OptionError for
    /// anything it does not accept.
    bool parse(int argc, const char* const* argv);

    /// parse(), for main(): on --help prints help() to stdout and exits with 0; on an
    /// OptionError prints "<program>: <message>" and a pointer to --help to stderr and exits
    /// with 2.
    void parse_or_exit(int argc, const char* const* argv);

    /// An error found after parsing, such as two options that do not go together: printed as
    /// parse_or_exit prints its errors, and the program exits with 2.
    [[noreturn]] void fail(const std::string& message) const;

    /// For options each in range but too large together (a width times a batch times a depth):
    /// fails as fail() does when require_memory(bytes, options) throws.
    void limit_memory(double bytes, std::initializer_list<std::pair<const char*, long long>> options) const;

    /// The usage line, the summary, one line per option (its name, its help, its default and its
    /// range or choices), then the epilogues.
    std::string help() const;

private:
    struct Impl;  // the CLI::App and its help layout (options.cpp)
    // integer()'s two halves in options.cpp, for every signed and every unsigned type.
    Options& whole_signed(const std::string& name, const std::string& help, const std::string& default_text, long long min, long long max,
                          std::function<void(long long)> set);
    Options& whole_unsigned(const std::string& name, const std::string& help, const std::string& default_text, unsigned long long min,
                            unsigned long long max, std::function<void(unsigned long long)> set);

    std::unique_ptr<Impl> impl_;
};

/// The memory the course's programs allow themselves, 4 GB: throws std::invalid_argument when
/// `bytes`, a program's estimate of what its options need, is above it, naming the options and
/// their values ({{"width", 4096}, {"batch", 100000}}: "--width 4096 and --batch 100000").
void require_memory(double bytes, std::initializer_list<std::pair<const char*, long long>> options);

template <class Int>
Options& Options::integer(const std::string& name, Int& value, Int min, Int max, const std::string& help) {
    static_assert(std::is_integral_v<Int> && !std::is_same_v<Int, bool>, "integer() takes an integer variable");
    if (min > max) throw std::invalid_argument("Options::integer: --" + name + " has an empty range");
    // Checked in [min, max] before the cast, so the value cannot wrap around.
    if constexpr (std::is_signed_v<Int>)
        return whole_signed(name, help, std::to_string(value), min, max, [&value](long long x) { value = static_cast<Int>(x); });
    else
        return whole_unsigned(name, help, std::to_string(value), min, max, [&value](unsigned long long x) { value = static_cast<Int>(x); });
}

}  // namespace bp
