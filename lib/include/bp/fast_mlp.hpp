/// \file
/// Chapter 5's network written for speed rather than for reading: the equations of Dense,
/// Mlp, the softmax cross-entropy and Adam, in float or in double, for ReLU hidden layers and
/// a softmax output. The chapters' code stays the code to read and to check gradients with
/// (in double); this one is tested against it (tests/ch05_fast_test.cpp) and is what
/// `./course train` runs. The chapter's section "Speed" says what it does differently.
#pragma once

#include "bp/data.hpp"
#include "bp/mlp.hpp"
#include "bp/train.hpp"

#include <vector>

namespace bp {

/// Where FastMlp's matrix products come from: "OpenBLAS" (PyTorch's on Debian) when the
/// build found it, else "Eigen".
const char* fast_products_backend();

/// How many threads the matrix products may use (OpenBLAS only; Eigen's are one thread
/// here). The training command and the benchmark set 1.
void set_product_threads(int threads);

enum class Transpose { no, yes };

/// C = op_a(A) op_b(B), or C += op_a(A) op_b(B) if `add`, through fast_products_backend():
/// the matrix products of FastMlp, and of the benchmark's bound. C must already be of the
/// product's shape.
template <class Scalar>
void fast_product(const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& A, Transpose op_a,
                  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& B, Transpose op_b,
                  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& C, bool add = false);

/// An MLP with ReLU hidden layers and a softmax output, trained with Adam, in Scalar = float
/// or double. Every buffer is allocated once (per batch size); one train_step is forward,
/// loss, backward and update, with bias and activation fused into the loops that need them.
template <class Scalar>
class FastMlp {
public:
    using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

    /// A copy of net's weights, with Adam's settings (as in bp::Adam) and its m and v at
    /// zero. Throws UsageError naming the layer if a hidden layer is not ReLU or the last
    /// layer is not softmax.
    FastMlp(const Mlp& net, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);

    /// One Adam step on a batch: x is n_0 x m, labels[k] the class of column k. Returns the
    /// batch's mean loss. Throws ShapeError (sizes) or std::invalid_argument (a label).
    double train_step(const Mat& x, const std::vector<int>& labels);

    /// Writes the weights into net, which must have the same sizes (to save or evaluate it).
    void copy_to(Mlp& net) const;

    Index input_size() const { return layers_.front().W.cols(); }

    double lr, beta1, beta2, eps;
    long t = 0;             ///< Adam steps taken
    double clip_norm = 0;   ///< clip gradients to this global norm before each step; 0: no clipping

private:
    struct Layer {
        Mat W, dW, mW, vW;  // n_out x n_in: weights, their gradient, Adam's m and v
        Vec b, db, mb, vb;  // n_out
        Mat a;              // n_out x m: relu(z) for a hidden layer, z for the output layer
        Mat dz;             // n_out x m: dL/dz
    };
    std::vector<Layer> layers_;

    double forward_and_loss(const Mat& x, const std::vector<int>& labels);
    void backward(const Mat& x);
    void update();
};

extern template void fast_product(const Eigen::MatrixXf&, Transpose, const Eigen::MatrixXf&, Transpose, Eigen::MatrixXf&, bool);
extern template void fast_product(const Eigen::MatrixXd&, Transpose, const Eigen::MatrixXd&, Transpose, Eigen::MatrixXd&, bool);
extern template class FastMlp<float>;
extern template class FastMlp<double>;

/// train_epoch for a FastMlp: the same shuffled order for the same rng as the course's
/// train_epoch, each batch cast to Scalar as it is gathered. options.schedule may set net.lr;
/// options.clip_norm becomes net.clip_norm.
template <class Scalar>
double train_epoch(FastMlp<Scalar>& net, const Dataset& data, const EpochOptions& options, Rng& rng, long& step,
                   ProgressBar* bar = nullptr);

extern template double train_epoch(FastMlp<float>&, const Dataset&, const EpochOptions&, Rng&, long&, ProgressBar*);
extern template double train_epoch(FastMlp<double>&, const Dataset&, const EpochOptions&, Rng&, long&, ProgressBar*);

}  // namespace bp
