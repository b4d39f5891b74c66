// The cross-check against PyTorch: what every piece's comparison shares. A piece is computed
// twice, by the course's library (built from solutions/) and by LibTorch in double with the
// same weights and inputs, its gradients from torch's autograd; then every output and every
// gradient is compared element by element, and a negative control shows that the comparison
// sees a change of one weight by 1e-6 relative.
//
// Layouts: the course keeps a batch as COLUMNS (a_prev is n_in x m, z = W a_prev + b), torch as
// ROWS (x is m x n_in, z = x W^T + b, what torch::nn::Linear computes). Weights have the same
// shape in both (n_out x n_in); a batch crosses over transposed: as_rows() and from_rows().
#pragma once

#include "bp/bp.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace crosscheck {

/// The tolerance of every comparison: |course - torch| <= rtol |torch| + atol, element by
/// element. Both sides compute in double, in a different order of operations: they agree to a
/// few ulps (the issue measured 1.1e-13 relative at worst; here every difference is below 2e-4
/// of the tolerance), so 1e-10 leaves room for the rounding of long sums and many steps, and is
/// still 10^4 times finer than the negative control's change. atol is for elements that are 0
/// up to rounding (a cancelled sum).
constexpr double rtol = 1e-10;
constexpr double atol = 1e-12;
/// The negative control's change of one weight: w -> w (1 + control_step) (or control_step if w = 0).
constexpr double control_step = 1e-6;

/// One compared quantity: its name ("y", "dL/dW", "running_var after step 3") and its value.
struct Quantity {
    std::string name;
    bp::Matrix value;
};
using Quantities = std::vector<Quantity>;

/// The negative control's perturbation, handed to the course's side of a piece: that side
/// passes the one weight (or input) it chose through it before computing. Off, it does nothing;
/// on, it changes element (0, 0) by control_step relative, and remembers what it changed.
class Perturb {
public:
    explicit Perturb(bool on) : on_(on) {}
    void operator()(const std::string& what, bp::Matrix& m) const;
    void operator()(const std::string& what, bp::Vector& v) const;
    bool on() const { return on_; }
    const std::string& changed() const { return changed_; }

private:
    bool on_;
    mutable std::string changed_;
};

/// Whether course and torch agree: the same names in the same order, the same shapes, at least
/// one element, and every element within the tolerance. A failure names the piece, the
/// quantity, the first element out of tolerance (row, column) and both values.
testing::AssertionResult agree(const std::string& piece, const Quantities& course, const Quantities& torch);

/// The comparison every piece goes through: `course(Perturb(false))` must agree with `torch`,
/// and `course(Perturb(true))`, with one weight changed by 1e-6 relative, must NOT agree (the
/// negative control), so that a comparison that compares nothing, or too loosely, fails.
/// A failure also names the test's line that called it (GCC's and clang's __builtin_LINE).
void check_piece(const std::string& piece, const std::function<Quantities(const Perturb&)>& course, const Quantities& torch,
                 const char* file = __builtin_FILE(), int line = __builtin_LINE());

// Conversions. Every tensor is double.
torch::Tensor tensor(const bp::Matrix& m);  ///< the same matrix: rows x cols
torch::Tensor tensor(const bp::Vector& v);  ///< a 1-D tensor
torch::Tensor leaf(const bp::Matrix& m);    ///< tensor(m), requiring its gradient
torch::Tensor leaf(const bp::Vector& v);
/// An Eigen expression (a transpose, a block) as the matrix it makes.
template <class Derived>
torch::Tensor tensor(const Eigen::MatrixBase<Derived>& e) {
    return tensor(bp::Matrix(e));
}
template <class Derived>
torch::Tensor leaf(const Eigen::MatrixBase<Derived>& e) {
    return leaf(bp::Matrix(e));
}
torch::Tensor as_rows(const Eigen::Ref<const bp::Matrix>& batch);  ///< a batch of columns (n x m) as torch's rows (m x n)
bp::Matrix matrix(const torch::Tensor& t);                         ///< 2-D: the same; 1-D: a column; 0-D: 1 x 1
bp::Matrix from_rows(const torch::Tensor& t);                      ///< torch's batch of rows (m x n) as the course's columns (n x m)
bp::Matrix grad_of(const torch::Tensor& t);                        ///< matrix(t.grad()); zeros if no gradient reached t
/// A sequence, T steps of n x m, as torch's recurrent layers take it: (T, m, n), each step's
/// batch as rows. And back: (T, m, n) as the course's n x (T m), step t in columns (t-1) m to t m - 1.
torch::Tensor sequence_tensor(const bp::Sequence& s);
bp::Matrix sequence_matrix(const torch::Tensor& t);

/// Torch tensors named as the course's parameters ("layer1.W", "layer1.b", ...), in the order
/// of the course module's parameters().
using Named = std::vector<std::pair<std::string, torch::Tensor>>;
/// "dL/dNAME" for every parameter of the course's module, its gradient; or of torch's tensors.
Quantities gradients(bp::Module& module, const std::string& prefix = "dL/d");
Quantities gradients(const Named& tensors, const std::string& prefix = "dL/d");
/// "NAME" + suffix for every parameter, its value.
Quantities values(bp::Module& module, const std::string& suffix);
Quantities values(const Named& tensors, const std::string& suffix);
/// The quantities of b after those of a.
Quantities operator+(Quantities a, const Quantities& b);
/// One number as a 1 x 1 quantity.
bp::Matrix scalar(double x);

/// A random matrix from a seeded generator: the same inputs in both.
bp::Matrix random(bp::Rng& rng, bp::Index rows, bp::Index cols, double scale = 1.0);
bp::Vector random_vector(bp::Rng& rng, bp::Index n, double scale = 1.0);
/// K x m one-hot columns, the classes drawn from rng; and those classes as torch's int64 labels.
bp::Matrix one_hot_columns(bp::Rng& rng, bp::Index K, bp::Index m, std::vector<int64_t>* labels = nullptr);

}  // namespace crosscheck
