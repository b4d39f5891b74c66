/// \file
/// Saving a model and loading it back: every module's kind and settings, its trainable
/// parameters and its buffers (batch normalization's running statistics), for the networks of
/// chapters 1-6 and the sequence models of chapter 7.
///
/// The format, version 4: the 8 bytes "BPMODEL\n", the version as an integer, the module tree
/// (each module: its kind as a string, its settings() as numbers, its children), then the
/// tensors (each: its name as a string, rows, columns, and the values in column order), the
/// parameters then the buffers, in the order Module::parameters() and buffers() list them,
/// then the CRC-32 of every byte before it. Integers are 64-bit and numbers IEEE doubles, both
/// little-endian; a string is its length and its bytes. Versions 2 (chapters 1-6) and 3 (the
/// recurrent layers too) are the same without the checksum, and are read; other versions, or the
/// course's earlier format (BPMLP1), are refused by name. A file of another kind is refused
/// from its first 8 bytes, before the rest is read; a loaded model's layers must fit one
/// another, and its values make sense (no negative running variance), or it is refused.
#pragma once

#include "bp/io/data.hpp"  // DataError
#include "bp/train/optimizers.hpp"
#include "bp/recurrent/sequence_model.hpp"
#include "bp/layers/sequential.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace bp {

inline constexpr std::int64_t model_file_version = 4;

/// How long (in seconds) nothing must have written to the hidden temporary of a save that was
/// killed before save_model removes it: see save_model.
inline constexpr double stale_temporary_age_seconds = 600;

/// Writes the model to `file`: through a new temporary file in the same folder, flushed to
/// disk, then renamed over `file`, so that a crash, a full disk or another program saving to
/// the same path never leaves a half-written model. Throws DataError naming the file (and
/// leaves an existing one as it was) if it cannot, or if a value of the model is not finite.
/// The temporary is hidden, ".NAME.saving.PID.XXXXXX" (the file's name, the saving process,
/// six random characters). A save killed before its rename (SIGKILL) cannot remove it; the next
/// save to the same file does: a temporary of this file's pattern, of this user, whose process
/// no longer runs on this machine and that nothing has written to for
/// stale_temporary_age_seconds. Files of other names, and temporaries that may be in use, stay.
void save_model(const Module& model, const std::filesystem::path& file);

/// Reads a model written by save_model, whatever its kind. Throws DataError naming the file,
/// the offset and what is wrong: not a model file, another version, an unknown kind of module,
/// a size the file cannot hold, a tensor of the wrong name or shape, a value that is not finite.
std::unique_ptr<Module> load_module(const std::filesystem::path& file);

/// load_module for a network of layers (chapters 1-6); a DataError if the file holds another kind.
Sequential load_model(const std::filesystem::path& file);

/// load_module for a sequence model (chapter 7); a DataError if the file holds another kind.
SequenceModel load_sequence_model(const std::filesystem::path& file);

/// What resuming a training run needs besides the model: Adam's memory (its settings, t, and m
/// and v of every parameter) and the step the run reached, written atomically as a model is.
/// With the model file and a data order that depends only on the step, training resumed from
/// them takes the same steps as a run that never stopped.
void save_training_state(const Adam& adam, long step, const std::filesystem::path& file);

/// Reads a training state into `adam` for the model whose parameters are `params`, and returns
/// the step it reached. Throws DataError naming the file, the offset and what is wrong (another
/// format, a moment of no parameter of the model or of another shape, a value that is not
/// finite); `adam` is left as it was then.
long load_training_state(Adam& adam, const std::vector<Parameter>& params, const std::filesystem::path& file);

/// What a program checks before it trains, so that a bad destination is found before the work,
/// not after it: `file` is a non-empty path of a file (not a folder), in a folder that exists and
/// can be written to. Throws std::invalid_argument naming `option` (e.g. "--model") and the path.
void require_model_destination(const std::filesystem::path& file, const std::string& option);

/// Keeps the file at `file`, if there is one, as `file.~N~` (N the smallest number not taken,
/// as `cp --backup=numbered` does) and returns that name: what a run calls before it first saves
/// over a file an earlier run wrote, so that no earlier model is lost. Nothing if there is no
/// file; a DataError naming both paths if it cannot be renamed.
std::optional<std::filesystem::path> keep_as_backup(const std::filesystem::path& file);

}  // namespace bp
