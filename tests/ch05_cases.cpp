// Chapter 5 reference cases: each optimizer over three steps on the same parameters and
// gradients, the schedules, and clipping.
#include "check.hpp"
#include "reference_cases.hpp"

#include "bp/core/loss.hpp"
#include "bp/train/optimizers.hpp"
#include "bp/train/training_step.hpp"

#include <memory>

namespace bp_test {

namespace {

// Three steps of `opt` on W (2x3) and b (2x1), with the given gradients at each step.
NamedList three_steps(bp::Optimizer& opt, const NamedList& in) {
    Matrix W = in[0].value, b = in[1].value, dW, db;
    for (int s = 0; s < 3; ++s) {
        dW = in[2 + 2 * s].value;
        db = in[3 + 2 * s].value;
        opt.step({bp::Parameter("W", W, dW), bp::Parameter("b", b, db)});
    }
    return {{"W_after_3_steps", W}, {"b_after_3_steps", b}};
}

NamedList starting_point() {
    bp::Rng rng(101);
    NamedList inputs = {{"W", rng.uniform_matrix(2, 3, -1, 1)}, {"b", rng.uniform_matrix(2, 1, -1, 1)}};
    for (int s = 1; s <= 3; ++s) {
        inputs.push_back({"dW_step" + std::to_string(s), rng.uniform_matrix(2, 3, -1, 1)});
        inputs.push_back({"db_step" + std::to_string(s), rng.uniform_matrix(2, 1, -1, 1)});
    }
    return inputs;
}

}  // namespace

BP_REFERENCE_CASES(ch05) {
    std::vector<ReferenceCase> cases;
    const auto optimizer_case = [&](const std::string& exercise, const std::string& call, auto make) {
        cases.push_back({exercise, "three_steps", call + ", then three step() calls", starting_point(), [make](const NamedList& in) {
                             auto opt = make();
                             return three_steps(*opt, in);
                         }});
    };
    optimizer_case("5.1", "Sgd opt(0.1)", [] { return std::make_unique<bp::Sgd>(0.1); });
    optimizer_case("5.2", "Momentum opt(0.1, 0.9)", [] { return std::make_unique<bp::Momentum>(0.1, 0.9); });
    optimizer_case("5.3", "Nesterov opt(0.1, 0.9)", [] { return std::make_unique<bp::Nesterov>(0.1, 0.9); });
    optimizer_case("5.4", "RmsProp opt(0.01, 0.9)", [] { return std::make_unique<bp::RmsProp>(0.01, 0.9); });
    optimizer_case("5.5", "Adam opt(0.01)", [] { return std::make_unique<bp::Adam>(0.01); });
    optimizer_case("5.6", "AdamW opt(0.01, 0.1)", [] { return std::make_unique<bp::AdamW>(0.01, 0.1); });

    cases.push_back({"5.7", "epochs_0_to_9", "step_schedule(0.1, epoch, 3, 0.5) for epoch = 0 ... 9", {}, [](const NamedList&) {
                         Matrix lr(1, 10);
                         for (int e = 0; e < 10; ++e) lr(e) = bp::step_schedule(0.1, e, 3, 0.5);
                         return NamedList{{"lr", lr}};
                     }});
    cases.push_back({"5.8", "steps_0_to_10", "cosine_schedule(0.1, step, 8, 0.001) for step = 0 ... 10", {}, [](const NamedList&) {
                         Matrix lr(1, 11);
                         for (int s = 0; s <= 10; ++s) lr(s) = bp::cosine_schedule(0.1, s, 8, 0.001);
                         return NamedList{{"lr", lr}};
                     }});
    {
        bp::Rng rng(102);
        cases.push_back({"5.9",
                         "over_the_limit",
                         "clip_grad_norm({W, b}, 1.0)",
                         {{"dW", rng.uniform_matrix(2, 3, -2, 2)}, {"db", rng.uniform_matrix(2, 1, -2, 2)}},
                         [](const NamedList& in) {
                             Matrix W = Matrix::Zero(2, 3), b = Matrix::Zero(2, 1), dW = in[0].value, db = in[1].value;
                             const double norm = bp::clip_grad_norm({bp::Parameter("W", W, dW), bp::Parameter("b", b, db)}, 1.0);
                             return NamedList{{"returned_norm", Matrix::Constant(1, 1, norm)}, {"dW", dW}, {"db", db}};
                         }});
    }
    {
        // A 2-3-2 classifier given by its weights, and two batches of 4.
        bp::Rng rng(103);
        NamedList inputs = {{"W1", rng.uniform_matrix(3, 2, -1, 1)},
                            {"b1", rng.uniform_matrix(3, 1, -1, 1)},
                            {"W2", rng.uniform_matrix(2, 3, -1, 1)},
                            {"b2", rng.uniform_matrix(2, 1, -1, 1)}};
        for (int s = 1; s <= 2; ++s) {
            inputs.push_back({"x_step" + std::to_string(s), rng.uniform_matrix(2, 4, -1, 1)});
            inputs.push_back({"y_step" + std::to_string(s), one_hot(rng, 2, 4)});
        }
        cases.push_back({"5.10", "two_steps_clipped",
                         "Mlp net({2, 3, 2}, tanh, identity); Sgd opt(0.5); two basic_train_step(net, "
                         "softmax_cross_entropy(), opt, x, y, 0.1) calls",
                         inputs, [](const NamedList& in) {
                             bp::Mlp net = network_from({2, 3, 2}, bp::Activation::tanh, bp::Activation::identity, in);
                             bp::Sgd opt(0.5);
                             Matrix losses(1, 2);
                             for (int s = 0; s < 2; ++s)
                                 losses(s) = bp::basic_train_step(net, bp::softmax_cross_entropy(), opt, in[4 + 2 * s].value,
                                                                  in[5 + 2 * s].value, 0.1);
                             return NamedList{{"returned_losses", losses},
                                              {"W1", net.dense(0).W},
                                              {"b1", net.dense(0).b},
                                              {"W2", net.dense(1).W},
                                              {"b2", net.dense(1).b}};
                         }});
        const auto check_values = [](const bp::SanityCheck& c) {
            return NamedList{{"measured", Matrix::Constant(1, 1, c.measured)},
                             {"expected", Matrix::Constant(1, 1, c.expected)},
                             {"passed", Matrix::Constant(1, 1, c.passed ? 1.0 : 0.0)}};
        };
        cases.push_back({"5.11",
                         "network_2_3_2",
                         "check_initial_loss(net, x, y, 0.2) with net = Mlp({2, 3, 2}, tanh, identity)",
                         {inputs[0], inputs[1], inputs[2], inputs[3], {"x", inputs[4].value}, {"y", inputs[5].value}},
                         [check_values](const NamedList& in) {
                             bp::Mlp net = network_from({2, 3, 2}, bp::Activation::tanh, bp::Activation::identity, in);
                             return check_values(bp::check_initial_loss(net, in[4].value, in[5].value, 0.2));
                         }});
        cases.push_back({"5.12",
                         "network_2_3_2",
                         "check_overfits(net, softmax_cross_entropy(), opt, x, y, 20, 0.5) with net = Mlp({2, 3, 2}, tanh, "
                         "identity) and Adam opt(0.05)",
                         {inputs[0], inputs[1], inputs[2], inputs[3], {"x", inputs[4].value}, {"y", inputs[5].value}},
                         [check_values](const NamedList& in) {
                             bp::Mlp net = network_from({2, 3, 2}, bp::Activation::tanh, bp::Activation::identity, in);
                             bp::Adam opt(0.05);
                             return check_values(
                                 bp::check_overfits(net, bp::softmax_cross_entropy(), opt, in[4].value, in[5].value, 20, 0.5));
                         }});
    }
    return cases;
}

}  // namespace bp_test
