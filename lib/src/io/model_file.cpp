#include "bp/io/model_file.hpp"

#include "bp/layers/activation_layer.hpp"
#include "bp/layers/batch_norm.hpp"
#include "bp/io/data.hpp"
#include "bp/layers/dense.hpp"
#include "bp/recurrent/gru.hpp"
#include "bp/recurrent/lstm.hpp"
#include "bp/layers/residual.hpp"
#include "bp/recurrent/rnn.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace bp {

namespace {

const char magic[] = "BPMODEL\n";  // 8 bytes
const char old_magic[] = "BPMLP1\n";

// ---- how each kind of module is rebuilt -------------------------------------------------------
// A module is written as its kind, its settings() and its children, generically; reading it
// back needs one maker per kind.

using Modules = std::vector<std::unique_ptr<Module>>;

// The module again, from its settings and children; std::invalid_argument if they do not make
// sense, or if its tensors need more numbers than `room`, what the rest of the file can hold
// (so that a corrupt size never allocates), which it then takes from room.
using Maker = std::function<std::unique_ptr<Module>(const std::vector<double>& settings, Modules&& children, std::size_t& room)>;

Activation activation_from(double code) {
    if (!(code >= 0 && code <= static_cast<double>(Activation::softmax) && code == std::floor(code)))
        throw std::invalid_argument("unknown activation " + std::to_string(code));
    return static_cast<Activation>(static_cast<int>(code));
}

Index size_from(double n) {
    if (!(n >= 1 && n <= (1 << 24) && n == std::floor(n))) throw std::invalid_argument("a size of " + std::to_string(n));
    return static_cast<Index>(n);
}

void expect(std::size_t got, std::size_t want, const char* what) {
    if (got != want)
        throw std::invalid_argument(std::string("a ") + what + " needs " + std::to_string(want) + " numbers or inner modules, not " +
                                    std::to_string(got));
}

// Takes n numbers from room, or throws: the file cannot hold them.
void take(std::size_t& room, std::size_t n, const std::string& what) {
    if (n > room)
        throw std::invalid_argument(what + " needs " + std::to_string(n) + " numbers, more than the " + std::to_string(room) +
                                    " the rest of the file can hold");
    room -= n;
}

// An inner module as the type its parent holds, or std::invalid_argument naming both.
template <class T>
std::unique_ptr<T> child_as(std::unique_ptr<Module> child, const char* parent, const char* wanted) {
    if (!dynamic_cast<T*>(child.get()))
        throw std::invalid_argument(std::string("a ") + parent + " holds " + wanted + ", not a " + child->kind());
    return std::unique_ptr<T>(static_cast<T*>(child.release()));
}

// The numbers of a recurrent layer's tensors: `blocks` gates of n_h rows, each with W_x, W_h, b.
std::size_t recurrent_size(std::size_t blocks, Index n_x, Index n_h) {
    return blocks * static_cast<std::size_t>(n_h) * static_cast<std::size_t>(n_x + n_h + 1);
}

const std::map<std::string, Maker>& makers() {
    static const std::map<std::string, Maker> table = {
        {"sequential",
         [](const std::vector<double>& settings, Modules&& children, std::size_t&) -> std::unique_ptr<Module> {
             expect(settings.size(), 0, "sequential network");
             auto net = std::make_unique<Sequential>();
             for (auto& child : children) net->layers.push_back(child_as<Layer>(std::move(child), "sequential network", "layers"));
             net->require_sizes_fit("the layers do not fit");
             return net;
         }},
        {"dense",  // n_in, n_out, f
         [](const std::vector<double>& settings, Modules&& children, std::size_t& room) -> std::unique_ptr<Module> {
             expect(settings.size(), 3, "dense layer");
             expect(children.size(), 0, "dense layer");
             const Index n_in = size_from(settings[0]), n_out = size_from(settings[1]);
             take(room, static_cast<std::size_t>(n_out) * static_cast<std::size_t>(n_in + 1),
                  "a dense layer of " + std::to_string(n_out) + "x" + std::to_string(n_in));
             return std::make_unique<Dense>(Matrix::Zero(n_out, n_in), Vector::Zero(n_out), activation_from(settings[2]));
         }},
        {"activation",  // f, and leaky ReLU's alpha (files that give only the first number load with the default)
         [](const std::vector<double>& settings, Modules&& children, std::size_t&) -> std::unique_ptr<Module> {
             if (settings.size() != 1) expect(settings.size(), 2, "activation layer");
             expect(children.size(), 0, "activation layer");
             return std::make_unique<ActivationLayer>(activation_from(settings[0]), settings.size() > 1 ? settings[1] : leaky_relu_slope);
         }},
        {"batch_norm",  // its size, eps and momentum; the tensors are gamma, shift and the two running averages
         [](const std::vector<double>& settings, Modules&& children, std::size_t& room) -> std::unique_ptr<Module> {
             expect(settings.size(), 3, "batch_norm layer");
             expect(children.size(), 0, "batch_norm layer");
             const Index n = size_from(settings[0]);
             take(room, 4 * static_cast<std::size_t>(n), "a batch_norm layer of " + std::to_string(n));
             return std::make_unique<BatchNorm>(n, settings[1], settings[2]);
         }},
        {"residual",
         [](const std::vector<double>& settings, Modules&& children, std::size_t&) -> std::unique_ptr<Module> {
             expect(settings.size(), 0, "residual block");
             expect(children.size(), 1, "residual block");
             auto inner = child_as<Layer>(std::move(children.front()), "residual block", "a layer");
             if (const auto [n_in, n_out] = inner->sizes(); n_in != 0 && n_out != 0 && n_in != n_out)
                 throw std::invalid_argument("its inner " + inner->kind() + " layer maps " + std::to_string(n_in) + " rows to " +
                                             std::to_string(n_out) + ", where a skip connection needs the same number in and out");
             return std::make_unique<Residual>(std::move(inner));
         }},
        {"rnn",  // n_x, n_h, f
         [](const std::vector<double>& settings, Modules&& children, std::size_t& room) -> std::unique_ptr<Module> {
             expect(settings.size(), 3, "rnn layer");
             expect(children.size(), 0, "rnn layer");
             const Index n_x = size_from(settings[0]), n_h = size_from(settings[1]);
             take(room, recurrent_size(1, n_x, n_h), "an rnn layer of n_x = " + std::to_string(n_x) + ", n_h = " + std::to_string(n_h));
             return std::make_unique<Rnn>(Matrix::Zero(n_h, n_x), Matrix::Zero(n_h, n_h), Vector::Zero(n_h), activation_from(settings[2]));
         }},
        {"lstm",  // n_x, n_h
         [](const std::vector<double>& settings, Modules&& children, std::size_t& room) -> std::unique_ptr<Module> {
             expect(settings.size(), 2, "lstm layer");
             expect(children.size(), 0, "lstm layer");
             const Index n_x = size_from(settings[0]), n_h = size_from(settings[1]);
             take(room, recurrent_size(4, n_x, n_h), "an lstm layer of n_x = " + std::to_string(n_x) + ", n_h = " + std::to_string(n_h));
             return std::make_unique<Lstm>(Matrix::Zero(4 * n_h, n_x), Matrix::Zero(4 * n_h, n_h), Vector::Zero(4 * n_h));
         }},
        {"gru",  // n_x, n_h
         [](const std::vector<double>& settings, Modules&& children, std::size_t& room) -> std::unique_ptr<Module> {
             expect(settings.size(), 2, "gru layer");
             expect(children.size(), 0, "gru layer");
             const Index n_x = size_from(settings[0]), n_h = size_from(settings[1]);
             take(room, recurrent_size(3, n_x, n_h), "a gru layer of n_x = " + std::to_string(n_x) + ", n_h = " + std::to_string(n_h));
             Rng unused(0);  // the tensors that follow replace every weight
             return std::make_unique<Gru>(n_x, n_h, unused);
         }},
        {"sequence_model",  // its recurrent layer, and its readout if it has one
         [](const std::vector<double>& settings, Modules&& children, std::size_t&) -> std::unique_ptr<Module> {
             expect(settings.size(), 0, "sequence model");
             if (children.size() != 1) expect(children.size(), 2, "sequence model");
             auto layer = child_as<SequenceLayer>(std::move(children[0]), "sequence model", "a recurrent layer first");
             std::optional<Dense> readout;
             if (children.size() == 2) readout = std::move(*child_as<Dense>(std::move(children[1]), "sequence model", "a dense readout"));
             return std::make_unique<SequenceModel>(std::move(layer), std::move(readout));
         }},
    };
    return table;
}

// ---- writing ---------------------------------------------------------------------------------

void put_u64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_int(std::string& out, std::int64_t v) { put_u64(out, static_cast<std::uint64_t>(v)); }
void put_double(std::string& out, double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    put_u64(out, bits);
}
void put_string(std::string& out, const std::string& s) {
    put_int(out, static_cast<std::int64_t>(s.size()));
    out += s;
}

void put_module(std::string& out, const Module& module) {
    if (!makers().count(module.kind()))
        throw UsageError("save_model", "a model file cannot hold a module of kind " + module.kind() + " yet");
    put_string(out, module.kind());
    const std::vector<double> settings = module.settings();
    put_int(out, static_cast<std::int64_t>(settings.size()));
    for (double c : settings) put_double(out, c);
    const std::vector<ConstChild> children = children_of(module);
    put_int(out, static_cast<std::int64_t>(children.size()));
    for (const ConstChild& child : children) put_module(out, child.module);
}

// Every tensor a model file holds, in the order it holds them: the parameters' values, then
// the buffers.
struct NamedTensor {
    std::string name;
    Eigen::Map<Matrix> values;  // into the module's own matrix
};
std::vector<NamedTensor> tensors_of(Module& model) {
    std::vector<NamedTensor> all;
    for (const Parameter& p : model.parameters()) all.push_back({p.name, p.value()});
    for (const Buffer& b : model.buffers()) all.push_back({b.name, b.value.map()});
    return all;
}
struct ConstTensor {
    std::string name;
    Eigen::Map<const Matrix> values;
};
std::vector<ConstTensor> tensors_of(const Module& model) {
    std::vector<ConstTensor> all;
    for (const ConstParameter& p : model.parameters()) all.push_back({p.name, p.value});
    for (const ConstBuffer& b : model.buffers()) all.push_back({b.name, b.value});
    return all;
}

// CRC-32 (zlib's) of the bytes, as the 64-bit integer a model file of version 4 ends with.
std::uint64_t checksum(const std::string& bytes) {
    uLong crc = crc32(0L, Z_NULL, 0);
    for (std::size_t done = 0; done < bytes.size();) {  // crc32 takes at most a uInt of bytes at once
        const auto n = static_cast<uInt>(std::min<std::size_t>(bytes.size() - done, 1u << 30));
        crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + done), n);
        done += n;
    }
    return crc;
}

