// bp::Options over CLI11: a CLI::App reads the command line; what CLI11 would let through is
// refused here, in validators that run before CLI11 converts a value:
//   - its integers are strtoll/strtoull in base 0: -1 for an unsigned option wraps around to
//     2^64 - 1, 2^64 saturates to 2^64 - 1 without a word, 010 is octal 8, " 4" is 4, and an
//     empty value is 0. whole_number() takes digits only and passes them on in plain decimal;
//   - CLI::Range compares, and NaN fails no comparison: finite_number() refuses NaN and the
//     infinities by name;
//   - a flag takes "--flag=yes" (and =no, =0, =off) as a value: flag() refuses it;
//   - "-5" is a value to CLI11, so a positional would take it: positional() refuses it.
// Each says what is wrong with the value and CLI11 puts the option's name before it:
// "--epochs: 4294967297 is out of range: give a whole number from 1 to 1000".
#include "bp/io/options.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace bp {

namespace {

std::string format_real(double x) {
    std::ostringstream out;
    out << x;
    return out.str();
}

// An option's help line: "passes over the training set (default 10; 1 to 1000)".
std::string describe(const std::string& help, const std::string& default_text, const std::string& range) {
    std::string notes = default_text.empty() ? "" : "default " + default_text;
    if (!range.empty()) notes += (notes.empty() ? "" : "; ") + range;
    return notes.empty() ? help : help + " (" + notes + ")";
}

// Digits only, after an optional sign: no spaces, no hex, no 1e3, no 4.0.
bool is_whole_number(const std::string& text) {
    const std::size_t digits = text.find_first_not_of("+-") == 1 ? 1 : 0;
    return text.size() > digits && text.find_first_not_of("0123456789", digits) == std::string::npos;
}

// A transform's refusal: CLI11 puts the option's name before it.
[[noreturn]] void refuse(const std::string& why) { throw CLI::ValidationError(why); }

// `text` as a whole number in [min, max] by std::from_chars, for either signedness, in plain
// decimal for CLI11 to convert.
template <class Int>
std::string whole_number(const std::string& text, Int min, Int max) {
    const std::string out_of_range =
        text + " is out of range: give a whole number from " + std::to_string(min) + " to " + std::to_string(max);
    if (!is_whole_number(text)) refuse("'" + text + "' is not a whole number");
    if (std::is_unsigned_v<Int> && text[0] == '-') {  // -0 is 0; any other negative number is out of range
        if (text.find_first_not_of('0', 1) != std::string::npos || min != 0) refuse(out_of_range);
        return "0";
    }
    Int value = 0;
    const char* first = text.data() + (text[0] == '+' ? 1 : 0);
    const auto [end, error] = std::from_chars(first, text.data() + text.size(), value);
    if (error == std::errc::result_out_of_range) refuse(out_of_range);
    if (error != std::errc() || end != text.data() + text.size()) refuse("'" + text + "' is not a whole number");
    if (value < min || value > max) refuse(out_of_range);
    return std::to_string(value);
}

// `text` as a finite number in [min, max] (above min, with above_min) by std::strtod, in
// hexadecimal for CLI11 to convert: its strtold reads that back to the same double.
std::string finite_number(const std::string& text, double min, double max, Options::Bound bound, const std::string& range) {
    char* end = nullptr;
    const double x = text.empty() || std::isspace(static_cast<unsigned char>(text[0])) ? 0 : std::strtod(text.c_str(), &end);
    if (end == nullptr || end != text.c_str() + text.size()) refuse("'" + text + "' is not a number");
    if (!std::isfinite(x)) refuse(text + " is not a finite number");
    if (x < min || x > max || (bound == Options::above_min && x == min)) refuse(text + " is out of range: give a number " + range);
    char exact[64];
    std::snprintf(exact, sizeof exact, "%a", x);
    return exact;
}

// The help as the course's programs print it: the usage line, the summary, then one line per
// argument (the positionals first, --help last), then the epilogues.
class Layout : public CLI::Formatter {
public:
    std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode) const override {
        const auto positionals = app->get_options([](const CLI::Option* o) { return o->get_positional(); });
        auto named = app->get_options([](const CLI::Option* o) { return o->nonpositional(); });
        std::stable_partition(named.begin(), named.end(), [](const CLI::Option* o) { return o->get_name() != "--help"; });
        std::ostringstream out;
        out << "usage: " << name << (named.size() > 1 ? " [options]" : "");
        for (const CLI::Option* p : positionals) out << " [" << p->get_name() << "]";
        out << "\n" << app->get_description() << "\n\n";
        std::vector<std::pair<std::string, std::string>> lines;
        lines.reserve(positionals.size() + named.size());
        for (const CLI::Option* p : positionals) lines.emplace_back(p->get_name(), p->get_description());
        for (const CLI::Option* o : named)
            lines.emplace_back(o->get_name() + (o->get_type_size() == 0 ? "" : " " + o->get_type_name()), o->get_description());
        std::size_t width = 0;
        for (const auto& [left, right] : lines) width = std::max(width, left.size());
        for (const auto& [left, right] : lines) out << "  " << std::left << std::setw(static_cast<int>(width) + 2) << left << right << "\n";
        out << app->get_footer();
        return out.str();
    }
};

