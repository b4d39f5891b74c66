// The course's test program.
//
//   course_tests [gtest flags] [--report=FILE]   run the tests (ctest runs one exercise at a time)
//   course_tests [gtest flags] --report-fd=N     the same, the report written to open descriptor N
//                                                (course_grade's socket: no report file to forge;
//                                                guarded from the tests' code, report_channel.cpp)
//   course_tests --progress=DIR [--only=ID]      print the student's progress from the reports in DIR; exits
//                                                with report.hpp's progress flags (2: no such exercise)
//   course_tests --gate=DIR                      judge the stub gate from the reports in DIR
//   (grading is course_grade's, tools/grade.cpp, which runs this program and scores its reports)
#include "check.hpp"
#include "report.hpp"
#include "reference_test.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <iostream>
#include <string>

namespace {

// The value of --name=VALUE among the arguments, or "".
std::string flag(int argc, char** argv, const std::string& name) {
    const std::string prefix = "--" + name + "=";
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]).rfind(prefix, 0) == 0) return std::string(argv[i]).substr(prefix.size());
    return "";
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    bp::set_assertion_locator(&bp_test::locate_in_exercise);  // an Eigen assertion names the exercise
    std::string manifest = flag(argc, argv, "manifest");
    if (manifest.empty()) manifest = BP_MANIFEST;
    try {
        if (const std::string dir = flag(argc, argv, "progress"); !dir.empty())
            return bp_test::print_progress(manifest, dir, flag(argc, argv, "only"));
        if (const std::string dir = flag(argc, argv, "gate"); !dir.empty()) return bp_test::judge_stub_gate(manifest, dir);

        static const bp_test::ReferenceData reference = bp_test::read_reference_data(BP_REFERENCE_DIR);
        bp_test::register_reference_tests(reference);
    } catch (const std::exception& e) {
        std::cerr << "course_tests: " << e.what() << "\n";
        return 2;
    }
    if (const std::string report = flag(argc, argv, "report"); !report.empty())
        ::testing::UnitTest::GetInstance()->listeners().Append(new bp_test::ReportWriter(report));
    else if (const std::string fd = flag(argc, argv, "report-fd"); !fd.empty()) {
        const int channel = std::stoi(fd);
        if (const std::string why = bp_test::refuse_unless_alone(); !why.empty()) {
            const std::string line = "refused\t" + why + "\n";  // told to the grader; no test runs
            if (write(channel, line.data(), line.size()) < 0) std::cerr << "course_tests: " << why << "\n";
            return 3;
        }
        auto* writer = new bp_test::ReportWriter(channel);  // its thread, the channel's only writer
        ::testing::UnitTest::GetInstance()->listeners().Append(writer);
        if (const std::string why = bp_test::guard_report_channel(channel); !why.empty()) writer->write_line("unguarded\t" + why);
    }

    const int status = RUN_ALL_TESTS();
    if (::testing::UnitTest::GetInstance()->test_to_run_count() == 0) {
        std::cerr << "course_tests: no test matches --gtest_filter=" << ::testing::GTEST_FLAG(filter) << "\n";
        return 1;
    }
    return status;
}
