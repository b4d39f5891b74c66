// Library checks of the data files and data sets: the IDX reader refuses, by name and
// offset, whatever is not a well-formed IDX file, without hanging and without allocating
// more than the file can hold; a data set refuses batches it cannot give.
// Each test writes its small crafted files into a scratch folder of its own.
#include "check.hpp"

#include "bp/io/data.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <future>

namespace {

using bp::Matrix;
using bp_test::error_of;
using bp_test::gzip;
using bp_test::TempDir;
using bp_test::write_bytes;
using Bytes = std::vector<std::uint8_t>;

Bytes concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// An IDX header for unsigned bytes with the given dimensions.
Bytes header(std::initializer_list<std::uint32_t> dims) {
    Bytes h = {0, 0, 8, static_cast<std::uint8_t>(dims.size())};
    for (std::uint32_t d : dims)
        for (int shift : {24, 16, 8, 0}) h.push_back(static_cast<std::uint8_t>(d >> shift));
    return h;
}

// 2 rows x 3 bytes.
const Bytes small_idx = concat(header({2, 3}), {1, 2, 3, 4, 5, 6});

// What read_idx(file) threw ("" if nothing).
std::string error_reading(const std::filesystem::path& file) {
    try {
        bp::read_idx(file);
    } catch (const bp::DataError& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("not a DataError: ") + e.what();
    }
    return "";
}

// The peak memory of this process so far, in MB.
double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

TEST(LibData, ReadsPlainGzippedAndMultiStreamFiles) {
    TempDir dir;
    write_bytes(dir.path / "a.idx", small_idx);
    write_bytes(dir.path / "a.gz", gzip(small_idx));
    // gzip files may hold several streams one after another (cat a.gz b.gz).
    write_bytes(dir.path / "two.gz",
                concat(gzip(Bytes(small_idx.begin(), small_idx.begin() + 7)), gzip(Bytes(small_idx.begin() + 7, small_idx.end()))));
    for (const char* name : {"a.idx", "a.gz", "two.gz"}) {
        const bp::IdxArray a = bp::read_idx(dir.path / name);
        EXPECT_EQ(a.dims, (std::vector<std::uint32_t>{2, 3})) << name;
        EXPECT_EQ(a.data, (Bytes{1, 2, 3, 4, 5, 6})) << name;
    }
    const Bytes gz = gzip(small_idx);
    EXPECT_EQ(bp::read_idx_bytes(gz.data(), gz.size(), "memory").data, (Bytes{1, 2, 3, 4, 5, 6}));
    const bp::IdxArray empty = bp::read_idx_bytes(header({0, 28}).data(), 12, "memory");
    EXPECT_EQ(empty.dims, (std::vector<std::uint32_t>{0, 28}));
    EXPECT_TRUE(empty.data.empty());
}

// Today a named pipe makes the reader wait for a writer forever; it must be refused at once.
TEST(LibData, RefusesANamedPipeWithoutWaiting) {
    TempDir dir;
    const auto fifo = dir.path / "pipe.gz";
    ASSERT_EQ(0, ::mkfifo(fifo.c_str(), 0600)) << "cannot make a named pipe here";
    auto reading = std::async(std::launch::async, [&] { return error_reading(fifo); });
    if (reading.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
        const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);  // lets the blocked reader go
        if (writer >= 0) ::close(writer);
        FAIL() << "read_idx still waits on a named pipe after 10 s";
    }
    const std::string e = reading.get();
    EXPECT_MENTIONS(e, "pipe.gz", "not a regular file", "named pipe");
    EXPECT_MENTIONS(error_reading(dir.path), "not a regular file", "folder");
    EXPECT_MENTIONS(error_reading(dir.path / "nowhere.gz"), "nowhere.gz: no such file");
}

// A 260 kB gzip file whose header promises 6 bytes but which holds 256 MB: the reader stops
// at the first byte too many instead of decompressing it all into memory.
TEST(LibData, DecompressesNoMoreThanTheHeaderPromises) {
    TempDir dir;
    const Bytes megabyte_of_zeros = gzip(Bytes(1 << 20, 0));
    Bytes bomb = gzip(small_idx);
    for (int i = 0; i < 256; ++i) bomb.insert(bomb.end(), megabyte_of_zeros.begin(), megabyte_of_zeros.end());
    write_bytes(dir.path / "bomb.gz", bomb);
    bomb = {};
    const double before = peak_rss_mb();
    const std::string e = error_reading(dir.path / "bomb.gz");
    EXPECT_MENTIONS(e, "bomb.gz: too long", "offset 18 of the decompressed data");
    EXPECT_LT(peak_rss_mb() - before, 64.0) << "reading a 260 kB file raised the peak memory from " << before << " MB to " << peak_rss_mb()
                                            << " MB";
}

