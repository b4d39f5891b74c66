// Library checks of bp::Options, the command-line helper of the course's programs: integers
// that would wrap around, negative seeds, non-finite numbers, unknown options and options
// that together need more than 4 GB are refused by name (exit code 2), and --help lists every
// option with its default and range (exit 0).
#include "bp/io/options.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace {

struct Settings {
    int epochs = 10;
    std::uint64_t seed = 1;
    double lr = 1e-3;
    std::string engine = "fast", folder = "out", log;
    bool verbose = false;
};

bp::Options declare(Settings& s) {
    bp::Options options("trainer", "Trains a network.");
    options.integer("epochs", s.epochs, 1, 1000, "passes over the training set")
        .integer("seed", s.seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(), "the random seed")
        .real("lr", s.lr, 0, 10, "the learning rate", bp::Options::above_min)
        .text("engine", s.engine, "which code trains", {"fast", "course"})
        .path("log", s.log, "a log file")
        .flag("verbose", s.verbose, "say more")
        .positional("folder", s.folder, "where to write");
    return options;
}

// What parsing these arguments threw ("" if nothing).
std::string error_for(std::vector<const char*> args) {
    Settings s;
    bp::Options options = declare(s);
    args.insert(args.begin(), "trainer");
    try {
        options.parse(static_cast<int>(args.size()), args.data());
    } catch (const bp::OptionError& e) {
        return e.what();
    }
    return "";
}

// EXPECT_REFUSED(({"--epochs", "x"}), "word", ...): refused, with every word in the message.
void expect_refused(int line, const std::vector<const char*>& args, std::initializer_list<const char*> words) {
    const std::string e = error_for(args);
    if (e.empty()) ADD_FAILURE_AT(__FILE__, line) << "accepted: " << args.front() << (args.size() > 1 ? " ..." : "");
    for (const char* w : words)
        if (e.find(w) == std::string::npos) ADD_FAILURE_AT(__FILE__, line) << "'" << w << "' is not in: " << e;
}
#define EXPECT_REFUSED(args, ...) expect_refused(__LINE__, std::vector<const char*> args, {__VA_ARGS__})

TEST(LibOptions, ReadsEveryKindOfOption) {
    Settings s;
    bp::Options options = declare(s);
    const char* args[] = {"trainer", "--epochs",  "4",      "--seed=18446744073709551615", "--lr", "0.5", "--engine",
                          "course",  "--verbose", "results"};
    EXPECT_TRUE(options.parse(10, args));
    EXPECT_EQ(s.epochs, 4);
    EXPECT_EQ(s.seed, 18446744073709551615ULL);
    EXPECT_EQ(s.lr, 0.5);
    EXPECT_EQ(s.engine, "course");
    EXPECT_TRUE(s.verbose);
    EXPECT_EQ(s.folder, "results");
    Settings defaults;
    bp::Options unchanged = declare(defaults);
    const char* none[] = {"trainer"};
    EXPECT_TRUE(unchanged.parse(1, none));
    EXPECT_EQ(defaults.epochs, 10);
}

// Each was taken before: 4294967297 epochs became 1, seed -1 became 2^64 - 1.
TEST(LibOptions, RefusesNumbersThatWouldWrapAround) {
    EXPECT_REFUSED(({"--epochs", "4294967297"}), "--epochs", "4294967297", "out of range", "1 to 1000");
    EXPECT_REFUSED(({"--epochs", "99999999999999999999999"}), "--epochs", "out of range");
    EXPECT_REFUSED(({"--epochs", "0"}), "--epochs", "0 is out of range");
    EXPECT_REFUSED(({"--seed", "-1"}), "--seed", "-1", "out of range", "0 to 18446744073709551615");
    EXPECT_REFUSED(({"--seed", "18446744073709551616"}), "--seed", "out of range");
    EXPECT_REFUSED(({"--epochs", "ten"}), "--epochs", "'ten' is not a whole number");
    EXPECT_REFUSED(({"--epochs", "4.0"}), "--epochs", "'4.0' is not a whole number");
    EXPECT_REFUSED(({"--epochs", " 4"}), "--epochs", "not a whole number");
    EXPECT_REFUSED(({"--epochs", ""}), "--epochs", "not a whole number");
}

TEST(LibOptions, RefusesNonFiniteAndOutOfRangeReals) {
    for (const char* bad : {"nan", "NaN", "inf", "-inf", "1e999"}) EXPECT_REFUSED(({"--lr", bad}), "--lr", bad, "not a finite number");
    EXPECT_REFUSED(({"--lr", "0"}), "--lr", "0 is out of range", "above 0");
    EXPECT_REFUSED(({"--lr", "-0.1"}), "--lr", "out of range");
    EXPECT_REFUSED(({"--lr", "11"}), "--lr", "out of range", "at most 10");
    EXPECT_REFUSED(({"--lr", "0.1x"}), "--lr", "'0.1x' is not a number");
    EXPECT_REFUSED(({"--lr", " 0.1"}), "--lr", "is not a number");
}

TEST(LibOptions, RefusesUnknownOptionsAndMissingValues) {
    EXPECT_REFUSED(({"--epoch", "3"}), "unknown option --epoch");
    EXPECT_REFUSED(({"--epochs"}), "--epochs needs a value");
    EXPECT_REFUSED(({"--engine", "slow"}), "--engine", "'slow' is not one of fast, course");
    EXPECT_REFUSED(({"--verbose=yes"}), "--verbose: takes no value", "'yes'");
    EXPECT_REFUSED(({"--verbose=false"}), "--verbose: takes no value", "'false'");
    EXPECT_REFUSED(({"a", "b"}), "unexpected argument 'b'");
    EXPECT_REFUSED(({"-e"}), "unknown option -e", "options start with --");
    EXPECT_REFUSED(({"-5"}), "folder: '-5' looks like an option", "./-5");
}

