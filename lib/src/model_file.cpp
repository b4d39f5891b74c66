#include "bp/model_file.hpp"

#include "bp/activation_layer.hpp"
#include "bp/batch_norm.hpp"
#include "bp/data.hpp"
#include "bp/dense.hpp"
#include "bp/residual.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace bp {

namespace {

const char magic[] = "BPMODEL\n";  // 8 bytes
const char old_magic[] = "BPMLP1\n";

// ---- how each kind of layer is written and rebuilt -----------------------------------------

using Layers = std::vector<std::unique_ptr<Layer>>;

struct LayerKind {
    // The numbers that rebuild the layer (its tensors come later), and its inner layers.
    std::function<std::vector<double>(const Layer&)> config;
    std::function<std::vector<const Layer*>(const Layer&)> children;
    // The layer again, from its configuration and inner layers; std::invalid_argument if they
    // do not make sense, or if its tensors need more numbers than `room`, what the rest of the
    // file can hold (so that a corrupt size never allocates), which it then takes from room.
    std::function<std::unique_ptr<Layer>(const std::vector<double>& config, Layers children, std::size_t& room)> make;
};

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
        throw std::invalid_argument(std::string("a ") + what + " layer needs " + std::to_string(want) + " numbers or layers, not " +
                                    std::to_string(got));
}

// Takes n numbers from room, or throws: the file cannot hold them.
void take(std::size_t& room, std::size_t n, const std::string& what) {
    if (n > room)
        throw std::invalid_argument(what + " needs " + std::to_string(n) + " numbers, more than the " + std::to_string(room) +
                                    " the rest of the file can hold");
    room -= n;
}

