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

void require_same_shape(const char* op, const char* name_a, const Matrix& a, const char* name_b, const Matrix& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols() || a.size() == 0)
        throw ShapeError(op, std::string(name_a) + " is " + shape(a) + " and " + name_b + " is " + shape(b) +
                                 "; they must have the same shape, and not be empty");
}

}  // namespace bp
