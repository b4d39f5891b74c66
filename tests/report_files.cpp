#include "report_files.hpp"

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace bp_test::report {

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '\\') out += "\\\\";
        else out += c;
    }
    return out;
}

std::string unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        const char c = s[++i];
        out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    }
    return out;
}

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> fields;
    std::istringstream in(line);
    for (std::string f; std::getline(in, f, '\t');) fields.push_back(f);
    return fields;
}

std::string exercise_of_suite(const std::string& suite) {
    static const std::regex re(R"(^Ex([0-9]+)_([0-9]+)$)");
    std::smatch m;
    return std::regex_match(suite, m, re) ? std::string(m[1]) + "." + std::string(m[2]) : "";
}

namespace {

// Every test outcome in the report folder; the library checks go under id "".
std::map<std::string, std::vector<TestOutcome>> read_reports(const std::filesystem::path& dir) {
    std::map<std::string, std::vector<TestOutcome>> by_exercise;
    if (!std::filesystem::is_directory(dir)) return by_exercise;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(entry.path());
        std::map<std::string, TestOutcome> running;  // started, not yet ended
        for (std::string line; std::getline(in, line);) {
            const auto f = split_tabs(line);
            if (f.size() >= 3 && f[0] == "start") {
                running[f[1] + "." + f[2]] = {f[1], f[2], "crashed", "", ""};
            } else if (f.size() >= 5 && f[0] == "result") {
                running.erase(f[1] + "." + f[2]);
                by_exercise[exercise_of_suite(f[1])].push_back({f[1], f[2], f[3], f[4], f.size() > 5 ? unescape(f[5]) : ""});
            }
        }
        // The build the reports came from; one graded elsewhere points to the student's own.
        std::string build = entry.path().parent_path().parent_path().string();
        if (build.rfind("build/", 0) != 0) build = "build/student";
        for (auto& [key, t] : running) {
            t.message =
                "the test process died during this test (a crash: look for an index out of range or a "
                "null pointer). Its output: ctest --test-dir " +
                build + " -R '^" + entry.path().stem().string() + "$' --output-on-failure";
            by_exercise[exercise_of_suite(t.suite)].push_back(t);
        }
    }
    return by_exercise;
}

}  // namespace

std::vector<Exercise> load(const std::filesystem::path& manifest, const std::filesystem::path& reports,
                           std::vector<TestOutcome>* library_checks) {
    std::vector<Exercise> exercises;
    for (const bp_manifest::Exercise& listed : bp_manifest::read(manifest)) exercises.push_back({listed, {}, false});
    auto outcomes = read_reports(reports);
    for (Exercise& e : exercises) {
        const auto it = outcomes.find(e.id);
        if (it == outcomes.end()) continue;
        e.tests = it->second;
        e.ran = true;
    }
    if (library_checks) *library_checks = outcomes[""];
    return exercises;
}

const Exercise* find_exercise(const std::vector<Exercise>& all, const std::string& id) {
    for (const Exercise& e : all)
        if (e.id == id) return &e;
    return nullptr;
}

std::string pad(const std::string& s, std::size_t width) {
    const auto is_start = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
    std::string out;
    std::size_t chars = 0, i = 0;
    const std::size_t total = static_cast<std::size_t>(std::count_if(s.begin(), s.end(), is_start));
    const std::size_t keep = total > width ? width - 3 : width;
    for (; i < s.size(); ++i) {
        if (is_start(s[i]) && chars++ == keep) break;
        out += s[i];
    }
    if (total > width) return out + "...";
    return out + std::string(width - total, ' ');
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

namespace {

bool starts_with(const std::string& s, const std::string& start) { return s.compare(0, start.size(), start) == 0; }
bool ends_with(const std::string& s, const std::string& end) {
    return s.size() >= end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0;
}

// GoogleTest's own wording of a failed assertion, line by line. (Plain string tests, not
// std::regex, whose matcher recurses once per character: a long message overflowed the stack.)
bool is_gtest_wording(const std::string& line) {
    if (line.empty() || line == "Failed" || line == "Expected equality of these values:") return true;
    for (const char* start : {"The difference between ", "  ", "Value of: ", "Expected: ", "Actual: ", "Which is: "})
        if (starts_with(line, start)) return true;
    if (line.find(" evaluates to ") != std::string::npos) return true;
    // "(tests/ch01_test.cpp:12)": where the assertion is
    if (starts_with(line, "(tests/") && ends_with(line, ")")) {
        const auto colon = line.rfind(':');
        return colon != std::string::npos && colon + 2 < line.size() &&
               std::all_of(line.begin() + static_cast<std::ptrdiff_t>(colon) + 1, line.end() - 1,
                           [](char c) { return c >= '0' && c <= '9'; });
    }
    return false;
}

}  // namespace

std::string telling_line(const std::string& text) {
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        std::string line = text.substr(start, end - start);
        if (!is_gtest_wording(line)) return line;
        start = end + 1;
    }
    return first_line(text);
}

std::string cut_lines(const std::string& text, std::size_t limit, const std::string& rest_at) {
    std::size_t at = 0, lines = 0;
    while (lines < limit) {
        at = text.find('\n', at);
        if (at == std::string::npos) return text;
        ++at;
        ++lines;
    }
    const auto more = std::count(text.begin() + static_cast<std::ptrdiff_t>(at), text.end(), '\n') + 1;
    return text.substr(0, at) + "[... " + std::to_string(more) + " more lines" + (rest_at.empty() ? "" : ": " + rest_at) + "]";
}

std::string indent(const std::string& text, const std::string& by) {
    std::string out = by;
    for (char c : text) {
        out += c;
        if (c == '\n') out += by;
    }
    return out;
}

}  // namespace bp_test::report
