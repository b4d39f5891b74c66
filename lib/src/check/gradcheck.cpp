#include "bp/check/gradcheck.hpp"

#include <cmath>
#include <limits>
#include <sstream>

namespace bp {

void require_step(const char* op, double h) {
    if (!(h > 0) || !std::isfinite(h))
        throw std::invalid_argument(std::string(op) + ": the step h must be positive and finite, got " + number_text(h));
}

double gradcheck_absolute_tolerance(double loss, double h) {
    require_step("gradcheck_absolute_tolerance", h);
    // f(x + h) and f(x - h) each carry a round-off of about eps |L| (eps for a loss of order 1
    // or less, whose terms are of order 1), and (f(x + h) - f(x - h)) / 2h divides it by h.
    const double eps = std::numeric_limits<double>::epsilon();
    return gradcheck_roundoff_margin * eps * std::max(std::abs(loss), 1.0) / h;
}

GradientCheck check_gradients(const std::vector<Parameter>& params, const std::function<double()>& loss,
                              const std::function<void()>& backward, double h, double threshold) {
    if (!(threshold > 0) || !std::isfinite(threshold))
        throw std::invalid_argument("check_gradients: the threshold must be a positive number, got " + std::to_string(threshold));
    require_step("check_gradients", h);
    backward();
    GradientCheck result;
    result.threshold = threshold;
    result.error = -1;
    result.loss = loss();
    result.absolute_tolerance = gradcheck_absolute_tolerance(result.loss, h);
    // relative_error with this floor is at most the threshold exactly when
    // |a - n| <= max(absolute_tolerance, threshold max(|a|, |n|)).
    result.floor = result.absolute_tolerance / threshold;
    // A loss that is not finite (or so large that the floor overflows) leaves nothing to
    // compare: the check fails before perturbing anything, and the report says why.
    if (!std::isfinite(result.floor)) {
        result.passed = false;
        return result;
    }
    for (const Parameter& p : params) {
        const Matrix analytic = p.grad();  // copied: evaluating the loss may not touch it, but be safe
        const Matrix saved = p.value();    // restored whatever happens while the loss is evaluated
        Matrix numeric;
        try {
            numeric = numerical_gradient(loss, p.value(), h);
        } catch (...) {
            p.value() = saved;
            throw;
        }
        p.value() = saved;
        double worst = 0;
        for (Index j = 0; j < analytic.cols(); ++j)
            for (Index i = 0; i < analytic.rows(); ++i) {
                const double e = relative_error(analytic(i, j), numeric(i, j), result.floor);
                ++result.checked;
                worst = std::max(worst, e);
                if (e > result.error || std::isnan(e)) {
                    result.error = e;
                    result.parameter = p.name;
                    result.row = i;
                    result.col = j;
                    result.analytic = analytic(i, j);
                    result.numeric = numeric(i, j);
                }
            }
        result.worst_by_parameter.emplace_back(p.name, worst);
    }
    // False for NaN too, for a loss that is not finite, and when nothing was checked.
    result.passed = result.checked > 0 && std::isfinite(result.loss) && result.error <= threshold;
    return result;
}

std::string GradientCheck::report() const {
    std::ostringstream out;
    out.precision(3);
    out << "gradient check " << (passed ? "passed" : "FAILED");
    if (!std::isfinite(loss)) {
        out << ": the loss is " << loss << " where the check starts; a gradient check needs a finite loss\n";
        return out.str();
    }
    if (!std::isfinite(floor)) {
        out << ": with the loss " << loss << " and the threshold " << threshold << ", the floor below which the test is "
            << "absolute is " << floor << ", so nothing can be compared; a gradient check needs a smaller loss\n";
        return out.str();
    }
    if (checked == 0) {
        out << ": nothing was checked (" << (worst_by_parameter.empty() ? "no parameters" : "every parameter is empty")
            << "); give check_gradients the parameters to perturb\n";
        return out.str();
    }
    out << ": " << checked << " elements, worst relative error " << error << " (threshold " << threshold << ") at " << parameter << "("
        << row << ", " << col << "): analytic " << analytic << ", numeric " << numeric << "\n";
    out << "  (loss " << loss << "; below |gradient| " << floor << " the test is absolute: |analytic - numeric| <= " << absolute_tolerance
        << ")\n";
    for (const auto& [name, worst] : worst_by_parameter) out << "  " << name << ": worst relative error " << worst << "\n";
    return out.str();
}

}  // namespace bp
