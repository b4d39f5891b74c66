#include "bp/core/errors.hpp"

#include <algorithm>
#include <cstring>
#include <execinfo.h>
#include <mutex>
#include <utility>

namespace bp {

namespace {

AssertionLocator assertion_locator = nullptr;

// The kind of mistake behind an Eigen assertion, from its condition's text.
std::string kind_of_mistake(const char* condition) {
    const auto has = [&](const char* text) { return std::strstr(condition, text) != nullptr; };
    if (has("invalid matrix product")) return "a matrix product A * B where A's columns are not as many as B's rows";
    if (has("aLhs.rows() == aRhs.rows()"))
        return "an element-by-element operation (+, -, cwiseProduct, or * and / on arrays) on two matrices of different shapes";
    if (has("dst.rows() == src.rows()") || has("rows() == other.rows()"))
        return "an assignment (=, +=, -=) to a matrix of another shape than the value assigned";
    if (has("index >= 0 && index < size()") || has("row >= 0 && row < rows()") || has("col >= 0 && col < cols()"))
        return "an index out of range";
    if (has("startRow") || has("startCol") || has("blockRows") || has("blockCols"))
        return "a block, row or column that lies outside the matrix";
    return "two shapes that do not fit together, or an index out of range";
}

}  // namespace

void set_assertion_locator(AssertionLocator locator) { assertion_locator = locator; }

namespace {
std::mutex stubs_mutex;  // a stub may throw on any thread
std::vector<std::string> stubs_reached;
}  // namespace

ShapeError::ShapeError(const std::string& op, const std::string& detail) : std::invalid_argument(op + ": shape mismatch: " + detail) {}

ValueError::ValueError(const std::string& op, const std::string& detail) : std::invalid_argument(op + ": " + detail) {}

NotImplemented::NotImplemented(const std::string& exercise, const std::string& where, const std::string& read)
    : std::logic_error("exercise " + exercise + " is not implemented yet: write it in " + where + ", between the BEGIN and END EXERCISE " +
                       exercise + " lines. Read " + read + "."),
      exercise_(exercise) {
    const std::lock_guard<std::mutex> lock(stubs_mutex);
    if (std::find(stubs_reached.begin(), stubs_reached.end(), exercise) == stubs_reached.end()) stubs_reached.push_back(exercise);
}

std::vector<std::string> take_stubs_reached() {
    const std::lock_guard<std::mutex> lock(stubs_mutex);
    return std::exchange(stubs_reached, {});
}

UsageError::UsageError(const std::string& op, const std::string& detail) : std::logic_error(op + ": " + detail) {}

void eigen_assertion_failed(const char* condition, const char* file, int line) {
    std::string where;
    if (assertion_locator) {
        void* frames[64];
        where = assertion_locator(frames, backtrace(frames, 64));
    }
    throw std::logic_error("Eigen check failed: " + kind_of_mistake(condition) + ".\n" + (where.empty() ? "" : where + "\n") +
                           "The check (" + condition + ", " + file + ":" + std::to_string(line) +
                           ") is in Eigen's code, but the mistake is in the code that called it.");
}

}  // namespace bp
