// Chapter 4 reference cases: finite differences, the relative error, and a layer's check.
#include "reference_cases.hpp"

#include "bp/check/gradcheck.hpp"
#include "swish_dense.hpp"

#include <cmath>

namespace bp_test {

BP_REFERENCE_CASES(ch04) {
    std::vector<ReferenceCase> cases;
    const auto slopes_with_step = [](double h) {
        return [h](const NamedList& in) {
            Matrix x = in[0].value;
            const auto f = [&x] { return (x.array().sin() * x.array()).sum(); };  // f(x) = sum x sin x
            return NamedList{{"slopes", bp::numerical_gradient(f, bp::view(x), h)}};
        };
    };
    {
        bp::Rng rng(71);
        const Matrix x = rng.uniform_matrix(2, 3, -2, 2);
        cases.push_back({"4.1", "step_1e-5", "numerical_gradient(f, x, 1e-5) for f = sum(x sin x)", {{"x", x}}, slopes_with_step(1e-5)});
        // A large step shows whether the difference is central: a one-sided one is far off.
        cases.push_back({"4.1", "step_0.1", "numerical_gradient(f, x, 0.1) for f = sum(x sin x)", {{"x", x}}, slopes_with_step(0.1)});
        // Every slope of this f depends on every element: an element not put back shows.
        cases.push_back(
            {"4.1", "coupled", "numerical_gradient(f, x, 1e-3) for f = sum(x sin x) + (sum x)^3 / 3", {{"x", x}}, [](const NamedList& in) {
                 Matrix point = in[0].value;
                 const auto f = [&point] { return (point.array().sin() * point.array()).sum() + std::pow(point.sum(), 3) / 3; };
                 return NamedList{{"slopes", bp::numerical_gradient(f, bp::view(point), 1e-3)}};
             }});
    }
    {
        Matrix a(1, 7), n(1, 7);
        a << 1, 1, -2, 0, 1e-12, 3e-5, 1e6;
        n << 1, 2, 2, 0, 0, 3.1e-5, 1.000001e6;
        cases.push_back({"4.2", "pairs", "relative_error(a_i, n_i) for each column i", {{"a", a}, {"n", n}}, [](const NamedList& in) {
                             Matrix e(1, in[0].value.cols());
                             for (bp::Index i = 0; i < e.cols(); ++i) e(i) = bp::relative_error(in[0].value(i), in[1].value(i));
                             return NamedList{{"errors", e}};
                         }});
    }
    {
        bp::Rng rng(72);
        cases.push_back({"4.3",
                         "tanh_layer",
                         "check_dense_layer(Dense(3, 2, tanh), a_prev, rng)",
                         {{"a_prev", rng.uniform_matrix(3, 4, -1, 1)}},
                         [](const NamedList& in) {
                             bp::Rng r(73);
                             bp::Dense layer(3, 2, bp::Activation::tanh, r);
                             const bp::GradientCheck check = bp::check_dense_layer(layer, in[0].value, r);
                             return NamedList{{"passed", Matrix::Constant(1, 1, check.passed ? 1.0 : 0.0)},
                                              {"parameters_checked", Matrix::Constant(1, 1, double(check.worst_by_parameter.size()))}};
                         }});
    }
    {
        // dW and db start non-zero: backward must add to them.
        bp::Rng rng(74);
        cases.push_back({"4.4",
                         "swish_layer",
                         "SwishDense layer(W, b) after a forward pass on a_prev; layer.backward(da)",
                         {{"W", rng.uniform_matrix(2, 3, -1, 1)},
                          {"b", rng.uniform_matrix(2, 1, -1, 1)},
                          {"a_prev", rng.uniform_matrix(3, 4, -2, 2)},
                          {"da", rng.uniform_matrix(2, 4, -1, 1)},
                          {"dW before", rng.uniform_matrix(2, 3, -1, 1)},
                          {"db before", rng.uniform_matrix(2, 1, -1, 1)}},
                         [](const NamedList& in) {
                             bp::SwishDense layer(in[0].value, in[1].value.col(0));
                             // What forward stores, computed here without chapter 1's code.
                             layer.a_prev = in[2].value;
                             layer.z = (layer.W * layer.a_prev).colwise() + layer.b;
                             layer.a = (layer.z.array() / (1.0 + (-layer.z.array()).exp())).matrix();
                             layer.has_forward = true;
                             layer.dW = in[4].value;
                             layer.db = in[5].value.col(0);
                             const Matrix da_prev = layer.backward(in[3].value);
                             return NamedList{{"da_prev", da_prev}, {"dW", layer.dW}, {"db", layer.db}};
                         }});
    }
    return cases;
}

}  // namespace bp_test
