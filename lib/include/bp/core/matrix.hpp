/// \file
/// The course's numeric types and the shape checks every public function starts with.
#pragma once

#include "bp/core/errors.hpp"

/// Eigen's own assertions (an index out of range, a product of mismatched shapes) become
/// exceptions instead of aborting the program, in every build type. This must come before
/// the first Eigen include, which is why every course header includes Eigen through here.
#ifndef eigen_assert
#define eigen_assert(condition) ((condition) ? static_cast<void>(0) : ::bp::eigen_assertion_failed(#condition, __FILE__, __LINE__))
#endif

// GCC 12 warns that "'__Y' may be used uninitialized" (or is) inside its own AVX-512 intrinsics when Eigen
// is compiled for such a processor (-march=native there, or -march=x86-64-v4): a false
// positive in a system header (GCC bug 105593), silenced for the Eigen headers only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <Eigen/Core>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <optional>
#include <string>
#include <vector>

/// \cond
// Eigen's memory layout follows EIGEN_MAX_ALIGN_BYTES and EIGEN_MAX_STATIC_ALIGN_BYTES (set on
// the command line or, if not, chosen by Eigen from -march), and a program whose matrices are
// laid out otherwise than the library's corrupts the heap when the two pass them (see
// lib/CMakeLists.txt: the library uses 64 and 64, and its CMake package passes them on). So
// every file that includes this header refers to a symbol whose name holds its own two values,
// which the library defines for its values alone (lib/src/core/matrix.cpp): a program built with
// others does not link, and the linker names the setting, e.g.
//   undefined symbol: bp::detail::libbackprop_built_with_EIGEN_MAX_ALIGN_BYTES_16_and_EIGEN_MAX_STATIC_ALIGN_BYTES_16
// Fix: compile with -DEIGEN_MAX_ALIGN_BYTES=64 -DEIGEN_MAX_STATIC_ALIGN_BYTES=64, or link the
// CMake target backprop_course::backprop, which adds them.
#define BP_EIGEN_ALIGNMENT_SYMBOL_(align, static_align) \
    libbackprop_built_with_EIGEN_MAX_ALIGN_BYTES_##align##_and_EIGEN_MAX_STATIC_ALIGN_BYTES_##static_align
#define BP_EIGEN_ALIGNMENT_SYMBOL(align, static_align) BP_EIGEN_ALIGNMENT_SYMBOL_(align, static_align)
namespace bp::detail {
extern const int BP_EIGEN_ALIGNMENT_SYMBOL(EIGEN_MAX_ALIGN_BYTES, EIGEN_MAX_STATIC_ALIGN_BYTES);
// `used`: kept in every object file even though nothing reads it, so the reference cannot be
// optimised away; a constant address, so it costs no code at start-up.
[[gnu::used]] static const int* const eigen_alignment_check =
    &BP_EIGEN_ALIGNMENT_SYMBOL(EIGEN_MAX_ALIGN_BYTES, EIGEN_MAX_STATIC_ALIGN_BYTES);
}  // namespace bp::detail
/// \endcond

namespace bp {

// Double precision throughout: gradient checks (chapter 4) need it.
using Matrix = Eigen::MatrixXd;  ///< a batch is stored as columns: one example per column
using Vector = Eigen::VectorXd;  ///< a column vector, such as a bias b
using Index = Eigen::Index;

/// "3x4": rows x columns, for error messages.
std::string shape(const Matrix& m);
std::string shape(const Vector& v);

/// Throws ShapeError("op: NAME is RxC but must have ROWS rows") unless m has that many rows.
void require_rows(const char* op, const char* name, const Matrix& m, Index rows);

/// Throws ShapeError unless m has at least one row and one column.
void require_nonempty(const char* op, const char* name, const Matrix& m);

/// Throws ShapeError unless a and b have the same shape and are not empty.
void require_same_shape(const char* op, const char* name_a, const Matrix& a, const char* name_b, const Matrix& b);

/// x as a message writes it: "0.25", "inf", "-inf", "nan" (a NaN's sign means nothing).
std::string number_text(double x);

/// Where a matrix first holds an inf or a NaN (in column order), and how to say so.
struct NonFinite {
    Index row = 0, col = 0;
    double value = 0;
    std::string describe() const;  ///< "inf at row 2, column 1" ("nan" for any NaN, never "-nan")
};
/// The first element of m that is not finite, if there is one.
std::optional<NonFinite> first_non_finite(const Eigen::Ref<const Matrix>& m);

/// Throws ValueError("op: NAME is not finite: inf at row i, column j") unless every element
/// of m is finite; the first one that is not is named. For gradients, losses, weights.
void require_finite(const char* op, const std::string& name, const Eigen::Ref<const Matrix>& m);

/// Throws ValueError naming the first element of m outside [lo, hi] (NaN included).
void require_in_range(const char* op, const char* name, const Matrix& m, double lo, double hi);

/// argmax_i m_ik for each column k: for logits (batch as columns), the class predicted for
/// each example. On a tie, the first such row (as Eigen's maxCoeff). Any scalar type: the fast
/// engine's logits are float.
template <class Derived>
std::vector<int> argmax_per_column(const Eigen::MatrixBase<Derived>& m) {
    std::vector<int> rows(static_cast<std::size_t>(m.cols()));
    for (Index k = 0; k < m.cols(); ++k) {
        Index row = 0;
        m.col(k).maxCoeff(&row);
        rows[static_cast<std::size_t>(k)] = static_cast<int>(row);
    }
    return rows;
}

}  // namespace bp
