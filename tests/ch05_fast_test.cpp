// Chapter 5's fast path (bp::FastMlp): in double it must take the very steps of the course's
// own code (Mlp, softmax cross-entropy, Adam, train_epoch), in float the same steps to float's
// precision; and it refuses by name what it cannot train.
#include "check.hpp"

#include <cmath>

#include "bp/fast_mlp.hpp"
#include "bp/train/gradient_monitor.hpp"
#include "bp/core/loss.hpp"
#include "bp/layers/mlp.hpp"

namespace {

using bp::Matrix;

// A small ReLU network with logits out, and a batch for it.
struct SmallNet {
    bp::Rng rng{5};
    bp::Mlp net{{6, 5, 4, 3}, bp::Activation::relu, bp::Activation::identity, rng};
    Matrix x = rng.uniform_matrix(6, 7, -1, 1);
    std::vector<int> labels = {0, 2, 1, 1, 0, 2, 2};
    Matrix y() const {
        Matrix y = Matrix::Zero(3, 7);
        for (std::size_t k = 0; k < labels.size(); ++k) y(labels[k], static_cast<bp::Index>(k)) = 1;
        return y;
    }
};

// The course's training step. Returns the loss.
double course_step(bp::Mlp& net, bp::Adam& adam, const Matrix& x, const Matrix& y) {
    return bp::train_step(net, bp::softmax_cross_entropy(), adam, x, y, {}, 0);
}

template <class Scalar>
void expect_same_steps(double tolerance) {
    SmallNet s;
    bp::Mlp course = s.net, fast_weights = s.net;
    bp::FastMlp<Scalar> fast(s.net, 0.01);
    bp::Adam adam(0.01);
    const typename bp::FastMlp<Scalar>::Mat x = s.x.cast<Scalar>();
    for (int step = 1; step <= 3; ++step) {
        const double expected = course_step(course, adam, s.x, s.y());
        EXPECT_NEAR(fast.train_step(x, s.labels), expected, tolerance) << "the loss of step " << step;
    }
    fast.copy_to(fast_weights);
    for (std::size_t l = 0; l < course.size(); ++l) {
        const std::string layer = "layer " + std::to_string(l + 1) + "'s ";
        EXPECT_HOLDS(bp_test::matrices_near(layer + "W after 3 steps", course.dense(l).W, fast_weights.dense(l).W, tolerance));
        EXPECT_HOLDS(bp_test::matrices_near(layer + "b after 3 steps", course.dense(l).b, fast_weights.dense(l).b, tolerance));
    }
}

TEST(Ch05Fast, InDoubleTakesTheCourseCodesSteps) { expect_same_steps<double>(1e-12); }

TEST(Ch05Fast, InFloatTakesTheSameStepsToFloatPrecision) { expect_same_steps<float>(2e-5); }

TEST(Ch05Fast, AnEpochMatchesTheCourseLoop) {
    // Same data, same start, same shuffling seed, a schedule and clipping: the same epoch.
    bp::Rng data_rng(6);
    const bp::Dataset data = bp::spiral(3, 20, 0.1, data_rng);
    bp::Rng init(7);
    bp::Mlp course({2, 8, 3}, bp::Activation::relu, bp::Activation::identity, init), fast_weights = course;
    bp::FastMlp<double> fast(course, 0.05);
    bp::Adam adam(0.05);
    bp::EpochOptions options;
    options.batch = 16;  // 60 examples: the last batch has 12
    options.clip_norm = 0.5;
    long course_step_count = 0, fast_step_count = 0;
    bp::Rng course_rng(8), fast_rng(8);
    options.schedule = [&](long step) { adam.lr = bp::cosine_schedule(0.05, step, 4); };
    const double course_loss = bp::train_epoch(course, bp::softmax_cross_entropy(), adam, data, options, course_rng, course_step_count);
    options.schedule = [&](long step) { fast.lr = bp::cosine_schedule(0.05, step, 4); };
    const double fast_loss = bp::train_epoch(fast, data, options, fast_rng, fast_step_count);
    EXPECT_NEAR(fast_loss, course_loss, 1e-12);
    EXPECT_EQ(fast_step_count, 4);
    fast.copy_to(fast_weights);
    EXPECT_HOLDS(bp_test::matrices_near("layer 1's W after an epoch", course.dense(0).W, fast_weights.dense(0).W, 1e-12));
    EXPECT_HOLDS(bp_test::matrices_near("layer 2's b after an epoch", course.dense(1).b, fast_weights.dense(1).b, 1e-12));
}

TEST(Ch05Fast, TheHookSeesTheSameGradientsAsWithTheCourseCode) {
    bp::Rng data_rng(6);
    const bp::Dataset data = bp::spiral(3, 20, 0.1, data_rng);
    bp::Rng init(7);
    bp::Mlp course({2, 8, 3}, bp::Activation::relu, bp::Activation::identity, init);
    bp::FastMlp<double> fast(course, 0.05);
    bp::Adam adam(0.05);
    std::vector<std::vector<Matrix>> seen(2);  // per engine, every gradient of every step
    std::vector<std::string> names;
    bp::EpochOptions options;
    options.batch = 16;
    options.clip_norm = 0.5;  // the hook comes before clipping, on both
    int engine = 0;
    options.after_backward = [&](long, double, const std::vector<bp::Parameter>& params) {
        for (const bp::Parameter& p : params) {
            seen[engine].push_back(p.grad());
            if (engine == 0) names.push_back(p.name);
        }
    };
    long step = 0;
    bp::Rng course_rng(8), fast_rng(8);
    bp::train_epoch(course, bp::softmax_cross_entropy(), adam, data, options, course_rng, step);
    engine = 1;
    step = 0;
    bp::train_epoch(fast, data, options, fast_rng, step);
    ASSERT_EQ(seen[0].size(), seen[1].size());
    for (std::size_t i = 0; i < seen[0].size(); ++i)
        EXPECT_HOLDS(bp_test::matrices_near(names[i % 4] + " at step " + std::to_string(i / 4), seen[0][i], seen[1][i], 1e-12));
}

TEST(Ch05Fast, FindsALayerWhoseUnitsAreAllDeadWithoutTheExercises) {
    bp::Sequential net;  // made from given weights: no exercise runs here or in FastMlp
    net.add(bp::Dense(bp::Matrix::Ones(4, 3), bp::Vector::Zero(4), bp::Activation::relu));
    net.add(bp::Dense(bp::Matrix::Ones(4, 4), bp::Vector::Constant(4, -1e3), bp::Activation::relu));  // below 0 for these inputs
    net.add(bp::Dense(bp::Matrix::Ones(2, 4), bp::Vector::Zero(2), bp::Activation::identity));
    bp::FastMlp<double> fast(net, 0.01);
    const bp::Matrix x = bp::Matrix::Constant(3, 5, 0.5);
    EXPECT_EQ(fast.dead_layer(x), std::optional<std::string>("layer2"));
    net.at<bp::Dense>(1).b.setZero();
    EXPECT_FALSE(bp::FastMlp<double>(net, 0.01).dead_layer(x));
    EXPECT_ERROR_MENTIONS(fast.dead_layer(bp::Matrix::Zero(2, 5)), "x has 2 rows, the network 3 inputs");
}

TEST(Ch05Fast, DivergenceIsNamedNotTrainedThrough) {
    SmallNet s;
    const typename bp::FastMlp<float>::Mat x = s.x.cast<float>();
    bp::FastMlp<float> huge(s.net, 1e39);  // finite in double, infinite in float: the first step overflows
    try {
        huge.train_step(x, s.labels);
        ADD_FAILURE() << "a step to infinity was taken without a word";
    } catch (const bp::Diverged& e) {
        EXPECT_NE(std::string(e.what()).find("training diverged at step 0: layer1.W after the step is"), std::string::npos) << e.what();
    }
    bp::FastMlp<float> large(s.net, 1e30);  // the weights stay finite, the next loss does not
    try {
        for (int i = 0; i < 20; ++i) large.train_step(x, s.labels);
        ADD_FAILURE() << "training with lr 1e30 did not stop";
    } catch (const bp::Diverged& e) {
        EXPECT_NE(std::string(e.what()).find("training diverged at step 1: the loss is nan"), std::string::npos) << e.what();
    }
    bp::Rng data_rng(6);
    const bp::Dataset data = bp::spiral(3, 20, 0.1, data_rng);
    bp::FastMlp<float> epoch(bp::Mlp({2, 8, 3}, bp::Activation::relu, bp::Activation::identity, data_rng), 1e39);
    long step = 0;
    bp::Rng rng(1);
    try {
        bp::train_epoch(epoch, data, bp::EpochOptions{}, rng, step);
        ADD_FAILURE() << "an epoch to infinity did not stop";
    } catch (const bp::Diverged& e) {
        EXPECT_NE(std::string(e.what()).find("at step 0: layer1.W after the step"), std::string::npos) << e.what();
    }
}

TEST(Ch05Fast, ProductsEqualEigens) {
    bp::Rng rng(9);
    const Matrix A = rng.uniform_matrix(3, 4, -1, 1), B = rng.uniform_matrix(4, 5, -1, 1), Bt = B.transpose(), At = A.transpose();
    Matrix C(3, 5);
    using bp::Transpose;
    bp::fast_product(A, Transpose::no, B, Transpose::no, C);
    EXPECT_HOLDS(bp_test::matrices_near("A B", A * B, C, 1e-14));
    bp::fast_product(A, Transpose::no, Bt, Transpose::yes, C);
    EXPECT_HOLDS(bp_test::matrices_near("A (B^T)^T", A * B, C, 1e-14));
    bp::fast_product(At, Transpose::yes, B, Transpose::no, C);
    EXPECT_HOLDS(bp_test::matrices_near("(A^T)^T B", A * B, C, 1e-14));
    bp::fast_product(At, Transpose::yes, Bt, Transpose::yes, C);
    EXPECT_HOLDS(bp_test::matrices_near("(A^T)^T (B^T)^T", A * B, C, 1e-14));
    bp::fast_product(A, Transpose::no, B, Transpose::no, C, true);
    EXPECT_HOLDS(bp_test::matrices_near("A B added to A B", 2 * A * B, C, 1e-14));
    Matrix wrong(5, 3);
    bp_test::expect_shape_error([&] { bp::fast_product(A, Transpose::no, B, Transpose::no, wrong); },
                                {"fast_product", "3x4", "4x5", "5x3"});
    bp_test::expect_shape_error([&] { bp::fast_product(A, Transpose::no, At, Transpose::no, C); }, {"fast_product", "4x3", "C 3x5"});
}

TEST(Ch05Fast, RefusesWhatItCannotTrainByName) {
    SmallNet s;
    bp::Rng rng(10);
    const bp::Mlp tanh_net({6, 5, 3}, bp::Activation::tanh, bp::Activation::identity, rng);
    try {
        bp::FastMlp<float> fast(tanh_net, 0.01);
        ADD_FAILURE() << "a tanh hidden layer was accepted";
    } catch (const bp::UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("layer1 is tanh"), std::string::npos) << e.what();
    }
    const bp::Mlp softmax_net({6, 5, 3}, bp::Activation::relu, bp::Activation::softmax, rng);
    try {
        bp::FastMlp<float> fast(softmax_net, 0.01);
        ADD_FAILURE() << "a softmax output layer was accepted";
    } catch (const bp::UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("layer2 is softmax"), std::string::npos) << e.what();
    }
    EXPECT_THROW(bp::FastMlp<float>(s.net, -1), std::invalid_argument);
    EXPECT_THROW(bp::FastMlp<float>(s.net, 0.01, 1.0), std::invalid_argument);
    bp::FastMlp<double> fast(s.net, 0.01);
    bp_test::expect_shape_error([&] { fast.train_step(Matrix::Zero(5, 7), s.labels); },
                                {"FastMlp::compute_gradients", "5x7", "need 6 rows"});
    bp_test::expect_shape_error([&] { fast.train_step(s.x, {0, 1}); }, {"FastMlp::compute_gradients", "with 2 labels"});
    std::vector<int> bad = s.labels;
    bad[4] = 3;
    try {
        fast.train_step(s.x, bad);
        ADD_FAILURE() << "label 3 of 3 classes was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("label 3 of column 4"), std::string::npos) << e.what();
    }
    bp::Mlp other({6, 5, 3}, bp::Activation::relu, bp::Activation::identity, rng);
    bp_test::expect_shape_error([&] { fast.copy_to(other); }, {"FastMlp::copy_to", "2 layers", "3"});
}

