#include "bp/errors.hpp"

namespace bp {

ShapeError::ShapeError(const std::string& op, const std::string& detail)
    : std::invalid_argument(op + ": shape mismatch: " + detail) {}

ValueError::ValueError(const std::string& op, const std::string& detail) : std::invalid_argument(op + ": " + detail) {}

NotImplemented::NotImplemented(const std::string& exercise, const std::string& where,
                               const std::string& read)
    : std::logic_error("exercise " + exercise + " is not implemented yet: write it in " + where +
                       ", between the BEGIN and END EXERCISE " + exercise + " lines. Read " + read +
                       "."),
      exercise_(exercise) {}

UsageError::UsageError(const std::string& op, const std::string& detail)
    : std::logic_error(op + ": " + detail) {}

void eigen_assertion_failed(const char* condition, const char* file, int line) {
    throw std::logic_error(std::string("Eigen check failed: ") + condition + " (" + file + ":" +
                           std::to_string(line) +
                           "). An index is out of range, or two shapes do not fit together; the check is in Eigen's code, "
                           "but the mistake is in the code that called it.");
}

}  // namespace bp