// A header may promise more than the file can hold, or dimensions whose product overflows:
// both are refused from the header alone, before any of the data is read or allocated.
TEST(LibData, RefusesHeadersThatPromiseTooMuch) {
    TempDir dir;
    write_bytes(dir.path / "overflow.idx", concat(header({1u << 31, 1u << 31, 4}), {1, 2, 3}));
    EXPECT_MENTIONS(error_reading(dir.path / "overflow.idx"), "overflow.idx", "offset 4", "2147483648 x 2147483648 x 4");
    write_bytes(dir.path / "overflow.gz", gzip(concat(header({1u << 31, 1u << 31, 4}), {1, 2, 3})));
    EXPECT_MENTIONS(error_reading(dir.path / "overflow.gz"), "overflow.gz", "2147483648 x 2147483648 x 4");

    const double before = peak_rss_mb();
    write_bytes(dir.path / "huge.idx", concat(header({60000, 28, 28, 100}), {1, 2, 3}));  // 4.7 GB promised, 3 given
    EXPECT_MENTIONS(error_reading(dir.path / "huge.idx"), "huge.idx: truncated", "offset 4", "4704000000 bytes", "3 bytes follow");
    write_bytes(dir.path / "huge.gz", gzip(concat(header({60000, 28, 28, 100}), {1, 2, 3})));
    EXPECT_MENTIONS(error_reading(dir.path / "huge.gz"), "huge.gz: truncated", "4704000000 bytes", "gzip data can hold");
    EXPECT_LT(peak_rss_mb() - before, 64.0);

    write_bytes(dir.path / "long.idx", concat(small_idx, {9}));
    EXPECT_MENTIONS(error_reading(dir.path / "long.idx"), "long.idx: too long", "= 6 bytes", "7 bytes follow");
    write_bytes(dir.path / "short.idx", Bytes(small_idx.begin(), small_idx.end() - 2));
    EXPECT_MENTIONS(error_reading(dir.path / "short.idx"), "short.idx: truncated", "offset 4", "4 bytes follow");
    write_bytes(dir.path / "empty.idx", Bytes{});
    EXPECT_MENTIONS(error_reading(dir.path / "empty.idx"), "empty.idx: truncated", "IDX header", "offset 0");
    write_bytes(dir.path / "rank.idx", {0, 0, 8, 3, 0, 0});
    EXPECT_MENTIONS(error_reading(dir.path / "rank.idx"), "rank.idx: truncated", "3 dimensions", "ends at 6");
    write_bytes(dir.path / "type.idx", {0, 0, 0x0d, 1, 0, 0, 0, 0});
    EXPECT_MENTIONS(error_reading(dir.path / "type.idx"), "type.idx", "element type 13");
}

// gzread reports nothing when a stream stops before its trailer: the data so far loaded
// silently, and with the trailer went the checksum that would catch a flipped byte.
TEST(LibData, RefusesGzipDataCutShortOrCorrupt) {
    TempDir dir;
    const Bytes gz = gzip(small_idx);
    for (std::size_t cut : {1, 4, 8}) {
        const auto file = dir.path / ("cut" + std::to_string(cut) + ".gz");
        write_bytes(file, Bytes(gz.begin(), gz.end() - static_cast<std::ptrdiff_t>(cut)));
        SCOPED_TRACE("cut " + std::to_string(cut) + " bytes");
        EXPECT_MENTIONS(error_reading(file), file.filename().c_str(), "cut short", "of the file");
    }
    // A flipped byte in stored (uncompressed) gzip data: only the trailer's checksum can
    // catch it, so a stream cut before its trailer must not load.
    Bytes flipped = gzip(small_idx, 0);
    flipped[flipped.size() - 8 - 2] ^= 0x01;  // data byte 5 (6 -> 7), just before the trailer
    write_bytes(dir.path / "flipped.gz", flipped);
    EXPECT_MENTIONS(error_reading(dir.path / "flipped.gz"), "flipped.gz: corrupt gzip data", "incorrect data check");
    write_bytes(dir.path / "flipped-cut.gz", Bytes(flipped.begin(), flipped.end() - 8));
    EXPECT_MENTIONS(error_reading(dir.path / "flipped-cut.gz"), "flipped-cut.gz: corrupt", "cut short");
    // Bytes after the stream that are not another gzip stream.
    write_bytes(dir.path / "trailing.gz", concat(gz, {1, 2, 3, 4}));
    EXPECT_MENTIONS(error_reading(dir.path / "trailing.gz"), "trailing.gz: corrupt gzip data");
    // A stream cut in the middle of the data.
    write_bytes(dir.path / "half.gz", Bytes(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2)));
    EXPECT_MENTIONS(error_reading(dir.path / "half.gz"), "half.gz");
}

