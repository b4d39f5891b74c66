// Chapter 4: measuring gradients with finite differences, and comparing them.
#include "bp/check/gradcheck.hpp"

#include <algorithm>
#include <cmath>

namespace bp {

//! [numerical_gradient]
Matrix numerical_gradient(const std::function<double()>& f, Eigen::Map<Matrix> x, double h) {
    require_step("numerical_gradient", h);
    const RestoreOnThrow restore(x);  // if f throws midway, x is put back: the caller's matrix stays as it was
    // BEGIN EXERCISE 4.1 (ch04-central-differences): numerical_gradient: for each x_i, (f(x_i + h) - f(x_i - h)) / 2h; restore x_i.
    Matrix slopes(x.rows(), x.cols());
    for (Index i = 0; i < x.size(); ++i) {
        const double saved = x(i);
        x(i) = saved + h;
        const double plus = f();
        x(i) = saved - h;
        const double minus = f();
        x(i) = saved;  // restore before the next element, or every later slope is off
        slopes(i) = (plus - minus) / (2 * h);
    }
    return slopes;
    // END EXERCISE 4.1
}
//! [numerical_gradient]

//! [relative_error]
double relative_error(double analytic, double numeric, double floor) {
    if (!(floor >= 0) || !std::isfinite(floor))
        throw std::invalid_argument("relative_error: the floor must be finite and >= 0, got " + number_text(floor));
    if (analytic == 0 && numeric == 0) return 0;  // two zeros agree, also with a floor of 0 (not 0 / 0)
    // BEGIN EXERCISE 4.2 (ch04-relative-error): relative_error: |a - n| / max(|a|, |n|, floor).
    return std::abs(analytic - numeric) / std::max({std::abs(analytic), std::abs(numeric), floor});
    // END EXERCISE 4.2
}
//! [relative_error]

//! [check_dense_layer]
GradientCheck check_dense_layer(Dense& layer, const Matrix& a_prev, Rng& rng) {
    require_rows("check_dense_layer", "a_prev", a_prev, layer.n_in());
    // The first half, given: a loss whose gradient is known. With G fixed, L = sum(G ⊙ a) has
    // dL/da = G. x is the input the checker will perturb (a copy: a_prev is const), dx its
    // gradient.
    const Matrix G = rng.uniform_matrix(layer.n_out(), a_prev.cols(), -1, 1);
    Matrix x = a_prev, dx = Matrix::Zero(x.rows(), x.cols());
    const auto loss = [&] { return G.cwiseProduct(layer.forward(x)).sum(); };
    // BEGIN EXERCISE 4.3 (ch04-check-a-layer): check_dense_layer: backward = zero_grad, forward(x), dx = backward(G); check W, b, a_prev.
    const auto backward = [&] {
        layer.zero_grad();       // backward ADDS: start from 0, whatever the layer held before
        layer.forward(x);        // the checker moved x and W since the last forward: store them again
        dx = layer.backward(G);  // dL/da = G, so backward(G) gives dW, db and dL/dx
    };
    std::vector<Parameter> params = layer.parameters();  // named "W" and "b"
    params.emplace_back("a_prev", x, dx);
    return check_gradients(params, loss, backward);
    // END EXERCISE 4.3
}
//! [check_dense_layer]

}  // namespace bp
