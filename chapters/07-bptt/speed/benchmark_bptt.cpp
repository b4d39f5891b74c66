// Chapter 7 benchmark: the forward and backward pass of the chapter's own Rnn and Lstm (in
// double, one thread) over a batch of sequences, n_x = 64, n_h = 128, T = 50, m = 32, as
// PyTorch's nn.RNN and nn.LSTM are timed in benchmark_pytorch.py; the same pass with the input's
// products taken out of the loops (hoisted), also for batches of 1 and 4; and, as the bound, the
// matrix products of the layers' pass alone, in the same shapes, in plain Eigen and through
// OpenBLAS (PyTorch's products on Debian).
// compare_with_pytorch.py runs both and takes the fastest of five repetitions on each side.
//   ch07-benchmark [--benchmark_format=json]
#include "bp/fast_mlp.hpp"
#include "bp/openblas_kernel.hpp"
#include "bp/recurrent/cell_math.hpp"
#include "bp/recurrent/lstm.hpp"
#include "bp/recurrent/rnn.hpp"
#include "bp/train/train.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <type_traits>
#include <vector>

namespace {

constexpr bp::Index n_x = 64, n_h = 128, T = 50, m = 32;

// The layer's input and dL/dh_t at every step, for a batch of `batch` sequences.
struct Data {
    explicit Data(bp::Index batch, bp::Rng& rng)
        : x(rng.uniform_matrix(n_x, T * batch, -1, 1), batch), dh(rng.uniform_matrix(n_h, T * batch, -1, 1), batch) {}
    bp::Sequence x, dh;
};

// A layer's forward and backward, with dL/dh_t given at every step (as PyTorch's
// out.backward(g)): every parameter's gradient, and dL/dx.
template <class Layer>
void BM_ForwardBackward(benchmark::State& state) {
    const bp::FlushDenormals flush;
    bp::Rng rng(1);
    Layer layer(n_x, n_h, rng);
    const Data data(state.range(0), rng);
    for (auto _ : state) {
        layer.zero_grad();
        layer.forward(data.x);
        benchmark::DoNotOptimize(layer.backward(data.dh).all().data());
    }
}

// The same pass with the input's products out of the loops, as fast RNN libraries arrange it
// (PyTorch's own CPU code among them): x_1, ..., x_T are all known before the forward loop, so
// W_x x_t + b for every t is one product, [W_x x_1 ... W_x x_T] = W_x [x_1 ... x_T], into the
// layer's own storage (h for the RNN, the gates for the LSTM), and each step adds W_h h_{t-1}.
// The backward loop writes each dz_t into one matrix dZ = [dz_1 ... dz_T] and after it
// dW_x += dZ X^T, db += the row sums of dZ and [dx_1 ... dx_T] = W_x^T dZ are one product (or
// pass) each. The element-wise work is a copy of the chapter's steps' (which take W_x x_t
// themselves, so cannot be called here); main checks that the results are the layer's, summed
// in another order.
struct HoistedRnn {  // tanh only: the benchmark's layer
    bp::Rnn& rnn;
    bp::Matrix dZ;  // [dz_1 ... dz_T], n_h x T m

    void forward(const bp::Sequence& input) {
        const bp::Index steps = input.steps(), batch = input.batch();
        rnn.x = input;
        rnn.h0 = bp::Matrix::Zero(rnn.n_out(), batch);
        rnn.h.resize(rnn.n_out(), steps, batch);
        rnn.h.all().noalias() = rnn.W_x * rnn.x.all();  // the input's part of every z_t, in one product
        rnn.h.all().colwise() += rnn.b;
        for (bp::Index t = 1; t <= steps; ++t) {
            rnn.h.at(t).noalias() += rnn.W_h * rnn.hidden(t - 1);
            bp::tanh_in_place(rnn.h.at(t));
        }
        rnn.has_forward = true;
    }

