// The library's part of the losses of chapter 2 (the exercises are in exercises/ch02/loss.cpp):
// checks on the targets, and the limits for infinite logits.
#include "bp/core/loss.hpp"

#include "bp/core/activations.hpp"

#include <cmath>
#include <limits>
#include <sstream>

namespace bp {

void require_distributions(const char* op, const char* name, const Matrix& y) {
    for (Index j = 0; j < y.cols(); ++j) {
        double sum = 0;
        for (Index i = 0; i < y.rows(); ++i) {
            if (!(y(i, j) >= 0)) {
                std::ostringstream detail;
                detail << name << " must hold probabilities (one distribution per column), but is " << y(i, j) << " at row " << i
                       << ", column " << j;
                throw ValueError(op, detail.str());
            }
            sum += y(i, j);
        }
        if (!(std::abs(sum - 1) <= 1e-6)) {
            std::ostringstream detail;
            detail.precision(12);
            detail << name << "'s column " << j << " sums to " << sum
                   << ", not 1: each column must be a distribution over the classes (one-hot, say)";
            throw ValueError(op, detail.str());
        }
    }
}

bool softmax_targets_miss_infinite_logits(const Matrix& z, const Matrix& y) {
    constexpr double infinity = std::numeric_limits<double>::infinity();
    for (Index j = 0; j < z.cols(); ++j) {
        if (!(z.col(j).array() == infinity).any()) continue;
        for (Index i = 0; i < z.rows(); ++i)
            if (z(i, j) != infinity && y(i, j) > 0) return true;
    }
    return false;
}

bool binary_targets_miss_infinite_logits(const Matrix& z, const Matrix& y) {
    constexpr double infinity = std::numeric_limits<double>::infinity();
    for (Index k = 0; k < z.size(); ++k)
        if ((z(k) == infinity && y(k) < 1) || (z(k) == -infinity && y(k) > 0)) return true;
    return false;
}

Matrix clamp_infinite_logits(const Matrix& z) {
    constexpr double infinity = std::numeric_limits<double>::infinity();
    return z.unaryExpr([](double v) { return v == infinity ? 1000.0 : v == -infinity ? -1000.0 : v; });
}

Loss softmax_cross_entropy() { return {"softmax cross-entropy", softmax_cross_entropy_loss, softmax_cross_entropy_grad}; }

Loss mean_squared_error() { return {"mean squared error", mse_loss, mse_grad}; }

Loss binary_cross_entropy_with_logits() { return {"binary cross-entropy", bce_with_logits_loss, bce_with_logits_grad}; }

}  // namespace bp
