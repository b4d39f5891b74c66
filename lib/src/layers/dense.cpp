#include "bp/layers/dense.hpp"

namespace bp {

Dense::Dense(Index n_in, Index n_out, Activation f_, Rng& rng, Init init) : f(f_) {
    if (n_in <= 0 || n_out <= 0)
        throw ShapeError(
            "Dense", "a layer needs n_in > 0 and n_out > 0, got n_in = " + std::to_string(n_in) + " and n_out = " + std::to_string(n_out));
    W = init_weights(n_out, n_in, f, rng, init);
    b = Vector::Zero(n_out);
    dW = Matrix::Zero(n_out, n_in);
    db = Vector::Zero(n_out);
}

Dense::Dense(Matrix W_, Vector b_, Activation f_) : W(std::move(W_)), b(std::move(b_)), f(f_) {
    if (W.size() == 0 || b.size() != W.rows())
        throw ShapeError("Dense", "W is " + shape(W) + " and b is " + shape(b) + "; need a non-empty W and one b per row of W");
    dW = Matrix::Zero(W.rows(), W.cols());
    db = Vector::Zero(b.size());
}

void Dense::backward_parameters(const Matrix& da) {
    if (!has_forward) throw UsageError("Dense::backward_parameters", "run forward first: backward needs the stored z and a_prev");
    if (da.rows() != z.rows() || da.cols() != z.cols())
        throw ShapeError("Dense::backward_parameters", "da is " + shape(da) + " but this layer's a is " + shape(a));
    // Exercise 3.3 without its last product: dz = da ⊙ f'(z) (exercise 3.2), then dW and db
    // accumulate as linear_backward (exercise 3.1) adds them; no da_prev = W^T dz.
    const Matrix dz = activation_backward(f, da, z);
    dW.noalias() += dz * a_prev.transpose();
    db += dz.rowwise().sum();
}

std::vector<Parameter> Dense::own_parameters() {
    fit_grad(W, dW), fit_grad(b, db);  // if W was replaced by one of another shape, the gradients follow
    return {Parameter("W", W, dW), Parameter("b", b, db)};
}

std::vector<double> Dense::settings() const { return {static_cast<double>(n_in()), static_cast<double>(n_out()), static_cast<double>(f)}; }

std::optional<ActivationOutput> Dense::activation_output() const {
    if (!has_forward) return std::nullopt;
    return ActivationOutput{f, a};
}

}  // namespace bp
