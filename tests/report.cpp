#include "report.hpp"

#include "bp/core/errors.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <unistd.h>
#include <vector>

namespace bp_test {

namespace {

// ---- the report file: one tab-separated record a line --------------------------------

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

// "Ex1_10" -> "1.10"; other suites (library checks) -> "".
std::string exercise_of_suite(const std::string& suite) {
    static const std::regex re(R"(^Ex([0-9]+)_([0-9]+)$)");
    std::smatch m;
    return std::regex_match(suite, m, re) ? std::string(m[1]) + "." + std::string(m[2]) : "";
}

}  // namespace

ReportWriter::ReportWriter(const std::filesystem::path& file) : out_(file) {}

void ReportWriter::OnTestStart(const ::testing::TestInfo& test) {
    bp::take_stubs_reached();  // from this test on
    out_ << "start\t" << test.test_suite_name() << "\t" << test.name() << std::endl;
}

// pass, or fail; a failed test that reached a stub is todo (this exercise's own stub) or waiting
// (another exercise's stub, which this one calls): the stubs record themselves when they throw
// (bp::take_stubs_reached), so no message is read to tell.
void ReportWriter::OnTestEnd(const ::testing::TestInfo& test) {
    const ::testing::TestResult& result = *test.result();
    const std::vector<std::string> stubs = bp::take_stubs_reached();
    std::string status = "pass", blocker, message;
    if (result.Failed()) {
        const std::string own = exercise_of_suite(test.test_suite_name());
        for (int i = 0; i < result.total_part_count(); ++i) {
            const ::testing::TestPartResult& part = result.GetTestPartResult(i);
            if (!part.failed()) continue;
            std::string text = part.message();
            if (text.rfind("Failed\n", 0) == 0) text.erase(0, 7);  // ADD_FAILURE's own first line
            // gtest's wrapping of an exception that left the test: keep what the exception said.
            const std::string wrap_start = "C++ exception with description \"", wrap_end = "\" thrown in the test body.";
            if (text.rfind(wrap_start, 0) == 0 && text.size() > wrap_start.size() + wrap_end.size() &&
                text.compare(text.size() - wrap_end.size(), wrap_end.size(), wrap_end) == 0)
                text = "threw: " + text.substr(wrap_start.size(), text.size() - wrap_start.size() - wrap_end.size());
            // gtest's SCOPED_TRACE block (a property test's inputs): its heading and full paths go.
            static const std::regex trace_heading(R"(\nGoogle Test trace:\n)"), full_path(R"([^ \n]*/tests/)");
            text = std::regex_replace(std::regex_replace(text, trace_heading, "\n"), full_path, "tests/");
            while (!text.empty() && text.back() == '\n') text.pop_back();
            std::string file = part.file_name() ? part.file_name() : "";
            if (const auto at = file.rfind("/tests/"); at != std::string::npos) file = file.substr(at + 1);
            if (!message.empty()) message += "\n";
            message += text + (file.empty() ? "" : "\n(" + file + ":" + std::to_string(part.line_number()) + ")");
        }
        if (!stubs.empty()) blocker = std::find(stubs.begin(), stubs.end(), own) != stubs.end() ? own : stubs.front();
        status = stubs.empty() ? "fail" : blocker == own ? "todo" : "waiting";
    }
    out_ << "result\t" << test.test_suite_name() << "\t" << test.name() << "\t" << status << "\t" << blocker << "\t"
         << escape(message) << std::endl;
}

void ReportWriter::OnTestProgramEnd(const ::testing::UnitTest&) { out_ << "finished" << std::endl; }

namespace {

// ---- reading reports back ------------------------------------------------------------------

struct TestOutcome {
    std::string suite, name, status, blocker, message;  // status "crashed" if it never ended
};

struct Exercise {
    std::string id, chapter, chapter_title, file, line, anchor, read, hint;
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

std::vector<Exercise> read_manifest(const std::filesystem::path& manifest) {
    std::ifstream in(manifest);
    if (!in) throw std::runtime_error("cannot read the exercise list " + manifest.string() + "; build first");
    std::vector<Exercise> exercises;
    for (std::string line; std::getline(in, line);) {
        const auto f = split_tabs(line);
        if (f.size() < 8) continue;
        exercises.push_back({f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], {}, false});
    }
    return exercises;
}

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
                by_exercise[exercise_of_suite(f[1])].push_back(
                    {f[1], f[2], f[3], f[4], f.size() > 5 ? unescape(f[5]) : ""});
            }
        }
        for (auto& [key, t] : running) {
            t.message = "the test process died during this test (a crash: look for an index out of range or a "
                        "null pointer). Its output: ctest --test-dir <build> -R '" +
                        entry.path().stem().string() + "' --output-on-failure";
            by_exercise[exercise_of_suite(t.suite)].push_back(t);
        }
    }
    return by_exercise;
}

