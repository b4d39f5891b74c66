#include "crosscheck.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace crosscheck {

namespace {
std::string value_text(double x) {
    std::ostringstream s;
    s << std::setprecision(17) << x;
    return s.str();
}
std::string short_text(double x) {
    std::ostringstream s;
    s << std::setprecision(2) << x;
    return s.str();
}
void perturb_element(double& x) { x += control_step * (x != 0 ? std::abs(x) : 1.0); }
}  // namespace

void Perturb::operator()(const std::string& what, bp::Matrix& m) const {
    if (!on_) return;
    if (m.size() == 0) throw std::logic_error("Perturb: " + what + " is empty");
    perturb_element(m(0, 0));
    changed_ = what + "(0, 0)";
}

void Perturb::operator()(const std::string& what, bp::Vector& v) const {
    if (!on_) return;
    if (v.size() == 0) throw std::logic_error("Perturb: " + what + " is empty");
    perturb_element(v(0));
    changed_ = what + "(0)";
}

testing::AssertionResult agree(const std::string& piece, const Quantities& course, const Quantities& torch) {
    if (course.empty()) return testing::AssertionFailure() << piece << ": nothing to compare";
    if (course.size() != torch.size())
        return testing::AssertionFailure() << piece << ": the course gives " << course.size() << " quantities, torch " << torch.size();
    long elements = 0;
    double worst = 0;  // the largest |difference| / allowed, over every element that agrees
    std::string first_failure;
    std::size_t failed = 0;  // quantities with an element out of tolerance
    for (std::size_t q = 0; q < course.size(); ++q) {
        const Quantity& c = course[q];
        const Quantity& t = torch[q];
        if (c.name != t.name)
            return testing::AssertionFailure() << piece << ": quantity " << q << " is '" << c.name << "' in the course, '" << t.name
                                               << "' in torch";
        if (c.value.rows() != t.value.rows() || c.value.cols() != t.value.cols())
            return testing::AssertionFailure() << piece << ": " << c.name << " is " << bp::shape(c.value) << " in the course, "
                                               << bp::shape(t.value) << " in torch";
        if (c.value.size() == 0) return testing::AssertionFailure() << piece << ": " << c.name << " has no element";
        long differ = 0;
        bp::Index first_row = -1, first_col = -1;
        for (bp::Index j = 0; j < c.value.cols(); ++j)
            for (bp::Index i = 0; i < c.value.rows(); ++i) {
                const double a = c.value(i, j), b = t.value(i, j);
                const double allowed = rtol * std::abs(b) + atol;
                // Written so that a NaN on either side is a difference.
                if (!(std::abs(a - b) <= allowed)) {
                    if (differ++ == 0) first_row = i, first_col = j;
                } else {
                    worst = std::max(worst, std::abs(a - b) / allowed);
                }
            }
        elements += c.value.size();
        if (differ > 0 && failed++ == 0) {
            const double a = c.value(first_row, first_col), b = t.value(first_row, first_col);
            std::ostringstream m;
            m << piece << ": " << c.name << " at (" << first_row << ", " << first_col << "): course " << value_text(a) << ", torch "
              << value_text(b) << " (difference " << short_text(std::abs(a - b)) << ", allowed " << short_text(rtol * std::abs(b) + atol)
              << " = " << rtol << " relative + " << atol << "); " << differ << " of " << c.value.size() << " elements of " << c.name
              << " differ";
            first_failure = m.str();
        }
    }
    if (failed > 0)
        return testing::AssertionFailure() << first_failure << "; " << failed << " of " << course.size() << " quantities differ";
    return testing::AssertionSuccess() << piece << ": " << course.size() << " quantities, " << elements
                                       << " elements agree (the largest difference is " << short_text(worst) << " of the tolerance)";
}

void check_piece(const std::string& piece, const std::function<Quantities(const Perturb&)>& course, const Quantities& torch,
                 const char* file, int line) {
    const testing::ScopedTrace trace(file, line, "the comparison of " + piece);
    const Perturb off(false);
    const testing::AssertionResult same = agree(piece, course(off), torch);
    EXPECT_TRUE(same);
    if (same) std::cout << "[ agree    ] " << same.message() << "\n";

    // The negative control: the same comparison, with one weight changed by 1e-6 relative on
    // the course's side, must fail.
    const Perturb on(true);
    const Quantities changed = course(on);
    if (on.changed().empty()) {
        ADD_FAILURE() << piece << ": negative control: the course's side passed no weight through the perturbation";
        return;
    }
    const testing::AssertionResult control = agree(piece, changed, torch);
    EXPECT_FALSE(control) << piece << ": negative control: with " << on.changed() << " times (1 + " << control_step
                          << "), the comparison still passes, so it cannot tell that change: " << control.message();
    if (!control) std::cout << "[ control  ] " << on.changed() << " * (1 + " << control_step << ") fails it: " << control.message() << "\n";
}

