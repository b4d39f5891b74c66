// The cross-check of the layers (chapters 1, 3 and 6) and of chapter 3's graph: a Sequential of
// Dense and ActivationLayer, the Mlp, a Residual block, BatchNorm in both modes, the Graph.
#include "crosscheck.hpp"

namespace F = torch::nn::functional;
using namespace crosscheck;
using bp::Matrix;
using bp::Vector;

namespace {

// The course's side of a network piece: forward x, the loss against y, zero_grad, backward
// from the loss's gradient; the output, the loss, dL/dx and every parameter's gradient.
Quantities course_pass(bp::Layer& net, const bp::Loss& loss, const Matrix& x, const Matrix& y) {
    const Matrix out = net.forward(x);
    const double l = loss.value(out, y);
    net.zero_grad();
    const Matrix dx = net.backward(loss.grad(out, y));
    return Quantities{{"output", out}, {"loss", scalar(l)}, {"dL/dx", dx}} + gradients(net);
}

// The same in torch: out (m x n, the batch as rows) and its loss from the leaf x and the named
// leaves; autograd's gradients.
Quantities torch_pass(const torch::Tensor& out, const torch::Tensor& loss, const torch::Tensor& x, const Named& leaves) {
    loss.backward();
    return Quantities{{"output", from_rows(out)}, {"loss", matrix(loss)}, {"dL/dx", from_rows(x.grad())}} + gradients(leaves);
}

}  // namespace

TEST(TorchLayers, ASequentialOfDenseAndActivationLayersAgrees) {
    bp::Rng rng(41);
    const Matrix W1 = random(rng, 5, 4), W2 = random(rng, 6, 5), W3 = random(rng, 3, 6);
    const Vector b1 = random_vector(rng, 5), b2 = random_vector(rng, 6), b3 = random_vector(rng, 3);
    const Matrix x = random(rng, 4, 7, 2.0);
    const Matrix y = one_hot_columns(rng, 3, 7);
    const double alpha = 0.1;

    // torch::nn::Linear and activations, written as functions of leaves with the course's weights.
    torch::Tensor xt = leaf(x.transpose()), W1t = leaf(W1), b1t = leaf(b1), W2t = leaf(W2), b2t = leaf(b2), W3t = leaf(W3), b3t = leaf(b3);
    const torch::Tensor h1 = torch::tanh(F::linear(xt, W1t, b1t));
    const torch::Tensor h2 = F::leaky_relu(F::linear(h1, W2t, b2t), F::LeakyReLUFuncOptions().negative_slope(alpha));
    const torch::Tensor out = F::linear(h2, W3t, b3t);
    const torch::Tensor loss = F::cross_entropy(out, as_rows(y));
    const Quantities torch_side = torch_pass(
        out, loss, xt, {{"layer1.W", W1t}, {"layer1.b", b1t}, {"layer3.W", W2t}, {"layer3.b", b2t}, {"layer5.W", W3t}, {"layer5.b", b3t}});
    check_piece(
        "Sequential of Dense and ActivationLayer",
        [&](const Perturb& perturb) {
            bp::Sequential net;
            Matrix W1c = W1;
            perturb("layer1.W", W1c);
            net.add(bp::Dense(W1c, b1, bp::Activation::identity));
            net.add(bp::ActivationLayer(bp::Activation::tanh));
            net.add(bp::Dense(W2, b2, bp::Activation::identity));
            net.add(bp::ActivationLayer(bp::Activation::leaky_relu, alpha));
            net.add(bp::Dense(W3, b3, bp::Activation::identity));
            return course_pass(net, bp::softmax_cross_entropy(), x, y);
        },
        torch_side);
}

TEST(TorchLayers, AnMlpWithItsOwnWeightsAgrees) {
    bp::Rng rng(42);
    const bp::Mlp mlp({4, 6, 5, 3}, bp::Activation::sigmoid, bp::Activation::identity, rng);
    const Matrix x = random(rng, 4, 8, 2.0), y = random(rng, 3, 8);
    // Dense layers with their activation inside (sigmoid), ending at the identity; mse_loss.
    Named leaves;
    torch::Tensor xt = leaf(x.transpose()), h = xt;
    for (std::size_t i = 0; i < mlp.size(); ++i) {
        torch::Tensor W = leaf(mlp.dense(i).W), b = leaf(mlp.dense(i).b);
        leaves.push_back({bp::layer_name(i) + ".W", W});
        leaves.push_back({bp::layer_name(i) + ".b", b});
        h = F::linear(h, W, b);
        if (i + 1 < mlp.size()) h = torch::sigmoid(h);
    }
    // MSE's convention: torch's mean over n m elements without 1/2, times n / 2 (n = 3).
    const torch::Tensor loss = F::mse_loss(h, as_rows(y)) * 1.5;
    const Quantities torch_side = torch_pass(h, loss, xt, leaves);
    check_piece(
        "Mlp",
        [&](const Perturb& perturb) {
            bp::Mlp net = mlp;
            perturb("layer2.W", net.dense(1).W);
            return course_pass(net, bp::mean_squared_error(), x, y);
        },
        torch_side);
}