std::vector<Exercise> load(const std::filesystem::path& manifest, const std::filesystem::path& reports,
                           std::vector<TestOutcome>* library_checks) {
    std::vector<Exercise> exercises = read_manifest(manifest);
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

// ---- printing ------------------------------------------------------------------------------

bool colour() {
    static const bool on = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
    return on;
}
std::string paint(const std::string& text, const char* code) {
    return colour() ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
}

std::string badge(const std::string& state) {
    if (state == "done") return paint("  done ", "32");
    if (state == "fail") return paint("  FAIL ", "31;1");
    if (state == "crashed") return paint(" CRASH ", "31;1");
    if (state == "waiting") return paint("waiting", "33");
    if (state == "todo") return paint("  todo ", "2");
    return paint("not run", "2");
}

// s cut or padded to exactly `width` characters (not bytes: hints contain UTF-8 such as ⊙),
// so that columns line up.
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

// The line that says what went wrong: the test's own message where it has one, not
// GoogleTest's wording of the assertion ("The difference between ...", "Value of: ..."), which
// names expressions, not mistakes. A failure without a message of its own gives its first line.
std::string telling_line(const std::string& text) {
    static const std::regex gtest_wording(
        R"(^(The difference between .*|.* evaluates to .*|Expected equality of these values:|  .*|Value of: .*|Expected: .*|)"
        R"(Actual: .*|Which is: .*|Failed|\(tests/.*:[0-9]+\)|)$)");
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string line = text.substr(start, end - start);
        if (!std::regex_match(line, gtest_wording)) return line;
        start = end + 1;
    }
    return first_line(text);
}

