// Chapter 5's library checks: reading data files (and refusing bad ones by name), the
// optimizers' state, and a training run on a small synthetic set.
#include "check.hpp"

#include "bp/layers/mlp.hpp"
#include "bp/train/train.hpp"
#include "bp/train/training_step.hpp"

#include <algorithm>
#include <cmath>
#include <unistd.h>

namespace {

using bp::Matrix;

using bp_test::gzip;
using bp_test::TempDir;
using bp_test::write_bytes;

// An IDX file of 2 rows x 3 bytes.
const std::vector<std::uint8_t> small_idx = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6};

using bp_test::error_of;

TEST(Ch05Data, ReadsAGzippedIdxFile) {
    TempDir dir;
    write_bytes(dir.path / "a.gz", gzip(small_idx));
    const bp::IdxArray a = bp::read_idx(dir.path / "a.gz");
    EXPECT_EQ(a.dims, (std::vector<std::uint32_t>{2, 3}));
    EXPECT_EQ(a.data, (std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6}));
}

TEST(Ch05Data, NamesTheFileAndWhatIsWrong) {
    TempDir dir;
    std::vector<std::uint8_t> truncated(small_idx.begin(), small_idx.end() - 2);
    write_bytes(dir.path / "truncated.gz", gzip(truncated));
    std::string e = error_of([&] { bp::read_idx(dir.path / "truncated.gz"); });
    EXPECT_NE(e.find("truncated.gz"), std::string::npos) << e;
    EXPECT_NE(e.find("truncated"), std::string::npos) << e;
    EXPECT_NE(e.find("offset"), std::string::npos) << e;

    std::vector<std::uint8_t> bad_magic = small_idx;
    bad_magic[0] = 7;
    write_bytes(dir.path / "magic.idx", bad_magic);
    e = error_of([&] { bp::read_idx(dir.path / "magic.idx"); });
    EXPECT_NE(e.find("magic.idx: not an IDX file"), std::string::npos) << e;

    // A gzip stream cut in the middle.
    const std::vector<std::uint8_t> gz = gzip(std::vector<std::uint8_t>(100000, 7));
    write_bytes(dir.path / "cut.gz", std::vector<std::uint8_t>(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2)));
    e = error_of([&] { bp::read_idx(dir.path / "cut.gz"); });
    EXPECT_NE(e.find("cut.gz"), std::string::npos) << e;

    e = error_of([&] { bp::read_idx(dir.path / "nowhere.gz"); });
    EXPECT_NE(e.find("nowhere.gz: no such file"), std::string::npos) << e;
}

TEST(Ch05Data, AMissingDataSetNamesThePackage) {
    const std::string e = error_of([] { bp::load_fashion_mnist("train", "/nonexistent/fashion-mnist"); });
    EXPECT_NE(e.find("apt-get install dataset-fashion-mnist"), std::string::npos) << e;
}

TEST(Ch05Data, LoadsFashionMnist) {
    ASSERT_TRUE(std::filesystem::is_directory(bp::fashion_mnist_dir))
        << "Debian's dataset-fashion-mnist is not installed: ./course deps installs it";
    const bp::Dataset test = bp::load_fashion_mnist("test");
    EXPECT_EQ(bp::shape(test.x), "784x10000");
    EXPECT_EQ(test.labels.size(), 10000u);
    EXPECT_GE(test.x.minCoeff(), 0.0);
    EXPECT_LE(test.x.maxCoeff(), 1.0);
    EXPECT_EQ(test.labels[0], 9) << "the first test image is an ankle boot";
}

TEST(Ch05Optimizers, RefuseParametersOfAnotherModel) {
    Matrix w = Matrix::Zero(2, 2), g = Matrix::Zero(2, 2), w3 = Matrix::Zero(3, 3), g3 = Matrix::Zero(3, 3);
    bp::Adam opt;
    opt.step({bp::Parameter("w", w, g)});
    bp_test::expect_shape_error([&] { opt.step({bp::Parameter("w", w3, g3)}); }, {"Adam::step", "3x3", "2x2"});
}

TEST(Ch05Optimizers, AdamWWithBetasIsAdamWithThemOnTheDecayedWeights) {
    bp::Rng rng(51);
    Matrix w = rng.uniform_matrix(2, 3, -1, 1), w_adam = w * (1 - 0.1 * 0.5);
    bp::AdamW adamw(0.1, 0.5, 0.5, 0.9, 1e-3);
    bp::Adam adam(0.1, 0.5, 0.9, 1e-3);
    Matrix g = rng.uniform_matrix(2, 3, -1, 1);
    adamw.step({bp::Parameter("w", w, g)});
    adam.step({bp::Parameter("w", w_adam, g)});
    EXPECT_MATRIX_NEAR(w_adam, w) << "one step: w (1 - lr lambda), then Adam's step with beta1 = 0.5, beta2 = 0.9, eps = 1e-3";
    // A second step, so that the betas weigh the first gradient against the second.
    w_adam = w * (1 - 0.1 * 0.5);
    g = rng.uniform_matrix(2, 3, -1, 1);
    adamw.step({bp::Parameter("w", w, g)});
    adam.step({bp::Parameter("w", w_adam, g)});
    EXPECT_MATRIX_NEAR(w_adam, w) << "the second step";
}

