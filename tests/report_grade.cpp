// Grading (linked into course_grade, tools/grade.cpp, behind ./course grade): each exercise's score from the
// reports, written as Gradescope's results.json and as a JUnit XML report.
#include "report.hpp"
#include "report_files.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace bp_test {

using namespace report;

namespace {

std::string xml_text(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (c == '&') out += "&amp;";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '"') out += "&quot;";
        else if (c < 0x20 && c != '\n' && c != '\t') out += ' ';  // not allowed in XML 1.0
        else out += static_cast<char>(c);
    }
    return out;
}

double cents(double x) { return std::round(x * 100) / 100; }

std::string number(double x) {
    std::ostringstream out;
    out << cents(x);
    return out.str();
}

// "ID<TAB>message" lines: the exercises whose code did not compile, or that the grader refused
// to compile (a message starting "refused: "), replaced by their stubs.
std::map<std::string, std::string> read_compile_failures(const std::filesystem::path& file) {
    std::map<std::string, std::string> failures;
    if (file.empty()) return failures;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        const auto tab = line.find('\t');
        if (tab != std::string::npos) failures[line.substr(0, tab)] = unescape(line.substr(tab + 1));
    }
    return failures;
}

}  // namespace

int write_grade(const std::filesystem::path& manifest, const std::filesystem::path& reports, const GradeFiles& files) {
    const std::vector<Exercise> exercises = load(manifest, reports, nullptr);
    const std::map<std::string, std::string> failures = read_compile_failures(files.compile_failures);

    double score = 0, max_score = 0;
    int tests = 0, failed_tests = 0;
    nlohmann::json json_tests = nlohmann::json::array();
    std::string junit_suites, summary;
    for (const Exercise& e : exercises) {
        const double max = e.points;  // from tests/points.txt, by way of the exercise list
        const int total = static_cast<int>(e.tests.size()), passed = e.count("pass");
        std::string output, status = "failed";
        double got = 0;
        std::string junit_cases;
        int junit_failures = 0;
        if (const auto f = failures.find(e.id); f != failures.end()) {
            output = refused(f->second) ? "Graded as not done: " + f->second.substr(refused_prefix.size())
                                        : "Did not compile, so it was graded as not done (its code was replaced by the stub; the other "
                                          "exercises of the file were graded as written). The compiler said:\n" +
                                              f->second;
            junit_cases += "    <testcase classname=\"exercise " + e.id + "\" name=\"compiles\"><failure message=\"" +
                           xml_text(first_line(f->second)) + "\">" + xml_text(f->second) + "</failure></testcase>\n";
            ++junit_failures;
        } else if (total == 0) {
            output = "No test ran for this exercise (the test program did not start, or crashed before).";
        } else {
            got = max * passed / total;
            if (passed == total) status = "passed";
            output = std::to_string(passed) + " of " + std::to_string(total) + " tests pass" +
                     (passed < total ? " (points in proportion)" : "") + ".\n";
            for (const TestOutcome& t : e.tests) {
                const std::string name = t.suite + "." + t.name;
                const bool ok = t.status == "pass";
                std::string message = t.status == "todo" || t.status == "waiting" ? first_line(t.message) : t.message;
                message = cut_lines(message, max_failure_lines);
                if (t.status == "waiting") output += "\nWAIT  " + name + ": it calls exercise " + t.blocker + ", which is not done\n";
                else if (t.status == "todo") output += "\nTODO  " + name + ": not implemented\n";
                else if (!ok)
                    output +=
                        "\n" + std::string(t.status == "crashed" ? "CRASH " : "FAIL  ") + name + "\n" + indent(message, "    ") + "\n";
                junit_cases += "    <testcase classname=\"exercise " + e.id + "\" name=\"" + xml_text(name) + "\"";
                if (ok) {
                    junit_cases += "/>\n";
                } else {
                    ++junit_failures;
                    junit_cases +=
                        "><failure message=\"" + xml_text(telling_line(message)) + "\">" + xml_text(message) + "</failure></testcase>\n";
                }
            }
        }
        tests += std::max(total, 1);
        failed_tests += junit_failures;
        score += got;
        max_score += max;
        json_tests.push_back({{"name", "Exercise " + e.id + ": " + e.hint},
                              {"number", e.id},
                              {"score", cents(got)},
                              {"max_score", cents(max)},
                              {"status", status},
                              {"output", output},
                              {"visibility", "visible"}});
        junit_suites += "  <testsuite name=\"exercise " + e.id + "\" tests=\"" + std::to_string(std::max(total, 1)) + "\" failures=\"" +
                        std::to_string(junit_failures) + "\">\n" + junit_cases + "  </testsuite>\n";
        std::ostringstream row;
        row << "  " << pad(e.id, 6) << std::setw(6) << number(got) << " / " << std::left << std::setw(5) << number(max) << std::right
            << (failures.count(e.id) ? (refused(failures.at(e.id)) ? "refused" : "did not compile")
                : total == 0         ? "no test ran"
                                     : std::to_string(passed) + " of " + std::to_string(total) + " tests pass")
            << "\n";
        summary += row.str();
    }
    summary += "Score: " + number(score) + " of " + number(max_score) + "\n";
    std::cout << summary;

    std::filesystem::create_directories(files.json.parent_path().empty() ? "." : files.json.parent_path());
    std::ofstream json(files.json);
    // Gradescope's fields; a test's text is any bytes a student's code printed, so invalid UTF-8
    // is replaced rather than refused.
    const nlohmann::json results = {{"score", cents(score)},   {"max_score", cents(max_score)}, {"output", summary},
                                    {"visibility", "visible"}, {"stdout_visibility", "hidden"}, {"tests", json_tests}};
    json << results.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    std::filesystem::create_directories(files.junit.parent_path().empty() ? "." : files.junit.parent_path());
    std::ofstream junit(files.junit);
    junit << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"backprop course\" tests=\"" << tests << "\" failures=\""
          << failed_tests << "\">\n"
          << junit_suites << "</testsuites>\n";
    if (!json || !junit) throw std::runtime_error("cannot write " + files.json.string() + " or " + files.junit.string());
    return 0;
}

}  // namespace bp_test
