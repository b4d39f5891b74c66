// Reference cases: small, seeded computations whose results the solutions produced once
// (refgen writes them to tests/reference/chNN.txt) and the student's code must reproduce.
// The same case code runs in both places, so the inputs are the same numbers.
#pragma once

#include "bp/core/matrix.hpp"
#include "bp/layers/mlp.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace bp_test {

using bp::Matrix;

struct Named {
    std::string name;
    Matrix value;
};
using NamedList = std::vector<Named>;

struct ReferenceCase {
    std::string exercise;  // "1.1"
    std::string name;      // unique within the exercise, e.g. "batch_of_4"
    std::string call;      // what it computes, written as the student would call it
    NamedList inputs;
    std::function<NamedList(const NamedList& inputs)> compute;  // the named outputs
};

// A chapter's cases, in tests/chNN_cases.cpp:
//
//     BP_REFERENCE_CASES(ch01) {
//         std::vector<ReferenceCase> cases;
//         ...
//         return cases;
//     }
//
// registers them: a new chapter's file is found by the build and needs no line elsewhere.
using CaseMaker = std::vector<ReferenceCase> (*)();
struct CaseRegistration {
    CaseRegistration(CaseMaker make);
};
#define BP_REFERENCE_CASES(chapter)                                                  \
    static std::vector<ReferenceCase> chapter##_reference_cases();                   \
    static const CaseRegistration chapter##_registration(chapter##_reference_cases); \
    static std::vector<ReferenceCase> chapter##_reference_cases()

// Every registered case, ordered by chapter (and within a chapter as its file lists them).
std::vector<ReferenceCase> all_reference_cases();

int chapter_of(const std::string& exercise);  // "1.10" -> 1

// The stored results, keyed by "<exercise> <case name>".
using ReferenceData = std::map<std::string, NamedList>;
std::string reference_key(const ReferenceCase& c);
std::filesystem::path reference_file(const std::filesystem::path& dir, int chapter);  // dir/ch01.txt
std::string format_number(double v);                                                  // as the reference files store it
std::string format_reference_data(int chapter, const std::vector<std::pair<std::string, NamedList>>& results);
ReferenceData read_reference_data(const std::filesystem::path& dir);  // every chNN.txt in dir

// An Mlp whose weights are the case's inputs W1, b1, W2, b2, ... (in that order, first).
bp::Mlp network_from(const std::vector<bp::Index>& sizes, bp::Activation hidden, bp::Activation output, const NamedList& inputs);

}  // namespace bp_test
