// The cross-check of chapter 5 and 6's training pieces: the six optimizers over several steps of
// the training step (exercise 5.10) against torch::optim, and clipping by norm and by value
// against torch::nn::utils.
#include "crosscheck.hpp"

namespace F = torch::nn::functional;
using namespace crosscheck;
using bp::Matrix;
using bp::Vector;

namespace {

constexpr int steps = 5;

// The network every optimizer trains: Dense(4 -> 5, tanh), Dense(5 -> 3), softmax cross-entropy.
struct Problem {
    Matrix W1, W2, x, y;
    Vector b1, b2;
    Problem() {
        bp::Rng rng(81);
        W1 = random(rng, 5, 4), W2 = random(rng, 3, 5), x = random(rng, 4, 6, 2.0);
        b1 = random_vector(rng, 5), b2 = random_vector(rng, 3);
        y = one_hot_columns(rng, 3, 6);
    }
};

// The course: `steps` calls of basic_train_step; the loss of each step and the weights after it.
Quantities course_training(const Problem& p, bp::Optimizer& opt, const Perturb& perturb, double clip_norm = 0) {
    bp::Sequential net;
    Matrix W1 = p.W1;
    perturb("layer1.W", W1);
    net.add(bp::Dense(W1, p.b1, bp::Activation::tanh));
    net.add(bp::Dense(p.W2, p.b2, bp::Activation::identity));
    Quantities q;
    for (int s = 1; s <= steps; ++s) {
        const double loss = bp::basic_train_step(net, bp::softmax_cross_entropy(), opt, p.x, p.y, clip_norm);
        q = q + Quantities{{"loss at step " + std::to_string(s), scalar(loss)}} + values(net, " after step " + std::to_string(s));
    }
    return q;
}

// The same in torch with the optimizer `make` builds on the four leaves.
template <class Make>
Quantities torch_training(const Problem& p, Make make) {
    const Named leaves{{"layer1.W", leaf(p.W1)}, {"layer1.b", leaf(p.b1)}, {"layer2.W", leaf(p.W2)}, {"layer2.b", leaf(p.b2)}};
    std::vector<torch::Tensor> params;
    for (const auto& [name, t] : leaves) params.push_back(t);
    auto opt = make(params);
    const torch::Tensor x = as_rows(p.x), y = as_rows(p.y);
    Quantities q;
    for (int s = 1; s <= steps; ++s) {
        const torch::Tensor out = F::linear(torch::tanh(F::linear(x, params[0], params[1])), params[2], params[3]);
        const torch::Tensor loss = F::cross_entropy(out, y);
        opt.zero_grad();
        loss.backward();
        opt.step();
        q = q + Quantities{{"loss at step " + std::to_string(s), matrix(loss)}} + values(leaves, " after step " + std::to_string(s));
    }
    return q;
}

}  // namespace

TEST(TorchOptimizers, SgdAgreesWithTorchSgd) {
    const Problem p;
    const Quantities t = torch_training(p, [](auto& params) { return torch::optim::SGD(params, torch::optim::SGDOptions(0.5)); });
    check_piece(
        "Sgd",
        [&](const Perturb& perturb) {
            bp::Sgd opt(0.5);
            return course_training(p, opt, perturb);
        },
        t);
}

TEST(TorchOptimizers, MomentumAgreesWithTorchSgdWithMomentum) {
    // Same update: v <- beta v + g (torch's buffer, dampening 0, starts at the first g), w -= lr v.
    const Problem p;
    const Quantities t =
        torch_training(p, [](auto& params) { return torch::optim::SGD(params, torch::optim::SGDOptions(0.3).momentum(0.9)); });
    check_piece(
        "Momentum",
        [&](const Perturb& perturb) {
            bp::Momentum opt(0.3, 0.9);
            return course_training(p, opt, perturb);
        },
        t);
}

TEST(TorchOptimizers, NesterovAgreesWithTorchSgdWithNesterov) {
    // Same update: w -= lr (g + beta v), torch's nesterov=true.
    const Problem p;
    const Quantities t = torch_training(
        p, [](auto& params) { return torch::optim::SGD(params, torch::optim::SGDOptions(0.3).momentum(0.9).nesterov(true)); });
    check_piece(
        "Nesterov",
        [&](const Perturb& perturb) {
            bp::Nesterov opt(0.3, 0.9);
            return course_training(p, opt, perturb);
        },
        t);
}

