// The cross-check of chapters 1 to 3's functions: the activations and their derivatives, the
// linear step forward and backward, and every loss with its gradient (crosscheck.hpp: how).
#include "crosscheck.hpp"

namespace F = torch::nn::functional;
using namespace crosscheck;
using bp::Matrix;
using bp::Vector;

namespace {

// z with a 0 (ReLU's kink), negative and positive entries; (0, 0), which the negative control
// changes, is away from the kink.
Matrix some_logits() {
    bp::Rng rng(11);
    Matrix z = random(rng, 3, 4, 3.0);
    z(0, 0) = 0.7;
    z(1, 2) = 0.0;
    return z;
}

// f(z) in torch for the course's activation f.
torch::Tensor torch_activation(bp::Activation f, const torch::Tensor& z, double alpha) {
    switch (f) {
        case bp::Activation::identity: return z * 1.0;
        case bp::Activation::sigmoid: return torch::sigmoid(z);
        case bp::Activation::tanh: return torch::tanh(z);
        // Both take f'(0) = 0 for ReLU (torch's threshold_backward passes the gradient where
        // z > 0) and alpha for leaky ReLU at 0 (torch: z > 0 ? 1 : alpha): the same convention.
        case bp::Activation::relu: return torch::relu(z);
        case bp::Activation::leaky_relu: return F::leaky_relu(z, F::LeakyReLUFuncOptions().negative_slope(alpha));
        case bp::Activation::softmax: return torch::softmax(z, 0);  // each COLUMN of the course's z: dim 0
    }
    throw std::logic_error("torch_activation");
}

}  // namespace

TEST(TorchActivations, EachActivationItsDerivativeAndItsBackwardAgree) {
    const Matrix z = some_logits();
    bp::Rng rng(12);
    const Matrix da = random(rng, z.rows(), z.cols());
    for (bp::Activation f :
         {bp::Activation::identity, bp::Activation::sigmoid, bp::Activation::tanh, bp::Activation::relu, bp::Activation::leaky_relu}) {
        const std::string piece = "activation " + bp::to_string(f);
        // Torch: f(z), then autograd's f'(z) (the gradient of sum f(z), since f acts element by
        // element) and da ⊙ f'(z) (the gradient of sum da ⊙ f(z)).
        torch::Tensor zt = leaf(z);
        torch::Tensor a = torch_activation(f, zt, bp::leaky_relu_slope);
        const torch::Tensor prime = torch::autograd::grad({a}, {zt}, {torch::ones_like(a)}, true)[0];
        const torch::Tensor back = torch::autograd::grad({a}, {zt}, {tensor(da)})[0];
        const Quantities torch_side{{"f(z)", matrix(a)}, {"f'(z)", matrix(prime)}, {"activation_backward(da, z)", matrix(back)}};
        check_piece(
            piece,
            [&](const Perturb& perturb) {
                Matrix zc = z;
                perturb("z", zc);
                return Quantities{{"f(z)", bp::activate(f, zc)},
                                  {"f'(z)", bp::activate_prime(f, zc)},
                                  {"activation_backward(da, z)", bp::activation_backward(f, da, zc)}};
            },
            torch_side);
    }
}

TEST(TorchActivations, TheNamedFunctionsAgree) {
    const Matrix z = some_logits();
    const torch::Tensor zt = tensor(z);
    const double alpha = 0.2;  // ActivationLayer's own slope (chapter 6)
    const Quantities torch_side{{"sigmoid", matrix(torch::sigmoid(zt))},
                                {"sigmoid_prime", matrix(torch::sigmoid(zt) * (1 - torch::sigmoid(zt)))},
                                {"tanh", matrix(torch::tanh(zt))},
                                {"relu", matrix(torch::relu(zt))},
                                {"leaky_relu(0.2)", matrix(F::leaky_relu(zt, F::LeakyReLUFuncOptions().negative_slope(alpha)))},
                                {"softmax", matrix(torch::softmax(zt, 0))},
                                {"log_sum_exp", matrix(torch::logsumexp(zt, {0}, true))}};
    check_piece(
        "activation functions",
        [&](const Perturb& perturb) {
            Matrix zc = z;
            perturb("z", zc);
            return Quantities{{"sigmoid", bp::sigmoid(zc)},
                              {"sigmoid_prime", bp::sigmoid_prime(zc)},
                              {"tanh", bp::tanh(zc)},
                              {"relu", bp::relu(zc)},
                              {"leaky_relu(0.2)", bp::leaky_relu(zc, alpha)},
                              {"softmax", bp::softmax(zc)},
                              {"log_sum_exp", bp::log_sum_exp(zc)}};
        },
        torch_side);
}

