#include "check.hpp"

#include <zlib.h>

#include <cmath>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <sstream>
#include <unistd.h>

namespace bp_test {

namespace {

// m a row a line, each element with `digits` significant digits.
std::string format_with_digits(const bp::Matrix& m, const std::string& indent, int digits) {
    if (m.size() == 0) return indent + "(empty)\n";
    std::ostringstream out;
    const Eigen::IOFormat format(digits, 0, "  ", "\n", indent + "[ ", " ]");
    out << m.format(format) << "\n";
    return out.str();
}

}  // namespace

std::string format_matrix(const bp::Matrix& m, const std::string& indent) { return format_with_digits(m, indent, 6); }

namespace {

// A number with `digits` significant digits.
std::string number(double v, int digits) {
    std::ostringstream out;
    out << std::setprecision(digits) << v;
    return out.str();
}

// How many digits a message shows e and g with: 6, or 17 where 6 would print them alike (a
// difference past the 6th digit, such as eps inside the square root).
int digits_to_tell(double e, double g) { return number(e, 6) == number(g, 6) ? 17 : 6; }

}  // namespace

::testing::AssertionResult matrices_near(const std::string& label, const bp::Matrix& expected, const bp::Matrix& got, double tolerance) {
    // "Matrix(db)", the test's own conversion, reads better as "db".
    std::string what = label;
    if (what.rfind("Matrix(", 0) == 0 && what.back() == ')') what = what.substr(7, what.size() - 8);
    if (expected.size() == 1 && got.size() == 1) {
        const double e = expected(0, 0), g = got(0, 0);
        if (std::abs(g - e) <= tolerance * std::max(1.0, std::abs(e))) return ::testing::AssertionSuccess();
        const int digits = digits_to_tell(e, g);
        return ::testing::AssertionFailure() << what << ": expected " << number(e, digits) << ", got " << number(g, digits) << "\n";
    }
    if (expected.rows() != got.rows() || expected.cols() != got.cols())
        return ::testing::AssertionFailure() << what << ": expected shape " << bp::shape(expected) << ", got " << bp::shape(got)
                                             << "\n  expected:\n"
                                             << format_matrix(expected) << "  got:\n"
                                             << format_matrix(got);
    for (bp::Index j = 0; j < got.cols(); ++j)
        for (bp::Index i = 0; i < got.rows(); ++i) {
            const double e = expected(i, j), g = got(i, j);
            if (!(std::abs(g - e) <= tolerance * std::max(1.0, std::abs(e)))) {
                const int digits = digits_to_tell(e, g);
                return ::testing::AssertionFailure()
                       << what << ": at row " << i << ", column " << j << ": expected " << number(e, digits) << ", got "
                       << number(g, digits) << (digits > 6 ? " (alike to 6 digits: shown with 17)" : "") << "\n  expected ("
                       << bp::shape(expected) << "):\n"
                       << format_with_digits(expected, "    ", digits) << "  got (" << bp::shape(got) << "):\n"
                       << format_with_digits(got, "    ", digits);
            }
        }
    return ::testing::AssertionSuccess();
}

namespace {

// Same shape, and equal within the tolerance element by element, NaN matching NaN.
bool same_within(const bp::Matrix& a, const bp::Matrix& b, double tolerance) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
    for (bp::Index i = 0; i < a.size(); ++i) {
        const double x = a(i), y = b(i);
        if (std::isnan(x) || std::isnan(y)) {
            if (std::isnan(x) != std::isnan(y)) return false;
        } else if (!(std::abs(x - y) <= tolerance * std::max(1.0, std::abs(x)))) {
            return false;
        }
    }
    return true;
}

// What `got` is, if it is a plain transformation of `expected`: "" if none is found.
std::string relation(const bp::Matrix& expected, const bp::Matrix& got, double tolerance) {
    if (expected.size() > 1)
        if (same_within(expected.transpose(), got, tolerance))
            return "It is the transpose of the expected matrix: look for a product taken in the wrong order "
                   "or a transpose on the wrong factor.";
    if (expected.size() == 0 || expected.size() != got.size() || !got.allFinite() || !expected.allFinite()) return "";
    if (expected.cwiseAbs().maxCoeff() == 0) return "";
    if (same_within(-expected, got, tolerance)) return "It is minus the expected matrix: a sign is wrong.";
    // A constant factor: the ratio at the largest expected element, checked everywhere (with one
    // number not 0, any wrong answer is some factor times it: that says nothing).
    if ((expected.array() != 0).count() < 2) return "";
    bp::Index row = 0, col = 0;
    expected.cwiseAbs().maxCoeff(&row, &col);
    const double factor = got(row, col) / expected(row, col);
    if (std::isfinite(factor) && std::abs(factor - 1) > 1e-6 && std::abs(factor) > 1e-12 &&
        same_within(factor * expected, got, tolerance)) {
        std::ostringstream out;
        out << "It is " << factor << " times the expected matrix everywhere: a factor is missing or extra.";
        return out.str();
    }
    return "";
}

// The first of `mistakes` that gives `got` (NaN matching NaN), or null.
const Mistake* mistake_giving(const bp::Matrix& got, const std::vector<Mistake>& mistakes, double tolerance) {
    for (const Mistake& m : mistakes)
        if (same_within(m.gives, got, std::max(tolerance, 1e-9))) return &m;
    return nullptr;
}

}  // namespace

