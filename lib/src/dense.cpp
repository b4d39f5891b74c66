#include "bp/dense.hpp"

#include "bp/init.hpp"
#include "bp/linear.hpp"

namespace bp {

Dense::Dense(Index n_in, Index n_out, Activation f_, Rng& rng) : f(f_) {
    if (n_in <= 0 || n_out <= 0)
        throw ShapeError("Dense", "a layer needs n_in > 0 and n_out > 0, got n_in = " + std::to_string(n_in) +
                                      " and n_out = " + std::to_string(n_out));
    W = init_weights(n_out, n_in, f, rng);
    b = Vector::Zero(n_out);
    dW = Matrix::Zero(n_out, n_in);
    db = Vector::Zero(n_out);
}

Matrix Dense::backward_from_dz(const Matrix& dz) {
    if (!has_forward) throw UsageError("Dense::backward_from_dz", "run forward first: backward needs its a_prev");
    return linear_backward(dz, W, a_prev, dW, db);
}

void Dense::zero_grad() {
    dW.setZero();
    db.setZero();
}

std::vector<Parameter> Dense::parameters(const std::string& prefix) {
    return {make_parameter(prefix + ".W", W, dW), make_parameter(prefix + ".b", b, db)};
}

}  // namespace bp