TEST(LibData, ReadsTheBytesReadIdxBytesIsGiven) {
    const Bytes gz = gzip(small_idx);
    try {
        bp::read_idx_bytes(gz.data(), gz.size() - 4, "in memory");
        ADD_FAILURE() << "a cut gzip stream was accepted";
    } catch (const bp::DataError& e) {
        EXPECT_MENTIONS(e.what(), "in memory", "cut short");
    }
}

// ---- Data sets ----

bp::Dataset three_examples() {
    bp::Dataset d;
    d.x = (Matrix(2, 3) << 1, 2, 3, 4, 5, 6).finished();
    d.labels = {0, 1, 1};
    d.classes = 2;
    return d;
}

TEST(LibDataset, BatchChecksItsOrderAndLabels) {
    const bp::Dataset d = three_examples();
    Matrix x, y;
    d.batch({2, 0, 1}, 1, 2, x, y);
    EXPECT_EQ(x, (Matrix(2, 2) << 1, 2, 4, 5).finished());
    EXPECT_EQ(y, (Matrix(2, 2) << 1, 0, 0, 1).finished());

    // A short order was read past its end.
    EXPECT_MENTIONS(error_of<bp::ShapeError>([&] { d.batch({2, 0}, 1, 2, x, y); }), "Dataset::batch", "an order listing 2");
    EXPECT_MENTIONS(error_of<bp::ShapeError>([&] { d.batch({2, 7, 1}, 0, 3, x, y); }), "Dataset::batch", "order[1] is 7");
    EXPECT_MENTIONS(error_of<bp::ShapeError>([&] { d.batch({2, -1, 1}, 0, 3, x, y); }), "order[1] is -1");
    EXPECT_MENTIONS(error_of<bp::ShapeError>([&] { d.batch({}, 2, 2, x, y); }), "examples 2 to 4 of a data set of 3");

    bp::Dataset short_labels = three_examples();
    short_labels.labels.pop_back();
    EXPECT_MENTIONS(error_of<bp::ShapeError>([&] { short_labels.batch({}, 0, 1, x, y); }), "3 examples", "2 labels");
    bp::Dataset bad_label = three_examples();
    bad_label.labels[1] = 2;
    EXPECT_MENTIONS(error_of<bp::DataError>([&] { bad_label.batch({}, 0, 3, x, y); }), "label 2 of example 1", "[0, 2)");
    EXPECT_MENTIONS(error_of<bp::DataError>([&] { bad_label.check("train_epoch"); }), "train_epoch: label 2 of example 1");
    EXPECT_NO_THROW(three_examples().check("train_epoch"));
}

TEST(LibDataset, AnEmptySetIsANamedError) {
    bp::Dataset empty;
    empty.x.resize(784, 0);
    empty.classes = 10;
    Matrix x, y;
    EXPECT_MENTIONS(error_of<bp::ShapeError>([&] { empty.batch({}, 0, 0, x, y); }), "Dataset::batch", "empty", "784x0");
    EXPECT_MENTIONS(error_of<bp::ShapeError>([&] { empty.check("evaluate"); }), "evaluate", "empty");
    bp::Dataset train = three_examples();
    EXPECT_MENTIONS(error_of<bp::ShapeError>([&] { bp::standardize(empty, {&train}); }), "standardize", "training set is empty");
    bp::Dataset other;
    other.x = Matrix::Ones(5, 2);
    EXPECT_MENTIONS(error_of<bp::ShapeError>([&] { bp::standardize(train, {&other}); }), "standardize", "2 features", "5");
}

// A NaN made the mean and deviation NaN, and standardize said every input was the same value.
TEST(LibDataset, StandardizeNamesTheImageAndPixelThatIsNotFinite) {
    bp::Dataset train = three_examples(), test = three_examples();
    train.x(1, 2) = std::nan("");
    EXPECT_MENTIONS(error_of<bp::DataError>([&] { bp::standardize(train, {&test}); }),
                    "standardize: the training set holds nan at input (pixel) 1 of example (image) 2, x(1, 2)");
    train = three_examples();
    test.x(0, 1) = -HUGE_VAL;
    EXPECT_MENTIONS(error_of<bp::DataError>([&] { bp::standardize(train, {&test}); }),
                    "standardize: data set 1 of the others holds -inf at input (pixel) 0 of example (image) 1");
    EXPECT_TRUE(train.x == three_examples().x) << "nothing is standardized when a set is refused";
    test = three_examples();
    train.x.setConstant(0.5);
    EXPECT_MENTIONS(error_of<bp::DataError>([&] { bp::standardize(train, {&test}); }), "every input of the training set is the same value");
    train.x << 1e308, -1e308, 1e308, -1e308, 1e308, -1e308;
    EXPECT_MENTIONS(error_of<bp::DataError>([&] { bp::standardize(train); }), "standardize: the inputs of the training set are too large");
}

}  // namespace