// Adds the option by add("--name"); CLI11's refusal of a name declared twice or not valid (a
// mistake in the program, not on the command line) becomes a std::invalid_argument.
template <class Add>
CLI::Option* declare(const std::string& name, Add add) {
    try {
        return add(name);
    } catch (const CLI::ConstructionError& e) {
        throw std::invalid_argument("Options: " + name + " is declared twice, or is not a valid name: " + e.what());
    }
}

template <class Wide>
void add_whole(CLI::App& app, const std::string& name, const std::string& help, const std::string& default_text, Wide min, Wide max,
               std::function<void(Wide)> set) {
    declare("--" + name, [&](const std::string& flag) {
        return app.add_option_function<Wide>(flag, set, describe(help, default_text, std::to_string(min) + " to " + std::to_string(max)))
            ->transform([min, max](const std::string& text) { return whole_number(text, min, max); })
            ->type_name("N");
    });
}

}  // namespace

struct Options::Impl {
    CLI::App app;
    std::string epilogues;
    Impl(const std::string& program, const std::string& summary) : app(summary, program) {}
};

Options::Options(const std::string& program, const std::string& summary) : impl_(std::make_unique<Impl>(program, summary)) {
    CLI::App& app = impl_->app;
    app.formatter(std::make_shared<Layout>());
    app.allow_extras();  // parse() names the first argument nothing took, in the course's words
    // The last value of an option given twice: ./course train passes --model FILE before the user's options.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    // --help as soon as it is read, whatever came before it (CLI11's own checks the values first).
    app.set_help_flag();
    app.add_flag_callback(
           "-h,--help", [] { throw CLI::CallForHelp(); }, "print this and exit")
        ->trigger_on_parse();
}

Options::Options(Options&&) noexcept = default;
Options& Options::operator=(Options&&) noexcept = default;
Options::~Options() = default;

Options& Options::whole_signed(const std::string& name, const std::string& help, const std::string& default_text, long long min,
                               long long max, std::function<void(long long)> set) {
    add_whole(impl_->app, name, help, default_text, min, max, std::move(set));
    return *this;
}

Options& Options::whole_unsigned(const std::string& name, const std::string& help, const std::string& default_text, unsigned long long min,
                                 unsigned long long max, std::function<void(unsigned long long)> set) {
    add_whole(impl_->app, name, help, default_text, min, max, std::move(set));
    return *this;
}

Options& Options::real(const std::string& name, double& value, double min, double max, const std::string& help, Bound bound) {
    if (!(min <= max)) throw std::invalid_argument("Options::real: --" + name + " has an empty range");
    const std::string range =
        (bound == above_min ? "above " : "from ") + format_real(min) + (bound == above_min ? ", at most " : " to ") + format_real(max);
    declare("--" + name, [&](const std::string& flag) {
        return impl_->app
            .add_option_function<double>(
                flag, [&value](double x) { value = x; }, describe(help, format_real(value), range))
            ->transform([=](const std::string& text) { return finite_number(text, min, max, bound, range); })
            ->type_name("X");
    });
    return *this;
}

