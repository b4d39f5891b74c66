/// \file
/// Chapter 5's network written for speed rather than for reading (the appendix "Speed" of
/// chapter 5 explains it). Its scope is narrow on purpose: an MLP of Dense layers with ReLU
/// hidden layers and an output layer that gives logits (identity), trained on the softmax
/// cross-entropy with Adam (with clipping and any schedule), in float or double. The chapters'
/// code stays the code to read and to check gradients with; this one is tested step for step
/// against it (tests/ch05_fast_test.cpp) and is what `./course train` runs. It calls none of
/// the exercises, so it trains in the student edition before any exercise is done.
#pragma once

#include "bp/io/data.hpp"
#include "bp/layers/sequential.hpp"
#include "bp/train/train.hpp"

#include <optional>
#include <string>
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

/// An MLP with ReLU hidden layers and logits out, trained on the softmax cross-entropy with
/// Adam, in Scalar = float or double. Every buffer is allocated once (per batch size); one
/// train_step is forward, loss, backward and update, with bias and activation fused into the
/// loops that need them.
template <class Scalar>
class FastMlp {
public:
    using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

    /// A copy of net's weights, with Adam's settings (as in bp::Adam, and checked as it checks
    /// them) and its m and v at zero. Throws UsageError naming the layer if net is not Dense
    /// layers with ReLU hidden layers and an identity (logits) output layer.
    FastMlp(const Sequential& net, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);

    /// Forward, loss and backward on a batch (x is n_0 x m, labels[k] the class of column k):
    /// the gradients are then ready for update(). Returns the batch's mean loss. Throws
    /// ShapeError (sizes) or std::invalid_argument (a label) before any work.
    double compute_gradients(const Mat& x, const std::vector<int>& labels);

    /// Clipping (to clip_norm, if > 0) and one Adam step; the gradients are cleared as they are
    /// read. Returns false if a weight is then not finite (training has diverged). Throws
    /// std::invalid_argument naming a setting (lr, beta1, beta2, eps, clip_norm) out of its
    /// range, as bp::Adam's step does: they are public and may have changed since construction.
    bool update();
    /// Whether every gradient compute_gradients left is finite.
    bool gradients_finite() const;

    /// compute_gradients then update; Diverged (at step `t`, naming the first weight that is
    /// not finite) if it diverges.
    double train_step(const Mat& x, const std::vector<int>& labels);

    /// Loss and accuracy on a data set, as bp::evaluate gives them for the chapters' network.
    Metrics evaluate(const Dataset& data, Index batch = 1000);

    /// The first hidden layer whose ReLU gives 0 for every unit on every column of x (all its
    /// units dead), named as the chapters' network names it ("layer2"); nothing if there is
    /// none. Runs the forward pass on x; calls no exercise.
    std::optional<std::string> dead_layer(const Mat& x);

    /// The weights as the chapters' network: Dense layers, ReLU, logits out (to save it).
    Sequential to_network() const;
    /// Writes the weights into net, which must have the same sizes.
    void copy_to(Sequential& net) const;
    /// Writes the weights and the current gradients (in double) into net's W, b, dW and db:
    /// what a hook of EpochOptions::after_backward sees.
    void copy_with_gradients_to(Sequential& net) const;

    Index input_size() const { return layers_.front().W.cols(); }

    double lr, beta1, beta2, eps;
    long t = 0;            ///< Adam steps taken
    double clip_norm = 0;  ///< clip gradients to this global norm before each step; 0: no clipping

private:
    struct Layer {
        Mat W, dW, mW, vW;  // n_out x n_in: weights, their gradient, Adam's m and v
        Vec b, db, mb, vb;  // n_out
        Mat a;              // n_out x m: relu(z) for a hidden layer, z for the output layer
        Mat dz;             // n_out x m: dL/dz
    };
    std::vector<Layer> layers_;

    void check_batch(const char* op, const Mat& x, const std::vector<int>& labels) const;
    void check_settings(const char* op) const;
    void forward(const Mat& x);
    double loss_and_dz(const std::vector<int>& labels);
    void backward(const Mat& x);
};

extern template void fast_product(const Eigen::MatrixXf&, Transpose, const Eigen::MatrixXf&, Transpose, Eigen::MatrixXf&, bool);
extern template void fast_product(const Eigen::MatrixXd&, Transpose, const Eigen::MatrixXd&, Transpose, Eigen::MatrixXd&, bool);
extern template class FastMlp<float>;
extern template class FastMlp<double>;

/// train_epoch for a FastMlp: the same shuffled order for the same rng as the course's
/// train_epoch, each batch cast to Scalar as it is gathered. options.schedule may set net.lr;
/// options.clip_norm becomes net.clip_norm; options.after_backward sees the gradients, in
/// double and named as the chapters' network names them (layer1.W, ...), before clipping,
/// with the layers' outputs on the batch, at the steps options.after_backward_due gives and at
/// a step whose loss or gradients are not finite: the only steps the network is copied, into
/// `mirror` if given (a network of the same sizes, such as the one a GradientMonitor reads),
/// else into one of its own. Throws Diverged, naming the step and what stopped being finite.
template <class Scalar>
double train_epoch(FastMlp<Scalar>& net, const Dataset& data, const EpochOptions& options, Rng& rng, long& step, ProgressBar* bar = nullptr,
                   Sequential* mirror = nullptr);

extern template double train_epoch(FastMlp<float>&, const Dataset&, const EpochOptions&, Rng&, long&, ProgressBar*, Sequential*);
extern template double train_epoch(FastMlp<double>&, const Dataset&, const EpochOptions&, Rng&, long&, ProgressBar*, Sequential*);

/// Exercise 5.8's cosine schedule, lr_min + (lr0 - lr_min) (1 + cos(pi step / total)) / 2 and
/// lr_min after total, written again here so that training with FastMlp (./course train)
/// needs no exercise done; the course engine calls the student's bp::cosine_schedule.
double fast_cosine_schedule(double lr0, long step, long total, double lr_min = 0.0);

}  // namespace bp