// Its settings are public, as bp::Adam's: one changed after construction is refused by the
// step, by name, before any weight moves; and a NaN clip norm is not "no clipping".
TEST(Ch05Fast, ASettingChangedAfterConstructionIsRefusedByTheStep) {
    SmallNet s;
    bp::FastMlp<double> fast(s.net, 0.01);
    const Matrix W = fast.to_network().at<bp::Dense>(0).W;
    const auto refused = [&](const char* words) {
        EXPECT_ERROR_MENTIONS(fast.train_step(s.x, s.labels), words);
        EXPECT_TRUE(fast.to_network().at<bp::Dense>(0).W == W) << "no step was taken";
    };
    fast.beta1 = 1;
    refused("FastMlp::update: beta1 must be in [0, 1), got 1");
    fast.beta1 = 0.9, fast.eps = std::nan("");
    refused("FastMlp::update: eps must be");
    fast.eps = 1e-8, fast.clip_norm = std::nan("");
    refused("FastMlp::update: clip_norm must be finite and at least 0, got nan");
    fast.clip_norm = 0;
    bp::EpochOptions options;
    options.clip_norm = -1;
    bp::Rng rng(3);
    bp::Dataset data;
    data.x = s.x;
    data.labels = s.labels;
    data.classes = 3;
    long step = 0;
    EXPECT_ERROR_MENTIONS(bp::train_epoch(fast, data, options, rng, step),
                          "train_epoch: options.clip_norm must be finite and >= 0 (0: no clipping), got -1");
    bp::Sequential with_null = s.net;
    with_null.layers.emplace_back();
    EXPECT_ERROR_MENTIONS(bp::FastMlp<float>(with_null, 0.01), "FastMlp: layer4 is null");
}

}  // namespace