torch::Tensor tensor(const bp::Matrix& m) {
    torch::Tensor t = torch::empty({m.rows(), m.cols()}, torch::kDouble);
    auto a = t.accessor<double, 2>();
    for (bp::Index i = 0; i < m.rows(); ++i)
        for (bp::Index j = 0; j < m.cols(); ++j) a[i][j] = m(i, j);
    return t;
}

torch::Tensor tensor(const bp::Vector& v) {
    torch::Tensor t = torch::empty({v.size()}, torch::kDouble);
    auto a = t.accessor<double, 1>();
    for (bp::Index i = 0; i < v.size(); ++i) a[i] = v(i);
    return t;
}

torch::Tensor leaf(const bp::Matrix& m) { return tensor(m).requires_grad_(true); }
torch::Tensor leaf(const bp::Vector& v) { return tensor(v).requires_grad_(true); }
torch::Tensor as_rows(const Eigen::Ref<const bp::Matrix>& batch) { return tensor(bp::Matrix(batch.transpose())); }

bp::Matrix matrix(const torch::Tensor& t0) {
    const torch::Tensor t = t0.detach().to(torch::kDouble).contiguous();
    if (t.dim() == 0) return bp::Matrix::Constant(1, 1, t.item<double>());
    if (t.dim() == 1) {
        bp::Matrix m(t.size(0), 1);
        auto a = t.accessor<double, 1>();
        for (bp::Index i = 0; i < m.rows(); ++i) m(i, 0) = a[i];
        return m;
    }
    if (t.dim() != 2) throw std::logic_error("matrix: a tensor of " + std::to_string(t.dim()) + " dimensions");
    bp::Matrix m(t.size(0), t.size(1));
    auto a = t.accessor<double, 2>();
    for (bp::Index i = 0; i < m.rows(); ++i)
        for (bp::Index j = 0; j < m.cols(); ++j) m(i, j) = a[i][j];
    return m;
}

bp::Matrix from_rows(const torch::Tensor& t) { return matrix(t).transpose(); }

bp::Matrix grad_of(const torch::Tensor& t) {
    if (!t.grad().defined()) return bp::Matrix::Zero(t.dim() >= 1 ? t.size(0) : 1, t.dim() == 2 ? t.size(1) : 1);
    return matrix(t.grad());
}

torch::Tensor sequence_tensor(const bp::Sequence& s) {
    return tensor(bp::Matrix(s.all().transpose())).view({s.steps(), s.batch(), s.features()});
}

bp::Matrix sequence_matrix(const torch::Tensor& t) { return matrix(t.reshape({t.size(0) * t.size(1), t.size(2)})).transpose(); }

Quantities gradients(bp::Module& module, const std::string& prefix) {
    Quantities q;
    for (const bp::Parameter& p : module.parameters()) q.push_back({prefix + p.name, p.grad()});
    return q;
}

Quantities gradients(const Named& tensors, const std::string& prefix) {
    Quantities q;
    for (const auto& [name, t] : tensors) q.push_back({prefix + name, grad_of(t)});
    return q;
}

Quantities values(bp::Module& module, const std::string& suffix) {
    Quantities q;
    for (const bp::Parameter& p : module.parameters()) q.push_back({p.name + suffix, p.value()});
    return q;
}

Quantities values(const Named& tensors, const std::string& suffix) {
    Quantities q;
    for (const auto& [name, t] : tensors) q.push_back({name + suffix, matrix(t)});
    return q;
}

Quantities operator+(Quantities a, const Quantities& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

bp::Matrix scalar(double x) { return bp::Matrix::Constant(1, 1, x); }

bp::Matrix random(bp::Rng& rng, bp::Index rows, bp::Index cols, double scale) { return rng.uniform_matrix(rows, cols, -scale, scale); }

bp::Vector random_vector(bp::Rng& rng, bp::Index n, double scale) { return rng.uniform_matrix(n, 1, -scale, scale); }

bp::Matrix one_hot_columns(bp::Rng& rng, bp::Index K, bp::Index m, std::vector<int64_t>* labels) {
    bp::Matrix y = bp::Matrix::Zero(K, m);
    if (labels) labels->clear();
    for (bp::Index k = 0; k < m; ++k) {
        const bp::Index c = rng.below(K);
        y(c, k) = 1;
        if (labels) labels->push_back(c);
    }
    return y;
}

}  // namespace crosscheck

// The test program's main: torch on one thread (the machine's other cores may be busy, and two
// OpenMP threads then run far slower than one), then every test.
int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    torch::set_num_threads(1);
    return RUN_ALL_TESTS();
}
