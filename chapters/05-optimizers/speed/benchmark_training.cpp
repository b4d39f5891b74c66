// Chapter 5 benchmark: one training step and one epoch of the 784-256-128-10 MLP (ReLU,
// softmax cross-entropy, Adam) at batch 32, 128 and 512, for the course's own code (double)
// and for FastMlp (float and double); and, as the bounds, the same shapes' matrix products
// alone, in plain Eigen and through FastMlp's products (OpenBLAS when built with it).
// Google Benchmark, one thread; every epoch is timed twice, the course's code's and its Eigen
// bound three times each, in turns (compare_with_pytorch.py, which runs it beside PyTorch,
// takes the fastest: a busy neighbour only ever slows a run down).
//   ch05-benchmark [--benchmark_format=json]
#include "bp/fast_mlp.hpp"
#include "bp/openblas_kernel.hpp"
#include "bp/core/loss.hpp"
#include "bp/layers/mlp.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>

namespace {

constexpr bp::Index examples = 60000;  // an epoch of Fashion-MNIST's training set

bp::Index steps_per_epoch(bp::Index m) { return (examples + m - 1) / m; }
bp::Index last_batch(bp::Index m) { return examples % m == 0 ? m : examples % m; }

// Random inputs and labels of Fashion-MNIST's shapes: the time does not depend on the
// values, and the benchmark then needs no data files.
struct Batch {
    bp::Matrix x, y;
    std::vector<int> labels;
    explicit Batch(bp::Index m) : y(bp::Matrix::Zero(10, m)) {
        bp::Rng rng(1);
        x = rng.uniform_matrix(784, m, -1, 1);
        for (bp::Index k = 0; k < m; ++k) {
            labels.push_back(static_cast<int>(rng.below(10)));
            y(labels.back(), k) = 1;
        }
    }
};

bp::Mlp network() {
    bp::Rng rng(2);
    return bp::Mlp({784, 256, 128, 10}, bp::Activation::relu, bp::Activation::identity, rng);
}

// The course's code: Mlp, the softmax cross-entropy and Adam, through train_step as
// train_epoch takes it (with its checks that nothing has diverged).
struct CourseTraining {
    bp::Mlp net = network();
    bp::Adam adam{1e-3};
    const bp::Loss loss = bp::softmax_cross_entropy();

    void step(const Batch& b) { bp::train_step(net, loss, adam, b.x, b.y, {}, 0); }
};

void BM_CourseStep(benchmark::State& state) {
    const bp::FlushDenormals flush;
    CourseTraining t;
    const Batch b(state.range(0));
    for (auto _ : state) t.step(b);
}

void BM_CourseEpoch(benchmark::State& state) {
    const bp::FlushDenormals flush;
    const bp::Index m = state.range(0);
    CourseTraining t;
    const Batch b(m), last(last_batch(m));
    for (auto _ : state) {
        for (bp::Index s = 1; s < steps_per_epoch(m); ++s) t.step(b);
        t.step(last);
    }
}

// What a step of the course's code does after its backward pass whatever the batch size: its
// checks that the gradients and then the weights are finite, Adam's step, and the next step's
// zero_grad (the argument is the batch of the backward pass that made the gradients); all of
// it, or one part alone, to say what each costs.
enum class UpdatePart { all, check_gradients, adam, check_values, zero_grad };

template <UpdatePart part>
void BM_CourseUpdate(benchmark::State& state) {
    const bp::FlushDenormals flush;
    CourseTraining t;
    t.step(Batch(state.range(0)));
    const std::vector<bp::Parameter> params = t.net.parameters();
    const auto doing = [](UpdatePart p) { return part == UpdatePart::all || part == p; };
    for (auto _ : state) {
        if (doing(UpdatePart::check_gradients)) bp::require_not_diverged(0, 1, params, bp::Checked::gradients);
        if (doing(UpdatePart::adam)) t.adam.step(params);
        if (doing(UpdatePart::check_values)) bp::require_not_diverged(0, 1, params, bp::Checked::values);
        if (doing(UpdatePart::zero_grad)) t.net.zero_grad();
    }
}

template <class Scalar>
void BM_FastStep(benchmark::State& state) {
    const bp::FlushDenormals flush;
    bp::FastMlp<Scalar> net(network(), 1e-3);
    const Batch b(state.range(0));
    const typename bp::FastMlp<Scalar>::Mat x = b.x.cast<Scalar>();
    for (auto _ : state) benchmark::DoNotOptimize(net.train_step(x, b.labels));
}

template <class Scalar>
void BM_FastEpoch(benchmark::State& state) {
    const bp::FlushDenormals flush;
    const bp::Index m = state.range(0);
    bp::FastMlp<Scalar> net(network(), 1e-3);
    const Batch b(m), last(last_batch(m));
    const typename bp::FastMlp<Scalar>::Mat x = b.x.cast<Scalar>(), x_last = last.x.cast<Scalar>();
    for (auto _ : state) {
        for (bp::Index s = 1; s < steps_per_epoch(m); ++s) net.train_step(x, b.labels);
        net.train_step(x_last, last.labels);
    }
}

// The eight matrix products of one epoch's steps: three forward (W a_prev) and five backward
// (dW = dz a_prev^T for each layer, da_prev = W^T dz for the upper two): with plain Eigen
// products, or through bp::fast_product as FastMlp makes them.
template <class Scalar, bool through_fast_product>
void BM_ProductBound(benchmark::State& state) {
    using M = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    const bp::Index m = state.range(0);
    const M W1 = M::Random(256, 784), W2 = M::Random(128, 256), W3 = M::Random(10, 128), x = M::Random(784, m);
    M a1(256, m), a2(128, m), z3(10, m), dW1(256, 784), dW2(128, 256), dW3(10, 128), da2(128, m), da1(256, m);
    const auto product = [](const M& A, bp::Transpose ta, const M& B, bp::Transpose tb, M& C) {
        if constexpr (through_fast_product) {
            bp::fast_product(A, ta, B, tb, C);
        } else {
            using bp::Transpose;
            if (ta == Transpose::no && tb == Transpose::no) C.noalias() = A * B;
            else if (ta == Transpose::no) C.noalias() = A * B.transpose();
            else C.noalias() = A.transpose() * B;
        }
    };
    using bp::Transpose;
    for (auto _ : state) {
        for (bp::Index s = 0; s < steps_per_epoch(m); ++s) {
            product(W1, Transpose::no, x, Transpose::no, a1);
            product(W2, Transpose::no, a1, Transpose::no, a2);
            product(W3, Transpose::no, a2, Transpose::no, z3);
            product(z3, Transpose::no, a2, Transpose::yes, dW3);
            product(W3, Transpose::yes, z3, Transpose::no, da2);
            product(da2, Transpose::no, a1, Transpose::yes, dW2);
            product(W2, Transpose::yes, da2, Transpose::no, da1);
            product(da1, Transpose::no, x, Transpose::yes, dW1);
        }
        benchmark::DoNotOptimize(dW1.data());
    }
}

}  // namespace