TEST(TorchResidual, AResidualBlockAroundASequentialAgrees) {
    bp::Rng rng(51);
    const Matrix W1 = random(rng, 4, 4), W2 = random(rng, 4, 4), x = random(rng, 4, 6, 2.0), G = random(rng, 4, 6);
    const Vector b1 = random_vector(rng, 4), b2 = random_vector(rng, 4);
    // y = x + F(x) with F = Dense, ReLU, Dense; the loss sum(G ⊙ y), whose gradient is G.
    // torch has no residual module: x + f(x), and autograd adds the two paths.
    torch::Tensor xt = leaf(x.transpose()), W1t = leaf(W1), b1t = leaf(b1), W2t = leaf(W2), b2t = leaf(b2);
    const torch::Tensor out = xt + F::linear(torch::relu(F::linear(xt, W1t, b1t)), W2t, b2t);
    const torch::Tensor loss = (out * as_rows(G)).sum();
    const Quantities torch_side =
        torch_pass(out, loss, xt, {{"inner.layer1.W", W1t}, {"inner.layer1.b", b1t}, {"inner.layer3.W", W2t}, {"inner.layer3.b", b2t}});
    check_piece(
        "Residual",
        [&](const Perturb& perturb) {
            bp::Sequential inner;
            Matrix W1c = W1;
            perturb("inner.layer1.W", W1c);
            inner.add(bp::Dense(W1c, b1, bp::Activation::identity));
            inner.add(bp::ActivationLayer(bp::Activation::relu));
            inner.add(bp::Dense(W2, b2, bp::Activation::identity));
            bp::Residual block(inner);
            const Matrix y = block.forward(x);
            block.zero_grad();
            const Matrix dx = block.backward(G);
            return Quantities{{"output", y}, {"loss", scalar(G.cwiseProduct(y).sum())}, {"dL/dx", dx}} + gradients(block);
        },
        torch_side);
}

TEST(TorchBatchNorm, TrainingStepsThenEvaluationAgreeWithBatchNorm1d) {
    // Same conventions in both: a batch normalised with its own variance (1/m), the running
    // variance fed the unbiased m/(m - 1) var, running = (1 - momentum) running + momentum
    // batch, eps = 1e-5 and momentum 0.1; gamma and shift are torch's weight and bias. The
    // batch is the course's columns, torch's rows.
    const bp::Index n = 3, m = 5, steps = 3;
    bp::Rng rng(61);
    const Vector gamma = rng.uniform_matrix(n, 1, 0.5, 2.0), shift = random_vector(rng, n);
    std::vector<Matrix> z, G;
    for (int s = 0; s <= steps; ++s) {
        z.push_back(random(rng, n, m, 3.0) + Matrix::Constant(n, m, 1.5));
        G.push_back(random(rng, n, m));
    }

    torch::nn::BatchNorm1d bn(torch::nn::BatchNorm1dOptions(n).eps(1e-5).momentum(0.1));
    bn->to(torch::kDouble);
    {
        torch::NoGradGuard no_grad;
        bn->weight.copy_(tensor(gamma));
        bn->bias.copy_(tensor(shift));
    }
    Quantities torch_side;
    for (int s = 0; s <= steps; ++s) {
        const bool training = s < steps;  // the last pass in evaluation mode
        bn->train(training);
        bn->zero_grad();
        torch::Tensor zt = leaf(z[s].transpose());
        const torch::Tensor y = bn->forward(zt);
        (y * as_rows(G[s])).sum().backward();
        const std::string when = training ? " (training step " + std::to_string(s + 1) + ")" : " (evaluation)";
        torch_side = torch_side + Quantities{{"y" + when, from_rows(y)},
                                             {"dL/dz" + when, from_rows(zt.grad())},
                                             {"dL/dgamma" + when, grad_of(bn->weight)},
                                             {"dL/dshift" + when, grad_of(bn->bias)},
                                             {"running_mean" + when, matrix(bn->running_mean)},
                                             {"running_var" + when, matrix(bn->running_var)}};
    }
    check_piece(
        "BatchNorm",
        [&](const Perturb& perturb) {
            bp::BatchNorm layer(n, 1e-5, 0.1);
            layer.gamma = gamma;
            layer.shift = shift;
            perturb("gamma", layer.gamma);
            Quantities q;
            for (int s = 0; s <= steps; ++s) {
                const bool training = s < steps;
                layer.set_training(training);
                layer.zero_grad();
                const Matrix y = layer.forward(z[s]);
                const Matrix dz = layer.backward(G[s]);
                const std::string when = training ? " (training step " + std::to_string(s + 1) + ")" : " (evaluation)";
                q = q + Quantities{{"y" + when, y},
                                   {"dL/dz" + when, dz},
                                   {"dL/dgamma" + when, layer.dgamma},
                                   {"dL/dshift" + when, layer.dshift},
                                   {"running_mean" + when, layer.running_mean},
                                   {"running_var" + when, layer.running_var}};
            }
            return q;
        },
        torch_side);
}