// basic_train_step's given first line (around exercise 5.10): clip_norm > 0 is false for a NaN,
// which meant no clipping, silently.
TEST(Ch05Training, TheBasicStepRefusesAClipNormThatIsNaNOrNegative) {
    bp::Rng rng(4);
    bp::Mlp net({2, 3, 2}, bp::Activation::relu, bp::Activation::identity, rng);
    const Matrix x = rng.uniform_matrix(2, 4, -1, 1), y = bp_test::one_hot(rng, 2, 4), W = net.dense(0).W;
    bp::Sgd sgd(0.1);
    EXPECT_ERROR_MENTIONS(bp::basic_train_step(net, bp::softmax_cross_entropy(), sgd, x, y, std::nan("")),
                          "basic_train_step: clip_norm must be finite and at least 0, got nan");
    EXPECT_ERROR_MENTIONS(bp::basic_train_step(net, bp::softmax_cross_entropy(), sgd, x, y, -1.0),
                          "basic_train_step: clip_norm must be finite and at least 0, got -1");
    EXPECT_TRUE(net.dense(0).W == W);
}

TEST(Ch05Training, LearnsTheSpiral) {
    bp::Rng rng(3);
    const bp::Dataset data = bp::spiral(3, 100, 0.1, rng);
    bp::Mlp net({2, 32, 3}, bp::Activation::relu, bp::Activation::identity, rng);
    bp::Adam adam(0.02);
    bp::EpochOptions options;
    options.batch = 30;
    long step = 0;
    for (int epoch = 0; epoch < 150; ++epoch) bp::train_epoch(net, bp::softmax_cross_entropy(), adam, data, options, rng, step);
    EXPECT_GT(bp::evaluate(net, data).accuracy, 0.95);
}

}  // namespace

namespace {

TEST(Ch05Training, EveryEpochVisitsEachExampleOnceInBatches) {
    // 10 examples in batches of 4: 4, 4 and 2, in a shuffled order; steps count on across epochs.
    bp::Rng rng(11);
    bp::EpochOptions options;
    options.batch = 4;
    std::vector<long> scheduled, finished;
    options.schedule = [&](long step) { scheduled.push_back(step); };
    options.after_step = [&](long step, double) { finished.push_back(step); };
    long step = 5;
    std::vector<bp::Index> seen, sizes;
    const double mean =
        bp::for_each_batch(10, options, rng, step, nullptr, [&](const std::vector<bp::Index>& order, bp::Index first, bp::Index count) {
            for (bp::Index k = first; k < first + count; ++k) seen.push_back(order[static_cast<std::size_t>(k)]);
            sizes.push_back(count);
            return static_cast<double>(count);  // a "loss" per batch: its size
        });
    EXPECT_EQ(sizes, (std::vector<bp::Index>{4, 4, 2}));
    std::vector<bp::Index> sorted = seen;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<bp::Index>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})) << "each example exactly once";
    EXPECT_NE(seen, sorted) << "the order is shuffled";
    EXPECT_EQ(scheduled, (std::vector<long>{5, 6, 7}));
    EXPECT_EQ(finished, scheduled);
    EXPECT_EQ(step, 8);
    EXPECT_DOUBLE_EQ(mean, 10.0 / 3.0);  // the mean of the batches' losses
    options.batch = 0;
    EXPECT_THROW(
        bp::for_each_batch(10, options, rng, step, nullptr, [](const std::vector<bp::Index>&, bp::Index, bp::Index) { return 0.0; }),
        std::invalid_argument);
}

TEST(Ch05Training, AStepLimitEndsTheEpochWhereTheRunReachesIt) {
    // Steps 8 and 9 of a run limited to 10 steps: the epoch of 3 batches stops after two.
    bp::Rng rng(12);
    bp::EpochOptions options;
    options.batch = 4;
    options.step_limit = 10;
    long step = 8;
    std::vector<bp::Index> sizes;
    bp::for_each_batch(10, options, rng, step, nullptr, [&](const std::vector<bp::Index>&, bp::Index, bp::Index count) {
        sizes.push_back(count);
        return 1.0;
    });
    EXPECT_EQ(sizes, (std::vector<bp::Index>{4, 4}));
    EXPECT_EQ(step, 10);
    sizes.clear();
    bp::for_each_batch(10, options, rng, step, nullptr, [&](const std::vector<bp::Index>&, bp::Index, bp::Index count) {
        sizes.push_back(count);
        return 1.0;
    });
    EXPECT_TRUE(sizes.empty()) << "a run at its limit takes no step";
    options.step_limit = -1;
    EXPECT_THROW(
        bp::for_each_batch(10, options, rng, step, nullptr, [](const std::vector<bp::Index>&, bp::Index, bp::Index) { return 0.0; }),
        std::invalid_argument);
}

}  // namespace