std::string system_error(const std::string& what) { return what + " (" + std::strerror(errno) + ")"; }

// The hidden temporaries of saves to `file` are named ".NAME.saving.PID.XXXXXX": NAME the file's
// name, PID the saving process, XXXXXX mkstemp's six letters and digits.
std::string temporary_prefix(const std::filesystem::path& file) { return "." + file.filename().string() + ".saving."; }

// Whether `rest` (a name after the prefix) is "PID.XXXXXX", and if so its PID.
std::optional<pid_t> saving_pid(const std::string& rest) {
    const std::size_t dot = rest.find('.');
    if (dot == 0 || dot == std::string::npos || dot > 9 || rest.size() != dot + 7) return std::nullopt;
    pid_t pid = 0;
    for (std::size_t i = 0; i < dot; ++i) {
        if (rest[i] < '0' || rest[i] > '9') return std::nullopt;
        pid = pid * 10 + (rest[i] - '0');
    }
    for (std::size_t i = dot + 1; i < rest.size(); ++i)
        if (!std::isalnum(static_cast<unsigned char>(rest[i]))) return std::nullopt;
    return pid > 0 ? std::optional<pid_t>(pid) : std::nullopt;
}

// Removes the temporaries that saves to `file` left behind when they were killed (by SIGKILL, or
// a crash: nothing else would ever remove them). Only a regular file of this user whose name is
// this target's pattern exactly, whose process is not running on this machine, and that nothing
// has written to for stale_temporary_age: a save in progress here has a running process, and one
// from another machine sharing the folder is writing its file. Best effort: what cannot be
// removed stays, and the save goes on.
void remove_stale_temporaries(const std::filesystem::path& folder, const std::filesystem::path& file) {
    const std::string prefix = temporary_prefix(file);
    std::error_code error;
    for (std::filesystem::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        const std::optional<pid_t> pid = saving_pid(name.substr(prefix.size()));
        struct stat info {};
        if (!pid || ::lstat(it->path().c_str(), &info) != 0 || !S_ISREG(info.st_mode) || info.st_uid != ::geteuid()) continue;
        if (std::difftime(std::time(nullptr), info.st_mtime) < stale_temporary_age_seconds) continue;
        if (::kill(*pid, 0) == 0 || errno != ESRCH) continue;  // running (EPERM: someone else's), or cannot tell
        ::unlink(it->path().c_str());
    }
}