TEST(TorchGraph, AnExpressionWithEveryOpAgreesWithAutograd) {
    bp::Rng rng(71);
    const Matrix x = random(rng, 3, 5), W1 = random(rng, 4, 3), W2 = random(rng, 2, 4), t = random(rng, 2, 5);
    const Vector b1 = random_vector(rng, 4), b2 = random_vector(rng, 2);
    const Matrix y = one_hot_columns(rng, 2, 5);
    // z1 = W1 x + b1; g = sigmoid(z1) ⊙ tanh(z1) + (1 - sigmoid(z1)) ⊙ relu(z1); z2 = W2 g + b2;
    // L = softmax_cross_entropy(z2, y) + mse(0.5 (z2 - W2 g), t) + 0.01 sum(tanh(z1) ⊙ tanh(z1)).
    // The graph keeps the course's layout (columns), so torch computes the same matrices here:
    // W x, not x W^T. mse is the course's, with its 1/2 (torch's mse_loss * n / 2); the softmax
    // cross-entropy takes its columns as torch's rows.
    torch::Tensor xt = leaf(x), W1t = leaf(W1), b1t = leaf(b1), W2t = leaf(W2), b2t = leaf(b2);
    const torch::Tensor z1 = torch::matmul(W1t, xt) + b1t.unsqueeze(1);
    const torch::Tensor s = torch::sigmoid(z1), h = torch::tanh(z1);
    const torch::Tensor g = s * h + (1 - s) * torch::relu(z1);
    const torch::Tensor W2g = torch::matmul(W2t, g);
    const torch::Tensor z2 = W2g + b2t.unsqueeze(1);
    const torch::Tensor L =
        F::cross_entropy(z2.t(), tensor(y).t()) + F::mse_loss(0.5 * (z2 - W2g), tensor(t)) * (2.0 / 2) + 0.01 * (h * h).sum();
    L.backward();
    const Quantities torch_side{{"L", matrix(L)},         {"z2", matrix(z2)},       {"dL/dx", grad_of(xt)},  {"dL/dW1", grad_of(W1t)},
                                {"dL/db1", grad_of(b1t)}, {"dL/dW2", grad_of(W2t)}, {"dL/db2", grad_of(b2t)}};
    check_piece(
        "Graph",
        [&](const Perturb& perturb) {
            Matrix W1c = W1;
            perturb("W1", W1c);
            bp::Graph gr;
            const bp::Var xv = gr.input(x, "x"), W1v = gr.input(W1c, "W1"), b1v = gr.input(b1, "b1"), W2v = gr.input(W2, "W2"),
                          b2v = gr.input(b2, "b2");
            const bp::Var z1v = gr.add_bias(gr.matmul(W1v, xv), b1v);
            const bp::Var sv = gr.sigmoid(z1v), hv = gr.tanh(z1v);
            const bp::Var gv = gr.add(gr.mul(sv, hv), gr.mul(gr.one_minus(sv), gr.relu(z1v)));
            const bp::Var W2gv = gr.matmul(W2v, gv);
            const bp::Var z2v = gr.add_bias(W2gv, b2v);
            const bp::Var Lv = gr.add(gr.add(gr.softmax_cross_entropy(z2v, y), gr.mse(gr.scale(gr.sub(z2v, W2gv), 0.5), t)),
                                      gr.scale(gr.sum(gr.mul(hv, hv)), 0.01));
            gr.backward(Lv);
            return Quantities{{"L", gr.value(Lv)},      {"z2", gr.value(z2v)},    {"dL/dx", gr.grad(xv)},  {"dL/dW1", gr.grad(W1v)},
                              {"dL/db1", gr.grad(b1v)}, {"dL/dW2", gr.grad(W2v)}, {"dL/db2", gr.grad(b2v)}};
        },
        torch_side);
}

