#include "bp/io/data.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

namespace bp {

namespace {

// Examples to take, and one label for each.
void require_examples(const char* op, const Dataset& d) {
    if (d.size() == 0) throw ShapeError(op, "the data set is empty (x is " + shape(d.x) + ")");
    if (d.labels.size() != static_cast<std::size_t>(d.size()))
        throw ShapeError(op, "the data set has " + std::to_string(d.size()) + " examples (x is " + shape(d.x) + ") but " +
                                 std::to_string(d.labels.size()) + " labels");
}

}  // namespace

void Dataset::check(const char* op) const {
    require_examples(op, *this);
    if (classes < 1) throw DataError(std::string(op) + ": the data set has " + std::to_string(classes) + " classes");
    for (std::size_t k = 0; k < labels.size(); ++k)
        if (labels[k] < 0 || labels[k] >= classes)
            throw DataError(std::string(op) + ": label " + std::to_string(labels[k]) + " of example " + std::to_string(k) +
                            " is not a class in [0, " + std::to_string(classes) + ")");
}

void Dataset::batch(const std::vector<Index>& order, Index first, Index count, Matrix& x_batch, Matrix& y_batch) const {
    const char* op = "Dataset::batch";
    require_examples(op, *this);
    // The positions first .. first + count - 1 are positions in `order` if it is given.
    const Index positions = order.empty() ? size() : static_cast<Index>(order.size());
    if (first < 0 || count < 0 || first > positions - count)
        throw ShapeError(op, "examples " + std::to_string(first) + " to " + std::to_string(first + count) + " of " +
                                 (order.empty() ? "a data set of " + std::to_string(size())
                                                : "an order listing " + std::to_string(order.size()) + " examples"));
    x_batch.resize(x.rows(), count);
    y_batch.setZero(classes, count);
    for (Index j = 0; j < count; ++j) {
        const std::size_t at = static_cast<std::size_t>(first + j);
        const Index k = order.empty() ? first + j : order[at];
        if (k < 0 || k >= size())
            throw ShapeError(op, "order[" + std::to_string(at) + "] is " + std::to_string(k) + ", not an example of a data set of " +
                                     std::to_string(size()));
        const int label = labels[static_cast<std::size_t>(k)];
        if (label < 0 || label >= classes)
            throw DataError(std::string(op) + ": label " + std::to_string(label) + " of example " + std::to_string(k) +
                            " is not a class in [0, " + std::to_string(classes) + ")");
        x_batch.col(j) = x.col(k);
        y_batch(label, j) = 1.0;
    }
}

namespace {

// A file descriptor, closed when it goes.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

// Where to get the file's raw bytes from: an open regular file or a buffer in memory. Its
// size is known before anything is read.
class RawInput {
public:
    RawInput(const std::uint8_t* bytes, std::size_t size) : bytes_(bytes), size_(size) {}
    RawInput(int fd, std::size_t size) : fd_(fd), size_(size) {}

    std::size_t size() const { return size_; }

    // Up to `capacity` bytes into `into`; 0 at the end.
    std::size_t read(std::uint8_t* into, std::size_t capacity, const std::string& name) {
        if (fd_ < 0) {
            const std::size_t n = std::min(capacity, size_ - at_);
            std::memcpy(into, bytes_ + at_, n);
            at_ += n;
            return n;
        }
        for (;;) {
            const ssize_t n = ::read(fd_, into, capacity);
            if (n >= 0) return static_cast<std::size_t>(n);
            if (errno != EINTR) throw DataError(name + ": reading failed: " + std::strerror(errno));
        }
    }

private:
    const std::uint8_t* bytes_ = nullptr;
    int fd_ = -1;
    std::size_t size_ = 0, at_ = 0;
};

// The bytes of an IDX file in order, as the reader asks for them: inflated on the way if the
// file is gzip data. Nothing is decompressed before it is asked for, so a small file cannot
// make the reader allocate more than its header promises (and it can promise at most what
// deflate's maximum ratio allows, about 1032:1).
class IdxStream {
public:
    IdxStream(std::string name, RawInput& raw) : name_(std::move(name)), raw_(raw) {
        refill();
        gzip_ = available_ >= 2 && in_[0] == 0x1f && in_[1] == 0x8b;
        if (gzip_ && inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK)  // 16: a gzip wrapper, checked
            throw DataError(name_ + ": cannot start zlib's decompressor");
    }
    ~IdxStream() {
        if (gzip_) inflateEnd(&z_);
    }
    IdxStream(const IdxStream&) = delete;
    IdxStream& operator=(const IdxStream&) = delete;

