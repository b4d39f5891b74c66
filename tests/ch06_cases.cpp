// Chapter 6 reference cases: gradient norms, saturation, initialisation scales, clipping by
// value, the skip connection's backward and batch normalization.
#include "ch06_batch_norm.hpp"
#include "check.hpp"
#include "reference_cases.hpp"

#include "bp/layers/dense.hpp"
#include "bp/train/gradient_monitor.hpp"
#include "bp/core/init.hpp"
#include "bp/train/optimizers.hpp"
#include "bp/layers/residual.hpp"

namespace bp_test {

BP_REFERENCE_CASES(ch06) {
    std::vector<ReferenceCase> cases;
    {
        bp::Rng rng(621);
        cases.push_back(
            {"6.1",
             "three_parameters",
             "gradient_norms({W, b, W2}) with their gradients dW, db, dW2",
             {{"dW", rng.uniform_matrix(3, 2, -1, 1)}, {"db", rng.uniform_matrix(3, 1, -1, 1)}, {"dW2", rng.uniform_matrix(2, 3, -2, 2)}},
             [](const NamedList& in) {
                 Matrix W = Matrix::Ones(3, 2), b = Matrix::Ones(3, 1), W2 = Matrix::Ones(2, 3);
                 Matrix dW = in[0].value, db = in[1].value, dW2 = in[2].value;
                 const std::vector<double> n =
                     bp::gradient_norms({bp::Parameter("W", W, dW), bp::Parameter("b", b, db), bp::Parameter("W2", W2, dW2)});
                 Matrix out(1, static_cast<bp::Index>(n.size()));
                 for (std::size_t i = 0; i < n.size(); ++i) out(0, static_cast<bp::Index>(i)) = n[i];
                 return NamedList{{"norms", out}};
             }});
    }
    {
        bp::Rng rng(622);
        Matrix s = rng.uniform_matrix(3, 4, 0, 1), t = rng.uniform_matrix(3, 4, -1, 1), r = rng.uniform_matrix(4, 3, -1, 1);
        s(0, 1) = 0.995, s(2, 3) = 0.004, t(1, 2) = -0.999, t(0, 0) = 0.9995;
        r = r.cwiseMax(0);  // ReLU outputs
        r.row(1).setZero();
        cases.push_back({"6.2",
                         "each_activation",
                         "saturated_fraction(sigmoid, a_sigmoid), (tanh, a_tanh), (relu, a_relu)",
                         {{"a_sigmoid", s}, {"a_tanh", t}, {"a_relu", r}},
                         [](const NamedList& in) {
                             return NamedList{{"sigmoid", scalar(bp::saturated_fraction(bp::Activation::sigmoid, in[0].value))},
                                              {"tanh", scalar(bp::saturated_fraction(bp::Activation::tanh, in[1].value))},
                                              {"relu", scalar(bp::saturated_fraction(bp::Activation::relu, in[2].value))}};
                         }});
    }
    cases.push_back({"6.3", "fans_300_100", "init_stddev(scheme, 300, 100) for lecun, xavier, he", {}, [](const NamedList&) {
                         return NamedList{{"lecun", scalar(bp::init_stddev(bp::Init::Scheme::lecun, 300, 100))},
                                          {"xavier", scalar(bp::init_stddev(bp::Init::Scheme::xavier, 300, 100))},
                                          {"he", scalar(bp::init_stddev(bp::Init::Scheme::he, 300, 100))}};
                     }});
    {
        bp::Rng rng(623);
        cases.push_back({"6.4",
                         "mixed_signs",
                         "clip_grad_value({W, b}, 0.5)",
                         {{"dW", rng.uniform_matrix(2, 3, -2, 2)}, {"db", rng.uniform_matrix(2, 1, -1, 1)}},
                         [](const NamedList& in) {
                             Matrix W = Matrix::Zero(2, 3), b = Matrix::Zero(2, 1), dW = in[0].value, db = in[1].value;
                             const double largest = bp::clip_grad_value({bp::Parameter("W", W, dW), bp::Parameter("b", b, db)}, 0.5);
                             return NamedList{{"returned", scalar(largest)}, {"dW", dW}, {"db", db}};
                         }});
    }
    {
        bp::Rng rng(624);
        cases.push_back({"6.5",
                         "tanh_branch",
                         "Residual block(Dense(W, b, tanh)); block.forward(x); block.backward(dy)",
                         {{"W", rng.uniform_matrix(3, 3, -1, 1)},
                          {"b", rng.uniform_matrix(3, 1, -1, 1)},
                          {"x", rng.uniform_matrix(3, 4, -1, 1)},
                          {"dy", rng.uniform_matrix(3, 4, -1, 1)}},
                         [](const NamedList& in) {
                             bp::Residual block(bp::Dense(in[0].value, in[1].value.col(0), bp::Activation::tanh));
                             block.forward(in[2].value);
                             const Matrix dx = block.backward(in[3].value);
                             const auto& F = block.inner_as<bp::Dense>();
                             return NamedList{{"dx", dx}, {"dW", F.dW}, {"db", Matrix(F.db)}};
                         }});
    }
    {
        bp::Rng rng(625);
        cases.push_back({"6.6",
                         "batch_of_5",
                         "BatchNorm bn(3, 0.1) with gamma = (1.5, -0.7, 2), shift = (0.3, -1.2, 0.5); bn.forward(z)",
                         {{"z", rng.uniform_matrix(3, 5, -2, 2)}},
                         [](const NamedList& in) {
                             bp::BatchNorm bn = some_batch_norm(0.1);
                             const Matrix y = bn.forward(in[0].value);
                             return NamedList{{"y", y},
                                              {"mean", Matrix(bn.mean)},
                                              {"var", Matrix(bn.var)},
                                              {"inv_std", Matrix(bn.inv_std)},
                                              {"zhat", bn.zhat},
                                              {"running_mean", Matrix(bn.running_mean)},
                                              {"running_var", Matrix(bn.running_var)}};
                         }});
    }
    {
        bp::Rng rng(626);
        cases.push_back({"6.7",
                         "batch_of_5",
                         "BatchNorm bn(3, 0.1) with gamma = (1.5, -0.7, 2), shift = (0.3, -1.2, 0.5), as after a training "
                         "forward on z; bn.backward(dy)",
                         {{"z", rng.uniform_matrix(3, 5, -2, 2)}, {"dy", rng.uniform_matrix(3, 5, -1, 1)}},
                         [](const NamedList& in) {
                             bp::BatchNorm bn = some_batch_norm(0.1);
                             as_after_forward(bn, in[0].value);
                             const Matrix dz = bn.backward(in[1].value);
                             return NamedList{{"dz", dz}, {"dgamma", Matrix(bn.dgamma)}, {"dshift", Matrix(bn.dshift)}};
                         }});
    }
    {
        bp::Rng rng(627);
        cases.push_back({"6.8",
                         "running_statistics",
                         "BatchNorm bn(3, 0.1) with gamma = (1.5, -0.7, 2), shift = (0.3, -1.2, 0.5), the running mean and "
                         "variance given, in evaluation mode; bn.forward(z)",
                         {{"running_mean", rng.uniform_matrix(3, 1, -1, 1)},
                          {"running_var", rng.uniform_matrix(3, 1, 0.2, 3)},
                          {"z", rng.uniform_matrix(3, 4, -2, 2)}},
                         [](const NamedList& in) {
                             bp::BatchNorm bn = some_batch_norm(0.1);
                             bn.running_mean = in[0].value.col(0);
                             bn.running_var = in[1].value.col(0);
                             bn.set_training(false);
                             const Matrix y = bn.forward(in[2].value);
                             return NamedList{{"y", y}, {"zhat", bn.zhat}, {"inv_std", Matrix(bn.inv_std)}};
                         }});
    }
    return cases;
}

}  // namespace bp_test
