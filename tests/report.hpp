// What a run of the course tests leaves behind, and what the course tool makes of it.
//
// Each test process (ctest runs one per exercise) writes a report file as it goes
// (report_writer.cpp). From those files and the exercise list (exercises.tsv, made by exgen),
// read back in one place (report_files.hpp), the student's progress is printed
// (report_progress.cpp), the stub gate is judged (report_gate.cpp) and a submission is graded
// (report_grade.cpp). Writing as it goes means a crash still leaves a report that says which
// test was running.
#pragma once

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace bp_test {

// The grader's report channel (--report-fd, report_channel.cpp): written only by a thread of
// its own, which the tests' code cannot make write (its signals are blocked).
class ReportChannel {
public:
    explicit ReportChannel(int fd);
    ~ReportChannel();
    ReportChannel(const ReportChannel&) = delete;
    ReportChannel& operator=(const ReportChannel&) = delete;
    void write_line(const std::string& line);  // returns once the line is written

private:
    void run();
    int fd_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::string pending_;
    bool has_pending_ = false, stop_ = false;
    std::thread thread_;
};

// Before the channel's thread starts: "" if this process has no other thread and no child, or
// else why not (code that ran before main could keep a way to the channel).
std::string refuse_unless_alone();
// Then, on the thread that runs the tests: a seccomp filter ending the process when it writes on
// fd, copies it or passes descriptors on; "" once installed, or why it could not be.
std::string guard_report_channel(int fd);

// A gtest listener that writes the report: a file (ctest's runs), or the grader's channel.
class ReportWriter : public ::testing::EmptyTestEventListener {
public:
    explicit ReportWriter(const std::filesystem::path& file);
    explicit ReportWriter(int fd);  // the grader's --report-fd: starts the channel's thread
    ~ReportWriter() override;
    void OnTestStart(const ::testing::TestInfo& test) override;
    void OnTestEnd(const ::testing::TestInfo& test) override;
    void OnTestProgramEnd(const ::testing::UnitTest& unit) override;
    void write_line(const std::string& line);  // one record, written before this returns

private:
    std::unique_ptr<std::ofstream> file_;
    std::unique_ptr<ReportChannel> channel_;
};

// The student's progress over every exercise; with `only` (an id like "1.3" or a chapter
// like "1"), just those, with every failure in full. Returns 2 if `only` names nothing, else
// the flags below: what the course tool decides by (its exit code), never the text.
constexpr int progress_ok = 0;
constexpr int progress_not_done = 4;       // an exercise shown is not done (todo, fail, waiting, not run)
constexpr int progress_library_fails = 8;  // a library check shown fails or crashed
int print_progress(const std::filesystem::path& manifest, const std::filesystem::path& reports, const std::string& only);

// The stub gate, on reports from a build of untouched stubs: every exercise has tests, every
// one of them fails, each with a not-implemented error (no crash, no other assertion), and at
// least one with the exercise's own. Returns 0 when all hold.
int judge_stub_gate(const std::filesystem::path& manifest, const std::filesystem::path& reports);

// Grading: the score of every exercise from the reports in `reports` (its points, from the
// exercise list, in proportion to its tests that pass; 0 for one in `compile_failures`, whose
// code did not compile), written as Gradescope's results.json and as a JUnit XML report.
// Prints the scores.
// A line of the compile step's list that the grader wrote, not the compiler: the exercise was
// not compiled at all (an #include of someone else's file), for the reason after the prefix.
inline constexpr std::string_view refused_prefix = "refused: ";
inline bool refused(const std::string& message) { return message.rfind(refused_prefix, 0) == 0; }

struct GradeFiles {
    std::filesystem::path compile_failures;  // "N.M<TAB>compiler message" lines ("refused: why": not compiled), or empty
    std::filesystem::path json, junit;       // what to write
};
int write_grade(const std::filesystem::path& manifest, const std::filesystem::path& reports, const GradeFiles& files);

}  // namespace bp_test