    bool gzipped() const { return gzip_; }

    // "offset 12" (of the decompressed data, for a gzip file).
    std::string where(std::size_t offset) const { return "offset " + std::to_string(offset) + (gzip_ ? " of the decompressed data" : ""); }

    // Up to n bytes into `into`; fewer only at the end of the data.
    std::size_t read(std::uint8_t* into, std::size_t n) {
        const std::size_t got = gzip_ ? inflate_into(into, n) : copy_into(into, n);
        offset_ += got;
        return got;
    }

    // Exactly n bytes, appended to `out` in chunks (so that `out` grows only as data really
    // arrives), or a DataError saying that the data ends too soon while reading `what`.
    void read_exactly(std::size_t n, std::vector<std::uint8_t>& out, const std::string& what) {
        const std::size_t start = offset_;
        while (n > 0) {
            const std::size_t chunk = std::min<std::size_t>(n, 1 << 20), before = out.size();
            out.resize(before + chunk);
            const std::size_t got = read(out.data() + before, chunk);
            out.resize(before + got);
            if (got < chunk)
                throw DataError(name_ + ": truncated: " + what + " should run from " + where(start) + " to " +
                                std::to_string(offset_ + n - got) + ", but the data ends at " + std::to_string(offset_));
            n -= got;
        }
    }

    // The data must end here; for gzip data the stream must end too, with its trailer, whose
    // checksum and length zlib checks. Stops at the first byte too many. `what` names what
    // came last.
    void expect_end(const std::string& what) {
        std::uint8_t extra;
        if (read(&extra, 1) > 0) throw DataError(name_ + ": too long: more bytes follow " + what + " (from " + where(offset_ - 1) + ")");
    }

private:
    // The next raw bytes into in_ (when all earlier ones are used); false at the end.
    bool refill() {
        if (next_ < available_) return true;
        consumed_ += available_;
        next_ = 0;
        available_ = raw_.read(in_, sizeof in_, name_);
        return available_ > 0;
    }

    std::size_t copy_into(std::uint8_t* into, std::size_t n) {
        std::size_t got = 0;
        while (got < n && refill()) {
            const std::size_t k = std::min(n - got, available_ - next_);
            std::memcpy(into + got, in_ + next_, k);
            next_ += k;
            got += k;
        }
        return got;
    }

    std::size_t compressed_offset() const { return consumed_ + next_; }

    std::size_t inflate_into(std::uint8_t* into, std::size_t n) {
        std::size_t got = 0;
        while (got < n && !ended_) {
            if (!refill()) {
                if (member_started_)
                    throw DataError(name_ + ": corrupt: the gzip data is cut short: it ends at byte " +
                                    std::to_string(compressed_offset()) + " of the file, before the end of its stream (" +
                                    std::to_string(offset_ + got) + " bytes decompressed), so its checksum cannot be checked");
                ended_ = true;  // the end of the file, after a whole stream
                break;
            }
            z_.next_in = in_ + next_;
            z_.avail_in = static_cast<uInt>(available_ - next_);
            z_.next_out = into + got;
            z_.avail_out = static_cast<uInt>(std::min<std::size_t>(n - got, 1u << 30));
            member_started_ = true;
            const int status = inflate(&z_, Z_NO_FLUSH);
            const std::size_t produced = static_cast<std::size_t>(z_.next_out - into) - got;
            const std::size_t used = static_cast<std::size_t>(z_.next_in - in_) - next_;
            got += produced;
            next_ += used;
            if (status == Z_BUF_ERROR && produced == 0 && used == 0)  // cannot happen with input and room; never spin
                throw DataError(name_ + ": zlib made no progress at byte " + std::to_string(compressed_offset()) + " of the file");
            if (status == Z_STREAM_END) {
                // A gzip file may hold several streams one after the other (cat a.gz b.gz).
                member_started_ = false;
                if (inflateReset(&z_) != Z_OK) throw DataError(name_ + ": zlib failed to restart");
            } else if (status != Z_OK && status != Z_BUF_ERROR) {
                throw DataError(name_ + ": corrupt gzip data at byte " + std::to_string(compressed_offset()) + " of the file (" +
                                std::to_string(offset_ + got) +
                                " bytes decompressed): " + (z_.msg ? z_.msg : "zlib error " + std::to_string(status)));
            }
        }
        return got;
    }