TEST(TorchBatchNorm, ANetworkWithBatchNormTrainsAsInTorchThenEvaluates) {
    // Dense (identity) -> BatchNorm -> ReLU -> Dense, three steps of basic_train_step with
    // Momentum (the running statistics and the weights move together), then a forward in
    // evaluation mode on another batch. torch: F::batch_norm with the same running tensors.
    bp::Rng rng(62);
    const Matrix W1 = random(rng, 4, 3), W2 = random(rng, 2, 4), x = random(rng, 3, 6, 2.0), x_eval = random(rng, 3, 4, 2.0);
    const Vector b1 = random_vector(rng, 4), b2 = random_vector(rng, 2);
    const Vector gamma = rng.uniform_matrix(4, 1, 0.5, 2.0), shift = random_vector(rng, 4);
    const Matrix y = one_hot_columns(rng, 2, 6);
    const int steps = 3;
    const double lr = 0.2, beta = 0.9;

    const Named leaves{{"layer1.W", leaf(W1)},        {"layer1.b", leaf(b1)}, {"layer2.gamma", leaf(gamma)},
                       {"layer2.shift", leaf(shift)}, {"layer4.W", leaf(W2)}, {"layer4.b", leaf(b2)}};
    std::vector<torch::Tensor> p;
    for (const auto& [name, t] : leaves) p.push_back(t);
    torch::Tensor running_mean = torch::zeros({4}, torch::kDouble), running_var = torch::ones({4}, torch::kDouble);
    auto forward = [&](const torch::Tensor& input, bool training) {
        const torch::Tensor z = F::linear(input, p[0], p[1]);
        const torch::Tensor bn = F::batch_norm(
            z, running_mean, running_var, F::BatchNormFuncOptions().weight(p[2]).bias(p[3]).training(training).momentum(0.1).eps(1e-5));
        return F::linear(torch::relu(bn), p[4], p[5]);
    };
    torch::optim::SGD opt(p, torch::optim::SGDOptions(lr).momentum(beta));
    Quantities torch_side;
    for (int s = 1; s <= steps; ++s) {
        const torch::Tensor loss = F::cross_entropy(forward(as_rows(x), true), as_rows(y));
        opt.zero_grad();
        loss.backward();
        opt.step();
        const std::string after = " after step " + std::to_string(s);
        torch_side = torch_side + Quantities{{"loss at step " + std::to_string(s), matrix(loss)}} + values(leaves, after) +
                     Quantities{{"layer2.running_mean" + after, matrix(running_mean)}, {"layer2.running_var" + after, matrix(running_var)}};
    }
    {
        torch::NoGradGuard no_grad;
        torch_side.push_back({"output in evaluation mode", from_rows(forward(as_rows(x_eval), false))});
    }
    check_piece(
        "Sequential with BatchNorm, trained then evaluated",
        [&](const Perturb& perturb) {
            bp::Sequential net;
            net.add(bp::Dense(W1, b1, bp::Activation::identity));
            bp::BatchNorm& bn = net.add(bp::BatchNorm(4));
            bn.gamma = gamma;
            bn.shift = shift;
            perturb("layer2.gamma", bn.gamma);
            net.add(bp::ActivationLayer(bp::Activation::relu));
            net.add(bp::Dense(W2, b2, bp::Activation::identity));
            bp::Momentum opt_c(lr, beta);
            Quantities q;
            for (int s = 1; s <= steps; ++s) {
                const double loss = bp::basic_train_step(net, bp::softmax_cross_entropy(), opt_c, x, y);
                const std::string after = " after step " + std::to_string(s);
                q = q + Quantities{{"loss at step " + std::to_string(s), scalar(loss)}} + values(net, after) +
                    Quantities{{"layer2.running_mean" + after, bn.running_mean}, {"layer2.running_var" + after, bn.running_var}};
            }
            net.set_training(false);
            q.push_back({"output in evaluation mode", net.forward(x_eval)});
            return q;
        },
        torch_side);
}
