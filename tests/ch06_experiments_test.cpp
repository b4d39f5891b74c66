// What chapter 6's experiments show, asserted on small sizes with the same measuring code
// (06-vanishing-exploding/gradient_flow.hpp), so that a change that breaks a figure's point fails here. Each
// test names the experiment it stands for; all of them together take well under a second.
#include "check.hpp"

#include "gradient_flow.hpp"
#include "bp/layers/dense.hpp"
#include "bp/layers/mlp.hpp"
#include "bp/layers/residual.hpp"

#include <cmath>
#include <numeric>

namespace {

using bp::Activation;
using bp::Matrix;

// Inputs of variance 1 and random labels among 10 classes.
struct Batch {
    Matrix x, y;
    Batch(bp::Index n, bp::Index m, std::uint64_t seed) {
        bp::Rng rng(seed);
        x = rng.normal_matrix(n, m, 1.0);
        y = Matrix::Zero(10, m);
        for (bp::Index k = 0; k < m; ++k) y(rng.below(10), k) = 1;
    }
};

// ||dW|| of the first layer over that of the last, at initialisation.
double first_over_last(bp::DeepNet spec, const Batch& b) {
    bp::Rng rng(2);
    bp::Sequential net = bp::deep_network(spec, rng);
    const bp::NamedValues n = bp::weight_gradient_norms(net, b.x, b.y);
    return n.values.front() / n.values.back();
}

// experiment_gradient_flow: the key figure.
TEST(Ch06Experiments, SigmoidGradientsVanishWhileSkipConnectionsAndBatchNormKeepThem) {
    const Batch b(32, 32, 1);
    bp::DeepNet spec;
    spec.inputs = 32, spec.width = 32, spec.depth = 10;
    spec.activation = Activation::sigmoid;
    const double sigmoid = first_over_last(spec, b);
    EXPECT_LT(sigmoid, 1e-2) << "10 sigmoid layers (Xavier): the first layer's ||dW|| is far below the last one's";
    spec.batch_norm = true;
    const double batch_norm = first_over_last(spec, b);
    EXPECT_GT(batch_norm, 0.1) << "with batch normalization, sigmoid's first ||dW|| stays within 10x of the last one's";
    EXPECT_LT(batch_norm, 10.0);
    spec.batch_norm = false;
    spec.activation = Activation::relu, spec.residual = true, spec.branch_gain = 1 / std::sqrt(10.0);
    const double residual = first_over_last(spec, b);
    EXPECT_GT(residual, 0.1) << "with skip connections, ReLU's first ||dW|| stays within 10x of the last one's";
    EXPECT_LT(residual, 10.0);
}

// experiment_spread: gains of 0.5, 1 and 2 on He's scale.
TEST(Ch06Experiments, GainsBelowAndAboveOneMakeSignalsAndGradientsVanishOrExplode) {
    std::vector<bp::Spread> spreads;
    for (double gain : {0.5, 1.0, 2.0}) {
        bp::Rng rng(3);
        const Matrix x = rng.normal_matrix(64, 64, 1.0), G = rng.normal_matrix(64, 64, 1.0);
        bp::Mlp net(std::vector<bp::Index>(11, 64), Activation::relu, Activation::relu, rng, bp::Init::he().scaled(gain));
        spreads.push_back(bp::spread_per_layer(net, x, G));
    }
    const auto forward = [&](int i) { return spreads[i].forward.back() / spreads[i].forward.front(); };     // last layer / first
    const auto backward = [&](int i) { return spreads[i].backward.front() / spreads[i].backward.back(); };  // first / last
    EXPECT_LT(forward(0), 1e-2) << "He x 0.5: the signal shrinks by about 2 per layer";
    EXPECT_LT(backward(0), 1e-2) << "He x 0.5: so does the gradient, going down";
    EXPECT_GT(forward(1), 1.0 / 3) << "He x 1: the signal keeps its spread";
    EXPECT_LT(forward(1), 3.0);
    EXPECT_GT(backward(1), 1.0 / 3) << "He x 1: so does the gradient";
    EXPECT_LT(backward(1), 3.0);
    EXPECT_GT(forward(2), 100.0) << "He x 2: the signal grows by about 2 per layer";
    EXPECT_GT(backward(2), 100.0) << "He x 2: so does the gradient, going down";
}

// experiment_learning_speed.
TEST(Ch06Experiments, TheFirstSigmoidLayerLearnsFarSlowerThanTheLast) {
    bp::Rng data_rng(4);
    const bp::Dataset data = bp::gaussian_clusters(4, 100, 20, 6.0, data_rng);
    std::vector<double> first_over_last_speed;
    for (Activation f : {Activation::sigmoid, Activation::relu}) {
        bp::DeepNet spec;
        spec.inputs = 20, spec.width = 16, spec.depth = 6, spec.outputs = 4, spec.activation = f;
        bp::Rng rng(5);
        bp::Sequential net = bp::deep_network(spec, rng);
        const bp::LearningSpeed speed = bp::learning_speed(net, data, 0.1, 32, 100, rng);
        ASSERT_EQ(speed.names.size(), 5u) << "5 hidden layers";
        ASSERT_EQ(speed.by_step.size(), 100u) << "one record per step";
        double first = 0, last = 0;
        for (const auto& step : speed.by_step) first += step.front(), last += step.back();
        first_over_last_speed.push_back(first / last);
    }
    EXPECT_LT(first_over_last_speed[0], 0.05) << "sigmoid: the first hidden layer's ||db|| is a small fraction of the last one's";
    EXPECT_GT(first_over_last_speed[1], 0.2) << "ReLU (He): the first hidden layer learns about as fast as the last";
}

// experiment_exploding.
TEST(Ch06Experiments, ClippingKeepsTooLargeAStepFromDiverging) {
    bp::Rng data_rng(6);
    const bp::Dataset data = bp::gaussian_clusters(4, 100, 32, 6.0, data_rng);
    bp::DeepNet spec;
    spec.inputs = 32, spec.width = 32, spec.depth = 8, spec.outputs = 4;
    spec.activation = Activation::relu, spec.init = bp::Init::he().scaled(1.5);
    bp::Rng rng(7);
    const bp::Sequential net = bp::deep_network(spec, rng);
    bp::EpochOptions none, by_norm, by_value;
    none.batch = by_norm.batch = by_value.batch = 32;
    by_norm.clip_norm = 1;
    by_value.clip_value = 0.01;
    std::vector<bp::ClippingRun> runs;
    for (const bp::EpochOptions* o : {&none, &by_norm, &by_value}) {
        bp::Rng order(8);
        runs.push_back(bp::clipping_run(net, data, 0.1, *o, 100, order));
    }
    EXPECT_GE(runs[0].diverged_at, 0) << "without clipping, SGD at lr 0.1 diverges";
    EXPECT_NE(runs[0].divergence.find("training diverged at step " + std::to_string(runs[0].diverged_at)), std::string::npos)
        << runs[0].divergence;
    EXPECT_TRUE(std::isnan(runs[0].loss.back())) << "no loss is recorded after the step that diverged";
    for (int r : {1, 2}) {
        EXPECT_EQ(runs[r].diverged_at, -1) << (r == 1 ? "clipped by norm" : "clipped by value") << ": " << runs[r].divergence;
        EXPECT_LT(runs[r].loss.back(), 1.0) << (r == 1 ? "clipped by norm" : "clipped by value") << ", training makes progress";
    }
    EXPECT_EQ(runs[1].global_norm.front(), runs[0].global_norm.front()) << "the norm is recorded before clipping";
}

// experiment_depth.
TEST(Ch06Experiments, DeepSigmoidNetworksFailWhereReluAndSkipConnectionsLearn) {
    bp::Rng data_rng(9);
    const bp::Dataset train = bp::gaussian_clusters(4, 100, 20, 6.0, data_rng);
    std::vector<double> accuracy;
    for (int kind = 0; kind < 3; ++kind) {
        bp::DeepNet spec;
        spec.inputs = 20, spec.width = 16, spec.depth = 10, spec.outputs = 4;
        spec.activation = kind == 0 ? Activation::sigmoid : Activation::relu;
        spec.residual = kind == 2, spec.branch_gain = 1 / std::sqrt(10.0);
        bp::Rng rng(10);
        bp::Sequential net = bp::deep_network(spec, rng);
        accuracy.push_back(bp::accuracy_after(net, train, train, 1e-3, 32, 200, rng));
    }
    EXPECT_LT(accuracy[0], 0.5) << "10 sigmoid layers after 200 steps of Adam: not much better than chance (0.25)";
    EXPECT_GT(accuracy[1], 0.9) << "10 ReLU layers (He) learn the clusters";
    EXPECT_GT(accuracy[2], 0.9) << "so do 10 with skip connections";
}

TEST(Ch06Experiments, DeepNetworksAreBuiltAsDescribed) {
    bp::DeepNet spec;
    spec.inputs = 5, spec.width = 4, spec.outputs = 3, spec.depth = 4, spec.residual = true, spec.batch_norm = true;
    bp::Rng rng(11);
    bp::Sequential net = bp::deep_network(spec, rng);
    ASSERT_EQ(net.size(), 4u);
    EXPECT_EQ(net.layers[0]->kind(), "sequential") << "Dense, BatchNorm, activation";
    EXPECT_EQ(net.layers[1]->kind(), "residual");
    EXPECT_EQ(net.layers[3]->kind(), "dense");
    std::vector<std::string> names;
    for (const bp::Parameter& p : net.parameters()) names.push_back(p.name);
    EXPECT_EQ(names.front(), "layer1.layer1.W");
    EXPECT_EQ(names[4], "layer2.inner.layer1.W");
    EXPECT_EQ(spec.label(), "sigmoid, Xavier, residual, batch norm");
    spec.depth = 1;
    EXPECT_THROW(bp::deep_network(spec, rng), std::invalid_argument);
}

TEST(Ch06Experiments, TwoLayerBranchesPairTheMiddleLayers) {
    bp::DeepNet spec;
    spec.inputs = 5, spec.width = 4, spec.outputs = 3, spec.depth = 7, spec.residual = true, spec.branch_layers = 2;
    spec.activation = Activation::relu, spec.branch_gain = 0.5;
    bp::Rng rng(12);
    bp::Sequential net = bp::deep_network(spec, rng);
    // layer 1, then layers 2-3 and 4-5 as two-layer branches, layer 6 as a one-layer branch, the output
    ASSERT_EQ(net.size(), 5u);
    std::vector<std::string> names;
    for (const bp::Parameter& p : net.parameters())
        if (p.name.size() >= 2 && p.name.compare(p.name.size() - 2, 2, ".W") == 0) names.push_back(p.name);
    EXPECT_EQ(names, (std::vector<std::string>{"layer1.W", "layer2.inner.layer1.W", "layer2.inner.layer2.W", "layer3.inner.layer1.W",
                                               "layer3.inner.layer2.W", "layer4.inner.W", "layer5.W"}))
        << "7 layers with weights in all, as with one-layer branches";
    auto& branch = net.at<bp::Residual>(1).inner_as<bp::Sequential>();
    EXPECT_EQ(branch.at<bp::Dense>(0).f, Activation::relu) << "W2 relu(W1 a + b1) + b2: the first layer activated";
    EXPECT_EQ(branch.at<bp::Dense>(1).f, Activation::identity) << "...and the second not";
    EXPECT_EQ(spec.label(), "ReLU, He, residual (2-layer branches) (branches x 0.5)");
    // The key figure's claim holds for them too: the first layer's ||dW|| within 10x of the last one's.
    const Batch b(32, 32, 1);
    bp::DeepNet deep;
    deep.inputs = 32, deep.width = 32, deep.depth = 10, deep.activation = Activation::relu;
    deep.residual = true, deep.branch_layers = 2, deep.branch_gain = 1 / std::sqrt(10.0);
    const double ratio = first_over_last(deep, b);
    EXPECT_GT(ratio, 0.1);
    EXPECT_LT(ratio, 10.0);
    spec.branch_layers = 3;
    EXPECT_THROW(bp::deep_network(spec, rng), std::invalid_argument);
}

}  // namespace