    const bp::Sequence& backward(const bp::Sequence& dh_out) {
        const bp::Index steps = rnn.x.steps(), batch = rnn.x.batch(), n = rnn.n_out();
        rnn.dh.resize(n, steps, batch);
        rnn.dx.resize(rnn.n_in(), steps, batch);
        dZ.resize(n, steps * batch);
        bp::Matrix dh_next = bp::Matrix::Zero(n, batch);
        for (bp::Index t = steps; t >= 1; --t) {
            rnn.dh.at(t) = dh_out.at(t) + dh_next;
            auto dz = dZ.middleCols((t - 1) * batch, batch);
            dz = (rnn.dh.at(t).array() * (1.0 - rnn.h.at(t).array().square())).matrix();
            rnn.dW_h.noalias() += dz * rnn.hidden(t - 1).transpose();
            dh_next.noalias() = rnn.W_h.transpose() * dz;
        }
        rnn.d_start.h = dh_next;
        rnn.dW_x.noalias() += dZ * rnn.x.all().transpose();  // the sum over t of dz_t x_t^T
        rnn.db += dZ.rowwise().sum();
        rnn.dx.all().noalias() = rnn.W_x.transpose() * dZ;  // every dx_t = W_x^T dz_t
        return rnn.dx;
    }
};

struct HoistedLstm {
    bp::Lstm& lstm;
    bp::Matrix dA;  // [dA_1 ... dA_T], 4 n_h x T m

    void forward(const bp::Sequence& input) {
        const bp::Index steps = input.steps(), batch = input.batch(), n = lstm.n_out();
        lstm.x = input;
        lstm.h0 = bp::Matrix::Zero(n, batch);
        lstm.c0 = bp::Matrix::Zero(n, batch);
        lstm.gates.resize(4 * n, steps, batch);
        lstm.c.resize(n, steps, batch);
        lstm.h.resize(n, steps, batch);
        lstm.gates.all().noalias() = lstm.W_x * lstm.x.all();  // the input's part of every A_t, in one product
        lstm.gates.all().colwise() += lstm.b;
        for (bp::Index t = 1; t <= steps; ++t) {
            auto gates = lstm.gates.at(t);
            gates.noalias() += lstm.W_h * lstm.hidden(t - 1);
            bp::sigmoid_in_place(gates.topRows(3 * n));
            bp::tanh_in_place(gates.bottomRows(n));
            const auto i = gates.topRows(n).array(), f = gates.middleRows(n, n).array(), o = gates.middleRows(2 * n, n).array(),
                       g = gates.bottomRows(n).array();
            auto c_t = lstm.c.at(t);
            auto h_t = lstm.h.at(t);
            c_t = (f * lstm.cell(t - 1).array() + i * g).matrix();
            h_t = c_t;
            bp::tanh_in_place(h_t);
            h_t.array() *= o;
        }
        lstm.has_forward = true;
    }