    std::string name_;
    RawInput& raw_;
    std::uint8_t in_[1 << 16];
    std::size_t next_ = 0, available_ = 0, consumed_ = 0, offset_ = 0;
    bool gzip_ = false, member_started_ = false, ended_ = false;
    z_stream z_{};
};

std::uint32_t big_endian(const std::uint8_t* b) {
    return (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) | b[3];
}

// The header first, then exactly the payload it promises, then the end.
IdxArray read_idx_from(const std::string& name, RawInput& raw) {
    IdxStream in(name, raw);
    std::vector<std::uint8_t> header;
    in.read_exactly(4, header, "the 4-byte IDX header");
    if (header[0] != 0 || header[1] != 0)
        throw DataError(name + ": not an IDX file: bytes 0-1 are " + std::to_string(header[0]) + " " + std::to_string(header[1]) +
                        ", expected 0 0" + (in.gzipped() ? " (after decompressing)" : ""));
    if (header[2] != 0x08)
        throw DataError(name + ": byte 2 says element type " + std::to_string(header[2]) + "; only unsigned bytes (8) are read");
    const std::size_t rank = header[3];
    if (rank == 0) throw DataError(name + ": byte 3 says 0 dimensions; an IDX array has at least one");
    in.read_exactly(4 * rank, header, "the header's " + std::to_string(rank) + " dimensions");

    IdxArray array;
    std::size_t count = 1;
    std::string dims;
    for (std::size_t d = 0; d < rank; ++d) {
        array.dims.push_back(big_endian(&header[4 + 4 * d]));
        dims += (d ? " x " : "") + std::to_string(array.dims.back());
    }
    for (std::uint32_t d : array.dims) {
        if (d != 0 && count > static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) / d)
            throw DataError(name + ": corrupt header: its dimensions (offset 4) " + dims + " multiply to more bytes than any file holds");
        count *= d;
    }
    const std::size_t data_at = 4 + 4 * rank;
    // Before reading (or allocating) any of it: can the file hold what the header promises?
    // A plain file holds exactly that after the header; gzip data, at most 1032 times its size
    // (deflate's largest ratio).
    const std::string promise =
        ": the header (offset 4) promises " + dims + " = " + std::to_string(count) + " bytes of data from " + in.where(data_at);
    if (!in.gzipped() && count != raw.size() - data_at)  // the header was read, so raw.size() >= data_at
        throw DataError(name + (count > raw.size() - data_at ? ": truncated" : ": too long") + promise + ", but " +
                        std::to_string(raw.size() - data_at) + " bytes follow the header");
    if (in.gzipped() && count / 1032 > raw.size())
        throw DataError(name + ": truncated" + promise + ", more than " + std::to_string(raw.size()) + " bytes of gzip data can hold");
    in.read_exactly(count, array.data, "the data");
    in.expect_end("the data the header promises");
    return array;
}

}  // namespace

IdxArray read_idx(const std::filesystem::path& file) {
    const std::string name = file.string();
    // Opened without blocking and checked before any read: a named pipe would otherwise wait
    // for a writer forever, and a device could be read without end.
    Fd fd;
    fd.fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd.fd < 0 && errno == ENOENT) throw DataError(name + ": no such file");
    if (fd.fd < 0) throw DataError(name + ": cannot open it: " + std::strerror(errno));
    struct stat info {};
    if (::fstat(fd.fd, &info) != 0) throw DataError(name + ": cannot read its status: " + std::strerror(errno));
    if (!S_ISREG(info.st_mode))
        throw DataError(name + ": not a regular file (it is " +
                        (S_ISDIR(info.st_mode)    ? "a folder"
                         : S_ISFIFO(info.st_mode) ? "a named pipe"
                         : S_ISCHR(info.st_mode)  ? "a character device"
                         : S_ISBLK(info.st_mode)  ? "a block device"
                         : S_ISSOCK(info.st_mode) ? "a socket"
                                                  : "not a file") +
                        "); give the path of a data file");
    RawInput raw(fd.fd, static_cast<std::size_t>(info.st_size));
    return read_idx_from(name, raw);
}

IdxArray read_idx_bytes(const std::uint8_t* bytes, std::size_t size, const std::string& name) {
    if (bytes == nullptr && size > 0) throw std::invalid_argument("read_idx_bytes: no bytes, but a size of " + std::to_string(size));
    RawInput raw(bytes, size);
    return read_idx_from(name, raw);
}

