// Batch normalization written out for the tests, apart from the exercises: the training-mode
// forward pass, and a layer put in the state that forward leaves, so that backward (exercise
// 6.7) can be tested before, and apart from, forward (exercise 6.6).
#pragma once

#include "bp/layers/batch_norm.hpp"

#include <cmath>

namespace bp_test {

struct BatchNormForward {
    bp::Vector mean, var, inv_std;
    bp::Matrix zhat, y;
};

// Row by row, with loops: mean and variance (1/m) over the columns, eps inside the root.
inline BatchNormForward batch_norm_forward(const bp::Matrix& z, const bp::Vector& gamma, const bp::Vector& shift, double eps) {
    const bp::Index n = z.rows(), m = z.cols();
    BatchNormForward f{bp::Vector::Zero(n), bp::Vector::Zero(n), bp::Vector::Zero(n), bp::Matrix(n, m), bp::Matrix(n, m)};
    for (bp::Index i = 0; i < n; ++i) {
        for (bp::Index k = 0; k < m; ++k) f.mean(i) += z(i, k) / static_cast<double>(m);
        for (bp::Index k = 0; k < m; ++k) f.var(i) += (z(i, k) - f.mean(i)) * (z(i, k) - f.mean(i)) / static_cast<double>(m);
        f.inv_std(i) = 1 / std::sqrt(f.var(i) + eps);
        for (bp::Index k = 0; k < m; ++k) {
            f.zhat(i, k) = (z(i, k) - f.mean(i)) * f.inv_std(i);
            f.y(i, k) = gamma(i) * f.zhat(i, k) + shift(i);
        }
    }
    return f;
}

// A BatchNorm layer in the state a training-mode forward on z leaves it in.
inline void as_after_forward(bp::BatchNorm& bn, const bp::Matrix& z) {
    const BatchNormForward f = batch_norm_forward(z, bn.gamma, bn.shift, bn.eps);
    bn.mean = f.mean;
    bn.var = f.var;
    bn.inv_std = f.inv_std;
    bn.zhat = f.zhat;
    bn.y = f.y;
    bn.has_forward = true;
    bn.forward_in_training = true;
}

// A layer of 3 features with gamma and shift away from 1 and 0, and a large eps, so that
// mistakes with any of them show.
inline bp::BatchNorm some_batch_norm(double eps = 0.1) {
    bp::BatchNorm bn(3, eps);
    bn.gamma << 1.5, -0.7, 2.0;
    bn.shift << 0.3, -1.2, 0.5;
    return bn;
}

}  // namespace bp_test
