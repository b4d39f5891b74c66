#include "bp/gradcheck.hpp"

#include <cmath>
#include <sstream>

namespace bp {

GradientCheck check_gradients(const std::vector<Parameter>& params, const std::function<double()>& loss,
                              const std::function<void()>& backward, double h, double threshold) {
    backward();
    GradientCheck result;
    result.threshold = threshold;
    result.error = -1;
    for (const Parameter& p : params) {
        const Matrix analytic = p.grad();  // copied: evaluating the loss may not touch it, but be safe
        const Matrix numeric = numerical_gradient(loss, p.value(), h);
        double worst = 0;
        for (Index j = 0; j < analytic.cols(); ++j)
            for (Index i = 0; i < analytic.rows(); ++i) {
                const double e = relative_error(analytic(i, j), numeric(i, j));
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
    result.passed = result.error <= threshold;  // false for NaN too
    return result;
}

std::string GradientCheck::report() const {
    std::ostringstream out;
    out.precision(3);
    out << "gradient check " << (passed ? "passed" : "FAILED") << ": worst relative error " << error << " (threshold "
        << threshold << ") at " << parameter << "(" << row << ", " << col << "): analytic " << analytic
        << ", numeric " << numeric << "\n";
    for (const auto& [name, worst] : worst_by_parameter) out << "  " << name << ": worst relative error " << worst << "\n";
    return out.str();
}

}  // namespace bp