// Writes `bytes` to `file` through a temporary file of our own in the same folder (so that the
// rename is atomic), flushed to disk before it takes the file's name. Temporaries that killed
// saves to the same file left are removed first.
void write_atomically(const std::string& bytes, const std::filesystem::path& file) {
    const std::string name = file.string();
    const std::filesystem::path folder = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    remove_stale_temporaries(folder, file);
    std::string temporary = (folder / (temporary_prefix(file) + std::to_string(::getpid()) + ".XXXXXX")).string();
    const int fd = mkstemp(temporary.data());
    if (fd < 0) throw DataError(name + ": cannot save here: " + system_error("cannot create a temporary file in " + folder.string()));
    bool ok = true;
    std::string failure;
    for (std::size_t done = 0; ok && done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) ok = false, failure = system_error("writing failed");
        else done += static_cast<std::size_t>(n);
    }
    if (ok && ::fsync(fd) != 0) ok = false, failure = system_error("flushing to disk failed");
    if (::close(fd) != 0 && ok) ok = false, failure = system_error("closing failed");
    if (ok && ::chmod(temporary.c_str(), 0644) != 0) ok = false, failure = system_error("cannot set its permissions");
    if (ok && std::rename(temporary.c_str(), name.c_str()) != 0) ok = false, failure = system_error("cannot rename it into place");
    if (!ok) {
        std::remove(temporary.c_str());
        throw DataError(name + ": not saved: " + failure + "; an earlier file there is left as it was");
    }
}

}  // namespace

