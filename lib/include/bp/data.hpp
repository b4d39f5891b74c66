/// \file
/// Data sets, with examples as columns: Fashion-MNIST from Debian's dataset-fashion-mnist
/// package, and small synthetic sets (spiral, XOR) for tests and quick demos.
#pragma once

#include "bp/random.hpp"

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

namespace bp {

/// A data file that is missing, truncated or corrupt. what() names the file, and the offset
/// where that makes sense.
class DataError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A labelled data set.
struct Dataset {
    Matrix x;                 ///< n_features x m: one example per column
    std::vector<int> labels;  ///< m class indices in [0, classes)
    int classes = 0;

    Index size() const { return x.cols(); }
    /// Columns `first` to `first + count` of x (or of the examples listed in `order`, if not
    /// empty), and their one-hot targets (classes x count).
    void batch(const std::vector<Index>& order, Index first, Index count, Matrix& x_batch, Matrix& y_batch) const;
};

/// An IDX array (the format of the MNIST files): its dimensions and its bytes.
struct IdxArray {
    std::vector<std::uint32_t> dims;
    std::vector<std::uint8_t> data;
};

/// Reads an IDX file of unsigned bytes, gzipped or not. Throws DataError on any problem.
IdxArray read_idx(const std::filesystem::path& file);

/// Where Debian's dataset-fashion-mnist package puts the files.
inline const std::filesystem::path fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";

/// Fashion-MNIST's "train" (60000) or "test" (10000) split: 784 pixels in [0, 1] per column,
/// 10 classes. Throws DataError naming the package to install if it is missing.
Dataset load_fashion_mnist(const std::string& split, const std::filesystem::path& dir = fashion_mnist_dir);

/// Standardizes the inputs of `train` and of every data set in `others` with train's mean and
/// deviation (one of each over all pixels), so that the inputs have mean 0 and variance 1.
void standardize(Dataset& train, std::initializer_list<Dataset*> others = {});

/// `classes` interleaved spiral arms in 2-D, `per_class` points each; not linearly separable.
Dataset spiral(int classes, int per_class, double noise, Rng& rng);

/// XOR: points in [-1, 1]^2, class 1 where the signs of the coordinates differ.
Dataset xor_data(int count, Rng& rng);

}  // namespace bp
