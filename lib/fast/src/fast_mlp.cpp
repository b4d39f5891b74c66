#include "bp/fast_mlp.hpp"

#include "bp/layers/dense.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>

#if defined(BP_HAVE_OPENBLAS)
#include <cblas.h>
#endif

namespace bp {

const char* fast_products_backend() {
#if defined(BP_HAVE_OPENBLAS)
    return "OpenBLAS";
#else
    return "Eigen";
#endif
}

void set_product_threads(int threads) {
    if (threads < 1) throw std::invalid_argument("set_product_threads: threads must be at least 1, got " + std::to_string(threads));
#if defined(BP_HAVE_OPENBLAS)
    openblas_set_num_threads(threads);
#endif
}

namespace {

// "RxC", as bp::shape writes a double matrix's shape, for matrices of either Scalar.
std::string shape_of(Index rows, Index cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

}  // namespace

template <class Scalar>
void fast_product(const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& A, Transpose op_a,
                  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& B, Transpose op_b,
                  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& C, bool add) {
    const bool ta = op_a == Transpose::yes, tb = op_b == Transpose::yes;
    const Index m = ta ? A.cols() : A.rows(), k = ta ? A.rows() : A.cols(), n = tb ? B.rows() : B.cols();
    if ((tb ? B.cols() : B.rows()) != k || C.rows() != m || C.cols() != n)
        throw ShapeError("fast_product", "op(A) is " + shape_of(m, k) + ", op(B) " + shape_of(tb ? B.cols() : B.rows(), n) + " and C " +
                                             shape_of(C.rows(), C.cols()));
#if defined(BP_HAVE_OPENBLAS)
    const auto blas_ta = ta ? CblasTrans : CblasNoTrans, blas_tb = tb ? CblasTrans : CblasNoTrans;
    const auto M = static_cast<blasint>(m), N = static_cast<blasint>(n), K = static_cast<blasint>(k);
    const auto lda = static_cast<blasint>(A.rows()), ldb = static_cast<blasint>(B.rows());
    if constexpr (std::is_same_v<Scalar, float>)
        cblas_sgemm(CblasColMajor, blas_ta, blas_tb, M, N, K, 1.0f, A.data(), lda, B.data(), ldb, add ? 1.0f : 0.0f, C.data(), M);
    else cblas_dgemm(CblasColMajor, blas_ta, blas_tb, M, N, K, 1.0, A.data(), lda, B.data(), ldb, add ? 1.0 : 0.0, C.data(), M);
#else
    if (!add) C.setZero();
    if (!ta && !tb) C.noalias() += A * B;
    else if (!ta) C.noalias() += A * B.transpose();
    else if (!tb) C.noalias() += A.transpose() * B;
    else C.noalias() += A.transpose() * B.transpose();
#endif
}

template <class Scalar>
FastMlp<Scalar>::FastMlp(const Sequential& net, double lr_, double beta1_, double beta2_, double eps_)
    : lr(lr_), beta1(beta1_), beta2(beta2_), eps(eps_) {
    check_settings("FastMlp");
    net.require_layers("FastMlp");
    for (std::size_t l = 0; l < net.size(); ++l) {
        const auto* d = dynamic_cast<const Dense*>(net.layers[l].get());
        if (!d) throw UsageError("FastMlp", layer_name(l) + " is a " + net.layers[l]->kind() + " layer; FastMlp needs Dense layers");
        const bool last = l + 1 == net.size();
        if (d->f != (last ? Activation::identity : Activation::relu))
            throw UsageError("FastMlp", layer_name(l) + " is " + to_string(d->f) + "; FastMlp needs ReLU " +
                                            "hidden layers and an identity output layer (logits)");
        Layer L;
        L.W = d->W.cast<Scalar>();
        L.b = d->b.cast<Scalar>();
        L.dW = L.mW = L.vW = Mat::Zero(L.W.rows(), L.W.cols());
        L.db = L.mb = L.vb = Vec::Zero(L.b.size());
        layers_.push_back(std::move(L));
    }
}

// The ranges of the chapters' Adam (bp::Adam), and clip_norm's.
template <class Scalar>
void FastMlp<Scalar>::check_settings(const char* op) const {
    require_setting(op, "the learning rate", lr, 0, HUGE_VAL);
    require_setting(op, "beta1", beta1, 0, 1);
    require_setting(op, "beta2", beta2, 0, 1);
    require_setting(op, "eps", eps, std::numeric_limits<double>::min(), HUGE_VAL);
    require_setting(op, "clip_norm", clip_norm, 0, HUGE_VAL);
    if (t < 0) throw std::invalid_argument(std::string(op) + ": t, the steps taken, must be >= 0, got " + std::to_string(t));
}

template <class Scalar>
void FastMlp<Scalar>::check_batch(const char* op, const Mat& x, const std::vector<int>& labels) const {
    if (x.rows() != input_size() || x.cols() < 1 || static_cast<Index>(labels.size()) != x.cols())
        throw ShapeError(op, "x is " + shape_of(x.rows(), x.cols()) + " with " + std::to_string(labels.size()) + " labels; need " +
                                 std::to_string(input_size()) + " rows, at least one column and one label per column");
    const Index classes = layers_.back().W.rows();
    for (std::size_t k = 0; k < labels.size(); ++k)
        if (labels[k] < 0 || labels[k] >= classes)
            throw std::invalid_argument(std::string(op) + ": label " + std::to_string(labels[k]) + " of column " + std::to_string(k) +
                                        " is not a class in [0, " + std::to_string(classes) + ")");
}

template <class Scalar>
double FastMlp<Scalar>::compute_gradients(const Mat& x, const std::vector<int>& labels) {
    check_batch("FastMlp::compute_gradients", x, labels);
    forward(x);
    const double loss = loss_and_dz(labels);
    backward(x);
    return loss;
}

template <class Scalar>
double FastMlp<Scalar>::train_step(const Mat& x, const std::vector<int>& labels) {
    const long step = t;
    const double loss = compute_gradients(x, labels);
    if (!std::isfinite(loss)) throw Diverged::of_loss(step, loss);
    if (!update())
        require_not_diverged(step, loss, to_network().parameters(), Checked::values);  // names the first weight that is not finite
    return loss;
}

//! [fast_step]
template <class Scalar>
void FastMlp<Scalar>::forward(const Mat& x) {
    const Index m = x.cols();
    const Mat* a_prev = &x;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
        Layer& L = layers_[l];
        L.a.resize(L.W.rows(), m);
        // z = W a_prev + b (n_out x m): the product first, b in the same pass as the activation
        fast_product(L.W, Transpose::no, *a_prev, Transpose::no, L.a);
        if (l + 1 < layers_.size()) L.a = (L.a.colwise() + L.b).cwiseMax(Scalar(0));  // a = relu(z)
        else L.a.colwise() += L.b;  // the output layer keeps z, the logits; softmax is part of the loss
        a_prev = &L.a;
    }
}

template <class Scalar>
double FastMlp<Scalar>::loss_and_dz(const std::vector<int>& labels) {
    const Index m = layers_.back().a.cols();
    // Softmax cross-entropy a column at a time (10 numbers, in cache), and straight away
    // dz = (y_hat - y) / m, with y the one-hot column of the label.
    Layer& out = layers_.back();
    out.dz.resize(out.a.rows(), m);
    double loss = 0;
    for (Index k = 0; k < m; ++k) {
        const int label = labels[static_cast<std::size_t>(k)];
        const auto z = out.a.col(k);
        auto dz = out.dz.col(k);
        const Scalar z_max = z.maxCoeff();
        dz = (z.array() - z_max).exp().matrix();  // exp(z - max z) <= 1: no overflow
        const Scalar sum = dz.sum();
        // -log softmax(z)_label = log sum exp(z) - z_label
        loss += std::log(static_cast<double>(sum)) + static_cast<double>(z_max) - static_cast<double>(z(label));
        dz *= Scalar(1) / (sum * static_cast<Scalar>(m));  // y_hat / m
        dz(label) -= Scalar(1) / static_cast<Scalar>(m);   // - y / m
    }
    return loss / static_cast<double>(m);
}

template <class Scalar>
void FastMlp<Scalar>::backward(const Mat& x) {
    for (std::size_t l = layers_.size(); l-- > 0;) {
        Layer& L = layers_[l];
        const Mat& a_prev = l > 0 ? layers_[l - 1].a : x;
        // dW += dz a_prev^T and db += sum of dz over the batch (a column at a time: contiguous).
        // They are zero here: update() clears each gradient as it reads it, which costs less
        // than a separate pass to clear it.
        fast_product(L.dz, Transpose::no, a_prev, Transpose::yes, L.dW, true);
        for (Index k = 0; k < L.dz.cols(); ++k) L.db += L.dz.col(k);
        if (l == 0) break;  // nobody needs dL/dx
        Layer& P = layers_[l - 1];
        P.dz.resize(P.a.rows(), P.a.cols());
        fast_product(L.W, Transpose::yes, L.dz, Transpose::no, P.dz);  // da_prev = W^T dz
        // dz_prev = da_prev ⊙ relu'(z_prev); z_prev > 0 exactly where a_prev = relu(z_prev) > 0
        Scalar* dz = P.dz.data();
        const Scalar* a = P.a.data();
        for (Index i = 0; i < P.dz.size(); ++i) dz[i] = a[i] > 0 ? dz[i] : Scalar(0);
    }
}
//! [fast_step]

namespace {

//! [fast_adam]
// Adam on one array of n numbers, bp::Adam::step's formula (c1, c2: the bias corrections), in
// a single pass over memory: for this network w, g, m and v do not fit in the L2 cache. The
// gradient is set to zero once read, ready for the next backward pass to add into. Returns
// false if a new w is not finite: its exponent bits are all ones (an OR of integer tests,
// which vectorizes where a branch would not).
template <class Scalar>
bool adam_update(Scalar* __restrict w, Scalar* __restrict g, Scalar* __restrict m, Scalar* __restrict v, Index n, Scalar lr, Scalar beta1,
                 Scalar beta2, Scalar eps, Scalar c1, Scalar c2) {
    using Bits = std::conditional_t<std::is_same_v<Scalar, float>, std::uint32_t, std::uint64_t>;
    constexpr Bits exponent = std::is_same_v<Scalar, float> ? Bits(0x7f800000u) : Bits(0x7ff0000000000000ull);
    const Scalar inv_c1 = 1 / c1, inv_c2 = 1 / c2;
    Bits not_finite = 0;
    for (Index i = 0; i < n; ++i) {
        const Scalar gi = g[i];
        g[i] = 0;
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        w[i] -= lr * (m[i] * inv_c1) / (std::sqrt(v[i] * inv_c2) + eps);
        Bits bits;
        std::memcpy(&bits, &w[i], sizeof bits);
        not_finite |= Bits((bits & exponent) == exponent);
    }
    return not_finite == 0;
}

}  // namespace

template <class Scalar>
bool FastMlp<Scalar>::gradients_finite() const {
    // A sum is vectorised where allFinite() is a loop of tests; an inf or a NaN makes it non-finite.
    // (A sum that overflows on finite gradients only sends the step to the careful check.)
    for (const Layer& L : layers_)
        if (!std::isfinite(L.dW.sum()) || !std::isfinite(L.db.sum())) return false;
    return true;
}

template <class Scalar>
bool FastMlp<Scalar>::update() {
    check_settings("FastMlp::update");
    if (clip_norm > 0) {  // clip_grad_norm's rule: scale every gradient by clip_norm / n if n > clip_norm
        double squares = 0;
        for (const Layer& L : layers_) squares += L.dW.template cast<double>().squaredNorm() + L.db.template cast<double>().squaredNorm();
        if (const double norm = std::sqrt(squares); norm > clip_norm) {
            const auto scale = static_cast<Scalar>(clip_norm / norm);
            for (Layer& L : layers_) {
                L.dW *= scale;
                L.db *= scale;
            }
        }
    }
    ++t;  // Adam's bias corrections c1 = 1 - beta1^t and c2 = 1 - beta2^t, then every array
    const auto c1 = static_cast<Scalar>(1 - std::pow(beta1, static_cast<double>(t)));
    const auto c2 = static_cast<Scalar>(1 - std::pow(beta2, static_cast<double>(t)));
    const auto s = [](double value) { return static_cast<Scalar>(value); };
    bool finite = true;
    for (Layer& L : layers_) {
        finite &= adam_update(L.W.data(), L.dW.data(), L.mW.data(), L.vW.data(), L.W.size(), s(lr), s(beta1), s(beta2), s(eps), c1, c2);
        finite &= adam_update(L.b.data(), L.db.data(), L.mb.data(), L.vb.data(), L.b.size(), s(lr), s(beta1), s(beta2), s(eps), c1, c2);
    }
    return finite;
}
//! [fast_adam]

template <class Scalar>
Metrics FastMlp<Scalar>::evaluate(const Dataset& data, Index batch) {
    if (batch <= 0) throw std::invalid_argument("FastMlp::evaluate: the batch size must be positive, got " + std::to_string(batch));
    data.check("FastMlp::evaluate");
    if (data.x.rows() != input_size())
        throw ShapeError("FastMlp::evaluate", "the data have " + std::to_string(data.x.rows()) + " features, the network " +
                                                  std::to_string(input_size()) + " inputs");
    Metrics metrics;
    Mat x;
    for (Index first = 0; first < data.size(); first += batch) {
        const Index count = std::min(batch, data.size() - first);
        x = data.x.middleCols(first, count).template cast<Scalar>();
        forward(x);
        const Mat& logits = layers_.back().a;
        const std::vector<int> predicted = argmax_per_column(logits);
        for (Index k = 0; k < count; ++k) {
            const int label = data.labels[static_cast<std::size_t>(first + k)];
            const int best = predicted[static_cast<std::size_t>(k)];
            const Scalar z_max = logits(best, k);
            // -log softmax(z)_label = log sum exp(z - max) + max - z_label
            metrics.loss += std::log(static_cast<double>((logits.col(k).array() - z_max).exp().sum())) + static_cast<double>(z_max) -
                            static_cast<double>(logits(label, k));
            metrics.accuracy += best == label;
        }
    }
    metrics.loss /= static_cast<double>(data.size());
    metrics.accuracy /= static_cast<double>(data.size());
    return metrics;
}

template <class Scalar>
std::optional<std::string> FastMlp<Scalar>::dead_layer(const Mat& x) {
    if (x.rows() != input_size())
        throw ShapeError("FastMlp::dead_layer",
                         "x has " + std::to_string(x.rows()) + " rows, the network " + std::to_string(input_size()) + " inputs");
    forward(x);
    for (std::size_t l = 0; l + 1 < layers_.size(); ++l)
        if ((layers_[l].a.array() == Scalar(0)).all()) return "layer" + std::to_string(l + 1);
    return std::nullopt;
}

template <class Scalar>
Sequential FastMlp<Scalar>::to_network() const {
    Sequential net;
    for (std::size_t l = 0; l < layers_.size(); ++l)
        net.add(Dense(layers_[l].W.template cast<double>(), layers_[l].b.template cast<double>(),
                      l + 1 < layers_.size() ? Activation::relu : Activation::identity));
    return net;
}

template <class Scalar>
void FastMlp<Scalar>::copy_to(Sequential& net) const {
    if (net.size() != layers_.size())
        throw ShapeError("FastMlp::copy_to",
                         "net has " + std::to_string(net.size()) + " layers, this one " + std::to_string(layers_.size()));
    for (std::size_t l = 0; l < layers_.size(); ++l) {
        Dense& d = net.at<Dense>(l);
        if (d.W.rows() != layers_[l].W.rows() || d.W.cols() != layers_[l].W.cols())
            throw ShapeError("FastMlp::copy_to", layer_name(l) + " of net is " + shape(d.W) + ", this one's is " +
                                                     shape_of(layers_[l].W.rows(), layers_[l].W.cols()));
        d.W = layers_[l].W.template cast<double>();
        d.b = layers_[l].b.template cast<double>();
    }
}

template <class Scalar>
void FastMlp<Scalar>::copy_with_gradients_to(Sequential& net) const {
    copy_to(net);
    for (std::size_t l = 0; l < layers_.size(); ++l) {
        Dense& d = net.at<Dense>(l);
        d.dW = layers_[l].dW.template cast<double>();
        d.db = layers_[l].db.template cast<double>();
    }
}

template <class Scalar>
double train_epoch(FastMlp<Scalar>& net, const Dataset& data, const EpochOptions& options, Rng& rng, long& step, ProgressBar* bar,
                   Sequential* mirror) {
    data.check("train_epoch");
    if (data.x.rows() != net.input_size())
        throw ShapeError("train_epoch", "the data have " + std::to_string(data.x.rows()) + " features, the network " +
                                            std::to_string(net.input_size()) + " inputs");
    options.check_clipping("train_epoch");
    if (options.clip_value > 0)
        throw UsageError("train_epoch",
                         "FastMlp clips by global norm only (clip_norm); clipping by value (clip_value) "
                         "needs the course's train_epoch");
    net.clip_norm = options.clip_norm;
    typename FastMlp<Scalar>::Mat x;
    std::vector<int> labels;
    // The network in double, as the course's code has it, for options.after_backward: filled
    // only at the steps it must see (options.after_backward_due) and at a step whose loss or
    // gradients are not finite, and then run forward on the batch, so that a monitor reads the
    // same layers' outputs as with the course's train_epoch.
    std::optional<Sequential> own;
    const auto shown = [&]() -> Sequential& { return mirror ? *mirror : own ? *own : own.emplace(net.to_network()); };
    return for_each_batch(data.size(), options, rng, step, bar, [&](const std::vector<Index>& order, Index first, Index count) {
        x.resize(data.x.rows(), count);
        labels.resize(static_cast<std::size_t>(count));
        for (Index k = 0; k < count; ++k) {
            const Index i = order[static_cast<std::size_t>(first + k)];
            x.col(k) = data.x.col(i).template cast<Scalar>();
            labels[static_cast<std::size_t>(k)] = data.labels[static_cast<std::size_t>(i)];
        }
        const double loss = net.compute_gradients(x, labels);
        if (options.after_backward) {
            const bool due = !options.after_backward_due || options.after_backward_due(step);
            if (due || !std::isfinite(loss) || !net.gradients_finite()) {
                Sequential& seen = shown();
                net.copy_with_gradients_to(seen);
                if (due) seen.forward(x.template cast<double>());
                const std::vector<Parameter> params = seen.parameters();
                options.after_backward(step, loss, params);
                require_not_diverged(step, loss, params, Checked::gradients);
            }
        }
        if (!std::isfinite(loss)) throw Diverged::of_loss(step, loss);
        if (!net.update()) {  // name the first weight that is not finite
            Sequential& seen = shown();
            net.copy_to(seen);
            require_not_diverged(step, loss, seen.parameters(), Checked::values);
        }
        return loss;
    });
}

template void fast_product(const Eigen::MatrixXf&, Transpose, const Eigen::MatrixXf&, Transpose, Eigen::MatrixXf&, bool);
template void fast_product(const Eigen::MatrixXd&, Transpose, const Eigen::MatrixXd&, Transpose, Eigen::MatrixXd&, bool);
template class FastMlp<float>;
template class FastMlp<double>;
template double train_epoch(FastMlp<float>&, const Dataset&, const EpochOptions&, Rng&, long&, ProgressBar*, Sequential*);
template double train_epoch(FastMlp<double>&, const Dataset&, const EpochOptions&, Rng&, long&, ProgressBar*, Sequential*);

double fast_cosine_schedule(double lr0, long step, long total, double lr_min) {
    require_setting("fast_cosine_schedule", "lr0", lr0, 0, HUGE_VAL);
    require_setting("fast_cosine_schedule", "lr_min", lr_min, 0, HUGE_VAL);
    if (step < 0) throw std::invalid_argument("fast_cosine_schedule: step must be >= 0, got " + std::to_string(step));
    if (total <= 0) throw std::invalid_argument("fast_cosine_schedule: total must be positive, got " + std::to_string(total));
    if (step >= total) return lr_min;
    const double progress = static_cast<double>(step) / static_cast<double>(total);
    return lr_min + (lr0 - lr_min) * (1 + std::cos(3.14159265358979323846 * progress)) / 2;
}

}  // namespace bp
