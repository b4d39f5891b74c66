#include "swish_dense.hpp"

#include "bp/core/linear.hpp"

namespace bp {

SwishDense::SwishDense(Index n_in, Index n_out, Rng& rng) : Dense(n_in, n_out, Activation::identity, rng, Init::he()) {}

SwishDense::SwishDense(Matrix W_, Vector b_) : Dense(std::move(W_), std::move(b_), Activation::identity) {}

const Matrix& SwishDense::forward(const Matrix& input) {
    require_rows("SwishDense::forward", "the input a_prev", input, n_in());
    a_prev = input;
    z = linear_forward(W, b, a_prev);
    a = z.cwiseProduct(sigmoid(z));  // a = z ⊙ s, s = sigmoid(z)
    has_forward = true;
    return a;
}

// The backward pass with a planted mistake: exercise 4.4 finds it with the gradient checker.
//! [buggy_backward]
Matrix BuggySwishDense::backward(const Matrix& da) {
    if (!has_forward) throw UsageError("BuggySwishDense::backward", "run forward first: backward needs the stored z and a_prev");
    if (da.rows() != z.rows() || da.cols() != z.cols())
        throw ShapeError("BuggySwishDense::backward", "da is " + shape(da) + " but this layer's a is " + shape(a));
    // a = z ⊙ s with s = sigmoid(z). The product rule: f'(z) = s + z ⊙ s'.
    const Matrix s = sigmoid(z);
    const Matrix s_prime = (1.0 - s.array()).matrix();
    const Matrix dz = da.cwiseProduct(s + z.cwiseProduct(s_prime));
    // Then the linear part, as in every dense layer: dW += dz a_prev^T, db += row sums of dz,
    // and da_prev = W^T dz.
    return linear_backward(dz, W, a_prev, dW, db);
}
//! [buggy_backward]

}  // namespace bp
