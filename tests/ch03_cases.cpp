// Chapter 3 reference cases: the backward rules, a layer's and a network's backward pass, and
// the computational graph's.
#include "reference_cases.hpp"

#include "bp/core/activations.hpp"
#include "bp/layers/dense.hpp"
#include "bp/autodiff/graph.hpp"
#include "bp/core/linear.hpp"
#include "bp/layers/mlp.hpp"

namespace bp_test {

namespace {

// What forward() would store, computed here without the student's chapter 1 code, so that
// these cases test the backward pass alone.
void store_forward(bp::Dense& layer, const Matrix& a_prev) {
    layer.a_prev = a_prev;
    layer.z = (layer.W * a_prev).colwise() + layer.b;
    const Eigen::ArrayXXd z = layer.z.array();
    switch (layer.f) {
        case bp::Activation::sigmoid: layer.a = (1.0 / (1.0 + (-z).exp())).matrix(); break;
        case bp::Activation::tanh: layer.a = z.tanh().matrix(); break;
        case bp::Activation::identity: layer.a = layer.z; break;
        case bp::Activation::softmax: {
            const Eigen::ArrayXXd e = (z.rowwise() - z.colwise().maxCoeff()).exp();
            layer.a = (e.rowwise() / e.colwise().sum()).matrix();
            break;
        }
        default: throw std::logic_error("store_forward: add this activation");
    }
    layer.has_forward = true;
}

}  // namespace

BP_REFERENCE_CASES(ch03) {
    using bp::Activation;
    std::vector<ReferenceCase> cases;
    {
        // dW and db start non-zero: backward must add to them, not overwrite them.
        bp::Rng rng(51);
        cases.push_back({"3.1",
                         "accumulates",
                         "linear_backward(dz, W, a_prev, dW, db)",
                         {{"dz", rng.uniform_matrix(3, 4, -1, 1)},
                          {"W", rng.uniform_matrix(3, 2, -1, 1)},
                          {"a_prev", rng.uniform_matrix(2, 4, -1, 1)},
                          {"dW before", rng.uniform_matrix(3, 2, -1, 1)},
                          {"db before", rng.uniform_matrix(3, 1, -1, 1)}},
                         [](const NamedList& in) {
                             Matrix dW = in[3].value;
                             bp::Vector db = in[4].value.col(0);
                             const Matrix da_prev = bp::linear_backward(in[0].value, in[1].value, in[2].value, dW, db);
                             return NamedList{{"da_prev", da_prev}, {"dW", dW}, {"db", db}};
                         }});
    }
    {
        bp::Rng rng(52);
        const Matrix da = rng.uniform_matrix(3, 4, -1, 1), z = rng.uniform_matrix(3, 4, -3, 3);
        for (Activation f : {Activation::identity, Activation::sigmoid, Activation::tanh, Activation::relu, Activation::leaky_relu})
            cases.push_back({"3.2",
                             bp::to_string(f),
                             "activation_backward(" + bp::to_string(f) + ", da, z)",
                             {{"da", da}, {"z", z}},
                             [f](const NamedList& in) {
                                 return NamedList{{"dz", bp::activation_backward(f, in[0].value, in[1].value)}};
                             }});
    }
    {
        bp::Rng rng(53);
        cases.push_back({"3.3",
                         "sigmoid_layer",
                         "Dense layer(3, 2, sigmoid) after a forward pass on a_prev; layer.backward(da)",
                         {{"W", rng.uniform_matrix(2, 3, -1, 1)},
                          {"b", rng.uniform_matrix(2, 1, -1, 1)},
                          {"a_prev", rng.uniform_matrix(3, 4, -1, 1)},
                          {"da", rng.uniform_matrix(2, 4, -1, 1)}},
                         [](const NamedList& in) {
                             bp::Rng unused(0);
                             bp::Dense layer(3, 2, Activation::sigmoid, unused);
                             layer.W = in[0].value;
                             layer.b = in[1].value.col(0);
                             store_forward(layer, in[2].value);
                             const Matrix da_prev = layer.backward(in[3].value);
                             return NamedList{{"da_prev", da_prev}, {"dW", layer.dW}, {"db", layer.db}};
                         }});
    }
    {
        bp::Rng rng(54);
        cases.push_back(
            {"3.4",
             "network_2_3_2",
             "Mlp net({2, 3, 2}, tanh, identity) after a forward pass on x; net.backward(dz_out)",
             {{"W1", rng.uniform_matrix(3, 2, -1, 1)},
              {"b1", rng.uniform_matrix(3, 1, -1, 1)},
              {"W2", rng.uniform_matrix(2, 3, -1, 1)},
              {"b2", rng.uniform_matrix(2, 1, -1, 1)},
              {"x", rng.uniform_matrix(2, 5, -2, 2)},
              {"dz_out", rng.uniform_matrix(2, 5, -0.5, 0.5)}},
             [](const NamedList& in) {
                 bp::Mlp net = network_from({2, 3, 2}, Activation::tanh, Activation::identity, in);
                 store_forward(net.dense(0), in[4].value);
                 store_forward(net.dense(1), net.dense(0).a);
                 const Matrix dx = net.backward(in[5].value);
                 return NamedList{
                     {"dx", dx}, {"dW1", net.dense(0).dW}, {"db1", net.dense(0).db}, {"dW2", net.dense(1).dW}, {"db2", net.dense(1).db}};
             }});
    }
    {
        // Only the rules the library writes for you, and u used twice.
        bp::Rng rng(55);
        cases.push_back(
            {"3.5",
             "reused_value",
             "u = add_bias(x, b); L = mse(add(tanh(u), u), y); g.backward(L)",
             {{"x", rng.uniform_matrix(2, 3, -1, 1)}, {"b", rng.uniform_matrix(2, 1, -1, 1)}, {"y", rng.uniform_matrix(2, 3, -1, 1)}},
             [](const NamedList& in) {
                 bp::Graph g;
                 const bp::Var x = g.input(in[0].value, "x"), b = g.input(in[1].value, "b");
                 const bp::Var u = g.add_bias(x, b);
                 const bp::Var L = g.mse(g.add(g.tanh(u), u), in[2].value);
                 g.backward(L);
                 return NamedList{{"dx", g.grad(x)}, {"db", g.grad(b)}};
             }});
    }
    {
        bp::Rng rng(56);
        cases.push_back({"3.6",
                         "accumulates",
                         "matmul_backward(dn, W, a, dW, da)",
                         {{"dn", rng.uniform_matrix(3, 4, -1, 1)},
                          {"W", rng.uniform_matrix(3, 2, -1, 1)},
                          {"a", rng.uniform_matrix(2, 4, -1, 1)},
                          {"dW before", rng.uniform_matrix(3, 2, -1, 1)},
                          {"da before", rng.uniform_matrix(2, 4, -1, 1)}},
                         [](const NamedList& in) {
                             Matrix dW = in[3].value, da = in[4].value;
                             bp::matmul_backward(in[0].value, in[1].value, in[2].value, dW, da);
                             return NamedList{{"dW", dW}, {"da", da}};
                         }});
        cases.push_back({"3.7",
                         "accumulates",
                         "mul_backward(dn, x, y, dx, dy)",
                         {{"dn", rng.uniform_matrix(2, 3, -1, 1)},
                          {"x", rng.uniform_matrix(2, 3, -1, 1)},
                          {"y", rng.uniform_matrix(2, 3, -1, 1)},
                          {"dx before", rng.uniform_matrix(2, 3, -1, 1)},
                          {"dy before", rng.uniform_matrix(2, 3, -1, 1)}},
                         [](const NamedList& in) {
                             Matrix dx = in[3].value, dy = in[4].value;
                             bp::mul_backward(in[0].value, in[1].value, in[2].value, dx, dy);
                             return NamedList{{"dx", dx}, {"dy", dy}};
                         }});
    }
    return cases;
}

}  // namespace bp_test
