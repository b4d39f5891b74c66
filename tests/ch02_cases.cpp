// Chapter 2 reference cases: the losses and their gradients.
#include "check.hpp"
#include "reference_cases.hpp"

#include "bp/core/loss.hpp"
#include "bp/core/random.hpp"

namespace bp_test {

namespace {

// Targets 0 or 1 for binary cross-entropy.
Matrix bits(bp::Rng& rng, bp::Index rows, bp::Index m) {
    Matrix y(rows, m);
    for (bp::Index k = 0; k < m; ++k)
        for (bp::Index i = 0; i < rows; ++i) y(i, k) = static_cast<double>(rng.below(2));
    return y;
}

// Logits of +-1000 next to ordinary ones: the probabilities they stand for are exactly 0 or 1.
Matrix extreme_logits() {
    Matrix z(3, 4);
    z << 1000, -1000, 0, 2,  //
        -1000, 1000, 0, -1,  //
        0, -1000, 0, 1000;
    return z;
}

}  // namespace

BP_REFERENCE_CASES(ch02) {
    std::vector<ReferenceCase> cases;
    const auto loss_case = [&](const std::string& exercise, const std::string& name, const std::string& call, NamedList inputs, auto f) {
        cases.push_back({exercise, name, call, std::move(inputs), [f](const NamedList& in) {
                             return NamedList{{"result", f(in[0].value, in[1].value)}};
                         }});
    };
    const auto as_matrix = [](double (*loss)(const Matrix&, const Matrix&)) {
        return [loss](const Matrix& a, const Matrix& b) { return scalar(loss(a, b)); };
    };

    {
        bp::Rng rng(31);
        cases.push_back({"2.3", "small_batch", "log_sum_exp(z)", {{"z", rng.uniform_matrix(4, 3, -3, 3)}}, [](const NamedList& in) {
                             return NamedList{{"result", bp::log_sum_exp(in[0].value)}};
                         }});
        cases.push_back({"2.3", "extreme_logits", "log_sum_exp(z)", {{"z", extreme_logits()}}, [](const NamedList& in) {
                             return NamedList{{"result", bp::log_sum_exp(in[0].value)}};
                         }});
    }
    {
        bp::Rng rng(32);
        const Matrix y_hat = rng.uniform_matrix(3, 4, 0, 1), y = one_hot(rng, 3, 4);
        loss_case("2.1", "small_batch", "mse_loss(y_hat, y)", {{"y_hat", y_hat}, {"y", y}}, as_matrix(bp::mse_loss));
        loss_case("2.2", "small_batch", "mse_grad(y_hat, y)", {{"y_hat", y_hat}, {"y", y}}, bp::mse_grad);
    }
    {
        bp::Rng rng(33);
        const Matrix z = rng.uniform_matrix(2, 5, -4, 4), y = bits(rng, 2, 5);
        const Matrix y_extreme = bits(rng, 3, 4);
        loss_case("2.4", "small_batch", "bce_with_logits_loss(z, y)", {{"z", z}, {"y", y}}, as_matrix(bp::bce_with_logits_loss));
        loss_case("2.4", "extreme_logits", "bce_with_logits_loss(z, y)", {{"z", extreme_logits()}, {"y", y_extreme}},
                  as_matrix(bp::bce_with_logits_loss));
        loss_case("2.5", "small_batch", "bce_with_logits_grad(z, y)", {{"z", z}, {"y", y}}, bp::bce_with_logits_grad);
        loss_case("2.5", "extreme_logits", "bce_with_logits_grad(z, y)", {{"z", extreme_logits()}, {"y", y_extreme}},
                  bp::bce_with_logits_grad);
    }
    {
        bp::Rng rng(34);
        const Matrix z = rng.uniform_matrix(4, 3, -3, 3), y = one_hot(rng, 4, 3);
        const Matrix y_extreme = one_hot(rng, 3, 4);
        loss_case("2.6", "small_batch", "softmax_cross_entropy_loss(z, y)", {{"z", z}, {"y", y}},
                  as_matrix(bp::softmax_cross_entropy_loss));
        loss_case("2.6", "extreme_logits", "softmax_cross_entropy_loss(z, y)", {{"z", extreme_logits()}, {"y", y_extreme}},
                  as_matrix(bp::softmax_cross_entropy_loss));
        loss_case("2.7", "small_batch", "softmax_cross_entropy_grad(z, y)", {{"z", z}, {"y", y}}, bp::softmax_cross_entropy_grad);
        loss_case("2.7", "extreme_logits", "softmax_cross_entropy_grad(z, y)", {{"z", extreme_logits()}, {"y", y_extreme}},
                  bp::softmax_cross_entropy_grad);
        // Targets that are distributions but not one-hot (label smoothing makes such).
        Matrix soft = rng.uniform_matrix(4, 3, 0.05, 1);
        soft = (soft.array().rowwise() / soft.colwise().sum().array()).matrix();
        loss_case("2.6", "soft_targets", "softmax_cross_entropy_loss(z, y)", {{"z", z}, {"y", soft}},
                  as_matrix(bp::softmax_cross_entropy_loss));
        loss_case("2.7", "soft_targets", "softmax_cross_entropy_grad(z, y)", {{"z", z}, {"y", soft}}, bp::softmax_cross_entropy_grad);
    }
    return cases;
}

}  // namespace bp_test