    const bp::Sequence& backward(const bp::Sequence& dh_out) {
        const bp::Index steps = lstm.x.steps(), batch = lstm.x.batch(), n = lstm.n_out();
        lstm.dh.resize(n, steps, batch);
        lstm.dx.resize(lstm.n_in(), steps, batch);
        dA.resize(4 * n, steps * batch);
        bp::Matrix dh_next = bp::Matrix::Zero(n, batch), dc_next = bp::Matrix::Zero(n, batch), tanh_c(n, batch);
        for (bp::Index t = steps; t >= 1; --t) {
            lstm.dh.at(t) = dh_out.at(t) + dh_next;
            const auto gates = lstm.gates.at(t);
            const auto i = gates.topRows(n).array(), f = gates.middleRows(n, n).array(), o = gates.middleRows(2 * n, n).array(),
                       g = gates.bottomRows(n).array();
            tanh_c = lstm.c.at(t);
            bp::tanh_in_place(tanh_c);
            const auto th = tanh_c.array();
            const auto dh = lstm.dh.at(t).array();
            const Eigen::ArrayXXd dc = dc_next.array() + dh * o * (1.0 - th.square());
            auto dA_t = dA.middleCols((t - 1) * batch, batch);
            dA_t.topRows(n) = (dc * g * i * (1.0 - i)).matrix();
            dA_t.middleRows(n, n) = (dc * lstm.cell(t - 1).array() * f * (1.0 - f)).matrix();
            dA_t.middleRows(2 * n, n) = (dh * th * o * (1.0 - o)).matrix();
            dA_t.bottomRows(n) = (dc * i * (1.0 - g.square())).matrix();
            dc_next = (dc * f).matrix();
            lstm.dW_h.noalias() += dA_t * lstm.hidden(t - 1).transpose();
            dh_next.noalias() = lstm.W_h.transpose() * dA_t;
        }
        lstm.d_start = {dh_next, dc_next};
        lstm.dW_x.noalias() += dA * lstm.x.all().transpose();
        lstm.db += dA.rowwise().sum();
        lstm.dx.all().noalias() = lstm.W_x.transpose() * dA;
        return lstm.dx;
    }
};

template <class Layer, class Hoisted>
void BM_ForwardBackwardHoisted(benchmark::State& state) {
    const bp::FlushDenormals flush;
    bp::Rng rng(1);
    Layer layer(n_x, n_h, rng);
    Hoisted hoisted{layer, {}};
    const Data data(state.range(0), rng);
    for (auto _ : state) {
        layer.zero_grad();
        hoisted.forward(data.x);
        benchmark::DoNotOptimize(hoisted.backward(data.dh).all().data());
    }
}

// The largest difference between what the layer's own pass and the hoisted one compute (the
// states and every gradient), relative to the largest entry of each matrix or 1.
template <class Layer, class Hoisted>
double hoisted_difference(bp::Index batch) {
    bp::Rng rng(3);
    Layer layer(n_x, n_h, rng), copy = layer;
    Hoisted hoisted{copy, {}};
    const Data data(batch, rng);
    layer.forward(data.x);
    layer.backward(data.dh);
    hoisted.forward(data.x);
    hoisted.backward(data.dh);
    const auto diff = [](const auto& a, const auto& b) { return (a - b).cwiseAbs().maxCoeff() / std::max(1.0, a.cwiseAbs().maxCoeff()); };
    double most = std::max({diff(layer.h.all(), copy.h.all()), diff(layer.dh.all(), copy.dh.all()), diff(layer.dx.all(), copy.dx.all()),
                            diff(layer.dW_x, copy.dW_x), diff(layer.dW_h, copy.dW_h), diff(layer.db, copy.db),
                            diff(layer.d_start.h, copy.d_start.h)});
    if constexpr (std::is_same_v<Layer, bp::Lstm>)
        most = std::max(
            {most, diff(layer.gates.all(), copy.gates.all()), diff(layer.c.all(), copy.c.all()), diff(layer.d_start.c, copy.d_start.c)});
    return most;
}

// The matrices of the product benchmark, made once: weights of `gates` x n_h rows, the
// inputs and states of all T steps side by side, and the results.
struct Shapes {
    explicit Shapes(bp::Index gates, bp::Rng rng = bp::Rng(2))
        : W_x(rng.uniform_matrix(gates * n_h, n_x, -1, 1)),
          W_h(rng.uniform_matrix(gates * n_h, n_h, -1, 1)),
          X(rng.uniform_matrix(n_x, T * m, -1, 1)),
          H(rng.uniform_matrix(n_h, T * m, -1, 1)),
          A(gates * n_h, T * m),
          dW_x(gates * n_h, n_x),
          dW_h(gates * n_h, n_h),
          dX(n_x, T * m),
          dh(n_h, m) {}
    bp::Matrix W_x, W_h, X, H, A, dW_x, dW_h, dX, dh;
};

// The products the layer makes, step by step, in the same shapes, into matrices made once:
// forward A_t = W_x x_t + W_h h_{t-1}; backward dW_x += dA_t x_t^T, dW_h += dA_t h_{t-1}^T,
// dx_t = W_x^T dA_t, dh_{t-1} = W_h^T dA_t. `gates` is 1 for the RNN, 4 for the LSTM.
void BM_Products(benchmark::State& state) {
    Shapes p(state.range(0));
    auto& [W_x, W_h, X, H, A, dW_x, dW_h, dX, dh] = p;
    for (auto _ : state) {
        for (bp::Index t = 0; t < T; ++t) {
            A.middleCols(t * m, m).noalias() = W_x * X.middleCols(t * m, m);
            A.middleCols(t * m, m).noalias() += W_h * H.middleCols(t * m, m);
        }
        for (bp::Index t = T - 1; t >= 0; --t) {
            dW_x.noalias() += A.middleCols(t * m, m) * X.middleCols(t * m, m).transpose();
            dW_h.noalias() += A.middleCols(t * m, m) * H.middleCols(t * m, m).transpose();
            dX.middleCols(t * m, m).noalias() = W_x.transpose() * A.middleCols(t * m, m);
            dh.noalias() = W_h.transpose() * A.middleCols(t * m, m);
        }
        benchmark::DoNotOptimize(dh.data());
    }
}

// The same products through bp::fast_product, FastMlp's: OpenBLAS's, PyTorch's on Debian, when
// the build found it (the context's "fast_products" says). Each step's blocks are matrices of
// their own, as fast_product takes whole matrices.
void BM_ProductsFast(benchmark::State& state) {
    const Shapes p(state.range(0));
    const auto steps = [](const bp::Matrix& all) {
        std::vector<bp::Matrix> blocks;
        blocks.reserve(T);
        for (bp::Index t = 0; t < T; ++t) blocks.emplace_back(all.middleCols(t * m, m));
        return blocks;
    };
    const std::vector<bp::Matrix> X = steps(p.X), H = steps(p.H);
    std::vector<bp::Matrix> A = steps(p.A), dX = steps(p.dX);
    bp::Matrix dW_x = p.dW_x, dW_h = p.dW_h, dh = p.dh;
    using bp::Transpose;
    for (auto _ : state) {
        for (bp::Index t = 0; t < T; ++t) {
            const auto i = static_cast<std::size_t>(t);
            bp::fast_product(p.W_x, Transpose::no, X[i], Transpose::no, A[i]);
            bp::fast_product(p.W_h, Transpose::no, H[i], Transpose::no, A[i], true);
        }
        for (bp::Index t = T - 1; t >= 0; --t) {
            const auto i = static_cast<std::size_t>(t);
            bp::fast_product(A[i], Transpose::no, X[i], Transpose::yes, dW_x, true);
            bp::fast_product(A[i], Transpose::no, H[i], Transpose::yes, dW_h, true);
            bp::fast_product(p.W_x, Transpose::yes, A[i], Transpose::no, dX[i]);
            bp::fast_product(p.W_h, Transpose::yes, A[i], Transpose::no, dh);
        }
        benchmark::DoNotOptimize(dh.data());
    }
}

}  // namespace

