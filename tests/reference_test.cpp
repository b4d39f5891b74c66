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
        std::string the_case = case_.call + (case_.inputs.empty() ? "\n" : " with\n");
        for (const Named& in : case_.inputs) the_case += "  " + in.name + " =\n" + format_matrix(in.value);
        NamedList got;
        try {
            got = case_.compute(case_.inputs);
        } catch (const bp::NotImplemented& e) {
            FAIL() << e.what();
        } catch (const std::exception& e) {
            FAIL() << the_case << "threw: " << e.what();
        }
        // The case once, then the first two wrong outputs in full and the names of the rest.
        std::string wrong, also_wrong;
        int count = 0;
        for (const Named& want : *expected_) {
            const auto it = std::find_if(got.begin(), got.end(), [&](const Named& n) { return n.name == want.name; });
            ASSERT_NE(it, got.end()) << "the case computed no output named " << want.name;
            if (auto near = matrices_near(want.name, want.value, it->value); !near && ++count <= 2) {
                wrong += std::string(near.message());
                if (wrong.back() != '\n') wrong += "\n";
            } else if (!near) also_wrong += (also_wrong.empty() ? "" : ", ") + want.name;
        }
        if (count)
            ADD_FAILURE() << the_case << "differs from the reference solution in\n"
                          << wrong << (also_wrong.empty() ? "" : "and also in " + also_wrong);
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