void save_model(const Module& model, const std::filesystem::path& file) {
    const std::string name = file.string();
    std::string bytes(magic, 8);
    put_int(bytes, model_file_version);
    put_module(bytes, model);
    const std::vector<ConstTensor> tensors = tensors_of(model);
    put_int(bytes, static_cast<std::int64_t>(tensors.size()));
    for (const ConstTensor& t : tensors) {
        const Eigen::Map<const Matrix>& values = t.values;
        if (const auto bad = first_non_finite(values)) {
            std::ostringstream out;
            out << name << ": not saved: " << t.name << " is " << bad->describe()
                << "; a model that has diverged is not written (an earlier file there is left as it was)";
            throw DataError(out.str());
        }
        put_string(bytes, t.name);
        put_int(bytes, values.rows());
        put_int(bytes, values.cols());
        for (Index i = 0; i < values.size(); ++i) put_double(bytes, values.data()[i]);
    }
    put_u64(bytes, checksum(bytes));

    write_atomically(bytes, file);
}

namespace {

// ---- reading ---------------------------------------------------------------------------------

// The little-endian 64-bit integer at bytes[at], ..., bytes[at + 7].
std::uint64_t u64_at(const std::string& bytes, std::size_t at) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    return v;
}

class Reader {
public:
    Reader(std::string bytes, std::string file) : bytes_(std::move(bytes)), file_(std::move(file)) {}

