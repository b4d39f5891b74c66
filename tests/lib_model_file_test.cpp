// Model files: every kind of layer saved and loaded back bit for bit, and every kind of bad
// file refused by name, without a crash, a hang or an allocation the file cannot back.
#include "check.hpp"

#include "bp/layers/activation_layer.hpp"
#include "bp/layers/batch_norm.hpp"
#include "bp/layers/mlp.hpp"
#include "bp/io/model_file.hpp"
#include "bp/layers/residual.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <limits>
#include <thread>

#include <zlib.h>

namespace {

using bp::Activation;
using bp::Matrix;

using bp_test::bytes_of;
using bp_test::error_of;
using bp_test::TempDir;
using bp_test::write_bytes;

std::string int64_bytes(std::int64_t v) {
    std::string out;
    for (int i = 0; i < 8; ++i) out += static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff);
    return out;
}

// One of each kind of layer, nested.
bp::Sequential every_kind(bp::Rng& rng) {
    bp::Sequential net;
    net.add(bp::Dense(3, 4, Activation::identity, rng));
    net.add(bp::ActivationLayer(Activation::tanh));
    net.add(bp::Residual(bp::Dense(4, 4, Activation::relu, rng)));
    bp::Sequential inner;
    inner.add(bp::Dense(4, 2, Activation::sigmoid, rng));
    net.add(std::move(inner));
    return net;
}

TEST(LibModelFile, EveryKindOfLayerLoadsBackBitForBit) {
    TempDir dir;
    bp::Rng rng(1);
    bp::Sequential net = every_kind(rng);
    for (bp::Parameter& p : net.parameters()) p.value() = rng.uniform_matrix(p.rows(), p.cols(), -1, 1);
    bp::save_model(net, dir.path / "m.bin");
    bp::Sequential back = bp::load_model(dir.path / "m.bin");
    ASSERT_EQ(back.size(), 4u);
    EXPECT_EQ(back.layers[1]->kind(), "activation");
    EXPECT_EQ(back.layers[2]->kind(), "residual");
    EXPECT_EQ(back.layers[3]->kind(), "sequential");
    const auto a = net.parameters(), b = back.parameters();
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].name, b[i].name);
        EXPECT_TRUE(Matrix(a[i].value()) == Matrix(b[i].value())) << a[i].name;
    }
    const Matrix x = rng.uniform_matrix(3, 5, -1, 1);
    EXPECT_TRUE(net.forward(x) == back.forward(x));
    bp::save_model(back, dir.path / "again.bin");
    EXPECT_EQ(bytes_of(dir.path / "m.bin"), bytes_of(dir.path / "again.bin")) << "saving what was loaded gives the same bytes";
}

TEST(LibModelFile, AnMlpKeepsItsActivations) {
    TempDir dir;
    bp::Rng rng(2);
    const bp::Mlp net({3, 4, 2}, Activation::tanh, Activation::identity, rng);
    bp::save_model(net, dir.path / "m.bin");
    bp::Sequential back = bp::load_model(dir.path / "m.bin");
    EXPECT_EQ(back.at<bp::Dense>(0).f, Activation::tanh);
    EXPECT_EQ(back.at<bp::Dense>(1).f, Activation::identity);
    EXPECT_TRUE(back.at<bp::Dense>(1).b == net.dense(1).b);
}

// The CRC-32 a model file of version 4 ends with, of `body`, as its 8 bytes.
std::string checksum_bytes(const std::string& body) {
    const uLong crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
    return int64_bytes(static_cast<std::int64_t>(crc));
}

// The file of an Mlp({3, 4, 2}), and where its parts are. `bytes` is the file without its
// checksum: load_with(changed) signs the changed bytes again, so that what is checked is the
// change itself, and load_raw(bytes) writes them as they are.
struct SavedMlp {
    TempDir dir;
    std::filesystem::path file = dir.path / "m.bin";
    std::string bytes;
    SavedMlp() {
        bp::Rng rng(3);
        bp::save_model(bp::Mlp({3, 4, 2}, Activation::relu, Activation::identity, rng), file);
        bytes = bytes_of(file);
        bytes.resize(bytes.size() - 8);
    }
    std::string load_with(const std::string& changed) { return load_raw(changed + checksum_bytes(changed)); }
    std::string load_raw(const std::string& raw) {
        write_bytes(file, raw);
        return error_of<bp::DataError>([&] { bp::load_model(file); });
    }
};