Options& Options::text(const std::string& name, std::string& value, const std::string& help, std::vector<std::string> choices) {
    std::string listed;
    for (std::size_t i = 0; i < choices.size(); ++i) listed += (i ? ", " : "") + choices[i];
    CLI::Option* option = declare("--" + name, [&](const std::string& flag) {
        return impl_->app.add_option(flag, value, describe(help, value, listed))->type_name(choices.empty() ? "TEXT" : "NAME");
    });
    if (!choices.empty())
        option->check([choices, listed](const std::string& text) {
            return std::find(choices.begin(), choices.end(), text) != choices.end() ? "" : "'" + text + "' is not one of " + listed;
        });
    return *this;
}

Options& Options::path(const std::string& name, std::string& value, const std::string& help) {
    declare("--" + name,
            [&](const std::string& flag) { return impl_->app.add_option(flag, value, describe(help, value, ""))->type_name("PATH"); });
    return *this;
}

Options& Options::flag(const std::string& name, bool& value, const std::string& help) {
    // A flag's value is "true" when it is given alone; anything else came after an =.
    declare("--" + name, [&](const std::string& flag) {
        return impl_->app.add_flag(flag, value, help)->check([](const std::string& text) {
            return text == "true" ? "" : "takes no value, but was given '" + text + "'";
        });
    });
    return *this;
}

Options& Options::positional(const std::string& name, std::string& value, const std::string& help) {
    declare(name, [&](const std::string& positional) {
        return impl_->app.add_option(positional, value, describe(help, value, ""))->check([](const std::string& text) {
            // CLI11 takes "-5" as a value; the positionals are files and folders, and this is more likely a mistyped option.
            return text.size() < 2 || text[0] != '-' ? ""
                                                     : "'" + text + "' looks like an option, and options start with -- (./" + text +
                                                           " names a file or folder of that name)";
        });
    });
    return *this;
}

Options& Options::epilogue(const std::string& text) {
    impl_->epilogues += "\n" + text + (text.empty() || text.back() != '\n' ? "\n" : "");
    impl_->app.footer(impl_->epilogues);
    return *this;
}

bool Options::parse(int argc, const char* const* argv) {
    CLI::App& app = impl_->app;
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        return false;
    } catch (const CLI::ArgumentMismatch& e) {  // "--epochs: 1 required N missing": the option came last, with no value
        const std::string message = e.what();
        for (const CLI::Option* o : app.get_options())
            if (message.rfind(o->get_name() + ":", 0) == 0)
                throw OptionError(o->get_name() + " needs a value (" + o->get_type_name() + ")");
        throw OptionError(message);
    } catch (const CLI::ParseError& e) {  // a validator's message, after the option's name
        throw OptionError(e.what());
    }
    // What no option or positional took, in order; the first "--" is the end of the options.
    std::vector<std::string> extras = app.remaining();
    if (const auto mark = std::find(extras.begin(), extras.end(), "--"); mark != extras.end()) extras.erase(mark);
    if (extras.empty()) return true;
    const std::string& arg = extras.front();
    if (arg.rfind("--", 0) == 0) throw OptionError("unknown option " + arg.substr(0, arg.find('=')));
    if (arg.size() > 1 && arg[0] == '-') throw OptionError("unknown option " + arg + " (options start with --)");
    throw OptionError("unexpected argument '" + arg + "'");
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
    const std::string program = impl_->app.get_name();
    std::cerr << program << ": " << message << "\n(" << program << " --help lists the options)\n";
    std::exit(2);
}

void Options::limit_memory(double bytes, std::initializer_list<std::pair<const char*, long long>> options) const {
    try {
        require_memory(bytes, options);
    } catch (const std::invalid_argument& e) {
        fail(e.what());
    }
}

void require_memory(double bytes, std::initializer_list<std::pair<const char*, long long>> options) {
    constexpr double limit = 4e9;  // what a laptop can spare; beyond it, std::bad_alloc or the machine swapping
    if (!(bytes > limit)) return;
    std::string named;
    for (const auto* o = options.begin(); o != options.end(); ++o) {
        if (o != options.begin()) named += o + 1 == options.end() ? " and " : ", ";
        named += std::string("--") + o->first + " " + std::to_string(o->second);
    }
    char gb[32];
    std::snprintf(gb, sizeof gb, "%.*f", bytes < 1e10 ? 1 : 0, bytes / 1e9);
    throw std::invalid_argument(named + " would need about " + gb +
                                " GB of memory, more than the 4 GB this program allows: make one smaller");
}

std::string Options::help() const { return impl_->app.help(); }

}  // namespace bp
