// Chapter 1 reference cases: the forward pass.
#include "check.hpp"
#include "reference_cases.hpp"

#include "bp/core/activations.hpp"
#include "bp/layers/dense.hpp"
#include "bp/core/linear.hpp"
#include "bp/layers/mlp.hpp"

namespace bp_test {

namespace {

using bp::Activation;

// Pre-activations with one exact zero, where the derivative conventions matter.
Matrix some_z(std::uint64_t seed) {
    bp::Rng rng(seed);
    Matrix z = rng.uniform_matrix(3, 4, -4.0, 4.0);
    z(1, 2) = 0.0;
    return z;
}

const Matrix extreme_z = row({-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0});

// One case per input for an element-wise function of z.
void elementwise_cases(std::vector<ReferenceCase>& cases, const std::string& exercise, const std::string& call,
                       Matrix (*f)(const Matrix&)) {
    const auto compute = [f](const NamedList& in) { return NamedList{{"result", f(in[0].value)}}; };
    cases.push_back({exercise, "small_batch", call, {{"z", some_z(11)}}, compute});
    cases.push_back({exercise, "extreme_logits", call, {{"z", extreme_z}}, compute});
}

void leaky_cases(std::vector<ReferenceCase>& cases, const std::string& exercise, const std::string& function,
                 Matrix (*f)(const Matrix&, double)) {
    const auto with_default = [f](const NamedList& in) { return NamedList{{"result", f(in[0].value, 0.01)}}; };
    const auto with_alpha = [f](const NamedList& in) { return NamedList{{"result", f(in[0].value, 0.2)}}; };
    cases.push_back({exercise, "small_batch", function + "(z)", {{"z", some_z(12)}}, with_default});
    cases.push_back({exercise, "alpha_0_2", function + "(z, 0.2)", {{"z", some_z(13)}}, with_alpha});
}

}  // namespace

BP_REFERENCE_CASES(ch01) {
    std::vector<ReferenceCase> cases;

    const auto linear = [](const NamedList& in) {
        return NamedList{{"z", bp::linear_forward(in[0].value, in[1].value.col(0), in[2].value)}};
    };
    {
        bp::Rng rng(1);
        Matrix W = rng.uniform_matrix(3, 2, -1, 1), b = rng.uniform_matrix(3, 1, -1, 1);
        cases.push_back({"1.1",
                         "one_example",
                         "linear_forward(W, b, a_prev)",
                         {{"W", W}, {"b", b}, {"a_prev", rng.uniform_matrix(2, 1, -1, 1)}},
                         linear});
        cases.push_back({"1.1",
                         "batch_of_4",
                         "linear_forward(W, b, a_prev)",
                         {{"W", W}, {"b", b}, {"a_prev", rng.uniform_matrix(2, 4, -1, 1)}},
                         linear});
    }

    elementwise_cases(cases, "1.2", "sigmoid(z)", bp::sigmoid);
    elementwise_cases(cases, "1.3", "sigmoid_prime(z)", bp::sigmoid_prime);
    elementwise_cases(cases, "1.4", "tanh(z)", bp::tanh);
    elementwise_cases(cases, "1.5", "tanh_prime(z)", bp::tanh_prime);
    elementwise_cases(cases, "1.6", "relu(z)", bp::relu);
    elementwise_cases(cases, "1.7", "relu_prime(z)", bp::relu_prime);
    leaky_cases(cases, "1.8", "leaky_relu", bp::leaky_relu);
    leaky_cases(cases, "1.9", "leaky_relu_prime", bp::leaky_relu_prime);

    const auto softmax = [](const NamedList& in) { return NamedList{{"result", bp::softmax(in[0].value)}}; };
    {
        bp::Rng rng(14);
        cases.push_back({"1.10", "small_batch", "softmax(z)", {{"z", rng.uniform_matrix(4, 3, -3, 3)}}, softmax});
        Matrix extreme(3, 4);
        extreme << 1000, -1000, 1000, 0,  //
            -1000, -1000, 999, 0,         //
            0, -999, 998, 0;
        cases.push_back({"1.10", "extreme_logits", "softmax(z)", {{"z", extreme}}, softmax});
    }

    {
        bp::Rng rng(15);
        cases.push_back(
            {"1.11",
             "tanh_layer",
             "Dense layer(3, 2, tanh); layer.forward(a_prev)",
             {{"W", rng.uniform_matrix(2, 3, -1, 1)}, {"b", rng.uniform_matrix(2, 1, -1, 1)}, {"a_prev", rng.uniform_matrix(3, 4, -1, 1)}},
             [](const NamedList& in) {
                 bp::Rng unused(0);
                 bp::Dense layer(3, 2, Activation::tanh, unused);
                 layer.W = in[0].value;
                 layer.b = in[1].value.col(0);
                 const Matrix returned = layer.forward(in[2].value);
                 return NamedList{{"returned", returned}, {"a_prev", layer.a_prev}, {"z", layer.z}, {"a", layer.a}};
             }});
    }

    {
        bp::Rng rng(16);
        cases.push_back({"1.12",
                         "network_2_3_2",
                         "Mlp net({2, 3, 2}, sigmoid, softmax); net.forward(x)",
                         {{"W1", rng.uniform_matrix(3, 2, -1, 1)},
                          {"b1", rng.uniform_matrix(3, 1, -1, 1)},
                          {"W2", rng.uniform_matrix(2, 3, -1, 1)},
                          {"b2", rng.uniform_matrix(2, 1, -1, 1)},
                          {"x", rng.uniform_matrix(2, 5, -2, 2)}},
                         [](const NamedList& in) {
                             bp::Mlp net = network_from({2, 3, 2}, Activation::sigmoid, Activation::softmax, in);
                             const Matrix returned = net.forward(in[4].value);
                             return NamedList{{"returned", returned},
                                              {"z1", net.dense(0).z},
                                              {"a1", net.dense(0).a},
                                              {"z2", net.dense(1).z},
                                              {"a2", net.dense(1).a}};
                         }});
    }
    return cases;
}

}  // namespace bp_test
