#include "bp/data.hpp"

#include <zlib.h>

#include <cmath>

namespace bp {

void Dataset::batch(const std::vector<Index>& order, Index first, Index count, Matrix& x_batch, Matrix& y_batch) const {
    if (first < 0 || count < 0 || first + count > size())
        throw ShapeError("Dataset::batch", "examples " + std::to_string(first) + " to " + std::to_string(first + count) +
                                               " of a data set of " + std::to_string(size()));
    x_batch.resize(x.rows(), count);
    y_batch.setZero(classes, count);
    for (Index j = 0; j < count; ++j) {
        const Index k = order.empty() ? first + j : order[static_cast<std::size_t>(first + j)];
        x_batch.col(j) = x.col(k);
        y_batch(labels[static_cast<std::size_t>(k)], j) = 1.0;
    }
}

namespace {

std::vector<std::uint8_t> read_gzip_or_plain(const std::filesystem::path& file) {
    if (!std::filesystem::exists(file)) throw DataError(file.string() + ": no such file");
    gzFile in = gzopen(file.c_str(), "rb");
    if (!in) throw DataError(file.string() + ": cannot open it");
    std::vector<std::uint8_t> bytes;
    std::uint8_t chunk[1 << 16];
    int n;
    while ((n = gzread(in, chunk, sizeof chunk)) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
    int code = Z_OK;
    const std::string message = n < 0 ? gzerror(in, &code) : "";
    gzclose(in);
    if (n < 0)
        throw DataError(file.string() + ": corrupt or truncated gzip data after " + std::to_string(bytes.size()) +
                        " decompressed bytes (" + message + ")");
    return bytes;
}

std::uint32_t big_endian(const std::vector<std::uint8_t>& b, std::size_t at) {
    return (std::uint32_t(b[at]) << 24) | (std::uint32_t(b[at + 1]) << 16) | (std::uint32_t(b[at + 2]) << 8) | b[at + 3];
}

}  // namespace

IdxArray read_idx(const std::filesystem::path& file) {
    const std::vector<std::uint8_t> bytes = read_gzip_or_plain(file);
    const std::string name = file.string();
    if (bytes.size() < 4) throw DataError(name + ": truncated: " + std::to_string(bytes.size()) + " bytes, not even the 4-byte IDX header");
    if (bytes[0] != 0 || bytes[1] != 0)
        throw DataError(name + ": not an IDX file: bytes 0-1 are " + std::to_string(bytes[0]) + " " + std::to_string(bytes[1]) +
                        ", expected 0 0");
    if (bytes[2] != 0x08)
        throw DataError(name + ": byte 2 says element type " + std::to_string(bytes[2]) + "; only unsigned bytes (8) are read");
    const std::size_t rank = bytes[3];
    if (rank == 0 || bytes.size() < 4 + 4 * rank)
        throw DataError(name + ": truncated header: " + std::to_string(rank) + " dimensions need " + std::to_string(4 + 4 * rank) +
                        " bytes, the file has " + std::to_string(bytes.size()));
    IdxArray array;
    std::size_t count = 1;
    for (std::size_t d = 0; d < rank; ++d) {
        array.dims.push_back(big_endian(bytes, 4 + 4 * d));
        count *= array.dims.back();
    }
    const std::size_t header = 4 + 4 * rank;
    if (bytes.size() - header != count)
        throw DataError(name + ": " + (bytes.size() - header < count ? "truncated" : "too long") + ": the header at offset 4 promises " +
                        std::to_string(count) + " bytes of data, but " + std::to_string(bytes.size() - header) +
                        " follow it (from offset " + std::to_string(header) + ")");
    array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
    return array;
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
        throw DataError(labels_file.string() + ": holds " + std::to_string(labels.dims.empty() ? 0 : labels.dims[0]) +
                        " labels, but " + images_file.string() + " holds " + std::to_string(images.dims[0]) + " images");
    Dataset data;
    data.classes = 10;
    const Index m = images.dims[0];
    data.x.resize(784, m);
    for (Index k = 0; k < m; ++k)
        for (Index i = 0; i < 784; ++i) data.x(i, k) = images.data[static_cast<std::size_t>(k * 784 + i)] / 255.0;
    for (std::size_t k = 0; k < labels.data.size(); ++k) {
        if (labels.data[k] > 9)
            throw DataError(labels_file.string() + ": label " + std::to_string(labels.data[k]) + " at offset " +
                            std::to_string(8 + k) + " is not a class 0-9");
        data.labels.push_back(labels.data[k]);
    }
    return data;
}

void standardize(Dataset& train, std::initializer_list<Dataset*> others) {
    const double mean = train.x.mean(), deviation = std::sqrt((train.x.array() - mean).square().mean());
    if (!(deviation > 0)) throw DataError("standardize: every input of the training set is the same value");
    for (Dataset* d : others) d->x = ((d->x.array() - mean) / deviation).matrix();
    train.x = ((train.x.array() - mean) / deviation).matrix();
}

Dataset spiral(int classes, int per_class, double noise, Rng& rng) {
    Dataset data;
    data.classes = classes;
    data.x.resize(2, classes * per_class);
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