    std::size_t offset() const { return at_; }
    std::string head(std::size_t n) const { return bytes_.substr(0, n); }
    std::size_t room = 0;  // numbers (doubles) the file can still hold for the layers' tensors
    std::size_t left() const { return bytes_.size() - at_; }

    [[noreturn]] void fail(std::size_t offset, const std::string& what) const {
        throw DataError(file_ + ": " + what + " (at offset " + std::to_string(offset) + ")");
    }

    std::uint64_t u64(const std::string& what) {
        if (left() < 8) fail(at_, "truncated: " + std::to_string(left()) + " bytes left where " + what + " should be");
        const std::uint64_t v = u64_at(bytes_, at_);
        at_ += 8;
        return v;
    }
    // A count of things of at least `each` bytes that must still fit in the file.
    std::int64_t count(const std::string& what, std::size_t each, std::int64_t most) {
        const std::size_t at = at_;
        const auto n = static_cast<std::int64_t>(u64(what));
        if (n < 0 || n > most || static_cast<std::uint64_t>(n) > left() / std::max<std::size_t>(each, 1))
            fail(at,
                 "corrupt: " + what + " is " + std::to_string(n) + ", more than the " + std::to_string(left()) + " bytes left can hold");
        return n;
    }
    double real(const std::string& what) {
        const std::uint64_t bits = u64(what);
        double v;
        std::memcpy(&v, &bits, 8);
        return v;
    }
    std::string string(const std::string& what) {
        const std::int64_t n = count("the length of " + what, 1, 256);
        std::string s = bytes_.substr(at_, static_cast<std::size_t>(n));
        at_ += static_cast<std::size_t>(n);
        return s;
    }
    // rows x cols doubles, in column order.
    void doubles(double* into, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            std::uint64_t bits = 0;
            for (int b = 0; b < 8; ++b) bits |= std::uint64_t(static_cast<unsigned char>(bytes_[at_ + 8 * i + b])) << (8 * b);
            std::memcpy(into + i, &bits, 8);
        }
        at_ += 8 * n;
    }

private:
    std::string bytes_, file_;
    std::size_t at_ = 0;
};

std::unique_ptr<Module> read_module(Reader& in, int depth, const std::string& where) {
    const std::size_t at = in.offset();
    if (depth > 32) in.fail(at, "corrupt: modules nested more than 32 deep");
    const std::string kind = in.string("a module's kind");
    const auto it = makers().find(kind);
    if (it == makers().end()) in.fail(at, "unknown kind of module '" + kind + "' for " + where);
    std::vector<double> settings(static_cast<std::size_t>(in.count(where + "'s settings count", 8, 16)));
    for (double& c : settings) c = in.real(where + "'s settings");
    Modules children(static_cast<std::size_t>(in.count(where + "'s count of inner modules", 24, 100000)));
    for (std::size_t i = 0; i < children.size(); ++i)
        children[i] = read_module(in, depth + 1, "inner module " + std::to_string(i + 1) + " of " + where);
    try {
        return it->second(settings, std::move(children), in.room);
    } catch (const std::exception& e) {
        in.fail(at, "corrupt: " + where + " (" + kind + "): " + e.what());
    }
}

