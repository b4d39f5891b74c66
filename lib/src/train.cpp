#include "bp/train.hpp"

#include "bp/loss.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <sstream>
#include <unistd.h>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace bp {

namespace {

std::string clock_time(double seconds) {
    const long s = std::lround(seconds);
    std::ostringstream out;
    out << s / 60 << ":" << std::setw(2) << std::setfill('0') << s % 60;
    return out.str();
}

}  // namespace

ProgressBar::ProgressBar(std::string label, long total, std::ostream& out)
    : label_(std::move(label)), total_(total), out_(out),
      terminal_(&out == &std::cout ? isatty(STDOUT_FILENO) : &out == &std::cerr ? isatty(STDERR_FILENO) : false),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(long done, double loss) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = done / std::max(elapsed, 1e-9);
    const double left = (total_ - done) / std::max(rate, 1e-9);
    std::ostringstream line;
    line << label_ << " " << done << "/" << total_ << "  " << std::fixed << std::setprecision(0) << rate << " steps/s  loss "
         << std::setprecision(4) << loss << "  " << clock_time(left) << " left";
    if (terminal_) {
        const int width = 24, filled = static_cast<int>(width * done / std::max(total_, 1L));
        out_ << "\r" << "[" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << line.str() << "   " << std::flush;
    } else if (const long tenth = 10 * done / std::max(total_, 1L); tenth > last_tenth_) {
        last_tenth_ = tenth;
        out_ << line.str() << "\n";
    }
}

void ProgressBar::finish(const std::string& summary) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (terminal_) out_ << "\r\033[K";
    std::ostringstream line;  // (not out_ << std::fixed: that would stay set on the caller's stream)
    line << label_ << " done in " << std::fixed << std::setprecision(1) << elapsed << " s  " << summary;
    out_ << line.str() << std::endl;
}

Metrics evaluate(Mlp& net, const Dataset& data, Index batch) {
    Metrics metrics;
    Matrix x, y;
    for (Index first = 0; first < data.size(); first += batch) {
        const Index count = std::min(batch, data.size() - first);
        data.batch({}, first, count, x, y);
        net.forward(x);
        metrics.loss += softmax_cross_entropy_loss(net.layers.back().z, y) * static_cast<double>(count);
        for (Index k = 0; k < count; ++k) {
            Index predicted;
            net.layers.back().z.col(k).maxCoeff(&predicted);
            metrics.accuracy += predicted == data.labels[static_cast<std::size_t>(first + k)];
        }
    }
    metrics.loss /= static_cast<double>(data.size());
    metrics.accuracy /= static_cast<double>(data.size());
    return metrics;
}

double for_each_batch(Index examples, const EpochOptions& options, Rng& rng, long& step, ProgressBar* bar,
                      const std::function<double(const std::vector<Index>& order, Index first, Index count)>& train) {
    if (options.batch <= 0) throw std::invalid_argument("train_epoch: the batch size must be positive, got " + std::to_string(options.batch));
    std::vector<Index> order(static_cast<std::size_t>(examples));
    std::iota(order.begin(), order.end(), Index{0});
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[static_cast<std::size_t>(rng.below(static_cast<Index>(i)))]);

    double total_loss = 0;
    long batches = 0;
    for (Index first = 0; first < examples; first += options.batch, ++batches, ++step) {
        if (options.schedule) options.schedule(step);
        const double loss = train(order, first, std::min(options.batch, examples - first));
        total_loss += loss;
        if (options.after_step) options.after_step(step, loss);
        if (bar) bar->update(batches + 1, total_loss / static_cast<double>(batches + 1));
    }
    return total_loss / static_cast<double>(std::max(batches, 1L));
}

//! [train_epoch]
double train_epoch(Mlp& net, Optimizer& opt, const Dataset& data, const EpochOptions& options, Rng& rng, long& step,
                   ProgressBar* bar) {
    const std::vector<Parameter> params = net.parameters();
    Matrix x, y;
    return for_each_batch(data.size(), options, rng, step, bar, [&](const std::vector<Index>& order, Index first, Index count) {
        data.batch(order, first, count, x, y);
        net.zero_grad();
        net.forward(x);
        const Matrix& z = net.layers.back().z;
        const double loss = softmax_cross_entropy_loss(z, y);
        net.backward(softmax_cross_entropy_grad(z, y));  // from dz = (y_hat - y) / m
        if (options.clip_norm > 0) clip_grad_norm(params, options.clip_norm);
        opt.step(params);
        return loss;
    });
}
//! [train_epoch]