TEST(TorchActivations, SoftmaxAndLogSumExpAgreeForLogitsOfAThousand) {
    // Both are computed without overflow: a column of logits near +-1000.
    Matrix z(3, 2);
    z << 1000, -1000, 998.5, -999, -3, -1001.5;
    const torch::Tensor zt = tensor(z);
    check_piece("softmax of large logits",
                [&](const Perturb& perturb) {
                    Matrix zc = z;
                    perturb("z", zc);
                    return Quantities{{"softmax", bp::softmax(zc)}, {"log_sum_exp", bp::log_sum_exp(zc)}};
                },
                {{"softmax", matrix(torch::softmax(zt, 0))}, {"log_sum_exp", matrix(torch::logsumexp(zt, {0}, true))}});
}

TEST(TorchLinear, ForwardAndBackwardAgreeWithTorchsLinear) {
    bp::Rng rng(21);
    const Matrix W = random(rng, 3, 4), a_prev = random(rng, 4, 5), dz = random(rng, 3, 5), dW0 = random(rng, 3, 4);
    const Vector b = random_vector(rng, 3), db0 = random_vector(rng, 3);
    // Torch: x is the batch as rows (m x n_in), and F::linear computes x W^T + b, the course's
    // (W a_prev + b)^T. Backward ADDS into gradients in both: W's and b's start at dW0 and db0.
    torch::Tensor x = leaf(a_prev.transpose()), Wt = leaf(W), bt = leaf(b);
    Wt.mutable_grad() = tensor(dW0);
    bt.mutable_grad() = tensor(db0);
    const torch::Tensor z = F::linear(x, Wt, bt);
    z.backward(as_rows(dz));
    const Quantities torch_side{{"z", from_rows(z)}, {"da_prev", from_rows(x.grad())}, {"dW", grad_of(Wt)}, {"db", grad_of(bt)}};
    check_piece(
        "linear_forward/backward",
        [&](const Perturb& perturb) {
            Matrix Wc = W, dW = dW0;
            Vector db = db0;
            perturb("W", Wc);
            const Matrix zc = bp::linear_forward(Wc, b, a_prev);
            const Matrix da_prev = bp::linear_backward(dz, Wc, a_prev, dW, db);
            return Quantities{{"z", zc}, {"da_prev", da_prev}, {"dW", dW}, {"db", db}};
        },
        torch_side);
}

namespace {
// A loss and its gradient in torch, from autograd.
Quantities torch_loss(const torch::Tensor& loss, const torch::Tensor& z, const std::string& wrt) {
    const torch::Tensor g = torch::autograd::grad({loss}, {z})[0];
    return {{"loss", matrix(loss)}, {"dL/d" + wrt, from_rows(g)}};
}
}  // namespace

TEST(TorchLosses, MeanSquaredErrorAgreesOnceItsHalfAndItsMeanAreConverted) {
    bp::Rng rng(31);
    const Matrix y_hat = random(rng, 3, 5), y = random(rng, 3, 5);
    const double n = 3;
    // Convention: torch's MSELoss (reduction mean) is the mean over all n m elements, without
    // 1/2; the course's mse_loss is (1/m) sum_k 1/2 ||y_hat_k - y_k||^2 = torch's * n / 2.
    torch::Tensor yt = leaf(y_hat.transpose());
    const torch::Tensor loss = F::mse_loss(yt, as_rows(y)) * (n / 2);
    auto course_side = [&](const Perturb& perturb) {
        Matrix yc = y_hat;
        perturb("y_hat", yc);
        return Quantities{{"loss", Matrix::Constant(1, 1, bp::mse_loss(yc, y))}, {"dL/dy_hat", bp::mse_grad(yc, y)}};
    };
    check_piece("mse_loss/mse_grad", course_side, torch_loss(loss, yt, "y_hat"));

    // The difference is real: torch's MSELoss unconverted is another number.
    torch::Tensor y2 = leaf(y_hat.transpose());
    const testing::AssertionResult same = agree("mse_loss against torch's MSELoss unconverted", course_side(Perturb(false)),
                                                torch_loss(F::mse_loss(y2, as_rows(y)), y2, "y_hat"));
    EXPECT_FALSE(same) << same.message();
    std::cout << "[ differ   ] as expected: " << same.message() << "\n";
}

TEST(TorchLosses, BinaryCrossEntropyFromLogitsAgreesOnceItsMeanIsConverted) {
    bp::Rng rng(32);
    const Matrix z = random(rng, 3, 5, 4.0), y = rng.uniform_matrix(3, 5, 0, 1);
    const double n = 3;
    // Convention: torch's BCEWithLogitsLoss (reduction mean) is the mean over all n m elements;
    // the course's is summed over the n outputs and averaged over the m examples: torch's * n.
    torch::Tensor zt = leaf(z.transpose());
    const torch::Tensor loss = F::binary_cross_entropy_with_logits(zt, as_rows(y)) * n;
    check_piece(
        "bce_with_logits_loss/grad",
        [&](const Perturb& perturb) {
            Matrix zc = z;
            perturb("z", zc);
            return Quantities{{"loss", Matrix::Constant(1, 1, bp::bce_with_logits_loss(zc, y))},
                              {"dL/dz", bp::bce_with_logits_grad(zc, y)}};
        },
        torch_loss(loss, zt, "z"));
}

