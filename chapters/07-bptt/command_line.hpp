// The command lines of chapter 7's programs, until the library's own options helper
// (bp/options.hpp, with the same calls) replaces this small one: each option declared with
// its help, its default (the variable's value) and its range; --help prints them and exits
// with 0; a bad option or value is named, and the program exits with 2. Not part of the
// library, so not in the site's API pages.
#pragma once
/// \cond

#include <cmath>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ch07 {

class Options {
public:
    Options(std::string program, std::string summary) : program_(std::move(program)), summary_(std::move(summary)) {}

    /// --name N: a whole number in [min, max].
    template <class Int>
    Options& integer(const std::string& name, Int& value, Int min, Int max, const std::string& help) {
        return add(name, "N", help, std::to_string(value), std::to_string(min) + " to " + std::to_string(max),
                   [&value, name, min, max](const std::string& text) {
                       char* end = nullptr;
                       const long long v = std::strtoll(text.c_str(), &end, 10);
                       if (text.empty() || *end != '\0') throw std::invalid_argument("--" + name + ": '" + text + "' is not a whole number");
                       if (v < static_cast<long long>(min) || v > static_cast<long long>(max))
                           throw std::invalid_argument("--" + name + ": " + text + " is out of range: give a whole number from " +
                                                       std::to_string(min) + " to " + std::to_string(max));
                       value = static_cast<Int>(v);
                   });
    }

    /// --name X: a finite number in [min, max].
    Options& real(const std::string& name, double& value, double min, double max, const std::string& help) {
        return add(name, "X", help, text_of(value), "from " + text_of(min) + " to " + text_of(max),
                   [&value, name, min, max](const std::string& text) {
                       char* end = nullptr;
                       const double v = std::strtod(text.c_str(), &end);
                       if (text.empty() || *end != '\0' || !std::isfinite(v))
                           throw std::invalid_argument("--" + name + ": '" + text + "' is not a finite number");
                       if (v < min || v > max)
                           throw std::invalid_argument("--" + name + ": " + text + " is out of range: give a number from " +
                                                       text_of(min) + " to " + text_of(max));
                       value = v;
                   });
    }

    /// --name TEXT: any text.
    Options& text(const std::string& name, std::string& value, const std::string& help) {
        return add(name, "TEXT", help, "'" + value + "'", "", [&value](const std::string& text) { value = text; });
    }

    /// --name PATH: a file or folder (the program says what is wrong with it).
    Options& path(const std::string& name, std::string& value, const std::string& help) {
        return add(name, "PATH", help, value, "", [&value](const std::string& text) { value = text; });
    }

    /// An argument without a leading --, such as the folder to write into (optional).
    Options& positional(const std::string& name, std::string& value, const std::string& help) {
        positional_ = {name, "", help, value, "", [&value](const std::string& text) { value = text; }};
        return *this;
    }

    /// Reads argv: "--name value" or "--name=value". On --help prints the help and exits with
    /// 0; on a bad option or value prints what is wrong and exits with 2.
    void parse_or_exit(int argc, const char* const* argv) {
        try {
            bool positional_taken = false;
            for (int i = 1; i < argc; ++i) {
                std::string arg = argv[i], value;
                if (arg == "--help" || arg == "-h") {
                    std::cout << help();
                    std::exit(0);
                }
                if (arg.rfind("--", 0) != 0) {
                    if (positional_taken || !positional_.set) throw std::invalid_argument("unexpected argument '" + arg + "'");
                    positional_.set(arg);
                    positional_taken = true;
                    continue;
                }
                if (const auto eq = arg.find('='); eq != std::string::npos) {
                    value = arg.substr(eq + 1);
                    arg = arg.substr(0, eq);
                } else if (i + 1 < argc) {
                    value = argv[++i];
                } else {
                    throw std::invalid_argument(arg + " needs a value");
                }
                const Option* o = find(arg.substr(2));
                if (!o) throw std::invalid_argument("unknown option " + arg);
                o->set(value);
            }
        } catch (const std::invalid_argument& e) {
            fail(e.what());
        }
    }

    /// An error found after parsing: printed as parse_or_exit prints its own, exit code 2.
    [[noreturn]] void fail(const std::string& message) const {
        std::cerr << program_ << ": " << message << " (" << program_ << " --help lists the options)\n";
        std::exit(2);
    }

    std::string help() const {
        std::ostringstream out;
        out << "usage: " << program_ << " [options]" << (positional_.set ? " [" + positional_.name + "]" : "") << "\n"
            << summary_ << "\n\n";
        if (positional_.set) out << "  " << positional_.name << "\n      " << positional_.help << " (default " << positional_.default_text << ")\n";
        for (const Option& o : options_)
            out << "  --" << o.name << " " << o.value_name << "\n      " << o.help << " (default " << o.default_text
                << (o.range_text.empty() ? "" : "; " + o.range_text) << ")\n";
        return out.str();
    }

private:
    struct Option {
        std::string name, value_name, help, default_text, range_text;
        std::function<void(const std::string&)> set;
    };

    static std::string text_of(double x) {
        std::ostringstream out;
        out << x;
        return out.str();
    }

    Options& add(const std::string& name, const std::string& value_name, const std::string& help, const std::string& default_text,
                 const std::string& range_text, std::function<void(const std::string&)> set) {
        options_.push_back({name, value_name, help, default_text, range_text, std::move(set)});
        return *this;
    }

    const Option* find(const std::string& name) const {
        for (const Option& o : options_)
            if (o.name == name) return &o;
        return nullptr;
    }

    std::string program_, summary_;
    std::vector<Option> options_;
    Option positional_;
};

}  // namespace ch07
/// \endcond