// The model file: "BPMLP1\n", the layer count, then per layer n_in, n_out, the activation and
// W and b as doubles in column order; all integers as 64-bit, in this machine's byte order.
void save_model(const Mlp& net, const std::filesystem::path& file) {
    const std::filesystem::path temporary = file.string() + ".partial";
    {
        std::ofstream out(temporary, std::ios::binary);
        if (!out) throw DataError(temporary.string() + ": cannot write here");
        const auto put = [&out](std::int64_t v) { out.write(reinterpret_cast<const char*>(&v), sizeof v); };
        out << "BPMLP1\n";
        put(static_cast<std::int64_t>(net.layers.size()));
        for (const Dense& layer : net.layers) {
            put(layer.n_in());
            put(layer.n_out());
            put(static_cast<std::int64_t>(layer.f));
            out.write(reinterpret_cast<const char*>(layer.W.data()), static_cast<std::streamsize>(layer.W.size() * sizeof(double)));
            out.write(reinterpret_cast<const char*>(layer.b.data()), static_cast<std::streamsize>(layer.b.size() * sizeof(double)));
        }
        if (!out.flush()) throw DataError(temporary.string() + ": writing failed (disk full?)");
    }
    std::filesystem::rename(temporary, file);
}

Mlp load_model(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw DataError(file.string() + ": cannot open it");
    const std::string name = file.string();
    const auto read = [&](void* into, std::size_t bytes, const std::string& what) {
        const auto at = static_cast<long long>(in.tellg());
        if (!in.read(static_cast<char*>(into), static_cast<std::streamsize>(bytes)))
            throw DataError(name + ": truncated at offset " + std::to_string(at) + " while reading " + what);
    };
    char magic[7];
    read(magic, 7, "the header");
    if (std::string(magic, 7) != "BPMLP1\n") throw DataError(name + ": not a model file of this course (no BPMLP1 header at offset 0)");
    std::int64_t layers = 0;
    read(&layers, 8, "the layer count");
    if (layers < 1 || layers > 1000) throw DataError(name + ": corrupt: " + std::to_string(layers) + " layers at offset 7");
    std::vector<Index> sizes;
    std::vector<Activation> activations;
    std::vector<Matrix> Ws;
    std::vector<Vector> bs;
    for (std::int64_t l = 1; l <= layers; ++l) {
        const std::string layer = "layer " + std::to_string(l);
        std::int64_t n_in = 0, n_out = 0, f = 0;
        read(&n_in, 8, layer + "'s n_in");
        read(&n_out, 8, layer + "'s n_out");
        const auto at = static_cast<long long>(in.tellg());
        read(&f, 8, layer + "'s activation");
        if (n_in < 1 || n_out < 1 || n_in > (1 << 24) || n_out > (1 << 24) || (l > 1 && n_in != sizes.back()))
            throw DataError(name + ": corrupt: " + layer + " is " + std::to_string(n_out) + "x" + std::to_string(n_in) +
                            (l > 1 ? " after a layer of " + std::to_string(sizes.back()) + " outputs" : ""));
        if (f < 0 || f > static_cast<std::int64_t>(Activation::softmax))
            throw DataError(name + ": corrupt: unknown activation " + std::to_string(f) + " at offset " + std::to_string(at));
        if (l == 1) sizes.push_back(n_in);
        sizes.push_back(n_out);
        activations.push_back(static_cast<Activation>(f));
        Ws.emplace_back(n_out, n_in);
        bs.emplace_back(n_out);
        read(Ws.back().data(), static_cast<std::size_t>(Ws.back().size()) * sizeof(double), layer + "'s W");
        read(bs.back().data(), static_cast<std::size_t>(bs.back().size()) * sizeof(double), layer + "'s b");
    }
    if (in.peek() != std::char_traits<char>::eof())
        throw DataError(name + ": corrupt: unexpected bytes after the last layer, at offset " + std::to_string(static_cast<long long>(in.tellg())));
    Rng unused(0);
    Mlp net(sizes, activations.front(), activations.back(), unused);
    for (std::size_t l = 0; l < net.layers.size(); ++l) {
        net.layers[l].f = activations[l];
        net.layers[l].W = Ws[l];
        net.layers[l].b = bs[l];
    }
    return net;
}

#if defined(__SSE__)
FlushDenormals::FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); }  // FTZ and DAZ
FlushDenormals::~FlushDenormals() { _mm_setcsr(saved_); }
#else
FlushDenormals::FlushDenormals() {}
FlushDenormals::~FlushDenormals() {}
#endif

}  // namespace bp