// ./course train uses this copy of exercise 5.8, so that it needs no exercise done.
TEST(Ch05Fast, ItsCosineScheduleIsExercise58s) {
    EXPECT_DOUBLE_EQ(1.0, bp::fast_cosine_schedule(1.0, 0, 100));
    EXPECT_NEAR(0.5, bp::fast_cosine_schedule(1.0, 50, 100), 1e-15);
    EXPECT_NEAR(0.1 + 0.9 * (1 + std::cos(3.14159265358979323846 * 0.25)) / 2, bp::fast_cosine_schedule(1.0, 25, 100, 0.1), 1e-15);
    EXPECT_DOUBLE_EQ(0.1, bp::fast_cosine_schedule(1.0, 100, 100, 0.1));
    EXPECT_DOUBLE_EQ(0.1, bp::fast_cosine_schedule(1.0, 500, 100, 0.1));
    EXPECT_THROW(bp::fast_cosine_schedule(1.0, -1, 100), std::invalid_argument);
}

// Chapter 6's monitor on chapter 5's network: the same parameters and the same layers'
// activations whichever engine trains it, and the fast engine hands over its gradients only
// at the steps the monitor records.
TEST(Ch05Fast, TheMonitorShowsTheSameRowsWithEitherEngine) {
    bp::Rng data_rng(6);
    const bp::Dataset data = bp::spiral(3, 20, 0.1, data_rng);
    bp::Rng init(7);
    bp::Mlp course({2, 8, 8, 3}, bp::Activation::relu, bp::Activation::identity, init);
    bp::Mlp shown = course;  // the network the fast engine's monitor reads
    bp::FastMlp<float> fast(course, 0.05);
    bp::Adam adam(0.05);
    bp::GradientMonitor course_monitor(course, adam, 2), fast_monitor(
                                                             shown, [] { return 0.05; }, 2);
    bp::EpochOptions course_options, fast_options;
    course_options.batch = fast_options.batch = 16;
    course_monitor.hook_into(course_options);
    fast_monitor.hook_into(fast_options);
    long calls = 0;
    const auto hook = fast_options.after_backward;
    fast_options.after_backward = [&](long step, double loss, const std::vector<bp::Parameter>& params) {
        ++calls;
        hook(step, loss, params);
    };
    long step = 0;
    bp::Rng course_rng(8), fast_rng(8);
    bp::train_epoch(course, bp::softmax_cross_entropy(), adam, data, course_options, course_rng, step);
    step = 0;
    bp::train_epoch(fast, data, fast_options, fast_rng, step, nullptr, &shown);
    EXPECT_EQ(calls, 2) << "60 examples in batches of 16 are steps 0 to 3; the monitor records steps 0 and 2 only";
    ASSERT_EQ(course_monitor.records().size(), 2u);
    ASSERT_EQ(fast_monitor.records().size(), 2u);
    for (std::size_t r = 0; r < 2; ++r) {
        const auto& a = course_monitor.records()[r];
        const auto& b = fast_monitor.records()[r];
        EXPECT_EQ(a.step, b.step);
        ASSERT_EQ(a.parameters.size(), b.parameters.size());
        for (std::size_t i = 0; i < a.parameters.size(); ++i) EXPECT_EQ(a.parameters[i].name, b.parameters[i].name);
        ASSERT_EQ(a.activations.size(), 2u) << "layer1 and layer2 are ReLU layers";
        ASSERT_EQ(b.activations.size(), 2u) << "the fast engine must show the layers' outputs too";
        for (std::size_t i = 0; i < 2; ++i) {
            EXPECT_EQ(a.activations[i].layer, b.activations[i].layer);
            EXPECT_EQ(a.activations[i].f, b.activations[i].f);
        }
    }
}