// The file's bytes, once its first 8 are `header` (a file of another kind is refused before it
// is read whole, however large).
std::string read_file(const std::filesystem::path& file, const std::string& header, const std::string& what) {
    std::error_code error;
    const auto status = std::filesystem::status(file, error);
    if (!std::filesystem::exists(status)) throw DataError(file.string() + ": no such file");
    if (!std::filesystem::is_regular_file(status)) throw DataError(file.string() + ": not a regular file, so not " + what);
    std::ifstream in(file, std::ios::binary);
    if (!in) throw DataError(file.string() + ": cannot open it");
    std::string head(8, '\0');
    in.read(head.data(), 8);
    head.resize(static_cast<std::size_t>(in.gcount()));
    if (head != header) {
        if (head.compare(0, 7, old_magic) == 0)
            throw DataError(file.string() +
                            ": a model file of the course's first format (BPMLP1), which this version no longer "
                            "reads; train it again (at offset 0)");
        throw DataError(file.string() + ": not " + what + " (no " + header.substr(0, 7) + " header) (at offset 0)");
    }
    in.seekg(0);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (in.bad()) throw DataError(file.string() + ": reading failed");
    return bytes.str();
}

}  // namespace

std::unique_ptr<Module> load_module(const std::filesystem::path& file) {
    const std::string name = file.string();
    std::string bytes = read_file(file, std::string(magic, 8), "a model file of this course");
    // (A file too short to hold a version is named as truncated when the Reader comes to it.)
    const auto version = bytes.size() >= 16 ? static_cast<std::int64_t>(u64_at(bytes, 8)) : model_file_version;
    // Version 2 wrote the layers of chapters 1-6 as versions 3 and 4 do; 3 added the recurrent
    // ones; 4 ends with a checksum of every byte before it, so that a changed byte is named.
    if (version == 4 && bytes.size() >= 24) {
        const std::uint64_t stored = u64_at(bytes, bytes.size() - 8);
        bytes.resize(bytes.size() - 8);
        if (stored != checksum(bytes))
            throw DataError(name +
                            ": corrupt: its checksum does not match its contents, so some byte was changed after it was "
                            "saved (at offset " +
                            std::to_string(bytes.size()) + ")");
    }
    Reader in(std::move(bytes), name);
    in.room = in.left() / 8;
    in.u64("the header");
    if (version != 2 && version != 3 && version != model_file_version)
        in.fail(8, "a model file of version " + std::to_string(version) + "; this course reads versions 2 to " +
                       std::to_string(model_file_version));
    in.u64("the version");
    std::unique_ptr<Module> model = read_module(in, 0, "the model");

    std::vector<NamedTensor> expected = tensors_of(*model);
    const std::int64_t count = in.count("the tensor count", 24, 1 << 20);
    if (count != static_cast<std::int64_t>(expected.size()))
        in.fail(in.offset() - 8,
                "the file holds " + std::to_string(count) + " tensors but its modules have " + std::to_string(expected.size()));
    for (NamedTensor& want : expected) {
        const std::size_t at = in.offset();
        const std::string tensor = in.string("a tensor's name");
        if (tensor != want.name) in.fail(at, "the tensor here is '" + tensor + "' but the modules need '" + want.name + "'");
        const std::size_t shape_at = in.offset();
        const auto rows = static_cast<std::int64_t>(in.u64(tensor + "'s rows")),
                   cols = static_cast<std::int64_t>(in.u64(tensor + "'s columns"));
        if (rows != want.values.rows() || cols != want.values.cols())
            in.fail(shape_at, tensor + " is " + std::to_string(rows) + "x" + std::to_string(cols) + " in the file but " +
                                  std::to_string(want.values.rows()) + "x" + std::to_string(want.values.cols()) + " in its module");
        const auto n = static_cast<std::size_t>(rows * cols);
        if (n > in.left() / 8)
            in.fail(shape_at,
                    "truncated: " + tensor + " needs " + std::to_string(8 * n) + " bytes, " + std::to_string(in.left()) + " are left");
        const std::size_t values_at = in.offset();
        in.doubles(want.values.data(), n);
        if (const auto bad = first_non_finite(want.values)) {
            std::ostringstream out;
            out << "corrupt: " << tensor << " holds " << bad->describe();
            in.fail(values_at, out.str());
        }
    }
    if (in.left() != 0) in.fail(in.offset(), "corrupt: " + std::to_string(in.left()) + " unexpected bytes after the last tensor");
    // What no single tensor shows, checked module by module (a negative running variance).
    std::optional<std::string> invalid;
    for_each_module(*model, [&](const std::string& where, const Module& m) {
        if (!invalid)
            if (const auto problem = m.invalid_values()) invalid = (where.empty() ? "the model" : where) + ": " + *problem;
    });
    if (invalid) throw DataError(name + ": corrupt: " + *invalid);
    return model;
}

