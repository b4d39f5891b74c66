// The report writer: a gtest listener that writes one record a line as the tests run (the
// format: report_files.hpp), flushed at each, so that a crash still leaves a report that says
// which test was running.
#include "report.hpp"
#include "report_files.hpp"

#include "bp/core/errors.hpp"

#include <algorithm>
#include <memory>
#include <vector>

namespace bp_test {

using report::escape;
using report::exercise_of_suite;

ReportWriter::ReportWriter(const std::filesystem::path& file) : file_(std::make_unique<std::ofstream>(file)) {}

// The grader gives a socket (--report-fd): no file that the code under test could find and forge.
ReportWriter::ReportWriter(int fd) : channel_(std::make_unique<ReportChannel>(fd)) {}

ReportWriter::~ReportWriter() = default;

void ReportWriter::write_line(const std::string& line) {
    if (channel_) channel_->write_line(line);
    else *file_ << line << '\n' << std::flush;  // flushed: a crash leaves the lines before it
}

namespace {

// Every occurrence of `from` in `text` replaced by `to`. (Not std::regex, whose matcher
// recurses once per character and overflows the stack on a long message.)
std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
    return text;
}

// Full paths ending in /tests/ shortened to tests/: "/work/x/tests/ch01_test.cpp" -> "tests/ch01_test.cpp".
std::string shorten_test_paths(const std::string& text) {
    std::string out;
    std::size_t start = 0;
    for (std::size_t at = text.find("/tests/"); at != std::string::npos; at = text.find("/tests/", at + 7)) {
        std::size_t word = at;
        while (word > start && text[word - 1] != ' ' && text[word - 1] != '\n') --word;
        // A second /tests/ in the same word: the shortened word starts at the last one.
        if (word == start && start > 0 && text[start - 1] != ' ' && text[start - 1] != '\n') out.resize(out.size() - 6);
        out += text.substr(start, word - start) + "tests/";
        start = at + 7;
    }
    return out + text.substr(start);
}

// A failure's message is at most this long: a message of megabytes is cut, not carried whole.
constexpr std::size_t max_message = 20000;

}  // namespace

void ReportWriter::OnTestStart(const ::testing::TestInfo& test) {
    bp::take_stubs_reached();  // from this test on
    write_line(std::string("start\t") + test.test_suite_name() + "\t" + test.name());
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
            if (text.size() > max_message)
                text = text.substr(0, max_message) + "\n[... cut: the message had " + std::to_string(text.size()) + " characters]";
            text = shorten_test_paths(replace_all(text, "\nGoogle Test trace:\n", "\n"));
            while (!text.empty() && text.back() == '\n') text.pop_back();
            std::string file = part.file_name() ? part.file_name() : "";
            if (const auto at = file.rfind("/tests/"); at != std::string::npos) file = file.substr(at + 1);
            if (!message.empty()) message += "\n";
            message += text + (file.empty() ? "" : "\n(" + file + ":" + std::to_string(part.line_number()) + ")");
        }
        if (!stubs.empty()) blocker = std::find(stubs.begin(), stubs.end(), own) != stubs.end() ? own : stubs.front();
        status = stubs.empty() ? "fail" : blocker == own ? "todo" : "waiting";
    }
    write_line(std::string("result\t") + test.test_suite_name() + "\t" + test.name() + "\t" + status + "\t" + blocker + "\t" +
               escape(message));
}

void ReportWriter::OnTestProgramEnd(const ::testing::UnitTest&) { write_line("finished"); }

}  // namespace bp_test
