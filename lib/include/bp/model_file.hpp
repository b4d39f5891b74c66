/// \file
/// Saving a model and loading it back: every layer's kind and shape, its trainable parameters
/// and its non-trainable state (batch normalization's running statistics).
///
/// The format, version 2: the 8 bytes "BPMODEL\n", the version as an integer, the layer tree
/// (each layer: its kind as a string, its configuration as numbers, its inner layers), then the
/// tensors (each: its name as a string, rows, columns, and the values in column order).
/// Integers are 64-bit and numbers IEEE doubles, both little-endian; a string is its length
/// and its bytes. Files of other versions, or of the course's earlier format (BPMLP1), are
/// refused by name.
#pragma once

#include "bp/data.hpp"  // DataError
#include "bp/sequential.hpp"

#include <filesystem>

namespace bp {

inline constexpr std::int64_t model_file_version = 2;

/// Writes the model to `file`: through a new temporary file in the same folder, flushed to
/// disk, then renamed over `file`, so that a crash, a full disk or another program saving to
/// the same path never leaves a half-written model. Throws DataError naming the file (and
/// leaves an existing one as it was) if it cannot, or if a value of the model is not finite.
void save_model(const Layer& model, const std::filesystem::path& file);

/// Reads a model written by save_model. Throws DataError naming the file, the offset and what
/// is wrong: not a model file, another version, an unknown kind of layer, a size the file
/// cannot hold, a tensor of the wrong name or shape, a value that is not finite.
Sequential load_model(const std::filesystem::path& file);

}  // namespace bp
