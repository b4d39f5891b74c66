#pragma once

#include "reference_cases.hpp"

namespace bp_test {

// One gtest test per reference case, in suite Ex<chapter>_<n> (e.g. Ex1_1), named
// reference_<case>; `data` must outlive the test run.
void register_reference_tests(const ReferenceData& data);

}  // namespace bp_test