TEST(TorchOptimizers, RmsPropAgreesWithTorchRmspropOnceRhoIsPassed) {
    // Convention: the course's default rho is 0.9 (Hinton's), torch's RMSprop's alpha defaults
    // to 0.99: the course's default is passed to torch explicitly. eps 1e-8 outside the root in
    // both: w -= lr g / (sqrt(s) + eps).
    const Problem p;
    const bp::RmsProp defaults(0.01);
    const Quantities t = torch_training(p, [&](auto& params) {
        return torch::optim::RMSprop(params, torch::optim::RMSpropOptions(0.01).alpha(defaults.rho).eps(defaults.eps));
    });
    check_piece(
        "RmsProp",
        [&](const Perturb& perturb) {
            bp::RmsProp opt(0.01);  // rho = 0.9, the course's default
            return course_training(p, opt, perturb);
        },
        t);

    // The difference is real: against torch's own default (alpha 0.99) the comparison fails.
    const Quantities torch_default =
        torch_training(p, [](auto& params) { return torch::optim::RMSprop(params, torch::optim::RMSpropOptions(0.01)); });
    bp::RmsProp course_default(0.01);
    const testing::AssertionResult same =
        agree("RmsProp against torch's default alpha", course_training(p, course_default, Perturb(false)), torch_default);
    EXPECT_FALSE(same) << "the course's rho 0.9 and torch's alpha 0.99 should differ: " << same.message();
    std::cout << "[ differ   ] as expected: " << same.message() << "\n";
}

TEST(TorchOptimizers, AdamAgreesWithTorchAdam) {
    // The same defaults (betas 0.9 and 0.999, eps 1e-8) and bias correction; torch divides by
    // sqrt(1 - beta2^t) after the root, the course before it: the same value up to rounding.
    const Problem p;
    const Quantities t = torch_training(p, [](auto& params) { return torch::optim::Adam(params, torch::optim::AdamOptions(0.05)); });
    check_piece(
        "Adam",
        [&](const Perturb& perturb) {
            bp::Adam opt(0.05);
            return course_training(p, opt, perturb);
        },
        t);
}

TEST(TorchOptimizers, AdamWAgreesWithTorchAdamW) {
    // The same decoupled decay, w <- w (1 - lr lambda) before Adam's step.
    const Problem p;
    const Quantities t =
        torch_training(p, [](auto& params) { return torch::optim::AdamW(params, torch::optim::AdamWOptions(0.05).weight_decay(0.1)); });
    check_piece(
        "AdamW",
        [&](const Perturb& perturb) {
            bp::AdamW opt(0.05, 0.1);
            return course_training(p, opt, perturb);
        },
        t);
}

namespace {
// Two parameters with given gradients, as a clipping function sees them.
struct Grads {
    Matrix W, dW;
    Vector b, db;
    std::vector<bp::Parameter> params() { return {bp::Parameter("W", W, dW), bp::Parameter("b", b, db)}; }
};

Grads some_gradients() {
    bp::Rng rng(91);
    Grads g{Matrix::Zero(3, 4), random(rng, 3, 4, 3.0), Vector::Zero(3), random_vector(rng, 3, 3.0)};
    g.dW(0, 0) = 0.25;  // inside [-1, 1], so that clipping by value keeps it and the control can change it
    return g;
}

// torch's leaves W and b with the gradients g.
Named torch_gradients(const Grads& g) {
    Named t{{"W", leaf(g.W)}, {"b", leaf(g.b)}};
    t[0].second.mutable_grad() = tensor(g.dW);
    t[1].second.mutable_grad() = tensor(g.db);
    return t;
}
std::vector<torch::Tensor> tensors_of(const Named& named) {
    std::vector<torch::Tensor> t;
    for (const auto& [name, tensor] : named) t.push_back(tensor);
    return t;
}
}  // namespace