// What CLI11, which reads the command line, would take otherwise: strtoull/strtoll in base 0
// (010 is octal 8, 0x10 is 16), a value that starts with - taken as an option, the first of
// two values refused.
TEST(LibOptions, ReadsNumbersAsWrittenAndTheLastOfTwoValues) {
    Settings s;
    bp::Options options = declare(s);
    const char* args[] = {"trainer", "--seed", "010",      "--epochs", "3",        "--epochs=+5",
                          "--lr",    "0.1",    "--engine", "course",   "--engine", "fast"};
    EXPECT_TRUE(options.parse(12, args));
    EXPECT_EQ(s.seed, 10u);
    EXPECT_EQ(s.epochs, 5);
    EXPECT_EQ(s.lr, 0.1);
    EXPECT_EQ(s.engine, "fast");
    EXPECT_REFUSED(({"--seed", "0x10"}), "--seed", "'0x10' is not a whole number");
    EXPECT_REFUSED(({"--seed", "-0x1"}), "--seed", "'-0x1' is not a whole number");
    EXPECT_REFUSED(({"--epochs", "3", "--epochs", "0"}), "--epochs", "0 is out of range");
    EXPECT_REFUSED(({"--epochs", "0", "--epochs", "3"}), "--epochs", "0 is out of range");
    EXPECT_REFUSED(({"--lr", "-.5"}), "--lr", "-.5 is out of range");
    EXPECT_REFUSED(({"--epochs", "--lr"}), "--epochs", "'--lr' is not a whole number");
}

// A mistake in the program, not on its command line.
TEST(LibOptions, RefusesANameDeclaredTwiceOrNotValid) {
    Settings s;
    bp::Options options = declare(s);
    int n = 0;
    EXPECT_THROW(options.integer("epochs", n, 0, 1, "again"), std::invalid_argument);
    EXPECT_THROW(options.integer("help", n, 0, 1, "the help's name"), std::invalid_argument);
    EXPECT_THROW(options.integer("a=b", n, 0, 1, "an = in the name"), std::invalid_argument);
    EXPECT_THROW(options.integer("n", n, 1, 0, "an empty range"), std::invalid_argument);
}

TEST(LibOptions, HelpWinsOverWhatCameBeforeIt) {
    for (std::vector<const char*> args :
         {std::vector<const char*>{"trainer", "--epochs", "0", "--help"}, std::vector<const char*>{"trainer", "--help", "--epochs", "0"},
          std::vector<const char*>{"trainer", "--epoch", "-h"}}) {
        Settings s;
        bp::Options options = declare(s);
        EXPECT_FALSE(options.parse(static_cast<int>(args.size()), args.data())) << args[1] << " " << args[2];
    }
}

TEST(LibOptions, HelpListsEveryOptionWithItsDefaultAndRange) {
    Settings s;
    const std::string help = declare(s).help();
    for (const char* w : {"usage: trainer [options] [folder]", "Trains a network.", "--epochs N", "passes over the training set",
                          "default 10", "1 to 1000", "--lr X", "default 0.001", "above 0, at most 10", "--engine NAME", "fast, course",
                          "--log PATH", "--verbose", "--help", "folder", "default out"})
        EXPECT_NE(help.find(w), std::string::npos) << "'" << w << "' not in:\n" << help;
}

TEST(LibOptions, HelpEndsWithTheEpilogues) {
    Settings s;
    bp::Options options = declare(s);
    options.epilogue("./tool run passes --log to it.").epilogue("A second paragraph.\n");
    const std::string help = options.help();
    const std::string tail = "print this and exit\n\n./tool run passes --log to it.\n\nA second paragraph.\n";
    EXPECT_EQ(help.size() - tail.size(), help.rfind(tail)) << "the epilogues, each after a blank line, end the help:\n" << help;
}

TEST(LibOptions, ExitsWithZeroForHelpAndTwoForAMistake) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    const auto run = [](std::vector<const char*> args) {
        Settings s;
        bp::Options options = declare(s);
        args.insert(args.begin(), "trainer");
        options.parse_or_exit(static_cast<int>(args.size()), args.data());
        std::exit(7);  // parsed: the program would go on
    };
    EXPECT_EXIT(run({"--help"}), ::testing::ExitedWithCode(0), "");
    EXPECT_EXIT(run({"--epochs", "4294967297"}), ::testing::ExitedWithCode(2), "trainer: --epochs: 4294967297 is out of range");
    EXPECT_EXIT(run({"--lr", "nan"}), ::testing::ExitedWithCode(2), "--lr: nan is not a finite number");
    EXPECT_EXIT(run({"--epochs", "3"}), ::testing::ExitedWithCode(7), "");
}

TEST(LibOptions, RefusesOptionsThatTogetherNeedMoreThanFourGigabytes) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    const auto run = [](double bytes) {
        Settings s;
        bp::Options options = declare(s);
        options.limit_memory(bytes, {{"width", 4096}, {"batch", 100000}});
        std::exit(7);  // within the limit: the program would go on
    };
    EXPECT_EXIT(run(3.9e9), ::testing::ExitedWithCode(7), "");
    EXPECT_EXIT(run(4.6e9), ::testing::ExitedWithCode(2),
                "trainer: --width 4096 and --batch 100000 would need about 4.6 GB of memory, more than the 4 GB");
    EXPECT_EXIT(run(3.3e12), ::testing::ExitedWithCode(2), "about 3300 GB of memory");
}

}  // namespace