namespace {

// The model in `file` as a T, or a DataError naming what it is instead.
template <class T>
T load_as(const std::filesystem::path& file, const char* what) {
    std::unique_ptr<Module> model = load_module(file);
    auto* typed = dynamic_cast<T*>(model.get());
    if (!typed) throw DataError(file.string() + ": the model is a " + model->kind() + ", not " + what);
    return std::move(*typed);
}

}  // namespace

Sequential load_model(const std::filesystem::path& file) { return load_as<Sequential>(file, "a sequential network"); }

SequenceModel load_sequence_model(const std::filesystem::path& file) {
    return load_as<SequenceModel>(file, "a sequence model (a recurrent layer and its readout)");
}

// ---- the training state ------------------------------------------------------------------------
// "BPTRAIN\n", version 1, Adam's settings and t and the step reached (as numbers), then m and v
// of every parameter, as the model file holds tensors: m.NAME, then v.NAME.

namespace {

const char train_magic[] = "BPTRAIN\n";
constexpr std::int64_t train_version = 1;

}  // namespace

void save_training_state(const Adam& adam, long step, const std::filesystem::path& file) {
    std::string bytes(train_magic, 8);
    put_int(bytes, train_version);
    for (double v : {adam.lr, adam.beta1, adam.beta2, adam.eps, static_cast<double>(adam.t), static_cast<double>(step)})
        put_double(bytes, v);
    put_int(bytes, static_cast<std::int64_t>(adam.m.size() + adam.v.size()));
    for (const auto* moments : {&adam.m, &adam.v})
        for (const auto& [name, values] : *moments) {
            put_string(bytes, (moments == &adam.m ? "m." : "v.") + name);
            put_int(bytes, values.rows());
            put_int(bytes, values.cols());
            for (Index i = 0; i < values.size(); ++i) put_double(bytes, values.data()[i]);
        }
    write_atomically(bytes, file);
}

