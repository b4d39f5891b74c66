// The report writer: a gtest listener that writes one record a line as the tests run (the
// format: report_files.hpp), flushed at each, so that a crash still leaves a report that says
// which test was running.
#include "report.hpp"
#include "report_files.hpp"

#include "bp/core/errors.hpp"

#include <algorithm>
#include <regex>
#include <vector>

namespace bp_test {

using report::escape;
using report::exercise_of_suite;

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

}  // namespace bp_test