TEST(TorchLosses, SoftmaxCrossEntropyAgreesWithClassLabelsAndWithDistributions) {
    bp::Rng rng(33);
    const Matrix z = random(rng, 4, 6, 3.0);
    std::vector<int64_t> labels;
    const Matrix one_hot = one_hot_columns(rng, 4, 6, &labels);
    Matrix soft = rng.uniform_matrix(4, 6, 0.05, 1);
    soft = soft.array().rowwise() / soft.colwise().sum().array();  // each column a distribution
    // Same convention: torch's CrossEntropyLoss takes logits (m x K, the batch as rows) and
    // averages over the m examples, as the course does; its targets are class indices, or
    // (since 1.10) probabilities, as the course's distributions are.
    for (const bool with_labels : {true, false}) {
        const Matrix& y = with_labels ? one_hot : soft;
        torch::Tensor zt = leaf(z.transpose());
        const torch::Tensor loss = with_labels ? F::cross_entropy(zt, torch::tensor(labels)) : F::cross_entropy(zt, as_rows(y));
        check_piece(
            std::string("softmax_cross_entropy_loss/grad, ") + (with_labels ? "class labels" : "distributions"),
            [&](const Perturb& perturb) {
                Matrix zc = z;
                perturb("z", zc);
                return Quantities{{"loss", Matrix::Constant(1, 1, bp::softmax_cross_entropy_loss(zc, y))},
                                  {"dL/dz", bp::softmax_cross_entropy_grad(zc, y)}};
            },
            torch_loss(loss, zt, "z"));
    }
}

TEST(TorchLosses, TheLossObjectsAgreeWithTheFunctions) {
    // bp::Loss, what the training loops take, against the same torch expressions.
    bp::Rng rng(34);
    const Matrix z = random(rng, 3, 4, 2.0);
    const Matrix y = one_hot_columns(rng, 3, 4);
    for (const bp::Loss& loss : {bp::softmax_cross_entropy(), bp::mean_squared_error(), bp::binary_cross_entropy_with_logits()}) {
        torch::Tensor zt = leaf(z.transpose());
        const torch::Tensor yt = as_rows(y);
        torch::Tensor l;
        if (loss.name == "softmax cross-entropy") l = F::cross_entropy(zt, yt);
        if (loss.name == "mean squared error") l = F::mse_loss(zt, yt) * 1.5;                            // * n / 2 (n = 3): as above
        if (loss.name == "binary cross-entropy") l = F::binary_cross_entropy_with_logits(zt, yt) * 3.0;  // * n
        ASSERT_TRUE(l.defined()) << "no torch loss for the course's loss named '" << loss.name << "'";
        check_piece(
            "bp::Loss " + loss.name,
            [&](const Perturb& perturb) {
                Matrix zc = z;
                perturb("z", zc);
                return Quantities{{"loss", Matrix::Constant(1, 1, loss.value(zc, y))}, {"dL/dz", loss.grad(zc, y)}};
            },
            torch_loss(l, zt, "z"));
    }
}

TEST(TorchCrossCheck, TheComparisonFailsOnEachKindOfDifferenceAndSaysWhere) {
    // The comparison itself, on made-up quantities: what it must refuse, and what it says.
    const Matrix a = (Matrix(2, 2) << 1, 2, 3, 4).finished();
    Matrix off = a;
    off(1, 0) += 1e-8;
    const testing::AssertionResult moved = agree("piece", {{"q", off}}, {{"q", a}});
    EXPECT_FALSE(moved);
    EXPECT_NE(std::string(moved.message()).find("piece: q at (1, 0): course 3.0000000099999999, torch 3 (difference 1e-08"),
              std::string::npos)
        << moved.message();
    Matrix within = a;
    within(1, 1) *= 1 + 1e-12;  // rounding, not a difference
    EXPECT_TRUE(agree("piece", {{"q", within}}, {{"q", a}}));
    Matrix nan = a;
    nan(0, 1) = std::nan("");
    EXPECT_FALSE(agree("piece", {{"q", nan}}, {{"q", a}}));
    EXPECT_FALSE(agree("piece", {{"q", nan}}, {{"q", nan}}));                              // NaN is never agreement
    EXPECT_FALSE(agree("piece", {{"q", a}}, {{"q", Matrix(a.transpose().leftCols(1))}}));  // shapes
    EXPECT_FALSE(agree("piece", {{"q", a}}, {{"p", a}}));                                  // names
    EXPECT_FALSE(agree("piece", {{"q", a}}, {{"q", a}, {"r", a}}));                        // counts
    EXPECT_FALSE(agree("piece", {}, {}));                                                  // nothing
    EXPECT_FALSE(agree("piece", {{"q", Matrix(0, 0)}}, {{"q", Matrix(0, 0)}}));            // no element
}