TEST(LibModelFile, RefusesAnotherVersionKindOrShapeByName) {
    SavedMlp m;
    std::string b = m.bytes;
    b.replace(8, 8, int64_bytes(5));
    EXPECT_NE(m.load_with(b).find("a model file of version 5; this course reads versions 2 to 4 (at offset 8)"), std::string::npos)
        << m.load_with(b);

    b = m.bytes;
    const auto dense = b.find("dense");
    ASSERT_NE(dense, std::string::npos);
    b.replace(dense, 5, "dunce");
    EXPECT_NE(m.load_with(b).find("unknown kind of module 'dunce' for inner module 1 of the model"), std::string::npos) << m.load_with(b);

    b = m.bytes;
    const auto tensor = b.find("layer1.W");
    ASSERT_NE(tensor, std::string::npos);
    b.replace(tensor + 8, 8, int64_bytes(5));  // the rows of layer1.W
    EXPECT_NE(m.load_with(b).find("layer1.W is 5x3 in the file but 4x3 in its module"), std::string::npos) << m.load_with(b);

    b = m.bytes;
    b.replace(tensor, 8, "layer1.V");
    EXPECT_NE(m.load_with(b).find("the tensor here is 'layer1.V' but the modules need 'layer1.W'"), std::string::npos);
}

TEST(LibModelFile, RefusesTruncatedCorruptAndForeignFiles) {
    SavedMlp m;
    EXPECT_NE(m.load_with(m.bytes.substr(0, 100)).find("m.bin: "), std::string::npos);
    EXPECT_NE(m.load_with(m.bytes.substr(0, m.bytes.size() - 3)).find("truncated"), std::string::npos)
        << m.load_with(m.bytes.substr(0, m.bytes.size() - 3));
    EXPECT_NE(m.load_with(m.bytes + "x").find("1 unexpected bytes after the last tensor"), std::string::npos);
    EXPECT_NE(m.load_with("12345678").find("not a model file of this course"), std::string::npos);
    EXPECT_NE(m.load_with(std::string("BPMLP1\n") + std::string(40, '\0')).find("first format (BPMLP1)"), std::string::npos);

    // A value that is not a number, planted in layer2.b.
    std::string b = m.bytes;
    double nan = std::numeric_limits<double>::quiet_NaN();
    std::string nan_bytes(8, '\0');
    std::memcpy(nan_bytes.data(), &nan, 8);  // little-endian machines: the file's order
    b.replace(b.size() - 8, 8, nan_bytes);
    EXPECT_NE(m.load_with(b).find("layer2.b holds nan at row 1, column 0"), std::string::npos) << m.load_with(b);
}

TEST(LibModelFile, AChangedByteIsNamedByTheChecksum) {
    SavedMlp m;
    EXPECT_EQ(m.load_with(m.bytes), "(nothing was thrown)");
    std::string b = m.bytes + checksum_bytes(m.bytes);
    const auto f = b.find("dense") + 5 + 8 + 16;  // the third number of layer1's settings: its activation
    b[f] = static_cast<char>(b[f] ^ 0x01);        // relu becomes another activation: a different model, unless checked
    EXPECT_MENTIONS(m.load_raw(b), "corrupt: its checksum does not match its contents");
}

// Version 3 bytes (no checksum) of a network of two layers, dense n_in1 -> n_out1 and dense
// n_in2 -> 2, with zero weights.
std::string two_dense_layers(double n_in1, double n_out1, double n_in2) {
    const auto number = [](double v) {
        std::string d(8, '\0');
        std::memcpy(d.data(), &v, 8);
        return d;
    };
    const auto tensor = [&](const std::string& name, std::int64_t rows, std::int64_t cols) {
        return int64_bytes(static_cast<std::int64_t>(name.size())) + name + int64_bytes(rows) + int64_bytes(cols) +
               std::string(static_cast<std::size_t>(8 * rows * cols), '\0');
    };
    const auto dense = [&](double n_in, double n_out) {
        return int64_bytes(5) + "dense" + int64_bytes(3) + number(n_in) + number(n_out) + number(0) + int64_bytes(0);
    };
    const auto in1 = static_cast<std::int64_t>(n_in1), out1 = static_cast<std::int64_t>(n_out1), in2 = static_cast<std::int64_t>(n_in2);
    return std::string("BPMODEL\n") + int64_bytes(3) + int64_bytes(10) + "sequential" + int64_bytes(0) + int64_bytes(2) +
           dense(n_in1, n_out1) + dense(n_in2, 2) + int64_bytes(4) + tensor("layer1.W", out1, in1) + tensor("layer1.b", out1, 1) +
           tensor("layer2.W", 2, in2) + tensor("layer2.b", 2, 1);
}

