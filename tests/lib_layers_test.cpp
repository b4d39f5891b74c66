// The layer interface and what rests on it: Sequential, the activation layer, parameters that
// follow their matrices, optimizer state by name, the training step and its divergence
// checks, and the graph's parameter leaves. These are library checks (suites Lib*):
// they also need the exercises they call, and wait for them until then. Chapter 6's layers
// (Residual, BatchNorm) are checked in tests/ch06_library_test.cpp.
#include "check.hpp"
#include "reference_cases.hpp"

#include "bp/layers/activation_layer.hpp"
#include "bp/layers/batch_norm.hpp"
#include "bp/autodiff/graph.hpp"
#include "bp/core/loss.hpp"
#include "bp/layers/mlp.hpp"
#include "bp/layers/residual.hpp"
#include "bp/train/gradient_monitor.hpp"
#include "bp/train/train.hpp"

#include <cmath>
#include <limits>

namespace {

using bp::Activation;
using bp::Matrix;
using bp::Vector;
using bp_test::NamedList;

using bp_test::error_of;

const bp_test::ReferenceCase& reference_case(const std::string& exercise, const std::string& name) {
    static const std::vector<bp_test::ReferenceCase> all = bp_test::all_reference_cases();
    for (const auto& c : all)
        if (c.exercise == exercise && c.name == name) return c;
    throw std::logic_error("no reference case " + exercise + " " + name);
}

// A Sequential made layer by layer from given weights: the same numbers as the Mlp of the
// chapters, to the last bit.
TEST(LibLayers, SequentialOfDenseLayersEqualsTheMlp) {
    const NamedList& in = reference_case("1.12", "network_2_3_2").inputs;  // W1, b1, W2, b2, x
    bp::Sequential seq;
    seq.add(bp::Dense(in[0].value, in[1].value.col(0), Activation::sigmoid));
    seq.add(bp::Dense(in[2].value, in[3].value.col(0), Activation::softmax));
    bp::Mlp mlp = bp_test::network_from({2, 3, 2}, Activation::sigmoid, Activation::softmax, in);
    const Matrix by_seq = seq.forward(in[4].value), by_mlp = mlp.forward(in[4].value);
    EXPECT_TRUE(by_seq == by_mlp) << "forward differs:\n" << bp_test::format_matrix(by_seq) << bp_test::format_matrix(by_mlp);

    const NamedList& back = reference_case("3.4", "network_2_3_2").inputs;  // W1, b1, W2, b2, x, dz_out
    bp::Sequential seq3;
    seq3.add(bp::Dense(back[0].value, back[1].value.col(0), Activation::tanh));
    seq3.add(bp::Dense(back[2].value, back[3].value.col(0), Activation::identity));
    bp::Mlp mlp3 = bp_test::network_from({2, 3, 2}, Activation::tanh, Activation::identity, back);
    seq3.forward(back[4].value);
    mlp3.forward(back[4].value);
    EXPECT_TRUE(seq3.backward(back[5].value) == mlp3.backward(back[5].value));
    EXPECT_TRUE(seq3.at<bp::Dense>(0).dW == mlp3.dense(0).dW && seq3.at<bp::Dense>(1).db == mlp3.dense(1).db);
}

TEST(LibLayers, SequentialNamesItsLayersAndRefusesTheWrongKind) {
    bp::Rng rng(1);
    bp::Sequential net;
    net.add(bp::Dense(3, 4, Activation::identity, rng));
    net.add(bp::ActivationLayer(Activation::tanh));
    net.add(bp::Residual(bp::Dense(4, 4, Activation::relu, rng)));
    std::vector<std::string> names;
    for (const bp::Parameter& p : net.parameters()) names.push_back(p.name);
    EXPECT_EQ(names, (std::vector<std::string>{"layer1.W", "layer1.b", "layer3.inner.W", "layer3.inner.b"}));
    EXPECT_ERROR_MENTIONS(net.at<bp::Dense>(1), "layer2 is a activation layer, not a bp::Dense");
    EXPECT_ERROR_MENTIONS(net.at<bp::Dense>(7), "there is no layer8");
    const bp::Sequential copy = net;  // a deep copy: changing one leaves the other
    net.at<bp::Dense>(0).W.setZero();
    EXPECT_FALSE(copy.at<bp::Dense>(0).W.isZero()) << "at<L> on a const network";
    EXPECT_ERROR_MENTIONS(copy.at<bp::Residual>(0), "layer1 is a dense layer, not a bp::Residual");
    EXPECT_ERROR_MENTIONS(copy.at(3), "there is no layer4");
}

// add() refuses a null layer; one put into the public `layers` directly is named by whatever
// walks the layers, instead of crashing it.
TEST(LibLayers, ANullLayerIsRefusedByNameNotFollowed) {
    bp::Rng rng(1);
    bp::Sequential net;
    EXPECT_ERROR_MENTIONS(net.add(std::unique_ptr<bp::Layer>()), "Sequential::add: the layer is null");
    EXPECT_EQ(net.size(), 0u);
    net.add(bp::Dense(3, 4, Activation::relu, rng));
    net.layers.emplace_back();  // layer2: an empty pointer
    net.add(bp::Dense(4, 2, Activation::identity, rng));
    const Matrix x = Matrix::Ones(3, 2);
    EXPECT_ERROR_MENTIONS(net.forward(x), "Sequential::forward: layer2 is null");
    EXPECT_ERROR_MENTIONS(net.backward(Matrix::Ones(2, 2)), "Sequential::backward: layer2 is null");
    EXPECT_ERROR_MENTIONS(net.parameters(), "Sequential::children: layer2 is null");
    EXPECT_ERROR_MENTIONS(net.zero_grad(), "layer2 is null");
    EXPECT_ERROR_MENTIONS(net.at(1), "Sequential::at: layer2 is null");
    EXPECT_ERROR_MENTIONS(net.sizes(), "Sequential::sizes: layer2 is null");
    EXPECT_ERROR_MENTIONS(bp::Sequential(net), "layer2 is null");
    EXPECT_ERROR_MENTIONS(net.require_sizes_fit("load_model"), "load_model: layer2 is null");
}

TEST(LibLayers, AnMlpWithASoftmaxOutputRunsForwardButRefusesBackward) {
    bp::Rng rng(3);
    bp::Mlp net({3, 4, 2}, Activation::tanh, Activation::softmax, rng);  // chapter 1's demo builds one to show probabilities
    const Matrix x = rng.uniform_matrix(3, 5, -1, 1);
    EXPECT_HOLDS(bp_test::matrices_near("column sums", Matrix::Ones(1, 5), Matrix(net.forward(x).colwise().sum()), 1e-12));
    EXPECT_THROW(net.backward(Matrix::Ones(2, 5)), bp::UsageError);
    EXPECT_ERROR_MENTIONS(net.backward(Matrix::Ones(2, 5)), "Mlp::backward: layer2 ends in softmax");
    EXPECT_ERROR_MENTIONS(net.backward(Matrix::Ones(2, 5)), "should end at its logits");
    EXPECT_ERROR_MENTIONS(net.backward(Matrix::Ones(2, 5)), "the loss applies softmax");
    EXPECT_TRUE(net.dense(0).dW.isZero() && net.dense(1).db.isZero()) << "refused before any gradient changed";
}

// train_step's backward pass: every gradient backward makes, without dL/dx (the first Dense
// layer skips W^T dz). Bit for bit: the same products and sums in the same order.
TEST(LibLayers, BackwardParametersAddsTheGradientsBackwardAdds) {
    bp::Rng rng(4);
    bp::Mlp net({3, 5, 4, 2}, Activation::relu, Activation::identity, rng);
    bp::Sequential mixed;  // a first layer of another kind takes the default: backward, dx dropped
    mixed.add(bp::ActivationLayer(Activation::tanh));
    mixed.add(bp::Dense(3, 2, Activation::identity, rng));
    for (bp::Layer* model : {static_cast<bp::Layer*>(&net), static_cast<bp::Layer*>(&mixed)}) {
        const Matrix x = rng.uniform_matrix(3, 6, -1, 1), dy = rng.uniform_matrix(2, 6, -1, 1);
        model->zero_grad();
        model->forward(x);
        model->backward(dy);
        std::vector<Matrix> expected;
        for (const bp::Parameter& p : model->parameters()) expected.emplace_back(p.grad());
        model->zero_grad();
        model->forward(x);
        model->backward_parameters(dy);
        const std::vector<bp::Parameter> params = model->parameters();
        for (std::size_t i = 0; i < params.size(); ++i)
            EXPECT_TRUE(params[i].grad() == expected[i]) << params[i].name << ": " << params[i].grad() << "\nbackward gave\n"
                                                         << expected[i];
    }
    bp::Mlp softmax_out({3, 2}, Activation::identity, Activation::softmax, rng);
    softmax_out.forward(Matrix::Ones(3, 2));
    EXPECT_ERROR_MENTIONS(softmax_out.backward_parameters(Matrix::Ones(2, 2)), "Mlp::backward_parameters: layer1 ends in softmax");
}

TEST(LibLayers, AResidualsInnerLayerIsReachedWithItsType) {
    bp::Rng rng(2);
    bp::Residual block(bp::Dense(4, 4, Activation::relu, rng));
    block.inner_as<bp::Dense>().b.setConstant(0.5);  // no cast of the caller's
    const bp::Residual& read_only = block;
    EXPECT_EQ(read_only.inner_as<bp::Dense>().b, Vector::Constant(4, 0.5));
    EXPECT_EQ(&read_only.inner_as<bp::Layer>(), &block.inner());
    EXPECT_THROW(block.inner_as<bp::BatchNorm>(), bp::UsageError);
    EXPECT_ERROR_MENTIONS(block.inner_as<bp::BatchNorm>(), "Residual::inner_as: the inner layer is a dense layer, not a bp::BatchNorm");
    EXPECT_ERROR_MENTIONS(read_only.inner_as<bp::ActivationLayer>(), "dense layer, not a bp::ActivationLayer");
}

TEST(LibLayers, EvaluationModeGivesTheSameOutputTwice) {
    bp::Rng rng(4);
    bp::Mlp net({3, 5, 2}, Activation::relu, Activation::identity, rng);
    net.set_training(false);
    EXPECT_FALSE(net.dense(1).training()) << "set_training reaches every layer";
    const Matrix x = rng.uniform_matrix(3, 4, -1, 1);
    const Matrix first = net.forward(x);
    EXPECT_TRUE(first == net.forward(x));
}

TEST(LibParameters, FollowTheirMatricesWhenTheyAreReplaced) {
    bp::Rng rng(5);
    bp::Dense layer(2, 3, Activation::relu, rng);
    const std::vector<bp::Parameter> params = layer.parameters();
    layer.dW = Matrix::Constant(3, 2, 7.0);  // a new buffer, as dW = some_function() gives
    EXPECT_TRUE(Matrix(params[0].grad()) == layer.dW) << "the parameter reads the new gradient";
    layer.W = Matrix::Ones(3, 2);
    params[0].value() *= 2;
    EXPECT_TRUE(layer.W == Matrix::Constant(3, 2, 2.0)) << "an update through the parameter reaches the new W";
    layer.W = Matrix::Ones(3, 5);  // another shape: value and gradient no longer match
    EXPECT_ERROR_MENTIONS(params[0].grad(), "Parameter W: shape mismatch: the value is 3x5 but its gradient is 3x2");
    layer.zero_grad();  // a Dense layer's gradients follow its weights' shape
    EXPECT_EQ(params[0].grad().cols(), 5);
}

TEST(LibOptimizers, NameAParameterThatAppearsDisappearsOrChangesShape) {
    Matrix w = Matrix::Ones(2, 2), g = Matrix::Ones(2, 2), v = Matrix::Ones(2, 1), gv = Matrix::Ones(2, 1);
    bp::Adam adam;
    adam.step({bp::Parameter("layer1.W", w, g), bp::Parameter("layer1.b", v, gv)});
    EXPECT_ERROR_MENTIONS(adam.step({bp::Parameter("layer1.W", w, g), bp::Parameter("layer1.c", v, gv)}), "layer1.c was not there");
    EXPECT_ERROR_MENTIONS(adam.step({bp::Parameter("layer1.W", w, g)}), "layer1.b was there at the first step");
    Matrix w3 = Matrix::Ones(3, 2), g3 = Matrix::Ones(3, 2);
    EXPECT_ERROR_MENTIONS(adam.step({bp::Parameter("layer1.W", w3, g3), bp::Parameter("layer1.b", v, gv)}), "layer1.W is 3x2 but was 2x2");
    bp::Momentum momentum(0.1);
    momentum.step({bp::Parameter("a", w, g), bp::Parameter("b", v, gv)});
    momentum.step({bp::Parameter("b", v, gv), bp::Parameter("a", w, g)});  // another order is the same parameters
    EXPECT_TRUE(momentum.velocity.at("b").rows() == 2 && momentum.velocity.at("b").cols() == 1);
}

TEST(LibOptimizers, AdamWTakesAdamsSettingsAfterItsWeightDecay) {
    const bp::AdamW plain(0.01, 0.1);
    EXPECT_EQ(plain.weight_decay, 0.1);
    EXPECT_TRUE(plain.beta1 == 0.9 && plain.beta2 == 0.999 && plain.eps == 1e-8) << "Adam's defaults";
    const bp::AdamW given(0.01, 0.1, 0.8, 0.99, 1e-6);
    EXPECT_TRUE(given.lr == 0.01 && given.weight_decay == 0.1) << "AdamW(lr, weight_decay) reads as before";
    EXPECT_TRUE(given.beta1 == 0.8 && given.beta2 == 0.99 && given.eps == 1e-6);
}

TEST(LibOptimizers, RefuseSettingsOutOfRangeByName) {
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    EXPECT_ERROR_MENTIONS(bp::Sgd(nan), "the learning rate must be finite");
    EXPECT_ERROR_MENTIONS(bp::Sgd(inf), "the learning rate must be finite");
    EXPECT_ERROR_MENTIONS(bp::Adam(-1e-3), "the learning rate must be finite and at least 0, got -0.001");
    EXPECT_ERROR_MENTIONS(bp::Adam(1e-3, 1.0), "Adam: beta1 must be in [0, 1), got 1");
    EXPECT_ERROR_MENTIONS(bp::Adam(1e-3, 0.9, 1.0), "Adam: beta2 must be in [0, 1)");
    EXPECT_ERROR_MENTIONS(bp::Adam(1e-3, 0.9, 0.999, 0.0), "Adam: eps must be");
    EXPECT_ERROR_MENTIONS(bp::Momentum(0.1, -0.5), "Momentum: beta must be in [0, 1)");
    EXPECT_ERROR_MENTIONS(bp::RmsProp(0.1, 1.0), "RmsProp: rho must be in [0, 1)");
    EXPECT_ERROR_MENTIONS(bp::AdamW(0.1, -1), "AdamW: the weight decay must be");
    EXPECT_ERROR_MENTIONS(bp::AdamW(0.1, 0.01, 1.0), "AdamW: beta1 must be in [0, 1), got 1");
    EXPECT_ERROR_MENTIONS(bp::AdamW(0.1, 0.01, 0.9, -0.1), "AdamW: beta2 must be in [0, 1)");
    EXPECT_ERROR_MENTIONS(bp::AdamW(0.1, 0.01, 0.9, 0.999, 0.0), "AdamW: eps must be");
    Matrix w = Matrix::Ones(1, 1), g = Matrix::Ones(1, 1);
    bp::Sgd sgd(0.1);
    sgd.lr = nan;  // as a schedule gone wrong might set it
    EXPECT_ERROR_MENTIONS(sgd.step({bp::Parameter("w", w, g)}), "Sgd::step: the learning rate must be finite");
    EXPECT_ERROR_MENTIONS(bp::cosine_schedule(0.1, -1, 10), "cosine_schedule: step must be >= 0");
    EXPECT_ERROR_MENTIONS(bp::step_schedule(0.1, -1, 2, 0.5), "step_schedule: epoch must be >= 0");
    EXPECT_ERROR_MENTIONS(bp::cosine_schedule(inf, 1, 10), "cosine_schedule: lr0 must be finite");
}

// The settings are public: one set after construction is checked where the step reads it, by
// name, before any weight moves (Adam with beta1 = 1 divides by 1 - beta1^t = 0: NaN weights).
TEST(LibOptimizers, ASettingChangedAfterConstructionIsRefusedByTheStep) {
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    Matrix w = Matrix::Ones(2, 1), g = Matrix::Constant(2, 1, 0.5);
    const auto refused = [&](bp::Optimizer& opt, const char* words) {
        EXPECT_ERROR_MENTIONS(opt.step({bp::Parameter("w", w, g)}), words);
        EXPECT_TRUE(w == Matrix::Ones(2, 1)) << "refused before the step: w is\n" << bp_test::format_matrix(w);
    };
    bp::Adam adam(1e-3);
    adam.beta1 = 1;
    refused(adam, "Adam::step: beta1 must be in [0, 1), got 1");
    adam.beta1 = 0.9, adam.beta2 = nan;
    refused(adam, "Adam::step: beta2 must be in [0, 1), got nan");
    adam.beta2 = 0.999, adam.eps = 0;
    refused(adam, "Adam::step: eps must be");
    adam.eps = 1e-8, adam.t = -3;
    refused(adam, "Adam::step: t, the steps taken, must be >= 0, got -3");
    bp::AdamW adamw(1e-3);
    adamw.weight_decay = -0.1;
    refused(adamw, "AdamW::step: the weight decay must be finite and at least 0, got -0.1");
    adamw.weight_decay = 0.01, adamw.beta2 = 1;
    refused(adamw, "AdamW::step: beta2 must be in [0, 1), got 1");
    bp::Momentum momentum(0.1);
    momentum.beta = 1;
    refused(momentum, "Momentum::step: beta must be in [0, 1), got 1");
    bp::Nesterov nesterov(0.1);
    nesterov.beta = -0.5;
    refused(nesterov, "Nesterov::step: beta must be in [0, 1), got -0.5");
    bp::RmsProp rmsprop(0.1);
    rmsprop.rho = inf;
    refused(rmsprop, "RmsProp::step: rho must be in [0, 1), got inf");
    rmsprop.rho = 0.9, rmsprop.eps = -1e-8;
    refused(rmsprop, "RmsProp::step: eps must be");
    rmsprop.eps = 1e-8, rmsprop.lr = -1;
    refused(rmsprop, "RmsProp::step: the learning rate must be finite and at least 0, got -1");
}

TEST(LibOptimizers, ClippingAnInfiniteGradientSaysSo) {
    Matrix w = Matrix::Ones(2, 2), g = Matrix::Ones(2, 2);
    g(1, 0) = std::numeric_limits<double>::infinity();
    EXPECT_ERROR_MENTIONS(bp::clip_grad_norm({bp::Parameter("layer2.W", w, g)}, 1.0),
                          "clip_grad_norm: the gradient of layer2.W is not finite: inf at row 1, column 0");
}

// A spiral classifier and a batch of it, for the training-step tests.
struct SmallTraining {
    bp::Rng rng{6};
    bp::Dataset data = bp::spiral(3, 10, 0.1, rng);
    bp::Mlp net{{2, 8, 3}, Activation::relu, Activation::identity, rng};
    Matrix x, y;
    SmallTraining() { data.batch({}, 0, 30, x, y); }
};

TEST(LibTraining, TheHookSeesEveryNamedGradientBeforeClipping) {
    SmallTraining t;
    bp::Sgd sgd(0.1);
    bp::EpochOptions options;
    options.clip_norm = 1e-3;
    double seen_norm = 0;
    std::vector<std::string> names;
    options.after_backward = [&](long step, double, const std::vector<bp::Parameter>& params) {
        EXPECT_EQ(step, 41);
        for (const bp::Parameter& p : params) {
            names.push_back(p.name);
            seen_norm += p.grad().squaredNorm();
        }
    };
    bp::train_step(t.net, bp::softmax_cross_entropy(), sgd, t.x, t.y, options, 41);
    EXPECT_EQ(names, (std::vector<std::string>{"layer1.W", "layer1.b", "layer2.W", "layer2.b"}));
    EXPECT_GT(std::sqrt(seen_norm), 1e-3) << "the hook sees the gradients before clipping";
    double clipped = 0;
    for (const bp::Parameter& p : t.net.parameters()) clipped += p.grad().squaredNorm();
    EXPECT_NEAR(std::sqrt(clipped), 1e-3, 1e-12) << "and the step uses them clipped";
}

TEST(LibTraining, DivergenceStopsTrainingAndNamesTheStepAndTheParameter) {
    SmallTraining t;
    bp::Loss broken = bp::softmax_cross_entropy();  // a gradient that overflows, as an exploding network's might
    broken.grad = [](const Matrix& out, const Matrix& y) {
        Matrix d = bp::softmax_cross_entropy_grad(out, y);
        d(1, 2) = std::numeric_limits<double>::infinity();
        return d;
    };
    bp::Sgd sgd(0.1);
    const Matrix W = t.net.dense(0).W;
    EXPECT_ERROR_MENTIONS(bp::train_step(t.net, broken, sgd, t.x, t.y, {}, 7),
                          "training diverged at step 7: the gradient of layer1.W is -inf at row 0, column 0");
    EXPECT_TRUE(t.net.dense(0).W == W) << "the step is not taken: the model stays as it was";

    SmallTraining u;
    u.x(0, 3) = std::numeric_limits<double>::quiet_NaN();  // a NaN in the data: the loss is NaN
    EXPECT_ERROR_MENTIONS(bp::train_step(u.net, bp::softmax_cross_entropy(), sgd, u.x, u.y, {}, 3),
                          "training diverged at step 3: the loss is nan");

    SmallTraining v;
    bp::Sgd huge(1e300);  // finite, but the weights soon overflow
    const std::string e = error_of([&] {
        for (long step = 0; step < 10; ++step) bp::train_step(v.net, bp::softmax_cross_entropy(), huge, v.x, v.y, {}, step);
    });
    EXPECT_NE(e.find("training diverged at step"), std::string::npos) << e;
}

TEST(LibTraining, ALossThatStaysFarAboveTheLimitIsADivergenceThoughFinite) {
    bp::EpochOptions options;
    options.batch = 1;
    options.loss_limit = bp::LossLimit::for_classes(10);
    options.loss_limit.steps = 4;
    const double limit = 3 * std::log(10.0);
    EXPECT_NEAR(options.loss_limit.value, limit, 1e-15);
    bp::Rng rng(1);
    long step = 0;
    // Steps 0-3 average 6 (below 6.91), steps 1-4 average 7.25: training stops at step 4.
    const std::vector<double> losses = {2, 3, 9, 10, 7, 1, 1, 1};
    std::vector<long> trained;
    const std::string e = error_of([&] {
        bp::for_each_batch(8, options, rng, step, nullptr, [&](const std::vector<bp::Index>&, bp::Index, bp::Index) {
            trained.push_back(step);
            return losses[static_cast<std::size_t>(step)];
        });
    });
    EXPECT_MENTIONS(e, "training diverged at step 4: the mean loss of steps 1 to 4 is 7.25, above 6.90776 = 3 ln 10");
    EXPECT_EQ(trained.size(), 5u) << "no step after the one that crossed the limit";

    options.loss_limit.value = 0;  // no limit
    step = 0;
    EXPECT_NO_THROW(
        bp::for_each_batch(8, options, rng, step, nullptr, [&](const std::vector<bp::Index>&, bp::Index, bp::Index) { return 1e9; }));
    options.loss_limit.value = std::numeric_limits<double>::quiet_NaN();
    EXPECT_ERROR_MENTIONS(
        bp::for_each_batch(8, options, rng, step, nullptr, [](const std::vector<bp::Index>&, bp::Index, bp::Index) { return 1.0; }),
        "the loss limit must be >= 0");
    EXPECT_ERROR_MENTIONS(bp::LossLimit::for_classes(1), "at least 2 classes");
}

TEST(LibTraining, ALayerWhoseUnitsAreAllDeadIsFound) {
    bp::Rng rng(2);
    bp::Mlp net({3, 4, 4, 2}, Activation::relu, Activation::identity, rng);
    const Matrix x = rng.uniform_matrix(3, 5, -1, 1);
    EXPECT_FALSE(bp::dead_layer(net)) << "before forward, nothing is known";
    net.forward(x);
    EXPECT_FALSE(bp::dead_layer(net)) << "a network just initialised has live units";
    net.dense(1).b.setConstant(-1e3);  // every unit of layer2 below 0 for every input
    net.forward(x);
    EXPECT_EQ(bp::dead_layer(net), std::optional<std::string>("layer2"));
}

TEST(LibTraining, EvaluateRestoresTheModelsMode) {
    SmallTraining t;
    bp::evaluate(t.net, t.data);
    EXPECT_TRUE(t.net.training());
    t.net.set_training(false);
    bp::evaluate(t.net, t.data);
    EXPECT_FALSE(t.net.training());
}

// A NaN clip norm fails the test clip_norm > 0, which meant no clipping, silently.
TEST(LibTraining, AClipNormOrValueThatIsNaNOrNegativeIsRefusedByName) {
    SmallTraining t;
    bp::Sgd sgd(0.1);
    const Matrix W = t.net.dense(0).W;
    bp::EpochOptions options;
    options.clip_norm = std::numeric_limits<double>::quiet_NaN();
    EXPECT_ERROR_MENTIONS(bp::train_step(t.net, bp::softmax_cross_entropy(), sgd, t.x, t.y, options, 0),
                          "apply_gradients: options.clip_norm must be finite and >= 0 (0: no clipping), got nan");
    options.clip_norm = 0, options.clip_value = -1;
    EXPECT_ERROR_MENTIONS(bp::train_step(t.net, bp::softmax_cross_entropy(), sgd, t.x, t.y, options, 0),
                          "apply_gradients: options.clip_value must be finite and >= 0 (0: no clipping), got -1");
    options.clip_value = std::numeric_limits<double>::infinity();
    long step = 0;
    EXPECT_ERROR_MENTIONS(bp::train_epoch(t.net, bp::softmax_cross_entropy(), sgd, t.data, options, t.rng, step),
                          "options.clip_value must be finite and >= 0 (0: no clipping), got inf");
    EXPECT_TRUE(t.net.dense(0).W == W) << "no step was taken";
}

TEST(LibGraph, AParameterLeafAddsItsGradientIntoTheParameter) {
    bp::Rng rng(7);
    bp::Dense layer(3, 2, Activation::tanh, rng);
    const Matrix x = rng.uniform_matrix(3, 4, -1, 1), G = rng.uniform_matrix(2, 4, -1, 1);
    layer.forward(x);
    layer.backward(G);
    const Matrix dW = layer.dW, db = layer.db;
    layer.zero_grad();
    layer.dW.setOnes();  // the graph adds into what is there, as backward does
    const std::vector<bp::Parameter> p = layer.parameters();
    bp::Graph g;
    const bp::Var a = g.tanh(g.add_bias(g.matmul(g.parameter(p[0]), g.input(x, "x")), g.parameter(p[1])));
    g.backward(g.sum(g.mul(a, g.input(G, "G"))));
    EXPECT_MATRIX_NEAR(Matrix(dW.array() + 1.0), layer.dW);
    EXPECT_MATRIX_NEAR(Matrix(db), Matrix(layer.db));
}

TEST(LibGraph, ABiasLeafIsTheLayersVector) {
    bp::Rng rng(9);
    bp::Dense layer(3, 2, Activation::tanh, rng);
    layer.b << 0.5, -0.25;
    const Matrix x = rng.uniform_matrix(3, 4, -1, 1), G = rng.uniform_matrix(2, 4, -1, 1);
    layer.forward(x);
    layer.backward(G);
    bp::Graph g;
    const bp::Var b = g.input(layer.b, "b");  // Dense::b as it is: a Vector
    const bp::Var a = g.tanh(g.add_bias(g.matmul(g.input(layer.W, "W"), g.input(x, "x")), b));
    g.backward(g.sum(g.mul(a, g.input(G, "G"))));
    const bp::Vector db = g.grad(b);  // and its gradient is one, as Dense::db
    EXPECT_MATRIX_NEAR(layer.db, db);
    EXPECT_EQ(g.value(b).rows(), 2);
    EXPECT_EQ(g.value(b).cols(), 1) << "a Vector leaf is n x 1";
    bp_test::expect_shape_error([&] { g.add_bias(a, g.input(bp::Vector::Zero(3), "b3")); },
                                {"Graph::add_bias", "b is 3x1", "a Vector of 2 elements"});
}

TEST(LibGraph, SubScaleAndOneMinusHaveTheirGradients) {
    bp::Rng rng(8);
    Matrix x = rng.uniform_matrix(2, 3, -1, 1), y = rng.uniform_matrix(2, 3, -1, 1);
    const Matrix G = rng.uniform_matrix(2, 3, -1, 1);
    // L = sum(G ⊙ ((1 - x) ⊙ 3 (x - y)))
    const auto build = [&](bp::Graph& g, bp::Var& vx, bp::Var& vy) {
        vx = g.input(x, "x");
        vy = g.input(y, "y");
        return g.sum(g.mul(g.input(G, "G"), g.mul(g.one_minus(vx), g.scale(g.sub(vx, vy), 3.0))));
    };
    const auto L = [&] {
        bp::Graph g;
        bp::Var vx, vy;
        return g.value(build(g, vx, vy))(0, 0);
    };
    bp::Graph g;
    bp::Var vx, vy;
    g.backward(build(g, vx, vy));
    EXPECT_HOLDS(bp_test::matrices_near("dx", bp_test::slopes(L, x), g.grad(vx), 1e-7));
    EXPECT_HOLDS(bp_test::matrices_near("dy", bp_test::slopes(L, y), g.grad(vy), 1e-7));
}

// A Var holds the id of its graph's node: another graph's node of the same id would be read
// silently. Each graph refuses the Vars of another (a copy is another graph; a move keeps them).
TEST(LibGraph, AVarOfAnotherGraphIsRefusedByName) {
    bp::Graph g, h;
    const bp::Var x = g.input(Matrix::Ones(2, 2), "x");
    h.input(Matrix::Zero(2, 2), "y");  // node 0 of h, as x is node 0 of g
    EXPECT_ERROR_MENTIONS(h.tanh(x), "Graph::tanh: Var 0 is a node of another Graph; a Var works only with the graph that made it");
    EXPECT_ERROR_MENTIONS(h.value(x), "Graph::value: Var 0 is a node of another Graph");
    EXPECT_ERROR_MENTIONS(h.add(h.input(Matrix::Ones(2, 2), "z"), x), "Graph::add: Var 0 is a node of another Graph");
    EXPECT_ERROR_MENTIONS(h.backward(g.sum(x)), "Graph::backward: Var 1 is a node of another Graph");
    EXPECT_ERROR_MENTIONS(g.value(bp::Var{}), "not made by any graph");
    const bp::Graph copy = g;
    EXPECT_ERROR_MENTIONS(copy.value(x), "Graph::value: Var 0 is a node of another Graph");
    bp::Graph moved = std::move(g);
    EXPECT_TRUE(moved.value(x) == Matrix::Ones(2, 2)) << "a move keeps the graph's Vars";
}

TEST(LibInit, DenseTakesAnInitialisationChoice) {
    bp::Rng a(9), b(9), c(9);
    const bp::Dense automatic(50, 40, Activation::relu, a);
    const bp::Dense he(50, 40, Activation::relu, b, bp::Init::he());
    EXPECT_TRUE(automatic.W == he.W) << "the default for ReLU is He";
    const bp::Dense given(400, 300, Activation::tanh, c, bp::Init::normal(0.5));
    const double mean = given.W.mean(), sd = std::sqrt((given.W.array() - mean).square().mean());
    EXPECT_NEAR(sd, 0.5, 0.01);
    EXPECT_THROW(bp::Dense(2, 2, Activation::tanh, c, bp::Init::normal(-1)), std::invalid_argument);
    EXPECT_THROW(bp::Dense(Matrix::Zero(2, 3), Vector::Zero(3), Activation::tanh), bp::ShapeError);
}

TEST(LibInit, XavierAndHeHaveTheirScales) {
    bp::Rng rng(2);
    const Matrix x = bp::xavier_uniform(200, 100, rng);
    EXPECT_EQ(bp::shape(x), "200x100");
    EXPECT_LE(x.cwiseAbs().maxCoeff(), std::sqrt(6.0 / 300));
    const Matrix h = bp::he_normal(200, 100, rng);
    EXPECT_NEAR(2.0 / 100, h.array().square().mean(), 0.002);
}

}  // namespace
