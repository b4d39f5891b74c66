// Chapter 6's library checks: the layers it adds (skip connections, batch normalization, leaky
// ReLU with its own alpha), each through the library's gradient checker with a random upstream
// gradient; bad input refused by name; batch normalization saved and loaded with its running
// averages; clipping by value in the training step; the gradient monitor; and a deep sigmoid
// network that the checker passes although its first gradients are tiny. They wait for the
// exercises they call.
#include "check.hpp"

#include "bp/layers/activation_layer.hpp"
#include "bp/layers/batch_norm.hpp"
#include "bp/fast_mlp.hpp"
#include "bp/check/gradcheck.hpp"
#include "gradient_flow.hpp"
#include "bp/train/gradient_monitor.hpp"
#include "bp/core/loss.hpp"
#include "bp/layers/mlp.hpp"
#include "bp/io/model_file.hpp"
#include "bp/layers/residual.hpp"
#include "bp/train/train.hpp"

#include <unistd.h>

#include <cmath>
#include <limits>

namespace {

using bp::Activation;
using bp::Matrix;
using bp::Vector;

using bp_test::error_of;

// The library's checker on `layer` with L = sum(G ⊙ layer(x)) for a random G: every parameter
// and the input x (as "x"). With L = sum(y) instead, batch normalization's dz would be 0 for
// any formula.
bp::GradientCheck check_layer(bp::Layer& layer, Matrix x, const Matrix& G) {
    Matrix dx = Matrix::Zero(x.rows(), x.cols());
    std::vector<bp::Parameter> params = layer.parameters();
    params.emplace_back("x", x, dx);
    const auto loss = [&] { return bp_test::weighted_sum(G, layer.forward(x)); };
    const auto backward = [&] {
        layer.zero_grad();
        layer.forward(x);
        dx = layer.backward(G);
    };
    return bp::check_gradients(params, loss, backward);
}

#define EXPECT_CHECK_PASSES(check)             \
    do {                                       \
        const bp::GradientCheck c_ = (check);  \
        EXPECT_TRUE(c_.passed) << c_.report(); \
    } while (false)

// ---- the layers, through the library's gradient checker ----

TEST(Ch06GradCheck, BatchNormInTrainingMode) {
    bp::Rng rng(631);
    bp::BatchNorm bn(4, 1e-3);
    bn.gamma = rng.uniform_matrix(4, 1, 0.5, 2).col(0);
    bn.shift = rng.uniform_matrix(4, 1, -1, 1).col(0);
    EXPECT_CHECK_PASSES(check_layer(bn, rng.uniform_matrix(4, 6, -2, 2), rng.uniform_matrix(4, 6, -1, 1)));
}

TEST(Ch06GradCheck, BatchNormInEvaluationMode) {
    bp::Rng rng(632);
    bp::BatchNorm bn(3);
    bn.running_mean = rng.uniform_matrix(3, 1, -1, 1).col(0);
    bn.running_var = rng.uniform_matrix(3, 1, 0.5, 2).col(0);
    bn.gamma << 1.2, -0.4, 0.8;
    bn.set_training(false);
    EXPECT_CHECK_PASSES(check_layer(bn, rng.uniform_matrix(3, 5, -2, 2), rng.uniform_matrix(3, 5, -1, 1)));
}

TEST(Ch06GradCheck, ResidualBlock) {
    bp::Rng rng(633);
    bp::Residual block(bp::Dense(4, 4, Activation::tanh, rng));
    EXPECT_CHECK_PASSES(check_layer(block, rng.uniform_matrix(4, 5, -1, 1), rng.uniform_matrix(4, 5, -1, 1)));
}

TEST(Ch06GradCheck, LeakyReluLayerWithItsOwnAlpha) {
    bp::Rng rng(634);
    bp::ActivationLayer layer(Activation::leaky_relu, 0.2);
    Matrix x = rng.uniform_matrix(3, 4, -1, 1);
    x = (x.array().abs() < 0.05).select(0.3, x);  // away from the kink at 0
    EXPECT_CHECK_PASSES(check_layer(layer, x, rng.uniform_matrix(3, 4, -1, 1)));
}

TEST(Ch06GradCheck, ANetworkOfEveryKindWithSoftmaxCrossEntropy) {
    bp::Rng rng(635);
    bp::Sequential net;
    net.add(bp::Dense(3, 5, Activation::identity, rng));
    net.add(bp::BatchNorm(5, 1e-3));
    net.add(bp::ActivationLayer(Activation::tanh));
    net.add(bp::Residual(bp::Dense(5, 5, Activation::sigmoid, rng)));
    net.add(bp::ActivationLayer(Activation::leaky_relu, 0.1));
    net.add(bp::Dense(5, 3, Activation::identity, rng));
    Matrix x = rng.uniform_matrix(3, 6, -1, 1), dx = Matrix::Zero(3, 6);
    const Matrix y = bp_test::one_hot(rng, 3, 6);
    std::vector<bp::Parameter> params = net.parameters();
    params.emplace_back("x", x, dx);
    const auto loss = [&] { return bp::softmax_cross_entropy_loss(net.forward(x), y); };
    const auto backward = [&] {
        net.zero_grad();
        dx = net.backward(bp::softmax_cross_entropy_grad(net.forward(x), y));
    };
    EXPECT_CHECK_PASSES(bp::check_gradients(params, loss, backward));
}

// A 10-layer sigmoid network: its first layer's gradients are around 1e-9, below the noise a
// purely relative test tolerates, and still correct. A planted bug must still fail.
struct DeepSigmoid {
    bp::Rng rng{636};
    bp::Sequential net = bp::deep_network({8, 8, 3, 10, Activation::sigmoid}, rng);
    Matrix x = rng.uniform_matrix(8, 4, -1, 1), dx = Matrix::Zero(8, 4);
    Matrix y = bp_test::one_hot(rng, 3, 4);
    std::vector<bp::Parameter> params() {
        std::vector<bp::Parameter> p = net.parameters();
        p.emplace_back("x", x, dx);
        return p;
    }
    double loss() { return bp::softmax_cross_entropy_loss(net.forward(x), y); }
};

TEST(Ch06GradCheck, ATenLayerSigmoidNetworkWithTinyGradientsPasses) {
    DeepSigmoid d;
    const auto backward = [&] {
        d.net.zero_grad();
        d.dx = d.net.backward(bp::softmax_cross_entropy_grad(d.net.forward(d.x), d.y));
    };
    backward();
    const double first = d.net.at<bp::Dense>(0).dW.cwiseAbs().maxCoeff();
    EXPECT_LT(first, 1e-6) << "the first layer's gradients are tiny: that is the point of this check";
    EXPECT_CHECK_PASSES(bp::check_gradients(
        d.params(), [&] { return d.loss(); }, backward));
}

TEST(Ch06GradCheck, ATenLayerSigmoidNetworkWithAPlantedBugFails) {
    DeepSigmoid d;
    const auto wrong = [&] {  // the first layer's dW off by 10 %: a real mistake, on tiny numbers
        d.net.zero_grad();
        d.dx = d.net.backward(bp::softmax_cross_entropy_grad(d.net.forward(d.x), d.y));
        d.net.at<bp::Dense>(0).dW *= 1.1;
    };
    const bp::GradientCheck check = bp::check_gradients(
        d.params(), [&] { return d.loss(); }, wrong);
    EXPECT_FALSE(check.passed) << "a first layer's dW 10 % off must fail, however small it is:\n" << check.report();
    EXPECT_EQ(check.parameter, "layer1.W") << check.report();
}

// ---- bad input, refused by name ----

TEST(Ch06Layers, BatchNormRefusesWhatItCannotNormalize) {
    bp::BatchNorm bn(3);
    EXPECT_ERROR_MENTIONS(bn.forward(Matrix::Ones(3, 1)),
                          "BatchNorm::forward: shape mismatch: z is 3x1: in training mode a batch needs at least 2 examples");
    EXPECT_ERROR_MENTIONS(bn.forward(Matrix::Ones(2, 4)), "BatchNorm::forward");
    EXPECT_ERROR_MENTIONS(bp::BatchNorm(3).backward(Matrix::Ones(3, 4)), "BatchNorm::backward: run forward first");
    EXPECT_ERROR_MENTIONS(bp::BatchNorm(0), "BatchNorm: shape mismatch: it needs at least one feature");
    EXPECT_ERROR_MENTIONS(bp::BatchNorm(3, 0.0), "BatchNorm: eps must be finite and > 0");
    EXPECT_ERROR_MENTIONS(bp::BatchNorm(3, 1e-5, 1.5), "BatchNorm: momentum must be in (0, 1]");
    std::vector<std::string> names;
    for (const bp::Parameter& p : bn.parameters("layer2")) names.push_back(p.name);
    for (const bp::Buffer& s : bn.buffers("layer2")) names.push_back(s.name);
    EXPECT_EQ(names, (std::vector<std::string>{"layer2.gamma", "layer2.shift", "layer2.running_mean", "layer2.running_var"}))
        << "the shift is not called beta: Adam has a beta of its own";
}

TEST(Ch06Layers, ResidualRefusesAnotherShapeAndBackwardBeforeForward) {
    bp::Rng rng(637);
    const Matrix x = rng.uniform_matrix(3, 4, -1, 1);
    EXPECT_ERROR_MENTIONS(bp::Residual(bp::Dense(3, 2, Activation::relu, rng)).forward(x),
                          "Residual::forward: shape mismatch: the inner dense layer maps x of 3x4 to 2x4");
    EXPECT_ERROR_MENTIONS(bp::Residual(bp::Dense(3, 3, Activation::relu, rng)).backward(x), "Residual::backward: run forward first");
    bp::Residual block(bp::Dense(3, 3, Activation::relu, rng));
    block.forward(x);
    EXPECT_ERROR_MENTIONS(block.backward(Matrix::Ones(3, 2)), "Residual::backward: shape mismatch: dy is 3x2");
}

TEST(Ch06Layers, ALeakyReluLayerUsesItsOwnAlpha) {
    bp::ActivationLayer layer(Activation::leaky_relu, 0.2);
    const Matrix z = bp_test::row({-2, 3});
    EXPECT_MATRIX_NEAR(bp_test::row({-0.4, 3}), layer.forward(z));
    EXPECT_MATRIX_NEAR(bp_test::row({0.2, 1}), layer.backward(bp_test::row({1, 1})));
    EXPECT_ERROR_MENTIONS(bp::ActivationLayer(Activation::leaky_relu, 1.5), "leaky ReLU's alpha must be in [0, 1)");
}

// ---- saved and loaded ----

TEST(Ch06ModelFile, BatchNormKeepsItsRunningAveragesAndLeakyReluItsAlpha) {
    const auto dir = std::filesystem::temp_directory_path() / ("bp-ch06-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    bp::Rng rng(638);
    bp::Sequential net;
    net.add(bp::Dense(3, 4, Activation::identity, rng));
    net.add(bp::BatchNorm(4, 1e-4, 0.2));
    net.add(bp::ActivationLayer(Activation::leaky_relu, 0.05));
    net.add(bp::Residual(bp::Dense(4, 4, Activation::tanh, rng)));
    net.add(bp::Dense(4, 2, Activation::identity, rng));
    for (int i = 0; i < 3; ++i) net.forward(rng.uniform_matrix(3, 8, -1, 3));  // running averages away from 0 and 1
    net.at<bp::BatchNorm>(1).gamma = rng.uniform_matrix(4, 1, 0.5, 1.5).col(0);
    bp::save_model(net, dir / "m.bin");
    bp::Sequential back = bp::load_model(dir / "m.bin");
    std::filesystem::remove_all(dir);
    const auto& a = net.at<bp::BatchNorm>(1);
    const auto& b = back.at<bp::BatchNorm>(1);
    EXPECT_EQ(b.kind(), "batch_norm");
    EXPECT_TRUE(a.running_mean == b.running_mean && a.running_var == b.running_var) << "the running averages, bit for bit";
    EXPECT_TRUE(a.gamma == b.gamma && a.shift == b.shift);
    EXPECT_EQ(a.eps, b.eps);
    EXPECT_EQ(a.momentum, b.momentum);
    EXPECT_EQ(back.at<bp::ActivationLayer>(2).alpha, 0.05);
    net.set_training(false);
    back.set_training(false);
    const Matrix x = rng.uniform_matrix(3, 5, -1, 1);
    EXPECT_TRUE(net.forward(x) == back.forward(x)) << "the loaded model answers as the saved one, in evaluation mode";
}

// ---- clipping by value in training ----

TEST(Ch06Training, TheStepClipsByValueAfterTheHookHasSeenTheGradients) {
    bp::Rng rng(639);
    const bp::Dataset data = bp::spiral(3, 10, 0.1, rng);
    bp::Mlp net({2, 8, 3}, Activation::relu, Activation::identity, rng);
    Matrix x, y;
    data.batch({}, 0, 30, x, y);
    bp::Sgd sgd(0.0);  // no step: the gradients are left as the step used them
    bp::EpochOptions options;
    options.clip_value = 1e-3;
    double largest_seen = 0;
    options.after_backward = [&](long, double, const std::vector<bp::Parameter>& params) {
        for (const bp::Parameter& p : params) largest_seen = std::max(largest_seen, p.grad().cwiseAbs().maxCoeff());
    };
    bp::train_step(net, bp::softmax_cross_entropy(), sgd, x, y, options, 0);
    EXPECT_GT(largest_seen, 1e-3) << "the hook sees the gradients before clipping";
    for (const bp::Parameter& p : net.parameters()) EXPECT_LE(p.grad().cwiseAbs().maxCoeff(), 1e-3) << p.name << " after the step";
}

TEST(Ch06Training, FastMlpSaysItCannotClipByValue) {
    bp::Rng rng(640);
    const bp::Dataset data = bp::spiral(3, 10, 0.1, rng);
    bp::FastMlp<float> fast(bp::Mlp({2, 8, 3}, Activation::relu, Activation::identity, rng), 0.01);
    bp::EpochOptions options;
    options.clip_value = 1;
    long step = 0;
    EXPECT_ERROR_MENTIONS(bp::train_epoch(fast, data, options, rng, step), "FastMlp clips by global norm only");
}

// ---- the gradient monitor ----

TEST(Ch06Monitor, RecordsNormsRatiosAndSaturationByName) {
    bp::Rng rng(641);
    bp::Sequential net;
    net.add(bp::Dense(2, 4, Activation::sigmoid, rng));
    net.add(bp::Residual(bp::Dense(4, 4, Activation::relu, rng)));
    net.add(bp::Dense(4, 3, Activation::identity, rng));
    const bp::Dataset data = bp::spiral(3, 10, 0.1, rng);
    Matrix x, y;
    data.batch({}, 0, 30, x, y);
    bp::Sgd sgd(0.1);
    bp::GradientMonitor monitor(net, sgd, 2);
    bp::EpochOptions options;
    monitor.hook_into(options);
    for (long step = 0; step < 5; ++step) bp::train_step(net, bp::softmax_cross_entropy(), sgd, x, y, options, step);
    ASSERT_EQ(monitor.records().size(), 3u) << "every 2 steps: steps 0, 2 and 4";
    const auto& r = monitor.records().back();
    EXPECT_EQ(r.step, 4);
    ASSERT_EQ(r.parameters.size(), 6u);
    EXPECT_EQ(r.parameters[2].name, "layer2.inner.W");
    double squares = 0;
    for (const auto& p : r.parameters) {
        const double want = p.value_norm > 0 ? 0.1 * p.grad_norm / p.value_norm : 0.0;  // a bias still at 0 has no ratio
        EXPECT_NEAR(p.update_ratio, want, 1e-15) << p.name << ": lr ||grad|| / ||value||";
        squares += p.grad_norm * p.grad_norm;
    }
    EXPECT_NEAR(r.global_norm, std::sqrt(squares), 1e-12);
    ASSERT_EQ(r.activations.size(), 2u) << "the sigmoid and the ReLU layers (the identity output is left out)";
    EXPECT_EQ(r.activations[0].layer, "layer1");
    EXPECT_EQ(r.activations[1].layer, "layer2.inner");
    const auto& inner = net.at<bp::Residual>(1).inner_as<bp::Dense>();
    EXPECT_EQ(r.activations[1].saturated, bp::saturated_fraction(Activation::relu, inner.a)) << "of the output of step 4's forward";
    EXPECT_EQ(monitor.grad_norms_of("layer1.W").size(), 3u);
    EXPECT_NE(monitor.report().find("layer2.inner.W"), std::string::npos) << monitor.report();
    EXPECT_FALSE(monitor.divergence());
}

TEST(Ch06Monitor, WarnsOfTheFailuresChapter6Teaches) {
    using Record = bp::GradientMonitor::Record;
    Record healthy;
    healthy.parameters = {{"layer1.W", 0.5, 10, 1e-3, true}, {"layer1.b", 0.1, 1, 1e-3, false}, {"layer2.W", 1.0, 10, 1e-3, true}};
    healthy.activations = {{"layer1", Activation::relu, 0.3}};
    EXPECT_TRUE(bp::record_warnings(healthy).empty());
    EXPECT_EQ(bp::format_record(healthy).find("warning"), std::string::npos) << bp::format_record(healthy);

    Record dead = healthy;  // what --lr 3 left: a dead layer, and no gradient but the output bias's
    dead.parameters[0].grad_norm = dead.parameters[1].grad_norm = dead.parameters[2].grad_norm = 0;
    dead.activations[0].saturated = 1;
    const std::string text = bp::format_record(dead);
    EXPECT_MENTIONS(text, "warning: the gradient of layer1.W, layer1.b, layer2.W is 0: they no longer learn");
    EXPECT_MENTIONS(text, "warning: layer1: every unit is dead on this batch");

    Record vanishing = healthy;
    vanishing.parameters[0].grad_norm = 1e-9;
    EXPECT_MENTIONS(bp::format_record(vanishing), "||grad|| of layer1.W / ||grad|| of layer2.W = 1.00e-09: the gradient vanishes");
    Record exploding = healthy;
    exploding.parameters[0].grad_norm = 1e5;
    exploding.parameters[0].update_ratio = 2;
    EXPECT_MENTIONS(bp::format_record(exploding), "= 1.00e+05: the gradient explodes");
    EXPECT_MENTIONS(bp::format_record(exploding),
                    "layer1.W: lr ||grad|| / ||value|| = 2.00e+00: an SGD step would be larger than the weights");

    Record through_time;
    through_time.hidden = {{"rnn", {1e-7, 1e-3, 1.0}}};
    EXPECT_MENTIONS(bp::format_record(through_time),
                    "rnn: ||dL/dh_1|| / ||dL/dh_T|| = 1.00e-07: the gradient vanishes on its way back through time");
}

TEST(Ch06Monitor, NamesTheFirstStepThatIsNotFiniteAsTrainingDoes) {
    bp::Rng rng(642);
    const bp::Dataset data = bp::spiral(3, 10, 0.1, rng);
    bp::Mlp net({2, 8, 3}, Activation::relu, Activation::identity, rng);
    Matrix x, y;
    data.batch({}, 0, 30, x, y);
    bp::Loss broken = bp::softmax_cross_entropy();
    int calls = 0;
    broken.grad = [&](const Matrix& out, const Matrix& t) {  // an overflow at the third step
        Matrix d = bp::softmax_cross_entropy_grad(out, t);
        if (++calls == 3) d(1, 2) = std::numeric_limits<double>::infinity();
        return d;
    };
    bp::Sgd sgd(0.01);
    bp::GradientMonitor monitor(net, sgd, 100);
    bp::EpochOptions options;
    monitor.hook_into(options);
    std::string said;
    try {
        for (long step = 0; step < 5; ++step) bp::train_step(net, broken, sgd, x, y, options, step);
    } catch (const bp::Diverged& e) {
        said = e.what();
    }
    const auto& diverged = monitor.divergence();
    ASSERT_TRUE(diverged) << "the monitor saw the step that was not finite";
    EXPECT_EQ(diverged.value().step, 2);
    EXPECT_EQ(diverged.value().parameter, "layer1.W");
    EXPECT_NE(said.find("at step 2: " + diverged.value().detail), std::string::npos)
        << "the monitor and bp::Diverged say the same: " << said << " / " << diverged.value().detail;
    EXPECT_EQ(monitor.records().back().step, 2) << "the step that diverged is recorded, whatever `every` says";
    EXPECT_NE(monitor.report().find("first value that is not finite: at step 2, the gradient of layer1.W is"), std::string::npos)
        << monitor.report();

    bp::GradientMonitor loss_watch(net, sgd);
    loss_watch.observe(7, std::numeric_limits<double>::quiet_NaN(), net.parameters());
    const auto& loss_diverged = loss_watch.divergence();
    ASSERT_TRUE(loss_diverged);
    EXPECT_EQ(loss_diverged.value().detail, "the loss is nan");
    EXPECT_EQ(loss_diverged.value().parameter, "");
}

TEST(Ch06Monitor, WithEveryZeroItOnlyWatches) {
    bp::Rng rng(644);
    bp::Mlp net({2, 3}, Activation::relu, Activation::identity, rng);
    bp::Sgd sgd(0.1);
    bp::GradientMonitor watch(net, sgd, 0);
    watch.observe(0, 1.0, net.parameters());
    net.dense(0).dW(0, 1) = std::numeric_limits<double>::quiet_NaN();
    watch.observe(1, 1.0, net.parameters());
    EXPECT_TRUE(watch.records().empty()) << "every = 0 records nothing, so it calls no exercise";
    const auto& diverged = watch.divergence();
    ASSERT_TRUE(diverged);
    EXPECT_EQ(diverged.value().detail, "the gradient of layer1.W is nan at row 0, column 1");
}

TEST(Ch06Monitor, RefusesNonsense) {
    bp::Rng rng(643);
    bp::Mlp net({2, 2}, Activation::relu, Activation::identity, rng);
    bp::Sgd sgd(0.1);
    EXPECT_ERROR_MENTIONS(bp::GradientMonitor(net, sgd, -1), "GradientMonitor: `every` must be at least 0");
    EXPECT_ERROR_MENTIONS(bp::saturated_fraction(Activation::softmax, Matrix::Ones(2, 2)), "saturated_fraction: softmax");
    EXPECT_ERROR_MENTIONS(bp::saturated_fraction(Activation::relu, Matrix(0, 3)), "saturated_fraction");
}

}  // namespace