TEST(LibModelFile, LayersThatDoNotFitAreRefusedWhenLoaded) {
    SavedMlp m;
    EXPECT_EQ(m.load_raw(two_dense_layers(3, 4, 4)), "(nothing was thrown)");
    EXPECT_MENTIONS(m.load_raw(two_dense_layers(3, 4, 5)), "layer2 (dense) takes 5 rows in, but the layers before it give 4");
}

TEST(LibModelFile, ANegativeRunningVarianceIsRefusedWhenLoaded) {
    TempDir dir;
    bp::Sequential net;
    net.add(bp::BatchNorm(3));
    net.at<bp::BatchNorm>(0).running_var(1) = -0.5;
    bp::save_model(net, dir.path / "bn.bin");
    EXPECT_MENTIONS(error_of<bp::DataError>([&] { bp::load_model(dir.path / "bn.bin"); }),
                    "corrupt: layer1: running_var is -0.5 at row 1: a variance is never negative");
}

TEST(LibModelFile, AHugeClaimedSizeIsAnErrorNotAnAllocation) {
    // A 39-byte-or-so file whose one dense layer claims 2^24 x 2^24 weights.
    SavedMlp m;
    std::string b = std::string("BPMODEL\n") + int64_bytes(2) + int64_bytes(10) + "sequential" + int64_bytes(0) + int64_bytes(1) +
                    int64_bytes(5) + "dense" + int64_bytes(3);
    for (double v : {16777216.0, 16777216.0, 0.0}) {
        std::string d(8, '\0');
        std::memcpy(d.data(), &v, 8);
        b += d;
    }
    b += int64_bytes(0);
    const std::string e = m.load_raw(b);
    EXPECT_NE(e.find("more than the"), std::string::npos) << e;
    EXPECT_EQ(e.find("not the expected kind"), std::string::npos) << e;
    // A count of inner layers no file could hold.
    std::string c =
        std::string("BPMODEL\n") + int64_bytes(2) + int64_bytes(10) + "sequential" + int64_bytes(0) + int64_bytes(std::int64_t{1} << 40);
    EXPECT_NE(m.load_raw(c).find("more than the"), std::string::npos) << m.load_raw(c);
}

TEST(LibModelFile, ANamedPipeOrAFolderIsRefusedNotWaitedOn) {
    TempDir dir;
    const auto pipe = dir.path / "pipe";
    ASSERT_EQ(::mkfifo(pipe.c_str(), 0600), 0);
    EXPECT_NE(error_of<bp::DataError>([&] { bp::load_model(pipe); }).find("not a regular file"), std::string::npos);
    EXPECT_NE(error_of<bp::DataError>([&] { bp::load_model(dir.path); }).find("not a regular file"), std::string::npos);
    EXPECT_NE(error_of<bp::DataError>([&] { bp::load_model(dir.path / "nothing.bin"); }).find("no such file"), std::string::npos);
}

TEST(LibModelFile, ADivergedModelIsNotSavedAndTheOldFileStays) {
    SavedMlp m;
    bp::Rng rng(4);
    bp::Mlp bad({3, 4, 2}, Activation::relu, Activation::identity, rng);
    bad.dense(1).W(1, 2) = std::numeric_limits<double>::infinity();
    EXPECT_NE(error_of<bp::DataError>([&] { bp::save_model(bad, m.file); }).find("not saved: layer2.W is inf at row 1, column 2"),
              std::string::npos);
    EXPECT_EQ(bytes_of(m.file), m.bytes + checksum_bytes(m.bytes));
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(m.dir.path)) files += entry.is_regular_file();
    EXPECT_EQ(files, 1u) << "no temporary file is left behind";
}

TEST(LibModelFile, SavingWhereItCannotNamesTheFile) {
    TempDir dir;
    bp::Rng rng(5);
    const bp::Mlp net({2, 2}, Activation::relu, Activation::identity, rng);
    EXPECT_NE(error_of<bp::DataError>([&] { bp::save_model(net, dir.path / "no-such-folder" / "m.bin"); }).find("m.bin: cannot save here"),
              std::string::npos);
}

