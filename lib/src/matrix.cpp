#include "bp/matrix.hpp"

namespace bp {

std::string shape(const Matrix& m) { return std::to_string(m.rows()) + "x" + std::to_string(m.cols()); }
std::string shape(const Vector& v) { return std::to_string(v.rows()) + "x1"; }

void require_rows(const char* op, const char* name, const Matrix& m, Index rows) {
    if (m.rows() != rows)
        throw ShapeError(op, std::string(name) + " is " + shape(m) + " but must have " +
                                 std::to_string(rows) + " rows");
}

void require_nonempty(const char* op, const char* name, const Matrix& m) {
    if (m.rows() == 0 || m.cols() == 0)
        throw ShapeError(op, std::string(name) + " is " + shape(m) + " but must not be empty");
}

}  // namespace bp