BENCHMARK(BM_ForwardBackward<bp::Rnn>)->Name("BM_Rnn")->Arg(m)->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5);
BENCHMARK(BM_ForwardBackward<bp::Lstm>)->Name("BM_Lstm")->Arg(m)->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5);
BENCHMARK(BM_ForwardBackwardHoisted<bp::Rnn, HoistedRnn>)
    ->Name("BM_RnnHoisted")
    ->Arg(m)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5)
    ->Repetitions(5);
BENCHMARK(BM_ForwardBackwardHoisted<bp::Lstm, HoistedLstm>)
    ->Name("BM_LstmHoisted")
    ->Arg(m)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5)
    ->Repetitions(5);
BENCHMARK(BM_ForwardBackward<bp::Rnn>)->Name("BM_RnnSmall")->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5);
BENCHMARK(BM_ForwardBackwardHoisted<bp::Rnn, HoistedRnn>)
    ->Name("BM_RnnHoistedSmall")
    ->Arg(1)
    ->Arg(4)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5)
    ->Repetitions(5);
BENCHMARK(BM_ForwardBackward<bp::Lstm>)->Name("BM_LstmSmall")->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5);
BENCHMARK(BM_ForwardBackwardHoisted<bp::Lstm, HoistedLstm>)
    ->Name("BM_LstmHoistedSmall")
    ->Arg(1)
    ->Arg(4)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5)
    ->Repetitions(5);
BENCHMARK(BM_Products)->Name("BM_RnnProducts")->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5);
BENCHMARK(BM_Products)->Name("BM_LstmProducts")->Arg(4)->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5);
BENCHMARK(BM_ProductsFast)->Name("BM_RnnProductsFast")->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5);
BENCHMARK(BM_ProductsFast)->Name("BM_LstmProductsFast")->Arg(4)->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5);

int main(int argc, char** argv) {
    bp::choose_openblas_kernel(argv);  // for PyTorch's side: the comparison gives it this kernel
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    // The hoisted pass is timed only if it computes what the layer computes.
    for (const bp::Index batch : {m, bp::Index{1}}) {
        const double rnn = hoisted_difference<bp::Rnn, HoistedRnn>(batch), lstm = hoisted_difference<bp::Lstm, HoistedLstm>(batch);
        if (rnn > 1e-12 || lstm > 1e-12) {
            std::cerr << "ch07-benchmark: the hoisted pass differs from the layer's (m = " << batch << "): by up to " << rnn
                      << " for the RNN and " << lstm << " for the LSTM\n";
            return 1;
        }
    }
    benchmark::AddCustomContext("sizes", "n_x = 64, n_h = 128, T = 50, m = 32 (and 1, 4 for the small batches)");
    bp::set_product_threads(1);  // one thread, as PyTorch's side
    benchmark::AddCustomContext("fast_products", bp::fast_products_backend());
    benchmark::AddCustomContext("openblas_kernel", bp::openblas_kernel());
    // As the course or the user set it: the comparison runs PyTorch with the same.
    const char* coretype = std::getenv("OPENBLAS_CORETYPE");
    benchmark::AddCustomContext("openblas_coretype", coretype != nullptr ? coretype : "");
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
