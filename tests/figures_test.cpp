// Library checks of the figures (bp::save_figure, bp::save_graph): they write DIR/NAME.dat (or
// .dot), .png and .svg, and a figure that fails leaves the files of an earlier run as they were
// and no partial files beside them. Without gnuplot or dot, save_figure and save_graph throw,
// saying what to install: the tests then fail with that message.
#include "bp/io/plot.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;

// A fresh folder under the system's temporary one, removed at the end of the test.
struct Folder {
    fs::path path = fs::temp_directory_path() /
                    ("bp_plot_test_" + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    Folder() {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    Folder(const Folder&) = delete;
    Folder& operator=(const Folder&) = delete;
    Folder(Folder&&) = delete;
    Folder& operator=(Folder&&) = delete;
    ~Folder() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

// Every file of the folder, by name, with its contents.
std::map<std::string, std::string> files_in(const fs::path& dir) {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        std::ifstream in(entry.path(), std::ios::binary);
        files[entry.path().filename().string()] = std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return files;
}

// The files that `after` adds, changes or lacks against `before`, by name: "" when none.
std::string differences(const std::map<std::string, std::string>& before, const std::map<std::string, std::string>& after) {
    std::string out;
    for (const auto& [name, contents] : after)
        if (!before.count(name)) out += " " + name + " (added)";
        else if (before.at(name) != contents) out += " " + name + " (changed)";
    for (const auto& [name, contents] : before)
        if (!after.count(name)) out += " " + name + " (removed)";
    return out;
}

bp::Figure line(const std::string& title) {
    bp::Figure f;
    f.name = "line";
    f.title = title;
    f.xlabel = "x";
    f.ylabel = "y";
    f.x = {0, 1, 2};
    f.curves = {{"y = 2x", {0, 2, 4}, "lines"}};
    return f;
}

TEST(Figures, AFigureThatFailsLeavesTheEarlierOneAsItWas) {
    const Folder dir;
    bp::save_figure(line("first"), dir.path);
    const auto first = files_in(dir.path);
    ASSERT_EQ(first.size(), 3U) << "expected line.dat, line.png and line.svg";
    for (const char* name : {"line.dat", "line.png", "line.svg"}) EXPECT_TRUE(first.count(name)) << name << " was not written";

    bp::Figure broken = line("second");
    broken.settings = {"set no_such_setting"};  // gnuplot refuses it
    EXPECT_THROW(bp::save_figure(broken, dir.path), std::runtime_error);
    EXPECT_EQ(differences(first, files_in(dir.path)), "") << "the failed figure touched the first run's files";

    bp::save_figure(line("third"), dir.path);
    const auto third = files_in(dir.path);
    EXPECT_EQ(third.size(), 3U);
    EXPECT_EQ(differences(first, third), " line.dat (changed) line.png (changed) line.svg (changed)")
        << "a figure that succeeds replaces the earlier one";
}

TEST(Figures, AGraphThatFailsLeavesTheEarlierOneAsItWas) {
    const Folder dir;
    bp::save_graph("digraph { a -> b }", "graph", dir.path);
    const auto first = files_in(dir.path);
    ASSERT_EQ(first.size(), 3U) << "expected graph.dot, graph.png and graph.svg";
    EXPECT_THROW(bp::save_graph("digraph { a -> ", "graph", dir.path), std::runtime_error);
    EXPECT_EQ(differences(first, files_in(dir.path)), "") << "the failed graph touched the first run's files";
}

}  // namespace
