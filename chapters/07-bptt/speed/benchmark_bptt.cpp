// Chapter 7 benchmark: the forward and backward pass of the chapter's own Rnn and Lstm (in
// double, one thread) over a batch of sequences, n_x = 64, n_h = 128, T = 50, m = 32, as
// PyTorch's nn.RNN and nn.LSTM are timed in benchmark_pytorch.py; and, as the bound, the same
// matrix products alone, in the same shapes, in plain Eigen, as the layers make them and with the
// input's part taken out of the loop. compare_with_pytorch.py runs both and takes the fastest of
// five repetitions on each side.
//   ch07-benchmark [--benchmark_format=json]
#include "bp/openblas_kernel.hpp"
#include "bp/recurrent/lstm.hpp"
#include "bp/recurrent/rnn.hpp"
#include "bp/train/train.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>

namespace {

constexpr bp::Index n_x = 64, n_h = 128, T = 50, m = 32;

// A layer's forward and backward, with dL/dh_t given at every step (as PyTorch's
// out.backward(g)): every parameter's gradient, and dL/dx.
template <class Layer>
void BM_ForwardBackward(benchmark::State& state) {
    const bp::FlushDenormals flush;
    bp::Rng rng(1);
    Layer layer(n_x, n_h, rng);
    const bp::Sequence x(rng.uniform_matrix(n_x, T * m, -1, 1), m), dh(rng.uniform_matrix(n_h, T * m, -1, 1), m);
    for (auto _ : state) {
        layer.zero_grad();
        layer.forward(x);
        benchmark::DoNotOptimize(layer.backward(dh).all().data());
    }
}

// The matrices of both product benchmarks, made once: weights of `gates` x n_h rows, the
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

// The same products with the input's part taken out of the loop: A = W_x X for all T steps
// in one product before it, dW_x = dA X^T and dX = W_x^T dA in one product each after the
// backward loop. Only the products by W_h stay in the loops: each needs the step before's state.
void BM_ProductsHoisted(benchmark::State& state) {
    Shapes p(state.range(0));
    auto& [W_x, W_h, X, H, A, dW_x, dW_h, dX, dh] = p;
    for (auto _ : state) {
        A.noalias() = W_x * X;
        for (bp::Index t = 0; t < T; ++t) A.middleCols(t * m, m).noalias() += W_h * H.middleCols(t * m, m);
        for (bp::Index t = T - 1; t >= 0; --t) {
            dW_h.noalias() += A.middleCols(t * m, m) * H.middleCols(t * m, m).transpose();
            dh.noalias() = W_h.transpose() * A.middleCols(t * m, m);
        }
        dW_x.noalias() += A * X.transpose();
        dX.noalias() = W_x.transpose() * A;
        benchmark::DoNotOptimize(dh.data());
        benchmark::DoNotOptimize(dX.data());
    }
}

}  // namespace

BENCHMARK(BM_ForwardBackward<bp::Rnn>)->Name("BM_Rnn")->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5);
BENCHMARK(BM_ForwardBackward<bp::Lstm>)->Name("BM_Lstm")->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5);
BENCHMARK(BM_Products)->Name("BM_RnnProducts")->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5);
BENCHMARK(BM_Products)->Name("BM_LstmProducts")->Arg(4)->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5);
BENCHMARK(BM_ProductsHoisted)->Name("BM_RnnProductsHoisted")->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5);
BENCHMARK(BM_ProductsHoisted)->Name("BM_LstmProductsHoisted")->Arg(4)->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5);

int main(int argc, char** argv) {
    bp::choose_openblas_kernel(argv);  // for PyTorch's side: the comparison gives it this kernel
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::AddCustomContext("sizes", "n_x = 64, n_h = 128, T = 50, m = 32");
    benchmark::AddCustomContext("openblas_kernel", bp::openblas_kernel());
    // As the course or the user set it: the comparison runs PyTorch with the same.
    const char* coretype = std::getenv("OPENBLAS_CORETYPE");
    benchmark::AddCustomContext("openblas_coretype", coretype != nullptr ? coretype : "");
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
