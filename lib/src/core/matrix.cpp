#include "bp/core/matrix.hpp"

#include <cmath>
#include <sstream>

// The library's own Eigen alignment, under the name every user's matrix.hpp refers to: only a
// program built with the same values links (see matrix.hpp).
const int bp::detail::BP_EIGEN_ALIGNMENT_SYMBOL(EIGEN_MAX_ALIGN_BYTES, EIGEN_MAX_STATIC_ALIGN_BYTES) = 1;

namespace bp {

std::string shape(const Matrix& m) { return std::to_string(m.rows()) + "x" + std::to_string(m.cols()); }
std::string shape(const Vector& v) { return std::to_string(v.rows()) + "x1"; }

void require_rows(const char* op, const char* name, const Matrix& m, Index rows) {
    if (m.rows() != rows) throw ShapeError(op, std::string(name) + " is " + shape(m) + " but must have " + std::to_string(rows) + " rows");
}

void require_nonempty(const char* op, const char* name, const Matrix& m) {
    if (m.rows() == 0 || m.cols() == 0) throw ShapeError(op, std::string(name) + " is " + shape(m) + " but must not be empty");
}

void require_same_shape(const char* op, const char* name_a, const Matrix& a, const char* name_b, const Matrix& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols() || a.size() == 0)
        throw ShapeError(op, std::string(name_a) + " is " + shape(a) + " and " + name_b + " is " + shape(b) +
                                 "; they must have the same shape, and not be empty");
}

namespace {

std::string at(Index i, Index j) { return "row " + std::to_string(i) + ", column " + std::to_string(j); }

}  // namespace

std::string number_text(double x) {
    if (std::isnan(x)) return "nan";
    std::ostringstream out;
    out << x;
    return out.str();
}

std::string NonFinite::describe() const { return number_text(value) + " at " + at(row, col); }

std::optional<NonFinite> first_non_finite(const Eigen::Ref<const Matrix>& m) {
    // The common case, in one vectorized pass: a sum is finite when every term is, unless
    // finite terms overflow it, which the exact scan below then clears. (allFinite() is not
    // vectorized: checking the parameters after every step cost a fifth of a small batch's step.)
    if (std::isfinite(m.sum())) return std::nullopt;
    for (Index j = 0; j < m.cols(); ++j)
        for (Index i = 0; i < m.rows(); ++i)
            if (!std::isfinite(m(i, j))) return NonFinite{i, j, m(i, j)};
    return std::nullopt;
}

void require_finite(const char* op, const std::string& name, const Eigen::Ref<const Matrix>& m) {
    if (const auto bad = first_non_finite(m)) throw ValueError(op, name + " is not finite: " + bad->describe());
}

void require_in_range(const char* op, const char* name, const Matrix& m, double lo, double hi) {
    for (Index j = 0; j < m.cols(); ++j)
        for (Index i = 0; i < m.rows(); ++i)
            if (!(m(i, j) >= lo && m(i, j) <= hi))
                throw ValueError(op, std::string(name) + " must lie in [" + number_text(lo) + ", " + number_text(hi) + "], but is " +
                                         number_text(m(i, j)) + " at " + at(i, j));
}

}  // namespace bp
