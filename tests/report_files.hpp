// The report files and the exercise list, read back: what the progress report, the stub gate
// and grading share (report.hpp has the test program's entries, report_writer.cpp writes the
// files). A report file has one tab-separated record a line:
//   start   SUITE NAME                              a test began
//   result  SUITE NAME STATUS BLOCKER MESSAGE       it ended: pass, fail, todo or waiting
//   finished                                        the test program ended
// A test with a start and no result crashed the program. Tabs, newlines and backslashes in a
// message are written \t, \n and \\.
#pragma once

#include "manifest.hpp"

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace bp_test::report {

// ---- the report file ---------------------------------------------------------------------------

std::string escape(const std::string& s);
std::string unescape(const std::string& s);
std::vector<std::string> split_tabs(const std::string& line);

// "Ex1_10" -> "1.10"; other suites (library checks) -> "".
std::string exercise_of_suite(const std::string& suite);

// ---- reading reports back ------------------------------------------------------------------

struct TestOutcome {
    std::string suite, name, status, blocker, message;  // status "crashed" if it never ended
};

// An exercise of the list (manifest.hpp), with its tests' outcomes.
struct Exercise : bp_manifest::Exercise {
    std::vector<TestOutcome> tests;
    bool ran = false;  // a report mentioned it

    int count(const std::string& status) const {
        return static_cast<int>(std::count_if(tests.begin(), tests.end(), [&](const TestOutcome& t) { return t.status == status; }));
    }
    // done, fail, crashed, todo, waiting, not run
    std::string state() const {
        if (!ran || tests.empty()) return "not run";
        if (count("crashed")) return "crashed";
        if (count("fail")) return "fail";
        if (count("todo")) return "todo";
        if (count("waiting")) return "waiting";
        return "done";
    }
    std::set<std::string> blockers() const {
        std::set<std::string> ids;
        for (const TestOutcome& t : tests)
            if (t.status == "waiting") ids.insert(t.blocker);
        return ids;
    }
};

// The exercises of the list (exercises.tsv, made by exgen), each with its test outcomes from the
// report files in `reports`; the library checks' outcomes go to `library_checks` when it is given.
std::vector<Exercise> load(const std::filesystem::path& manifest, const std::filesystem::path& reports,
                           std::vector<TestOutcome>* library_checks);

const Exercise* find_exercise(const std::vector<Exercise>& all, const std::string& id);

// ---- saying what the reports say ----------------------------------------------------------------

// s cut or padded to exactly `width` characters (not bytes: hints contain UTF-8 such as ⊙),
// so that columns line up.
std::string pad(const std::string& s, std::size_t width);

std::string first_line(const std::string& text);

// The line that says what went wrong: the test's own message where it has one, not
// GoogleTest's wording of the assertion ("The difference between ...", "Value of: ..."), which
// names expressions, not mistakes. A failure without a message of its own gives its first line.
std::string telling_line(const std::string& text);

// A failure's message fits on a screen: at most `limit` lines, then a line saying how many
// more there were and where the whole of it is.
constexpr std::size_t max_failure_lines = 36;
std::string cut_lines(const std::string& text, std::size_t limit, const std::string& rest_at = "");

// Every line of `text` begun with `by`.
std::string indent(const std::string& text, const std::string& by);

}  // namespace bp_test::report