// A failure's message fits on a screen: at most `limit` lines, then a line saying how many
// more there were and where the whole of it is.
constexpr std::size_t max_failure_lines = 36;
std::string cut_lines(const std::string& text, std::size_t limit, const std::string& rest_at = "") {
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

std::string join(const std::set<std::string>& ids) {
    std::string out;
    for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
    return out;
}

std::string detail(const Exercise& e) {
    const std::string state = e.state();
    const int n = static_cast<int>(e.tests.size());
    if (state == "fail") return std::to_string(e.count("fail")) + " of " + std::to_string(n) + " tests fail";
    if (state == "crashed") return "crashed";
    if (state == "waiting") return "needs exercise " + join(e.blockers()) + " first";
    if (state == "done") return std::to_string(n) + " tests pass";
    return "";
}

void print_where(const Exercise& e) {
    std::cout << "  Read   " << e.read << "\n"
              << "  Write  " << e.file << ", line " << e.line << ", between BEGIN and END EXERCISE " << e.id << "\n"
              << "  Check  ./course check " << e.id << "\n";
}

const Exercise* find_exercise(const std::vector<Exercise>& all, const std::string& id) {
    for (const Exercise& e : all)
        if (e.id == id) return &e;
    return nullptr;
}

// Every test of one exercise, each failure in full, and what to do next.
void print_exercise_in_full(const Exercise& e, const std::vector<Exercise>& all) {
    std::cout << badge(e.state()) << "  " << e.id << "  " << e.hint << "\n";
    // The first failure in full (cut to a screen), the others by their first line: the first is
    // the one to fix, and fixing it often fixes the rest.
    bool shown_one = false;
    for (const TestOutcome& t : e.tests) {
        std::cout << "      " << pad(t.status == "pass" ? "pass" : t.status, 8) << t.suite << "." << t.name << "\n";
        if (t.status != "fail" && t.status != "crashed") continue;
        if (!shown_one)
            std::cout << indent(cut_lines(t.message, max_failure_lines,
                                          "all of it with ctest --test-dir build/student -R '^ex" + e.id + "$' --output-on-failure"),
                                "          ")
                      << "\n";
        else
            std::cout << "          " << telling_line(t.message) << "\n";
        shown_one = true;
    }
    const auto stub = std::find_if(e.tests.begin(), e.tests.end(),
                                   [](const TestOutcome& t) { return t.status == "todo" || t.status == "waiting"; });
    if (stub != e.tests.end() && !e.count("fail")) std::cout << indent(stub->message, "      ") << "\n";
    if (e.state() == "waiting") {
        // What stands in the way is another exercise: point there.
        for (const std::string& id : e.blockers())
            if (const Exercise* b = find_exercise(all, id)) {
                std::cout << "\nExercise " << e.id << " calls exercise " << id << ", which is not written yet:\n";
                print_where(*b);
            }
        return;
    }
    if (e.state() != "done") {
        std::string earlier;
        for (const Exercise& x : all) {
            if (x.id == e.id) break;
            if (x.chapter == e.chapter && x.state() != "done") earlier += (earlier.empty() ? "" : ", ") + x.id;
        }
        if (!earlier.empty() && e.count("fail"))
            std::cout << "  (Not done yet in this chapter: " << earlier << ". If exercise " << e.id
                      << " calls one of them, a mistake there shows up here too.)\n";
        print_where(e);
        return;
    }
    // The next exercise after this one that is not done (one not run counts as not done).
    const auto self = std::find_if(all.begin(), all.end(), [&](const Exercise& x) { return x.id == e.id; });
    auto next = std::find_if(self, all.end(), [](const Exercise& x) { return x.state() != "done"; });
    if (next == all.end()) next = std::find_if(all.begin(), all.end(), [](const Exercise& x) { return x.state() != "done"; });
    if (next != all.end())
        std::cout << "\nNext: exercise " << next->id << ": " << next->hint << "  (./course check " << next->id << ")\n";
}

// A line of the progress table, without trailing spaces.
void print_row(const Exercise& e) {
    std::string row = badge(e.state()) + "  " + pad(e.id, 5) + " " + pad(e.hint, 66) + " " + detail(e);
    while (!row.empty() && row.back() == ' ') row.pop_back();
    std::cout << row << "\n";
}

bool selected(const Exercise& e, const std::string& only) {
    return only.empty() || e.id == only || e.chapter == only;
}

}  // namespace

