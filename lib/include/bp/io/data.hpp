/// \file
/// Data sets, with examples as columns: Fashion-MNIST from Debian's dataset-fashion-mnist
/// package, and small synthetic sets (spiral, XOR) for tests and quick demos.
#pragma once

#include "bp/core/random.hpp"

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
    /// Columns `first` to `first + count` of x (or the examples order[first], ...,
    /// order[first + count - 1], if order is not empty), and their one-hot targets (classes x
    /// count). Throws ShapeError for an empty set, a label count that is not x's column count,
    /// positions past the end of x or of order, or an order entry that is not an example;
    /// DataError for a label outside [0, classes).
    void batch(const std::vector<Index>& order, Index first, Index count, Matrix& x_batch, Matrix& y_batch) const;
    /// Throws unless the set can be trained on or evaluated: not empty (ShapeError), one label
    /// per column (ShapeError), every label in [0, classes) (DataError). `op` names the caller.
    void check(const char* op) const;
};

/// An IDX array (the format of the MNIST files): its dimensions and its bytes.
struct IdxArray {
    std::vector<std::uint32_t> dims;
    std::vector<std::uint8_t> data;
};

/// Reads an IDX file of unsigned bytes, gzipped or not. Throws DataError naming the file and
/// the offset: a path that is not a regular file (a folder, a named pipe), a header that
/// promises more than the file can hold or dimensions whose product overflows (both found
/// before the data is read or allocated), data that ends early or runs on, and gzip data that
/// is corrupt or cut short before its trailer (so its checksum is always checked).
IdxArray read_idx(const std::filesystem::path& file);

/// The same, from a file's whole content in memory; `name` stands for the file in messages.
IdxArray read_idx_bytes(const std::uint8_t* bytes, std::size_t size, const std::string& name);

/// Where Debian's dataset-fashion-mnist package puts the files.
inline const std::filesystem::path fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";

/// Fashion-MNIST's "train" (60000) or "test" (10000) split: 784 pixels in [0, 1] per column,
/// 10 classes. Throws DataError naming the package to install if it is missing.
Dataset load_fashion_mnist(const std::string& split, const std::filesystem::path& dir = fashion_mnist_dir);

/// Standardizes the inputs of `train` and of every data set in `others` with train's mean and
/// deviation (one of each over all pixels), so that the inputs have mean 0 and variance 1.
/// Throws ShapeError if train is empty or another set has a different number of features,
/// DataError naming the set, the example and the input if one holds an inf or a NaN, and
/// DataError if every input of train is the same.
void standardize(Dataset& train, std::initializer_list<Dataset*> others = {});

/// `classes` interleaved spiral arms in 2-D, `per_class` points each; not linearly separable.
Dataset spiral(int classes, int per_class, double noise, Rng& rng);

/// XOR: points in [-1, 1]^2, class 1 where the signs of the coordinates differ.
Dataset xor_data(int count, Rng& rng);

}  // namespace bp
