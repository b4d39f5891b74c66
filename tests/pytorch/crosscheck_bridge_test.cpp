// The cross-check of chapter 5's LibTorch engine (chapters/05-optimizers/torch_engine.cpp, the
// appendix "Chapter 5's classifier in LibTorch"): a course network moved into torch and back
// keeps its weights and its predictions, and the engine trains as the course's code does: from
// the same weights, on the same batches, with Adam, every epoch's loss and every weight after
// it agree.
#include "crosscheck.hpp"
#include "torch_engine.hpp"

using namespace crosscheck;
using bp::Matrix;

namespace {

// A small classifier of the chapter's kind: ReLU hidden layers, logits out.
bp::Sequential classifier(std::uint64_t seed) {
    bp::Rng rng(seed);
    return bp::Mlp({6, 5, 4, 3}, bp::Activation::relu, bp::Activation::identity, rng);
}

Matrix examples(bp::Index m) {
    bp::Rng rng(83);
    return random(rng, 6, m, 2.0);
}

// The class the course's own forward pass predicts for each column of x.
std::vector<int> course_predictions(bp::Sequential& net, const Matrix& x) { return bp::argmax_per_column(net.forward(x)); }

}  // namespace

TEST(TorchBridge, RoundTripKeepsEveryWeight) {
    const bp::Sequential net = classifier(7);
    bp::Sequential back = ch05::torch_round_trip(net, ch05::TorchPrecision::float64);
    bp::Sequential rounded = ch05::torch_round_trip(net, ch05::TorchPrecision::float32);
    ASSERT_EQ(back.size(), net.size());
    for (std::size_t l = 0; l < net.size(); ++l) {
        const auto& d = net.at<bp::Dense>(l);
        EXPECT_EQ(back.at<bp::Dense>(l).f, d.f) << bp::layer_name(l);
        // Exactly: a copy, transposed in memory (Eigen by columns, torch by rows), not in value.
        EXPECT_TRUE(back.at<bp::Dense>(l).W == d.W) << bp::layer_name(l) << ".W";
        EXPECT_TRUE(back.at<bp::Dense>(l).b == d.b) << bp::layer_name(l) << ".b";
        // In float32, each weight rounded to the nearest float.
        EXPECT_TRUE(rounded.at<bp::Dense>(l).W == d.W.cast<float>().cast<double>()) << bp::layer_name(l) << ".W";
        EXPECT_TRUE(rounded.at<bp::Dense>(l).b == d.b.cast<float>().cast<double>()) << bp::layer_name(l) << ".b";
    }
}

TEST(TorchBridge, SamePredictionsBothWays) {
    bp::Sequential net = classifier(7);
    const Matrix x = examples(200);
    const std::vector<int> course = course_predictions(net, x);
    // course -> torch: torch's forward pass on the moved weights.
    EXPECT_EQ(ch05::torch_predictions(net, x, ch05::TorchPrecision::float64), course);
    ch05::TorchEngine engine(net, 1e-3, ch05::TorchPrecision::float64);
    EXPECT_EQ(engine.predictions(x), course);
    // course -> torch -> course: the course's forward pass on the weights that came back.
    bp::Sequential back = ch05::torch_round_trip(net, ch05::TorchPrecision::float64);
    EXPECT_EQ(course_predictions(back, x), course);
    EXPECT_EQ(course_predictions(engine.model(), x), course);
    // The negative control: the output layer's rows in reverse order, the classes renamed
    // K-1-k, change the predictions, so the comparisons above can fail.
    bp::Sequential renamed = net;
    auto& out = renamed.at<bp::Dense>(renamed.size() - 1);
    out.W = Matrix(out.W.colwise().reverse());
    out.b = bp::Vector(out.b.reverse());
    EXPECT_NE(ch05::torch_predictions(renamed, x, ch05::TorchPrecision::float64), course);
}

TEST(TorchBridge, EngineTrainsAsTheCourse) {
    bp::Dataset data;
    data.x = examples(40);
    data.classes = 3;
    bp::Rng label_rng(84);
    for (int k = 0; k < 40; ++k) data.labels.push_back(static_cast<int>(label_rng.below(3)));
    bp::EpochOptions options;
    options.batch = 8;  // 5 steps an epoch
    const double lr = 0.01;
    const bp::Sequential start = classifier(9);

    const auto course = [&](const Perturb& perturb) {
        bp::Sequential net = start;
        perturb("layer1.W", net.at<bp::Dense>(0).W);
        bp::Adam adam(lr);
        bp::Rng rng(85);
        long step = 0;
        Quantities q;
        for (int epoch = 1; epoch <= 3; ++epoch) {
            const double loss = bp::train_epoch(net, bp::softmax_cross_entropy(), adam, data, options, rng, step);
            q = q + Quantities{{"loss of epoch " + std::to_string(epoch), scalar(loss)}} +
                values(net, " after epoch " + std::to_string(epoch));
        }
        return q;
    };
    ch05::TorchEngine engine(start, lr, ch05::TorchPrecision::float64);
    bp::Rng rng(85);
    long step = 0;
    Quantities torch;
    for (int epoch = 1; epoch <= 3; ++epoch) {
        const double loss = engine.epoch(data, options, rng, step, nullptr);
        torch = torch + Quantities{{"loss of epoch " + std::to_string(epoch), scalar(loss)}} +
                values(engine.model(), " after epoch " + std::to_string(epoch));
    }
    EXPECT_EQ(step, 15);
    check_piece("ch05 LibTorch engine", course, torch);
}