int print_progress(const std::filesystem::path& manifest, const std::filesystem::path& reports,
                   const std::string& only) {
    std::vector<TestOutcome> library;
    const std::vector<Exercise> exercises = load(manifest, reports, &library);
    if (!only.empty()) {  // a chapter's own library checks: suites Ch01..., Ch02...
        const std::string prefix = std::string(only.size() == 1 ? "Ch0" : "Ch") + only;
        library.erase(std::remove_if(library.begin(), library.end(),
                                     [&](const TestOutcome& t) { return t.suite.rfind(prefix, 0) != 0; }),
                      library.end());
    }
    if (!only.empty() && std::none_of(exercises.begin(), exercises.end(), [&](const Exercise& e) { return selected(e, only); })) {
        std::cout << "There is no exercise or chapter '" << only << "'. Exercises are named like 1.3; chapters like 1.\n";
        return 2;
    }
    int shown = 0, done = 0, status = progress_ok;
    std::string chapter;
    for (const Exercise& e : exercises) {
        if (!selected(e, only)) continue;
        if (e.chapter != chapter) {
            chapter = e.chapter;
            const auto in_chapter = std::count_if(exercises.begin(), exercises.end(), [&](const Exercise& x) { return x.chapter == chapter; });
            const auto done_in_chapter = std::count_if(exercises.begin(), exercises.end(), [&](const Exercise& x) {
                return x.chapter == chapter && x.state() == "done";
            });
            std::cout << "\n" << paint(pad(e.chapter_title, 60), "1") << done_in_chapter << " of " << in_chapter << " done\n";
        }
        ++shown;
        if (e.state() == "done") ++done;
        if (only == e.id) print_exercise_in_full(e, exercises);
        else print_row(e);
    }
    if (only.empty() || only.find('.') == std::string::npos) {
        // Library checks that stop at a stub are waiting for exercises, not failing.
        const auto count = [&](const char* status) {
            return std::count_if(library.begin(), library.end(), [&](const TestOutcome& t) { return t.status == status; });
        };
        const auto waiting = count("todo") + count("waiting");
        std::cout << "\n" << done << " of " << shown << " exercises done";
        if (!library.empty())
            std::cout << "; library checks (shape errors and the parts of lib/ you do not write): " << count("pass")
                      << " of " << library.size() << " pass" << (waiting ? ", " + std::to_string(waiting) + " wait for exercises" : "");
        std::cout << ".\n";
        for (const TestOutcome& t : library)
            if (t.status == "fail" || t.status == "crashed") status |= progress_library_fails;
        for (const TestOutcome& t : library)
            if (t.status == "fail" || t.status == "crashed")
                std::cout << "  library check " << t.suite << "." << t.name << " fails:\n" << indent(t.message, "      ") << "\n";
        const auto next = std::find_if(exercises.begin(), exercises.end(), [&](const Exercise& e) { return selected(e, only) && e.state() != "done"; });
        if (next != exercises.end()) {
            std::cout << "\nNext: exercise " << next->id << ": " << next->hint << "\n";
            print_where(*next);
            for (const TestOutcome& t : next->tests)
                if (t.status == "fail" || t.status == "crashed") {
                    std::cout << "  First failure, " << t.suite << "." << t.name << ":\n"
                              << indent(cut_lines(t.message, max_failure_lines), "      ") << "\n";
                    break;
                }
        } else if (shown) {
            std::cout << "\nEverything here is done. Well done!\n";
        }
    }
    if (done < shown) status |= progress_not_done;
    return status;
}

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
        std::cout << (problem.empty() ? "  ok    " : "  FAIL  ") << pad(e.id, 6) << e.tests.size() << " tests, "
                  << own + e.count("waiting") << " fail on stubs (" << own << " on its own)"
                  << (problem.empty() ? "" : ": " + problem) << "\n";
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

namespace {

// ---- grading -----------------------------------------------------------------------------

std::string json_string(const std::string& s) {
    std::ostringstream out;
    out << '"';
    for (unsigned char c : s) {
        if (c == '"') out << "\\\"";
        else if (c == '\\') out << "\\\\";
        else if (c == '\n') out << "\\n";
        else if (c == '\t') out << "\\t";
        else if (c == '\r') out << "\\r";
        else if (c < 0x20) out << "\\u" << std::hex << std::setw(4) << std::setfill('0') << int(c) << std::dec;
        else out << c;
    }
    out << '"';
    return out.str();
}

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

std::string number(double x) {
    std::ostringstream out;
    out << std::round(x * 100) / 100;
    return out.str();
}

// Points per exercise from FILE: "default P" and "N.M P" lines; '#' starts a comment.
std::map<std::string, double> read_points(const std::filesystem::path& file, double& fallback) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read the points file " + file.string());
    std::map<std::string, double> points;
    fallback = 1;
    int line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        line = line.substr(0, line.find('#'));
        std::istringstream fields(line);
        std::string key;
        double value = 0;
        if (!(fields >> key)) continue;
        if (!(fields >> value) || value < 0 || !std::isfinite(value))
            throw std::runtime_error(file.string() + ":" + std::to_string(line_no) + ": expected 'N.M POINTS' or 'default POINTS'");
        (key == "default" ? fallback : points[key]) = value;
    }
    return points;
}

