// Chapter 5 benchmark: one training step and one epoch of the 784-256-128-10 MLP (ReLU,
// softmax cross-entropy, Adam) at batch 32, 128 and 512, and, as the bound, the same shapes'
// matrix products alone (in double, and in float for the bound a float32 path would have). Google Benchmark; compare_with_pytorch.py runs it beside PyTorch.
//   ch05-benchmark [--benchmark_format=json]
#include "bp/loss.hpp"
#include "bp/mlp.hpp"
#include "bp/optimizers.hpp"
#include "bp/train.hpp"

#include <benchmark/benchmark.h>

namespace {

constexpr bp::Index examples = 60000;  // an epoch of Fashion-MNIST's training set

// Random inputs and one-hot targets of Fashion-MNIST's shapes: the time does not depend on
// the values, and the benchmark then needs no data files.
struct Batch {
    bp::Matrix x, y;
    explicit Batch(bp::Index m) {
        bp::Rng rng(1);
        x = rng.uniform_matrix(784, m, -1, 1);
        y = bp::Matrix::Zero(10, m);
        for (bp::Index k = 0; k < m; ++k) y(rng.below(10), k) = 1;
    }
};

// The network, its optimizer and a batch, as every training benchmark starts.
struct Training {
    bp::Rng rng{2};
    bp::Mlp net{{784, 256, 128, 10}, bp::Activation::relu, bp::Activation::softmax, rng};
    bp::Adam adam{1e-3};
    std::vector<bp::Parameter> params = net.parameters();
    bp::FlushDenormals flush;

    void step(const Batch& b) {
        net.zero_grad();
        net.forward(b.x);
        net.backward(bp::softmax_cross_entropy_grad(net.layers.back().z, b.y));
        adam.step(params);
    }
};

void BM_Step(benchmark::State& state) {
    Training t;
    const Batch b(state.range(0));
    for (auto _ : state) t.step(b);
}

void BM_Epoch(benchmark::State& state) {
    const bp::Index m = state.range(0);
    Training t;
    const Batch b(m), last(examples % m == 0 ? m : examples % m);
    for (auto _ : state) {
        for (bp::Index first = 0; first + m <= examples; first += m) t.step(b);
        if (examples % m) t.step(last);
    }
}

// The eight matrix products of one epoch's steps: three forward (W a_prev) and five backward
// (dW = dz a_prev^T for each layer, da_prev = W^T dz for the upper two), in double or float.
template <class Scalar>
void BM_MatmulBound(benchmark::State& state) {
    using M = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    const bp::Index m = state.range(0);
    const M W1 = M::Random(256, 784), W2 = M::Random(128, 256), W3 = M::Random(10, 128), x = M::Random(784, m);
    M a1(256, m), a2(128, m), z3(10, m), dW1(256, 784), dW2(128, 256), dW3(10, 128), da2(128, m), da1(256, m);
    const bp::Index steps = (examples + m - 1) / m;
    for (auto _ : state) {
        for (bp::Index s = 0; s < steps; ++s) {
            a1.noalias() = W1 * x;
            a2.noalias() = W2 * a1;
            z3.noalias() = W3 * a2;
            dW3.noalias() = z3 * a2.transpose();
            da2.noalias() = W3.transpose() * z3;
            dW2.noalias() = da2 * a1.transpose();
            da1.noalias() = W2.transpose() * da2;
            dW1.noalias() = da1 * x.transpose();
        }
        benchmark::DoNotOptimize(dW1.data());
    }
}

}  // namespace

BENCHMARK(BM_Step)->Arg(32)->Arg(128)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Epoch)->Arg(32)->Arg(128)->Arg(512)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(BM_MatmulBound<double>)->Name("BM_MatmulBound")->Arg(32)->Arg(128)->Arg(512)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(BM_MatmulBound<float>)->Name("BM_MatmulBoundFloat")->Arg(32)->Arg(128)->Arg(512)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_MAIN();
