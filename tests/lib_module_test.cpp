// The module contract (bp::Module): one walk for the parameters, buffers, modes and names of
// any model, recurrent or not; the gradient monitor and the model file on chapter 7's models.
#include "check.hpp"

#include "bp/layers/activation_layer.hpp"
#include "bp/layers/batch_norm.hpp"
#include "bp/train/gradient_monitor.hpp"
#include "bp/recurrent/gru.hpp"
#include "bp/recurrent/lstm.hpp"
#include "bp/io/model_file.hpp"
#include "bp/layers/residual.hpp"
#include "bp/recurrent/rnn.hpp"
#include "bp/recurrent/sequence_model.hpp"
#include "bp/train/train.hpp"

namespace {

using bp::Activation;
using bp::Matrix;
using bp::Sequence;
using bp_test::bytes_of;

std::vector<std::string> names_of(const std::vector<bp::Parameter>& params) {
    std::vector<std::string> out;
    out.reserve(params.size());
    for (const bp::Parameter& p : params) out.push_back(p.name);
    return out;
}

// Every parameter drawn anew, so that a round trip that loses one shows.
void randomise(bp::Module& m, bp::Rng& rng) {
    for (bp::Parameter& p : m.parameters()) p.value() = rng.uniform_matrix(p.rows(), p.cols(), -1, 1);
}

TEST(LibModule, OneWalkNamesEveryParameterBufferAndMode) {
    bp::Rng rng(1);
    bp::Sequential net;
    net.add(bp::Dense(3, 4, Activation::identity, rng));
    net.add(bp::BatchNorm(4));
    net.add(bp::Residual(bp::Dense(4, 4, Activation::relu, rng)));
    EXPECT_EQ(names_of(net.parameters()),
              (std::vector<std::string>{"layer1.W", "layer1.b", "layer2.gamma", "layer2.shift", "layer3.inner.W", "layer3.inner.b"}));
    std::vector<std::string> buffers;
    for (const bp::Buffer& b : net.buffers("net")) buffers.push_back(b.name);
    EXPECT_EQ(buffers, (std::vector<std::string>{"net.layer2.running_mean", "net.layer2.running_var"}));
    std::vector<std::string> modules;
    bp::for_each_module(net, [&](const std::string& name, bp::Module& m) { modules.push_back(name + ":" + m.kind()); });
    EXPECT_EQ(modules,
              (std::vector<std::string>{":sequential", "layer1:dense", "layer2:batch_norm", "layer3:residual", "layer3.inner:dense"}));

    net.set_training(false);
    bp::for_each_module(net, [](const std::string& name, bp::Module& m) { EXPECT_FALSE(m.training()) << name; });
    for (bp::Parameter& p : net.parameters()) p.grad().setOnes();
    net.zero_grad();
    for (const bp::Parameter& p : net.parameters()) EXPECT_TRUE(p.grad().isZero()) << p.name;

    const bp::Sequential& read_only = net;  // the const walk sees the same tensors, read only
    const auto params = read_only.parameters();
    ASSERT_EQ(params.size(), 6u);
    EXPECT_EQ(params[4].name, "layer3.inner.W");
    EXPECT_EQ(params[4].value.data(), net.at<bp::Residual>(2).inner().parameters()[0].value().data());
}

TEST(LibModule, ASequenceModelIsAModuleWithOrWithoutAReadout) {
    bp::Rng rng(2);
    bp::SequenceModel model(std::make_unique<bp::Lstm>(3, 4, rng), 5, rng);
    EXPECT_EQ(names_of(model.parameters()), (std::vector<std::string>{"lstm.W_x", "lstm.W_h", "lstm.b", "readout.W", "readout.b"}));
    model.set_training(false);
    EXPECT_FALSE(model.layer->training());
    EXPECT_FALSE(model.readout.value().training());

    bp::SequenceModel bare(std::make_unique<bp::Gru>(3, 4, rng), std::nullopt);  // o_t = h_t: a loss on h directly
    EXPECT_EQ(bare.parameters().size(), 9u);
    const Sequence x(rng.normal_matrix(3, 2 * 5, 1.0), 5);
    EXPECT_TRUE(bare.forward(x).all() == bare.layer->forward(x).all());
    EXPECT_ERROR_MENTIONS(bp::SequenceModel(std::make_unique<bp::Rnn>(3, 4, rng), bp::Dense(5, 2, Activation::identity, rng)),
                          "the readout takes 5 inputs but the rnn layer's h has 4");
}

TEST(LibModule, EveryRecurrentModelLoadsBackBitForBit) {
    bp_test::TempDir dir;
    bp::Rng rng(3);
    std::vector<bp::SequenceModel> models;
    models.emplace_back(std::make_unique<bp::Rnn>(3, 4, rng), 2, rng);
    models.emplace_back(std::make_unique<bp::Rnn>(3, 4, rng, Activation::identity), std::nullopt);
    models.emplace_back(std::make_unique<bp::Lstm>(3, 4, rng), 2, rng);
    models.emplace_back(std::make_unique<bp::Gru>(3, 4, rng), bp::Dense(4, 2, Activation::sigmoid, rng));
    const Sequence x(rng.normal_matrix(3, 6 * 2, 1.0), 2);
    for (bp::SequenceModel& model : models) {
        SCOPED_TRACE(model.layer->kind());
        randomise(model, rng);
        const auto file = dir.path / "m.bin";
        bp::save_model(model, file);
        bp::SequenceModel back = bp::load_sequence_model(file);
        const auto a = model.parameters(), b = back.parameters();
        ASSERT_EQ(names_of(a), names_of(b));
        for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(Matrix(a[i].value()) == Matrix(b[i].value())) << a[i].name;
        EXPECT_TRUE(model.forward(x).all() == back.forward(x).all());
        bp::save_model(back, dir.path / "again.bin");
        EXPECT_EQ(bytes_of(file), bytes_of(dir.path / "again.bin"));
    }
    // A layer on its own, and the wrong kind asked for.
    bp::Lstm lstm(2, 3, rng);
    bp::save_model(lstm, dir.path / "lstm.bin");
    EXPECT_EQ(bp::load_module(dir.path / "lstm.bin")->kind(), "lstm");
    EXPECT_ERROR_MENTIONS(bp::load_model(dir.path / "lstm.bin"), "the model is a lstm, not a sequential network");
    EXPECT_ERROR_MENTIONS(bp::load_sequence_model(dir.path / "lstm.bin"), "not a sequence model");
}

TEST(LibModule, TheMonitorWatchesAnLstmsParametersAndItsGradientThroughTime) {
    bp::Rng rng(4);
    bp::SequenceModel model(std::make_unique<bp::Lstm>(3, 4, rng), 2, rng);
    bp::Adam adam(0.01);
    bp::GradientMonitor monitor(model, adam, 1);
    bp::EpochOptions options;
    monitor.hook_into(options);
    const bp::SequenceBatch batch{Sequence(rng.normal_matrix(3, 5 * 2, 1.0), 2), Sequence(rng.normal_matrix(2, 5 * 2, 1.0), 2), 5};
    bp::train_sequence_step(model, bp::mean_squared_error(), adam, batch, options, 0);
    ASSERT_EQ(monitor.records().size(), 1u);
    const auto& r = monitor.records().front();
    std::vector<std::string> names;
    names.reserve(r.parameters.size());
    for (const auto& p : r.parameters) names.push_back(p.name);
    EXPECT_EQ(names, (std::vector<std::string>{"lstm.W_x", "lstm.W_h", "lstm.b", "readout.W", "readout.b"}));
    ASSERT_EQ(r.hidden.size(), 1u);
    EXPECT_EQ(r.hidden[0].layer, "lstm");
    ASSERT_EQ(r.hidden[0].norms.size(), 5u) << "one norm per step t = 1, ..., T";
    for (bp::Index t = 1; t <= 5; ++t)
        EXPECT_DOUBLE_EQ(r.hidden[0].norms[static_cast<std::size_t>(t - 1)], model.layer->hidden_grads().at(t).norm()) << "t = " << t;
    EXPECT_GT(r.hidden[0].norms.back(), r.hidden[0].norms.front()) << "the loss is at the last step: the gradient fades going back";
    EXPECT_MENTIONS(monitor.report(), "  lstm", "||dL/dh_t||: t = 1 ", "t = 5 ", "factor per step");
}

TEST(LibModule, TheMonitorNamesTheParameterOfARecurrentNetworkThatDiverges) {
    bp::Rng rng(5);
    bp::SequenceModel model(std::make_unique<bp::Rnn>(2, 3, rng), 2, rng);
    bp::Sgd sgd(0.1);
    bp::GradientMonitor monitor(model, sgd, 0);
    bp::EpochOptions options;
    monitor.hook_into(options);
    bp::SequenceBatch batch{Sequence(rng.normal_matrix(2, 4 * 2, 1.0), 2), Sequence(rng.normal_matrix(2, 4 * 2, 1.0), 2), 1};
    model.layer->parameters()[1].value()(0, 0) = std::numeric_limits<double>::infinity();  // W_h
    EXPECT_THROW(bp::train_sequence_step(model, bp::mean_squared_error(), sgd, batch, options, 7), bp::Diverged);
    const auto& diverged = monitor.divergence();
    ASSERT_TRUE(diverged.has_value());
    EXPECT_EQ(diverged.value().step, 7);
    EXPECT_FALSE(diverged.value().detail.empty());
}

}  // namespace