// "ID<TAB>message" lines: the exercises whose code did not compile (replaced by their stubs).
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
    double fallback = 1;
    const std::map<std::string, double> points = read_points(files.points, fallback);
    const std::map<std::string, std::string> failures = read_compile_failures(files.compile_failures);
    for (const auto& [id, p] : points)
        if (!find_exercise(exercises, id)) throw std::runtime_error(files.points.string() + " gives points to exercise " + id + ", which does not exist");

    double score = 0, max_score = 0;
    int tests = 0, failed_tests = 0;
    std::string json_tests, junit_suites, summary;
    for (const Exercise& e : exercises) {
        const auto it = points.find(e.id);
        const double max = it != points.end() ? it->second : fallback;
        const int total = static_cast<int>(e.tests.size()), passed = e.count("pass");
        std::string output, status = "failed";
        double got = 0;
        std::string junit_cases;
        int junit_failures = 0;
        if (const auto f = failures.find(e.id); f != failures.end()) {
            output = "Did not compile, so it was graded as not done (its code was replaced by the stub; the other "
                     "exercises of the file were graded as written). The compiler said:\n" + f->second;
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
                if (t.status == "waiting")
                    output += "\nWAIT  " + name + ": it calls exercise " + t.blocker + ", which is not done\n";
                else if (t.status == "todo")
                    output += "\nTODO  " + name + ": not implemented\n";
                else if (!ok)
                    output += "\n" + std::string(t.status == "crashed" ? "CRASH " : "FAIL  ") + name + "\n" + indent(message, "    ") + "\n";
                junit_cases += "    <testcase classname=\"exercise " + e.id + "\" name=\"" + xml_text(name) + "\"";
                if (ok) {
                    junit_cases += "/>\n";
                } else {
                    ++junit_failures;
                    junit_cases += "><failure message=\"" + xml_text(telling_line(message)) + "\">" + xml_text(message) + "</failure></testcase>\n";
                }
            }
        }
        tests += std::max(total, 1);
        failed_tests += junit_failures;
        score += got;
        max_score += max;
        if (!json_tests.empty()) json_tests += ",\n";
        json_tests += "    {\"name\": " + json_string("Exercise " + e.id + ": " + e.hint) + ", \"number\": " + json_string(e.id) +
                      ", \"score\": " + number(got) + ", \"max_score\": " + number(max) + ", \"status\": " + json_string(status) +
                      ", \"output\": " + json_string(output) + ", \"visibility\": \"visible\"}";
        junit_suites += "  <testsuite name=\"exercise " + e.id + "\" tests=\"" + std::to_string(std::max(total, 1)) +
                        "\" failures=\"" + std::to_string(junit_failures) + "\">\n" + junit_cases + "  </testsuite>\n";
        std::ostringstream row;
        row << "  " << pad(e.id, 6) << std::setw(6) << number(got) << " / " << std::left << std::setw(5) << number(max) << std::right
            << (failures.count(e.id) ? "did not compile" : total == 0 ? "no test ran" : std::to_string(passed) + " of " + std::to_string(total) + " tests pass")
            << "\n";
        summary += row.str();
    }
    summary += "Score: " + number(score) + " of " + number(max_score) + "\n";
    std::cout << summary;

    std::filesystem::create_directories(files.json.parent_path().empty() ? "." : files.json.parent_path());
    std::ofstream json(files.json);
    json << "{\n  \"score\": " << number(score) << ",\n  \"max_score\": " << number(max_score)
         << ",\n  \"output\": " << json_string(summary) << ",\n  \"visibility\": \"visible\",\n  \"stdout_visibility\": \"hidden\",\n"
         << "  \"tests\": [\n" << json_tests << "\n  ]\n}\n";
    std::filesystem::create_directories(files.junit.parent_path().empty() ? "." : files.junit.parent_path());
    std::ofstream junit(files.junit);
    junit << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"backprop course\" tests=\"" << tests
          << "\" failures=\"" << failed_tests << "\">\n" << junit_suites << "</testsuites>\n";
    if (!json || !junit) throw std::runtime_error("cannot write " + files.json.string() + " or " + files.junit.string());
    return 0;
}

}  // namespace bp_test