TEST(TorchClipping, ClippingByNormAgreesWithClipGradNormOnceItsEpsilonIsConverted) {
    const Grads g = some_gradients();
    for (const double max_norm : {2.0, 1e3}) {  // clipping, and a norm below the limit (nothing changes)
        // Convention: torch's clip_grad_norm_ scales by max_norm / (n + 1e-6), the course's
        // clip_grad_norm by max_norm / n (when n > max_norm). Converted: torch is given
        // max_norm (n + 1e-6) / n, n measured first by torch itself (a clip to an infinite norm
        // returns n and scales by 1).
        const Named t = torch_gradients(g);
        const double n = torch::nn::utils::clip_grad_norm_(tensors_of(t), std::numeric_limits<double>::infinity());
        const double returned = torch::nn::utils::clip_grad_norm_(tensors_of(t), max_norm * (n + 1e-6) / n);
        const Quantities torch_side = Quantities{{"norm", scalar(returned)}} + gradients(t, "clipped d");
        auto course_side = [&](const Perturb& perturb) {
            Grads c = g;
            perturb("dW", c.dW);
            const double norm = bp::clip_grad_norm(c.params(), max_norm);
            return Quantities{{"norm", scalar(norm)}, {"clipped dW", c.dW}, {"clipped db", c.db}};
        };
        check_piece("clip_grad_norm (max_norm " + bp::number_text(max_norm) + (max_norm < 10 ? ", clipping)" : ", nothing to clip)"),
                    course_side, torch_side);
        if (max_norm < 10) {
            // The difference is real: clip_grad_norm_ given max_norm itself, unconverted, scales by
            // a factor 1 - 1e-6 / n off the course's, and the comparison fails.
            const Named raw = torch_gradients(g);
            const double n_raw = torch::nn::utils::clip_grad_norm_(tensors_of(raw), max_norm);
            const testing::AssertionResult same = agree("clip_grad_norm against clip_grad_norm_ unconverted", course_side(Perturb(false)),
                                                        Quantities{{"norm", scalar(n_raw)}} + gradients(raw, "clipped d"));
            EXPECT_FALSE(same) << "clip_grad_norm_'s 1e-6 should show: " << same.message();
            std::cout << "[ differ   ] as expected: " << same.message() << "\n";
        }
    }
}

TEST(TorchClipping, ClippingByValueAgreesWithClipGradValue) {
    const Grads g = some_gradients();
    const Named t = torch_gradients(g);
    torch::nn::utils::clip_grad_value_(tensors_of(t), 1.0);
    // The course's clip_grad_value also returns the largest |g| before clipping; torch's returns
    // nothing: it is measured in torch.
    const double largest = std::max(tensor(g.dW).abs().max().item<double>(), tensor(g.db).abs().max().item<double>());
    const Quantities torch_side = Quantities{{"largest |g|", scalar(largest)}} + gradients(t, "clipped d");
    check_piece(
        "clip_grad_value",
        [&](const Perturb& perturb) {
            Grads c = g;
            perturb("dW", c.dW);
            const double l = bp::clip_grad_value(c.params(), 1.0);
            return Quantities{{"largest |g|", scalar(l)}, {"clipped dW", c.dW}, {"clipped db", c.db}};
        },
        torch_side);
}

TEST(TorchClipping, TheTrainingStepClipsAsTorchDoesBeforeTheStep) {
    // basic_train_step with clip_norm: zero_grad, forward, backward, clip_grad_norm, Sgd (whose
    // step is proportional to the clipped gradient; Adam's would hardly show the clipping).
    const Problem p;
    const double max_norm = 0.1;
    const Named leaves{{"layer1.W", leaf(p.W1)}, {"layer1.b", leaf(p.b1)}, {"layer2.W", leaf(p.W2)}, {"layer2.b", leaf(p.b2)}};
    const std::vector<torch::Tensor> params = tensors_of(leaves);
    torch::optim::SGD opt(params, torch::optim::SGDOptions(0.5));
    const torch::Tensor x = as_rows(p.x), y = as_rows(p.y);
    Quantities t;
    int clipped = 0;  // steps whose gradient norm was above max_norm
    for (int s = 1; s <= steps; ++s) {
        const torch::Tensor out = F::linear(torch::tanh(F::linear(x, params[0], params[1])), params[2], params[3]);
        const torch::Tensor loss = F::cross_entropy(out, y);
        opt.zero_grad();
        loss.backward();
        // clip_grad_norm_'s epsilon converted, as above.
        const double n = torch::nn::utils::clip_grad_norm_(params, std::numeric_limits<double>::infinity());
        torch::nn::utils::clip_grad_norm_(params, max_norm * (n + 1e-6) / n);
        clipped += n > max_norm;
        opt.step();
        t = t + Quantities{{"loss at step " + std::to_string(s), matrix(loss)}} + values(leaves, " after step " + std::to_string(s));
    }
    EXPECT_EQ(clipped, steps) << "clipping should act at every step, so that it is compared";
    check_piece(
        "basic_train_step with clip_norm and Sgd",
        [&](const Perturb& perturb) {
            bp::Sgd opt_c(0.5);
            return course_training(p, opt_c, perturb, max_norm);
        },
        t);
}