long load_training_state(Adam& adam, const std::vector<Parameter>& params, const std::filesystem::path& file) {
    Reader in(read_file(file, std::string(train_magic, 8), "a training state of this course"), file.string());
    in.u64("the header");
    if (const auto version = static_cast<std::int64_t>(in.u64("the version")); version != train_version)
        in.fail(8,
                "a training state of version " + std::to_string(version) + "; this course reads version " + std::to_string(train_version));
    double settings[6];
    for (double& v : settings) v = in.real("Adam's settings");
    const double t = settings[4], step = settings[5];
    if (!(t >= 0 && t <= 1e15 && t == std::floor(t)) || !(step >= 0 && step <= 1e15 && step == std::floor(step)))
        in.fail(16, "corrupt: Adam's t or the step is not a whole number >= 0");
    Adam read(settings[0], settings[1], settings[2], settings[3]);  // checks them as Adam does
    read.t = static_cast<long>(t);
    const std::int64_t count = in.count("the tensor count", 24, 1 << 20);
    if (count != 0 && count != 2 * static_cast<std::int64_t>(params.size()))
        in.fail(in.offset() - 8, "the file holds " + std::to_string(count) + " moments but the model has " + std::to_string(params.size()) +
                                     " parameters (an m and a v each)");
    for (std::int64_t k = 0; k < count; ++k) {
        const Parameter& p = params[static_cast<std::size_t>(k) % params.size()];
        const std::string want = (k < count / 2 ? "m." : "v.") + p.name;
        const std::size_t at = in.offset();
        const std::string name = in.string("a moment's name");
        auto& moments = k < count / 2 ? read.m : read.v;
        if (name.size() < 2 || moments.count(name.substr(2)) ||
            std::none_of(params.begin(), params.end(), [&](const Parameter& q) { return q.name == name.substr(2); }))
            in.fail(at, "the moment here is '" + name + "', which is not m or v of a parameter of the model (such as '" + want + "')");
        const Parameter& of = *std::find_if(params.begin(), params.end(), [&](const Parameter& q) { return q.name == name.substr(2); });
        const std::size_t shape_at = in.offset();
        const auto rows = static_cast<std::int64_t>(in.u64(name + "'s rows")),
                   cols = static_cast<std::int64_t>(in.u64(name + "'s columns"));
        if (rows != of.rows() || cols != of.cols())
            in.fail(shape_at, name + " is " + std::to_string(rows) + "x" + std::to_string(cols) + " in the file but " + of.name + " is " +
                                  std::to_string(of.rows()) + "x" + std::to_string(of.cols()));
        const auto n = static_cast<std::size_t>(rows * cols);
        if (n > in.left() / 8) in.fail(shape_at, "truncated: " + name + " needs " + std::to_string(8 * n) + " bytes");
        Matrix values(rows, cols);
        in.doubles(values.data(), n);
        if (const auto bad = first_non_finite(values)) in.fail(shape_at, "corrupt: " + name + " holds " + bad->describe());
        moments.emplace(name.substr(2), std::move(values));
    }
    if (in.left() != 0) in.fail(in.offset(), "corrupt: " + std::to_string(in.left()) + " unexpected bytes after the last moment");
    adam = std::move(read);
    return static_cast<long>(step);
}

void require_model_destination(const std::filesystem::path& file, const std::string& option) {
    std::error_code e;
    if (file.empty() || file.filename().empty() || std::filesystem::is_directory(file, e))
        throw std::invalid_argument(option + " '" + file.string() + "': give the path of a file to save the model to");
    const std::filesystem::path folder = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    if (!std::filesystem::is_directory(folder, e))
        throw std::invalid_argument(option + " " + file.string() + ": the folder " + folder.string() + " does not exist");
    if (::access(folder.c_str(), W_OK) != 0)
        throw std::invalid_argument(option + " " + file.string() + ": the folder " + folder.string() + " cannot be written to");
}

std::optional<std::filesystem::path> keep_as_backup(const std::filesystem::path& file) {
    std::error_code e;
    if (!std::filesystem::exists(std::filesystem::symlink_status(file, e))) return std::nullopt;
    for (long n = 1;; ++n) {
        std::filesystem::path backup = file;
        backup += ".~" + std::to_string(n) + "~";
        if (std::filesystem::exists(std::filesystem::symlink_status(backup, e))) continue;
        // link then unlink, not rename: rename would replace a backup made meanwhile by another run
        if (::link(file.c_str(), backup.c_str()) != 0) {
            if (errno == EEXIST) continue;
            if ((errno == EPERM || errno == EOPNOTSUPP) && ::rename(file.c_str(), backup.c_str()) == 0)
                return backup;  // no hard links here
            throw DataError(file.string() + ": cannot keep it as " + backup.string() + ": " + std::strerror(errno));
        }
        if (::unlink(file.c_str()) != 0)
            throw DataError(file.string() + ": kept as " + backup.string() + ", but cannot be removed: " + std::strerror(errno));
        return backup;
    }
}

}  // namespace bp
