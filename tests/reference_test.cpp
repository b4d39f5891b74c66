// Registers one test per reference case: the student's result against the stored one.
#include "check.hpp"
#include "reference_cases.hpp"
#include "reference_test.hpp"

#include "bp/core/errors.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace bp_test {

namespace {

class ReferenceTest : public ::testing::Test {
public:
    ReferenceTest(ReferenceCase c, const NamedList* expected) : case_(std::move(c)), expected_(expected) {}

    void TestBody() override {
        ASSERT_NE(expected_, nullptr) << "no stored result for case '" << reference_key(case_)
                                      << "' in tests/reference/: run ./course generate (instructors)";
        // The case's inputs, shown after a first line that says what went wrong (the line the
        // progress report shows of every failure after the first).
        std::string inputs = case_.inputs.empty() ? "" : "with\n";
        for (const Named& in : case_.inputs) inputs += "  " + in.name + " =\n" + format_matrix(in.value);
        NamedList got;
        try {
            got = case_.compute(case_.inputs);
        } catch (const bp::NotImplemented& e) {
            FAIL() << e.what();
        } catch (const std::exception& e) {
            FAIL() << case_.call << " threw: " << e.what() << "\n" << inputs;
        }
        // The names of the wrong outputs, then the case once, then the first two in full.
        std::string names, wrong;
        int count = 0;
        for (const Named& want : *expected_) {
            const auto it = std::find_if(got.begin(), got.end(), [&](const Named& n) { return n.name == want.name; });
            ASSERT_NE(it, got.end()) << "the case computed no output named " << want.name;
            if (auto near = matrices_near(want.name, want.value, it->value); !near) {
                names += (names.empty() ? "" : ", ") + want.name;
                if (++count <= 2) {
                    wrong += std::string(near.message());
                    if (wrong.back() != '\n') wrong += "\n";
                }
            }
        }
        if (count)
            ADD_FAILURE() << case_.call << ": differs from the reference solution in " << names << "\n"
                          << inputs << wrong << (count > 2 ? "(the first two shown)\n" : "");
    }

private:
    ReferenceCase case_;
    const NamedList* expected_;
};

std::string suite_name(const std::string& exercise) {
    std::string suite = "Ex" + exercise;
    std::replace(suite.begin(), suite.end(), '.', '_');
    return suite;
}

}  // namespace

void register_reference_tests(const ReferenceData& data) {
    for (ReferenceCase& c : all_reference_cases()) {
        const auto it = data.find(reference_key(c));
        const NamedList* expected = it == data.end() ? nullptr : &it->second;
        const std::string suite = suite_name(c.exercise), name = "reference_" + c.name;
        ::testing::RegisterTest(suite.c_str(), name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                                [c, expected]() -> ::testing::Test* { return new ReferenceTest(c, expected); });
    }
}

}  // namespace bp_test
