// The stub gate (course_tests --gate, which ./course gate runs on a build of untouched stubs):
// every exercise's tests fail there, with its not-implemented error.
#include "report.hpp"
#include "report_files.hpp"

#include <iostream>
#include <vector>

namespace bp_test {

using namespace report;

int judge_stub_gate(const std::filesystem::path& manifest, const std::filesystem::path& reports) {
    const std::vector<Exercise> exercises = load(manifest, reports, nullptr);
    int bad = 0;
    for (const Exercise& e : exercises) {
        std::string problem;
        const int own = e.count("todo");
        if (!e.ran || e.tests.empty()) problem = "no test ran for it: every exercise needs tests";
        else if (e.count("crashed")) problem = "a test crashed on the stub";
        else if (e.count("fail")) problem = "a test failed with something other than the not-implemented error";
        else if (e.count("pass")) problem = "a test passes on the untouched stub, so it checks nothing of this exercise";
        else if (own == 0) problem = "no test fails with this exercise's own not-implemented error";
        std::cout << (problem.empty() ? "  ok    " : "  FAIL  ") << pad(e.id, 6) << e.tests.size() << " tests, " << own + e.count("waiting")
                  << " fail on stubs (" << own << " on its own)" << (problem.empty() ? "" : ": " + problem) << "\n";
        if (!problem.empty()) {
            ++bad;
            for (const TestOutcome& t : e.tests)
                if (t.status == "fail" || t.status == "crashed" || t.status == "pass")
                    std::cout << "          " << t.status << " " << t.suite << "." << t.name << "\n"
                              << (t.message.empty() ? "" : indent(t.message, "            ") + "\n");
        }
    }
    std::cout << "stub gate: " << exercises.size() - bad << " passed, " << bad << " failed\n";
    return bad == 0 && !exercises.empty() ? 0 : 1;
}

}  // namespace bp_test