Dataset load_fashion_mnist(const std::string& split, const std::filesystem::path& dir) {
    if (split != "train" && split != "test")
        throw std::invalid_argument("load_fashion_mnist: split is '" + split + "'; use \"train\" or \"test\"");
    if (!std::filesystem::is_directory(dir))
        throw DataError("Fashion-MNIST is not installed (no folder " + dir.string() +
                        "); install Debian's package: apt-get install dataset-fashion-mnist");
    const std::string stem = split == "train" ? "train" : "t10k";
    const auto images_file = dir / (stem + "-images-idx3-ubyte.gz"), labels_file = dir / (stem + "-labels-idx1-ubyte.gz");
    const IdxArray images = read_idx(images_file), labels = read_idx(labels_file);
    if (images.dims.size() != 3 || images.dims[1] != 28 || images.dims[2] != 28)
        throw DataError(images_file.string() + ": expected images of 28x28 pixels (3 dimensions: count, 28, 28)");
    if (labels.dims.size() != 1 || labels.dims[0] != images.dims[0])
        throw DataError(labels_file.string() + ": holds " + std::to_string(labels.dims.empty() ? 0 : labels.dims[0]) + " labels, but " +
                        images_file.string() + " holds " + std::to_string(images.dims[0]) + " images");
    if (images.dims[0] == 0) throw DataError(images_file.string() + ": holds no images");
    Dataset data;
    data.classes = 10;
    const Index m = images.dims[0];
    data.x.resize(784, m);
    for (Index k = 0; k < m; ++k)
        for (Index i = 0; i < 784; ++i) data.x(i, k) = images.data[static_cast<std::size_t>(k * 784 + i)] / 255.0;
    for (std::size_t k = 0; k < labels.data.size(); ++k) {
        if (labels.data[k] > 9)
            throw DataError(labels_file.string() + ": label " + std::to_string(labels.data[k]) + " at offset " + std::to_string(8 + k) +
                            " is not a class 0-9");
        data.labels.push_back(labels.data[k]);
    }
    return data;
}

void standardize(Dataset& train, std::initializer_list<Dataset*> others) {
    if (train.x.size() == 0) throw ShapeError("standardize", "the training set is empty (x is " + shape(train.x) + ")");
    for (const Dataset* d : others)
        if (d->x.size() != 0 && d->x.rows() != train.x.rows())
            throw ShapeError("standardize", "the training set has " + std::to_string(train.x.rows()) + " features per example (x is " +
                                                shape(train.x) + ") but another set has " + std::to_string(d->x.rows()) + " (x is " +
                                                shape(d->x) + ")");
    // A NaN or an inf would make the mean and deviation NaN, and the message below a lie.
    const auto require_finite_inputs = [](const Dataset& d, const std::string& which) {
        if (const auto bad = first_non_finite(d.x))
            throw DataError("standardize: " + which + " holds " + number_text(bad->value) + " at input (pixel) " +
                            std::to_string(bad->row) + " of example (image) " + std::to_string(bad->col) + ", x(" +
                            std::to_string(bad->row) + ", " + std::to_string(bad->col) + ")");
    };
    require_finite_inputs(train, "the training set");
    int other = 0;
    for (const Dataset* d : others) require_finite_inputs(*d, "data set " + std::to_string(++other) + " of the others");
    const double mean = train.x.mean(), deviation = std::sqrt((train.x.array() - mean).square().mean());
    if (!std::isfinite(mean) || !std::isfinite(deviation))
        throw DataError("standardize: the inputs of the training set are too large: their mean or deviation overflows");
    if (!(deviation > 0)) throw DataError("standardize: every input of the training set is the same value");
    for (Dataset* d : others) d->x = ((d->x.array() - mean) / deviation).matrix();
    train.x = ((train.x.array() - mean) / deviation).matrix();
}

Dataset spiral(int classes, int per_class, double noise, Rng& rng) {
    Dataset data;
    data.classes = classes;
    data.x.resize(2, Index{classes} * per_class);
    for (int c = 0; c < classes; ++c)
        for (int i = 0; i < per_class; ++i) {
            const double r = static_cast<double>(i) / per_class;
            const double angle = 4.0 * r + 2.0 * 3.14159265358979323846 * c / classes + noise * rng.normal();
            data.x.col(c * per_class + i) << r * std::cos(angle), r * std::sin(angle);
            data.labels.push_back(c);
        }
    return data;
}

Dataset xor_data(int count, Rng& rng) {
    Dataset data;
    data.classes = 2;
    data.x = rng.uniform_matrix(2, count, -1, 1);
    for (int k = 0; k < count; ++k) data.labels.push_back((data.x(0, k) > 0) != (data.x(1, k) > 0) ? 1 : 0);
    return data;
}

}  // namespace bp