TEST(LibModelFile, AnEarlierModelIsKeptAsANumberedBackup) {
    TempDir dir;
    const auto file = dir.path / "m.bin";
    EXPECT_FALSE(bp::keep_as_backup(file)) << "no file: nothing to keep";
    std::ofstream(file) << "first";
    EXPECT_EQ(bp::keep_as_backup(file), dir.path / "m.bin.~1~");
    std::ofstream(file) << "second";
    EXPECT_EQ(bp::keep_as_backup(file), dir.path / "m.bin.~2~");
    EXPECT_FALSE(std::filesystem::exists(file));
    std::ifstream one(dir.path / "m.bin.~1~"), two(dir.path / "m.bin.~2~");
    std::string a, b;
    one >> a;
    two >> b;
    EXPECT_EQ(a, "first");
    EXPECT_EQ(b, "second");
}

TEST(LibModelFile, ADestinationThatCannotTakeAModelIsNamedBeforeAnyWork) {
    TempDir dir;
    EXPECT_NO_THROW(bp::require_model_destination(dir.path / "m.bin", "--model"));
    EXPECT_ERROR_MENTIONS(bp::require_model_destination("", "--model"), "--model '': give the path of a file");
    EXPECT_ERROR_MENTIONS(bp::require_model_destination(dir.path, "--model"), "give the path of a file");
    EXPECT_ERROR_MENTIONS(bp::require_model_destination(dir.path / "none" / "m.bin", "--model"), "/none does not exist");
}

TEST(LibModelFile, TwoSavesToOnePathLeaveAWholeModel) {
    TempDir dir;
    bp::Rng rng(6);
    const bp::Mlp a({20, 30, 10}, Activation::relu, Activation::identity, rng),
        b({20, 30, 10}, Activation::relu, Activation::identity, rng);
    const auto file = dir.path / "m.bin";
    std::thread first([&] {
        for (int i = 0; i < 20; ++i) bp::save_model(a, file);
    });
    std::thread second([&] {
        for (int i = 0; i < 20; ++i) bp::save_model(b, file);
    });
    first.join();
    second.join();
    bp::Sequential back = bp::load_model(file);
    const Matrix W = back.at<bp::Dense>(0).W;
    EXPECT_TRUE(W == a.dense(0).W || W == b.dense(0).W) << "one of the two models, whole";
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path)) files += entry.is_regular_file();
    EXPECT_EQ(files, 1u) << "no temporary file is left behind";
}

// A save killed before its rename (SIGKILL) leaves its hidden temporary; the next save to the
// same file removes it, and only it: not another file's, nor one of another name, nor one that
// may be in use (its process runs, or it was written to recently).
TEST(LibModelFile, ASaveRemovesTheTemporariesKilledSavesOfTheSameFileLeft) {
    TempDir dir;
    bp::Rng rng(7);
    const bp::Mlp net({2, 3, 2}, Activation::relu, Activation::identity, rng);
    const auto file = dir.path / "net.bin";
    // The pid of a process killed by SIGKILL, as a killed save's was.
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) ::raise(SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status));
    const std::string dead = std::to_string(child), alive = std::to_string(::getpid());
    const auto old = std::filesystem::file_time_type::clock::now() - std::chrono::hours(1);
    const auto temporary = [&](const std::string& name, bool written_long_ago) {
        write_bytes(dir.path / name, "half a model");
        if (written_long_ago) std::filesystem::last_write_time(dir.path / name, old);
        return name;
    };
    const std::string stale = temporary(".net.bin.saving." + dead + ".Ab3xYz", true);
    const std::vector<std::string> kept = {
        temporary(".net.bin.saving." + dead + ".Cd4wVu", false),   // written recently: another machine's save, maybe
        temporary(".net.bin.saving." + alive + ".Ef5tSr", true),   // its process runs: a save in progress
        temporary(".other.bin.saving." + dead + ".Ab3xYz", true),  // another file's
        temporary(".net.bin.saving." + dead + ".Ab3xYz.mine", true),
        temporary(".net.bin.saving.x" + dead + ".Ab3xYz", true),
        temporary(".net.bin." + dead + ".Ab3xYz", true),
    };
    bp::save_model(net, file);
    EXPECT_FALSE(std::filesystem::exists(dir.path / stale)) << "the killed save's temporary is removed";
    for (const std::string& name : kept) EXPECT_TRUE(std::filesystem::exists(dir.path / name)) << name << " is kept";
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path)) files += entry.is_regular_file();
    EXPECT_EQ(files, kept.size() + 1) << "the model, the kept files, and no temporary of this save";
    EXPECT_NO_THROW(bp::load_model(file));
}

}  // namespace