const std::map<std::string, LayerKind>& kinds() {
    static const std::map<std::string, LayerKind> table = {
        {"sequential",
         {[](const Layer&) { return std::vector<double>{}; },
          [](const Layer& l) {
              std::vector<const Layer*> c;
              for (const auto& layer : dynamic_cast<const Sequential&>(l).layers) c.push_back(layer.get());
              return c;
          },
          [](const std::vector<double>& config, Layers children, std::size_t&) -> std::unique_ptr<Layer> {
              expect(config.size(), 0, "sequential");
              auto net = std::make_unique<Sequential>();
              net->layers = std::move(children);
              return net;
          }}},
        {"dense",
         {[](const Layer& l) {
              const auto& d = dynamic_cast<const Dense&>(l);
              return std::vector<double>{static_cast<double>(d.n_in()), static_cast<double>(d.n_out()), static_cast<double>(d.f)};
          },
          [](const Layer&) { return std::vector<const Layer*>{}; },
          [](const std::vector<double>& config, Layers children, std::size_t& room) -> std::unique_ptr<Layer> {
              expect(config.size(), 3, "dense");
              expect(children.size(), 0, "dense");
              const Index n_in = size_from(config[0]), n_out = size_from(config[1]);
              take(room, static_cast<std::size_t>(n_out) * static_cast<std::size_t>(n_in + 1), "a dense layer of " +
                   std::to_string(n_out) + "x" + std::to_string(n_in));
              return std::make_unique<Dense>(Matrix::Zero(n_out, n_in), Vector::Zero(n_out), activation_from(config[2]));
          }}},
        {"activation",  // its activation, and leaky ReLU's alpha (files that give only the first number load with the default)
         {[](const Layer& l) {
              const auto& a = dynamic_cast<const ActivationLayer&>(l);
              return std::vector<double>{static_cast<double>(a.f), a.alpha};
          },
          [](const Layer&) { return std::vector<const Layer*>{}; },
          [](const std::vector<double>& config, Layers children, std::size_t&) -> std::unique_ptr<Layer> {
              if (config.size() != 1) expect(config.size(), 2, "activation");
              expect(children.size(), 0, "activation");
              return std::make_unique<ActivationLayer>(activation_from(config[0]), config.size() > 1 ? config[1] : leaky_relu_slope);
          }}},
        {"batch_norm",  // its size, eps and momentum; the tensors are gamma, shift and the two running averages
         {[](const Layer& l) {
              const auto& bn = dynamic_cast<const BatchNorm&>(l);
              return std::vector<double>{static_cast<double>(bn.size()), bn.eps, bn.momentum};
          },
          [](const Layer&) { return std::vector<const Layer*>{}; },
          [](const std::vector<double>& config, Layers children, std::size_t& room) -> std::unique_ptr<Layer> {
              expect(config.size(), 3, "batch_norm");
              expect(children.size(), 0, "batch_norm");
              const Index n = size_from(config[0]);
              take(room, 4 * static_cast<std::size_t>(n), "a batch_norm layer of " + std::to_string(n));
              return std::make_unique<BatchNorm>(n, config[1], config[2]);
          }}},
        {"residual",
         {[](const Layer&) { return std::vector<double>{}; },
          [](const Layer& l) { return std::vector<const Layer*>{&dynamic_cast<const Residual&>(l).inner()}; },
          [](const std::vector<double>& config, Layers children, std::size_t&) -> std::unique_ptr<Layer> {
              expect(config.size(), 0, "residual");
              expect(children.size(), 1, "residual");
              return std::make_unique<Residual>(std::move(children.front()));
          }}},
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

void put_layer(std::string& out, const Layer& layer) {
    const auto kind = kinds().find(layer.kind());
    if (kind == kinds().end()) throw UsageError("save_model", "a model file cannot hold a layer of kind " + layer.kind() + " yet");
    put_string(out, layer.kind());
    const std::vector<double> config = kind->second.config(layer);
    put_int(out, static_cast<std::int64_t>(config.size()));
    for (double c : config) put_double(out, c);
    const std::vector<const Layer*> children = kind->second.children(layer);
    put_int(out, static_cast<std::int64_t>(children.size()));
    for (const Layer* child : children) put_layer(out, *child);
}

struct NamedTensor {
    std::string name;
    Eigen::Map<Matrix> values;  // into the layer's own matrix
};

// Every tensor a model file holds: the parameters' values, then the state.
std::vector<NamedTensor> tensors_of(Layer& model) {
    std::vector<NamedTensor> all;
    for (const Parameter& p : model.parameters()) all.push_back({p.name, p.value()});
    for (const State& s : model.state()) all.push_back({s.name, s.value.map()});
    return all;
}

std::string system_error(const std::string& what) { return what + " (" + std::strerror(errno) + ")"; }

}  // namespace

void save_model(const Layer& model, const std::filesystem::path& file) {
    const std::string name = file.string();
    // parameters() hands out writable references; saving only reads through them.
    Layer& layer = const_cast<Layer&>(model);
    std::string bytes(magic, 8);
    put_int(bytes, model_file_version);
    put_layer(bytes, layer);
    const std::vector<NamedTensor> tensors = tensors_of(layer);
    put_int(bytes, static_cast<std::int64_t>(tensors.size()));
    for (const NamedTensor& t : tensors) {
        const Eigen::Map<Matrix>& values = t.values;
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

    // A temporary file of our own in the same folder (so that rename is atomic), flushed to
    // disk before it takes the model's name.
    const std::filesystem::path folder = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    std::string temporary = (folder / ("." + file.filename().string() + ".XXXXXX")).string();
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

namespace {

// ---- reading ---------------------------------------------------------------------------------

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
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= std::uint64_t(static_cast<unsigned char>(bytes_[at_ + i])) << (8 * i);
        at_ += 8;
        return v;
    }
    // A count of things of at least `each` bytes that must still fit in the file.
    std::int64_t count(const std::string& what, std::size_t each, std::int64_t most) {
        const std::size_t at = at_;
        const auto n = static_cast<std::int64_t>(u64(what));
        if (n < 0 || n > most || static_cast<std::uint64_t>(n) > left() / std::max<std::size_t>(each, 1))
            fail(at, "corrupt: " + what + " is " + std::to_string(n) + ", more than the " + std::to_string(left()) +
                         " bytes left can hold");
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

std::unique_ptr<Layer> read_layer(Reader& in, int depth, const std::string& where) {
    const std::size_t at = in.offset();
    if (depth > 32) in.fail(at, "corrupt: layers nested more than 32 deep");
    const std::string kind = in.string("a layer's kind");
    const auto it = kinds().find(kind);
    if (it == kinds().end()) in.fail(at, "unknown kind of layer '" + kind + "' for " + where);
    std::vector<double> config(static_cast<std::size_t>(in.count(where + "'s configuration count", 8, 16)));
    for (double& c : config) c = in.real(where + "'s configuration");
    Layers children(static_cast<std::size_t>(in.count(where + "'s count of inner layers", 24, 100000)));
    for (std::size_t i = 0; i < children.size(); ++i) children[i] = read_layer(in, depth + 1, join_name(where, layer_name(i)));
    try {
        return it->second.make(config, std::move(children), in.room);
    } catch (const std::exception& e) {
        in.fail(at, "corrupt: " + where + " (" + kind + "): " + e.what());
    }
}

std::string read_file(const std::filesystem::path& file) {
    std::error_code error;
    const auto status = std::filesystem::status(file, error);
    if (!std::filesystem::exists(status)) throw DataError(file.string() + ": no such file");
    if (!std::filesystem::is_regular_file(status)) throw DataError(file.string() + ": not a regular file, so not a model file");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw DataError(file.string() + ": cannot open it");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (in.bad()) throw DataError(file.string() + ": reading failed");
    return bytes.str();
}

}  // namespace

Sequential load_model(const std::filesystem::path& file) {
    const std::string name = file.string();
    Reader in(read_file(file), name);
    in.room = in.left() / 8;
    if (in.left() >= 7) {
        const std::string head = in.head(8);
        if (head.compare(0, 7, old_magic) == 0)
            in.fail(0, "a model file of the course's first format (BPMLP1), which this version no longer reads; train it again");
        if (head != std::string(magic, 8)) in.fail(0, "not a model file of this course (no BPMODEL header)");
    } else {
        in.fail(0, "not a model file of this course (" + std::to_string(in.left()) + " bytes)");
    }
    in.u64("the header");
    const std::size_t version_at = in.offset();
    if (const auto version = static_cast<std::int64_t>(in.u64("the version")); version != model_file_version)
        in.fail(version_at, "a model file of version " + std::to_string(version) + "; this course reads version " +
                                std::to_string(model_file_version));
    const std::size_t top_at = in.offset();
    std::unique_ptr<Layer> top = read_layer(in, 0, "the model");
    auto* net = dynamic_cast<Sequential*>(top.get());
    if (!net) in.fail(top_at, "the model is a single " + top->kind() + " layer, not a sequential network");

    std::vector<NamedTensor> expected = tensors_of(*net);
    const std::int64_t count = in.count("the tensor count", 24, 1 << 20);
    if (count != static_cast<std::int64_t>(expected.size()))
        in.fail(in.offset() - 8, "the file holds " + std::to_string(count) + " tensors but its layers have " +
                                     std::to_string(expected.size()));
    for (NamedTensor& want : expected) {
        const std::size_t at = in.offset();
        const std::string tensor = in.string("a tensor's name");
        if (tensor != want.name) in.fail(at, "the tensor here is '" + tensor + "' but the layers need '" + want.name + "'");
        const std::size_t shape_at = in.offset();
        const auto rows = static_cast<std::int64_t>(in.u64(tensor + "'s rows")), cols = static_cast<std::int64_t>(in.u64(tensor + "'s columns"));
        if (rows != want.values.rows() || cols != want.values.cols())
            in.fail(shape_at, tensor + " is " + std::to_string(rows) + "x" + std::to_string(cols) + " in the file but " +
                                  std::to_string(want.values.rows()) + "x" + std::to_string(want.values.cols()) + " in its layer");
        const auto n = static_cast<std::size_t>(rows * cols);
        if (n > in.left() / 8) in.fail(shape_at, "truncated: " + tensor + " needs " + std::to_string(8 * n) + " bytes, " +
                                                     std::to_string(in.left()) + " are left");
        const std::size_t values_at = in.offset();
        in.doubles(want.values.data(), n);
        if (const auto bad = first_non_finite(want.values)) {
            std::ostringstream out;
            out << "corrupt: " << tensor << " holds " << bad->describe();
            in.fail(values_at, out.str());
        }
    }
    if (in.left() != 0) in.fail(in.offset(), "corrupt: " + std::to_string(in.left()) + " unexpected bytes after the last tensor");
    return std::move(*net);
}

}  // namespace bp
