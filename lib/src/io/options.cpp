#include "bp/io/options.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <type_traits>

namespace bp {

namespace {

std::string format_real(double x) {
    std::ostringstream out;
    out << x;
    return out.str();
}

// Digits only, after an optional sign: no spaces, no hex, no 1e3, no 4.0.
bool is_whole_number(const std::string& text) {
    const std::size_t digits = text.find_first_not_of("+-") == 1 ? 1 : 0;
    return text.size() > digits && text.find_first_not_of("0123456789", digits) == std::string::npos;
}

OptionError out_of_range(const std::string& option, const std::string& text, const std::string& range) {
    return OptionError(option + ": " + text + " is out of range: give a whole number from " + range);
}

// A whole number in [min, max] by std::from_chars, for either signedness.
template <class Int>
Int parse_whole(const std::string& option, const std::string& text, Int min, Int max) {
    if (!is_whole_number(text)) throw OptionError(option + ": '" + text + "' is not a whole number");
    const std::string range = std::to_string(min) + " to " + std::to_string(max);
    if (std::is_unsigned_v<Int> && text[0] == '-') {  // -0 is 0; any other negative number is out of range, not wrapped around
        if (text.find_first_not_of('0', 1) == std::string::npos && min == 0) return 0;
        throw out_of_range(option, text, range);
    }
    Int value = 0;
    const char* first = text.data() + (text[0] == '+' ? 1 : 0);
    const auto [end, error] = std::from_chars(first, text.data() + text.size(), value);
    if (error == std::errc::result_out_of_range) throw out_of_range(option, text, range);
    if (error != std::errc() || end != text.data() + text.size()) throw OptionError(option + ": '" + text + "' is not a whole number");
    if (value < min || value > max) throw out_of_range(option, text, range);
    return value;
}

}  // namespace

long long parse_signed(const std::string& option, const std::string& text, long long min, long long max) {
    return parse_whole(option, text, min, max);
}

unsigned long long parse_unsigned(const std::string& option, const std::string& text, unsigned long long min,
                                  unsigned long long max) {
    return parse_whole(option, text, min, max);
}

Options::Options(std::string program, std::string summary) : program_(std::move(program)), summary_(std::move(summary)) {}

Options& Options::add(Option option) {
    if (option.name.empty() || option.name.find_first_of("= ") != std::string::npos || option.name == "help" || find(option.name))
        throw std::invalid_argument("Options: --" + option.name + " is declared twice, or is not a valid name");
    options_.push_back(std::move(option));
    return *this;
}

Options::Option* Options::find(const std::string& name) {
    for (Option& o : options_)
        if (o.name == name) return &o;
    return nullptr;
}

Options& Options::real(const std::string& name, double& value, double min, double max, const std::string& help, Bound bound) {
    if (!(min <= max)) throw std::invalid_argument("Options::real: --" + name + " has an empty range");
    Option o;
    o.name = name;
    o.help = help;
    o.value_name = "X";
    o.default_text = format_real(value);
    o.range_text = (bound == above_min ? "above " : "from ") + format_real(min) + (bound == above_min ? ", at most " : " to ") +
                   format_real(max);
    const std::string option = "--" + name, range = o.range_text;
    o.set = [&value, option, min, max, bound, range](const std::string& text) {
        errno = 0;
        char* end = nullptr;
        const double x = text.empty() || std::isspace(static_cast<unsigned char>(text[0])) ? 0 : std::strtod(text.c_str(), &end);
        if (end == nullptr || end != text.c_str() + text.size()) throw OptionError(option + ": '" + text + "' is not a number");
        if (!std::isfinite(x)) throw OptionError(option + ": " + text + " is not a finite number");
        if (x < min || x > max || (bound == above_min && x == min))
            throw OptionError(option + ": " + text + " is out of range: give a number " + range);
        value = x;
    };
    return add(std::move(o));
}

Options& Options::text(const std::string& name, std::string& value, const std::string& help, std::vector<std::string> choices) {
    Option o;
    o.name = name;
    o.help = help;
    o.value_name = choices.empty() ? "TEXT" : "NAME";
    o.default_text = value;
    for (std::size_t i = 0; i < choices.size(); ++i) o.range_text += (i ? ", " : "") + choices[i];
    const std::string option = "--" + name, listed = o.range_text;
    o.set = [&value, option, choices, listed](const std::string& text) {
        if (!choices.empty() && std::find(choices.begin(), choices.end(), text) == choices.end())
            throw OptionError(option + ": '" + text + "' is not one of " + listed);
        value = text;
    };
    return add(std::move(o));
}

Options& Options::path(const std::string& name, std::string& value, const std::string& help) {
    text(name, value, help);
    options_.back().value_name = "PATH";
    return *this;
}

Options& Options::flag(const std::string& name, bool& value, const std::string& help) {
    Option o;
    o.name = name;
    o.help = help;
    o.takes_value = false;
    o.set = [&value](const std::string&) { value = true; };
    return add(std::move(o));
}

Options& Options::positional(const std::string& name, std::string& value, const std::string& help) {
    Option o;
    o.name = name;
    o.help = help;
    o.default_text = value;
    o.set = [&value](const std::string& text) { value = text; };
    positionals_.push_back(std::move(o));
    return *this;
}

Options& Options::epilogue(const std::string& text) {
    epilogues_.push_back(text);
    return *this;
}

bool Options::parse(int argc, const char* const* argv) {
    std::size_t next_positional = 0;
    bool only_positionals = false;  // after "--"
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (!only_positionals && (arg == "--help" || arg == "-h")) return false;
        if (!only_positionals && arg == "--") {
            only_positionals = true;
            continue;
        }
        if (only_positionals || arg.empty() || arg[0] != '-' || arg == "-") {
            if (next_positional == positionals_.size()) throw OptionError("unexpected argument '" + arg + "'");
            positionals_[next_positional++].set(arg);
            continue;
        }
        if (arg.rfind("--", 0) != 0) throw OptionError("unknown option " + arg + " (options start with --)");
        const std::size_t equals = arg.find('=');
        const std::string name = arg.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
        Option* o = find(name);
        if (!o) throw OptionError("unknown option --" + name);
        if (!o->takes_value) {
            if (equals != std::string::npos) throw OptionError("--" + name + " takes no value, but was given '" + arg.substr(equals + 1) + "'");
            o->set("");
        } else if (equals != std::string::npos) {
            o->set(arg.substr(equals + 1));
        } else {
            if (i + 1 >= argc) throw OptionError("--" + name + " needs a value (" + o->value_name + ")");
            o->set(argv[++i]);
        }
    }
    return true;
}

