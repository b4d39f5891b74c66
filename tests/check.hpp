// The tests' helper kit, one definition each (tests/README.md lists them): comparisons whose
// failure messages teach (both matrices, where they first differ, the mistake named), small
// inputs, the tests' own formulas, errors and crafted files.
#pragma once

#include "bp/core/matrix.hpp"
#include "bp/core/random.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bp_test {

// The tolerance for comparing with the reference: loose enough for any correct way of
// writing the formula (the order of additions changes the last bits), tight enough to catch
// any mistake.
inline constexpr double reference_tolerance = 1e-9;

std::string format_matrix(const bp::Matrix& m, const std::string& indent = "    ");

// Passes when |got - expected| <= tolerance * max(1, |expected|) everywhere. A failure's
// message ends with a newline (a 1x1 one too), so more can be streamed after it.
::testing::AssertionResult matrices_near(const std::string& what, const bp::Matrix& expected, const bp::Matrix& got,
                                         double tolerance = reference_tolerance);

// A wrong answer that a known mistake gives: when a result matches it, the failure names
// the mistake instead of leaving the student to guess.
struct Mistake {
    std::string what;  // "dW = a_prev dz^T, the transpose of dz a_prev^T"
    bp::Matrix gives;  // what that mistake computes on the test's inputs
};

// matrices_near, and on a failure, what the result is: the result of one of the `mistakes`
// (NaN matching NaN), or else the expected matrix transposed, negated or times a constant,
// said after the comparison ("This is exactly what a known mistake gives: <what>.": a
// mistake said as a formula).
::testing::AssertionResult matches_or_names_mistake(const std::string& what, const bp::Matrix& expected, const bp::Matrix& got,
                                                    const std::vector<Mistake>& mistakes, double tolerance = reference_tolerance);

// The same comparison and the same mistakes, said first: on a failure, the first line is the
// mistake that gives `got` (a mistake said as a sentence), or else `otherwise` (what is right),
// then the comparison (see explained).
::testing::AssertionResult matches_or_names_mistake_first(const std::string& what, const bp::Matrix& expected, const bp::Matrix& got,
                                                          const std::vector<Mistake>& mistakes, const std::string& otherwise = "",
                                                          double tolerance = reference_tolerance);

// A failed assertion with `why` as its first line, the line the progress report shows for every
// failure after the first; the assertion's own message (expected against got) follows. An empty
// `why`, or an assertion that holds, changes nothing.
::testing::AssertionResult explained(const std::string& why, const ::testing::AssertionResult& result);

// Whether matrices_near holds, for tests that tell one wrong answer from another.
bool near(const bp::Matrix& expected, const bp::Matrix& got, double tolerance = reference_tolerance);

// A matrix written with every digit a double holds (17 significant), for a failure that
// turns on the last ones.
std::string format_matrix_exactly(const bp::Matrix& m, const std::string& indent = "    ");

// Calls f(). An exercise's bp::NotImplemented passes through (the progress report shows
// it); any other exception becomes a failure that shows `call`, what was thrown and `hint`,
// and false is returned.
template <class F>
bool call_or_explain(const std::string& call, F f, const std::string& hint) {
    try {
        f();
        return true;
    } catch (const bp::NotImplemented&) {
        throw;
    } catch (const std::exception& e) {
        ADD_FAILURE() << call << " threw: " << e.what() << "\n" << hint;
        return false;
    }
}

// Passes when every element is a finite number (no inf, no NaN).
::testing::AssertionResult all_finite(const std::string& what, const bp::Matrix& m);

// Small matrices written out: row({1, 2}) is 1x2, col({1, 2}) is 2x1, scalar(2) is 1x1 (a
// number where a matrix is asked for).
bp::Matrix row(std::initializer_list<double> values);
bp::Matrix col(std::initializer_list<double> values);
bp::Matrix scalar(double value);

// The tests' own activations, written out apart from the library's (which exercises write):
// sigmoid of one number; tanh and sigmoid element by element.
double scalar_sigmoid(double x);
bp::Matrix tanh_of(const bp::Matrix& z);
bp::Matrix sigmoid_of(const bp::Matrix& z);

// A scalar loss with a known gradient: L = sum(G ⊙ out), so dL/d(out) = G. Backward passes are
// tested with it and a random G, never all ones: with L = sum(out), batch normalization's dz is
// 0 and hides every mistake.
double weighted_sum(const bp::Matrix& G, const bp::Matrix& out);

// m one-hot columns for `classes` classes, each class drawn from rng.
bp::Matrix one_hot(bp::Rng& rng, bp::Index classes, bp::Index m);

