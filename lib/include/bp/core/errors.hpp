/// \file
/// The exceptions the library throws. Each message names the operation at fault.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace bp {

/// A matrix of the wrong shape reached a public function. what() names the function and
/// every shape involved, e.g. "linear_forward: W is 3x2 but a_prev is 3x4 ...".
class ShapeError : public std::invalid_argument {
public:
    ShapeError(const std::string& op, const std::string& detail);
};

/// A value that a public function cannot take: a target outside [0, 1], a NaN gradient. what()
/// names the function, the argument, the value and where it is, e.g. "clip_grad_norm:
/// layer1.W's gradient is not finite: nan at row 2, column 0".
class ValueError : public std::invalid_argument {
public:
    ValueError(const std::string& op, const std::string& detail);
};

/// Thrown by an exercise stub. what() says which exercise, where to write it, and which
/// section of the chapter explains it. Each one made is recorded (stubs_reached), which is how
/// the test runner tells a test stopped by a stub from one that failed, whatever the message.
class NotImplemented : public std::logic_error {
public:
    NotImplemented(const std::string& exercise, const std::string& where, const std::string& read);
    const std::string& exercise() const { return exercise_; }

private:
    std::string exercise_;
};

/// The exercises whose stubs have thrown NotImplemented since the last call, each once, in the
/// order first reached; the record is then emptied.
std::vector<std::string> take_stubs_reached();

/// A call in the wrong order, e.g. backward before forward.
class UsageError : public std::logic_error {
public:
    UsageError(const std::string& op, const std::string& detail);
};

/// Called by eigen_assert (see matrix.hpp): turns an Eigen assertion into an exception (a
/// std::logic_error) that says what kind of mistake it is (a product of mismatched shapes, an
/// index out of range, ...) and, if a locator is set, where in the caller's code it happened.
[[noreturn]] void eigen_assertion_failed(const char* condition, const char* file, int line);

/// Says where an Eigen assertion was raised, from the call stack's return addresses (as
/// backtrace() gives them), in words such as "in exercise 3.1 (exercises/ch03/linear_backward.cpp:17)",
/// or "" when it cannot tell. The course's test program sets one; by default there is none.
using AssertionLocator = std::string (*)(void* const* frames, int count);
void set_assertion_locator(AssertionLocator locator);

}  // namespace bp