void Options::parse_or_exit(int argc, const char* const* argv) {
    try {
        if (!parse(argc, argv)) {
            std::cout << help();
            std::exit(0);
        }
    } catch (const OptionError& e) {
        fail(e.what());
    }
}

void Options::fail(const std::string& message) const {
    std::cerr << program_ << ": " << message << "\n(" << program_ << " --help lists the options)\n";
    std::exit(2);
}

std::string Options::help() const {
    std::ostringstream out;
    out << "usage: " << program_ << (options_.empty() ? "" : " [options]");
    for (const Option& p : positionals_) out << " [" << p.name << "]";
    out << "\n" << summary_ << "\n";
    std::vector<std::pair<std::string, std::string>> lines;
    for (const Option& p : positionals_)
        lines.emplace_back(p.name, p.help + (p.default_text.empty() ? "" : " (default " + p.default_text + ")"));
    for (const Option& o : options_) {
        std::string detail = o.help;
        std::vector<std::string> notes;
        if (!o.default_text.empty()) notes.push_back("default " + o.default_text);
        if (!o.range_text.empty()) notes.push_back(o.range_text);
        for (std::size_t i = 0; i < notes.size(); ++i) detail += (i ? "; " : " (") + notes[i];
        if (!notes.empty()) detail += ")";
        lines.emplace_back("--" + o.name + (o.takes_value ? " " + o.value_name : ""), detail);
    }
    lines.emplace_back("--help", "print this and exit");
    std::size_t width = 0;
    for (const auto& [left, right] : lines) width = std::max(width, left.size());
    out << "\n";
    for (const auto& [left, right] : lines) out << "  " << std::left << std::setw(static_cast<int>(width) + 2) << left << right << "\n";
    for (const std::string& text : epilogues_) out << "\n" << text << (text.empty() || text.back() != '\n' ? "\n" : "");
    return out.str();
}

}  // namespace bp