::testing::AssertionResult matches_or_names_mistake(const std::string& what, const bp::Matrix& expected, const bp::Matrix& got,
                                                    const std::vector<Mistake>& mistakes, double tolerance) {
    ::testing::AssertionResult near = matrices_near(what, expected, got, tolerance);
    if (near) return near;
    std::string message = near.message();
    if (!message.empty() && message.back() != '\n') message += "\n";
    if (const Mistake* m = mistake_giving(got, mistakes, tolerance))
        return ::testing::AssertionFailure() << message << "  This is exactly what a known mistake gives: " << m->what << ".\n";
    const std::string how = relation(expected, got, std::max(tolerance, 1e-9));
    return how.empty() ? near : ::testing::AssertionFailure() << message << "  " << how << "\n";
}

::testing::AssertionResult matches_or_names_mistake_first(const std::string& what, const bp::Matrix& expected, const bp::Matrix& got,
                                                          const std::vector<Mistake>& mistakes, const std::string& otherwise,
                                                          double tolerance) {
    const ::testing::AssertionResult near = matrices_near(what, expected, got, tolerance);
    if (near) return near;
    const Mistake* m = mistake_giving(got, mistakes, tolerance);
    return explained(m ? m->what : otherwise, near);
}

::testing::AssertionResult explained(const std::string& why, const ::testing::AssertionResult& result) {
    if (result || why.empty()) return result;
    return ::testing::AssertionFailure() << why << "\n" << result.message();
}

bool near(const bp::Matrix& expected, const bp::Matrix& got, double tolerance) {
    return static_cast<bool>(matrices_near("", expected, got, tolerance));
}

std::string format_matrix_exactly(const bp::Matrix& m, const std::string& indent) { return format_with_digits(m, indent, 17); }

::testing::AssertionResult all_finite(const std::string& what, const bp::Matrix& m) {
    for (bp::Index j = 0; j < m.cols(); ++j)
        for (bp::Index i = 0; i < m.rows(); ++i)
            if (!std::isfinite(m(i, j)))
                return ::testing::AssertionFailure() << what << " has " << m(i, j) << " at row " << i << ", column " << j << ":\n"
                                                     << format_matrix(m);
    return ::testing::AssertionSuccess();
}

void expect_mentions(const char* file, int line, const std::string& text, std::initializer_list<const char*> words) {
    for (const char* w : words)
        if (text.find(w) == std::string::npos) ADD_FAILURE_AT(file, line) << "'" << w << "' is not in: " << text;
}

TempDir::TempDir() {
    static int made = 0;
    path = std::filesystem::temp_directory_path() / ("bp-test-" + std::to_string(::getpid()) + "-" + std::to_string(made++));
    std::filesystem::create_directories(path);
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
}

void write_bytes(const std::filesystem::path& file, std::string_view bytes) {
    std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void write_bytes(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes) {
    write_bytes(file, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string bytes_of(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::uint8_t> gzip(const std::vector<std::uint8_t>& bytes, int level) {
    z_stream z{};
    EXPECT_EQ(Z_OK, deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY));
    std::vector<std::uint8_t> out(deflateBound(&z, static_cast<uLong>(bytes.size())));
    z.next_in = const_cast<std::uint8_t*>(bytes.data());
    z.avail_in = static_cast<uInt>(bytes.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(Z_STREAM_END, deflate(&z, Z_FINISH));
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

bp::Matrix row(std::initializer_list<double> values) {
    return bp::Matrix(Eigen::RowVectorXd::Map(values.begin(), static_cast<bp::Index>(values.size())));
}

bp::Matrix col(std::initializer_list<double> values) { return row(values).transpose(); }

bp::Matrix scalar(double value) { return bp::Matrix::Constant(1, 1, value); }

double scalar_sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

bp::Matrix tanh_of(const bp::Matrix& z) { return z.array().tanh().matrix(); }

bp::Matrix sigmoid_of(const bp::Matrix& z) { return (1.0 / (1.0 + (-z.array()).exp())).matrix(); }

double weighted_sum(const bp::Matrix& G, const bp::Matrix& out) { return G.cwiseProduct(out).sum(); }

bp::Matrix one_hot(bp::Rng& rng, bp::Index classes, bp::Index m) {
    bp::Matrix y = bp::Matrix::Zero(classes, m);
    for (bp::Index k = 0; k < m; ++k) y(rng.below(classes), k) = 1.0;
    return y;
}

namespace {

bp::Matrix slopes_of(const std::function<double()>& f, double* x, bp::Index rows, bp::Index cols, double h) {
    bp::Matrix d(rows, cols);
    for (bp::Index i = 0; i < rows * cols; ++i) {
        const double saved = x[i];
        x[i] = saved + h;
        const double plus = f();
        x[i] = saved - h;
        const double minus = f();
        x[i] = saved;
        d(i % rows, i / rows) = (plus - minus) / (2 * h);
    }
    return d;
}

}  // namespace

bp::Matrix slopes(const std::function<double()>& f, bp::Matrix& x, double h) { return slopes_of(f, x.data(), x.rows(), x.cols(), h); }

bp::Matrix slopes(const std::function<double()>& f, bp::Vector& x, double h) { return slopes_of(f, x.data(), x.size(), 1, h); }

}  // namespace bp_test