BENCHMARK(BM_CourseStep)->Arg(32)->Arg(128)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CourseUpdate<UpdatePart::all>)->Name("BM_CourseUpdate")->Arg(32)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CourseUpdate<UpdatePart::check_gradients>)->Name("BM_CourseUpdate_check_gradients")->Arg(32)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CourseUpdate<UpdatePart::adam>)->Name("BM_CourseUpdate_adam")->Arg(32)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CourseUpdate<UpdatePart::check_values>)->Name("BM_CourseUpdate_check_values")->Arg(32)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CourseUpdate<UpdatePart::zero_grad>)->Name("BM_CourseUpdate_zero_grad")->Arg(32)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FastStep<float>)->Name("BM_FastStep_float")->Arg(32)->Arg(128)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FastStep<double>)->Name("BM_FastStep_double")->Arg(32)->Arg(128)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FastEpoch<float>)
    ->Name("BM_FastEpoch_float")
    ->Arg(32)
    ->Arg(128)
    ->Arg(512)
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->Repetitions(2);
BENCHMARK(BM_FastEpoch<double>)
    ->Name("BM_FastEpoch_double")
    ->Arg(32)
    ->Arg(128)
    ->Arg(512)
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->Repetitions(2);
BENCHMARK(BM_ProductBound<float, false>)
    ->Name("BM_EigenBound_float")
    ->Arg(32)
    ->Arg(128)
    ->Arg(512)
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->Repetitions(2);
BENCHMARK(BM_ProductBound<float, true>)
    ->Name("BM_FastBound_float")
    ->Arg(32)
    ->Arg(128)
    ->Arg(512)
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->Repetitions(2);
BENCHMARK(BM_ProductBound<double, true>)
    ->Name("BM_FastBound_double")
    ->Arg(32)
    ->Arg(128)
    ->Arg(512)
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->Repetitions(2);

int main(int argc, char** argv) {
    bp::choose_openblas_kernel(argv);  // first: it may start the program again with a faster kernel
    bp::set_product_threads(1);        // one thread, as PyTorch is given
    // The course's epoch and its bound in turns, three rounds: a neighbour that slows this
    // machine for a while slows both alike, and their ratio holds.
    for (int round = 0; round < 3; ++round)
        for (const bp::Index m : {32, 128, 512}) {
            benchmark::RegisterBenchmark("BM_CourseEpoch", BM_CourseEpoch)->Arg(m)->Unit(benchmark::kSecond)->Iterations(1);
            benchmark::RegisterBenchmark("BM_EigenBound_double", BM_ProductBound<double, false>)
                ->Arg(m)
                ->Unit(benchmark::kSecond)
                ->Iterations(1);
        }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::AddCustomContext("products", bp::fast_products_backend());
    benchmark::AddCustomContext("products_kernel", bp::products_kernel_line());
    benchmark::AddCustomContext("openblas_kernel", bp::openblas_kernel());
    // As the course or the user set it: the comparison runs PyTorch with the same.
    const char* coretype = std::getenv("OPENBLAS_CORETYPE");
    benchmark::AddCustomContext("openblas_coretype", coretype != nullptr ? coretype : "");
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