// The tests' own central differences (independent of the student's chapter 4): the slope of
// f() with respect to each element of x, which f must read. x is restored afterwards.
bp::Matrix slopes(const std::function<double()>& f, bp::Matrix& x, double h = 1e-6);
bp::Matrix slopes(const std::function<double()>& f, bp::Vector& x, double h = 1e-6);

// The message of what f threw: E's what(), "(not the expected kind of error) ..." for another
// exception, "(nothing was thrown)" if f returned. For tests that check an error names its cause.
template <class E = std::exception, class F>
std::string error_of(F f) {
    try {
        f();
    } catch (const std::exception& e) {
        if constexpr (!std::is_same_v<E, std::exception>)
            if (!dynamic_cast<const E*>(&e)) return std::string("(not the expected kind of error) ") + e.what();
        return e.what();
    }
    return "(nothing was thrown)";
}

// EXPECT_MENTIONS(text, "word", ...): each word is in the text (the failure shows the text).
void expect_mentions(const char* file, int line, const std::string& text, std::initializer_list<const char*> words);
#define EXPECT_MENTIONS(text, ...) ::bp_test::expect_mentions(__FILE__, __LINE__, (text), {__VA_ARGS__})
// EXPECT_ERROR_MENTIONS(call, "words"): the call throws, and its message holds the words.
#define EXPECT_ERROR_MENTIONS(call, text) EXPECT_MENTIONS(::bp_test::error_of([&] { (void)(call); }), text)

// A scratch folder of its own, removed with everything in it when it goes out of scope.
struct TempDir {
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::filesystem::path path;
};

// Files of crafted bytes: write_bytes replaces `file` with exactly `bytes`; bytes_of reads a
// whole file back ("" if it cannot be read); gzip gives `bytes` as one gzip stream, in memory
// (level 0 stores them uncompressed).
void write_bytes(const std::filesystem::path& file, std::string_view bytes);
void write_bytes(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes);
std::string bytes_of(const std::filesystem::path& file);
std::vector<std::uint8_t> gzip(const std::vector<std::uint8_t>& bytes, int level = 9);

// Runs f, expects a bp::ShapeError, and checks that its message mentions every word given.
template <class F>
void expect_shape_error(F f, std::initializer_list<const char*> words) {
    try {
        f();
        ADD_FAILURE() << "expected a bp::ShapeError, but nothing was thrown";
    } catch (const bp::ShapeError& e) {
        for (const char* w : words) EXPECT_NE(std::string(e.what()).find(w), std::string::npos) << "'" << w << "' not in: " << e.what();
    }
}

// A property test's inputs, drawn at random: named, shown with every failure while they are
// in scope (as SCOPED_TRACE does), and with the shapes named in an Eigen assertion raised
// meanwhile (see locate.cpp). Written BP_INPUTS(W, a_prev); values of matrices up to 6x6
// are shown, larger ones by their shape and first row.
class Inputs {
public:
    Inputs(const char* file, int line, const std::string& names, std::initializer_list<bp::Matrix> values);
    ~Inputs();
    Inputs(const Inputs&) = delete;
    Inputs& operator=(const Inputs&) = delete;

private:
    std::string text_;
    ::testing::ScopedTrace trace_;
};

// The inputs in scope, innermost last ("" if none): what an Eigen assertion adds.
std::string inputs_in_scope();

// Where an Eigen assertion was raised: the exercise (from the source line's markers) and its
// line, found with addr2line in the debug information; then the test's inputs. The test
// program installs it (bp::set_assertion_locator).
std::string locate_in_exercise(void* const* frames, int count);

}  // namespace bp_test

#define BP_INPUTS(...) const ::bp_test::Inputs bp_inputs_(__FILE__, __LINE__, #__VA_ARGS__, {__VA_ARGS__})

// Like EXPECT_TRUE(assertion), but the failure shows only the assertion's own message; more
// may be streamed after it: EXPECT_HOLDS(...) << "with W =\n" << format_matrix(W).
#define EXPECT_HOLDS(assertion)                                                    \
    switch (0)                                                                     \
    case 0:                                                                        \
    default:                                                                       \
        if (const ::testing::AssertionResult bp_result_ = (assertion); bp_result_) \
            ;                                                                      \
        else ADD_FAILURE() << bp_result_.message()

// EXPECT_NEAR for matrices, at the reference tolerance.
#define EXPECT_MATRIX_NEAR(expected, got) EXPECT_HOLDS(::bp_test::matrices_near(#got, (expected), (got)))
