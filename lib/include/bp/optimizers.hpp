/// \file
/// Optimizers: how to turn gradients into a step. Each walks the (value, gradient) pairs of
/// the parameters; those with memory (velocities, moment estimates) keep one matrix of state
/// per parameter, made on the first step.
#pragma once

#include "bp/parameter.hpp"

#include <vector>

namespace bp {

/// What a training loop needs of any optimizer.
class Optimizer {
public:
    explicit Optimizer(double learning_rate) : lr(learning_rate) {}
    virtual ~Optimizer() = default;

    /// One update of every parameter from its gradient (which it does not change). The
    /// Parameters are views, so taking them by value still updates the model.
    virtual void step(std::vector<Parameter> params) = 0;

    double lr;  ///< the learning rate; a schedule may change it between steps

protected:
    /// Zero state of each parameter's shape on the first call; afterwards, a ShapeError
    /// naming `op` if the parameters are not the same ones.
    static void ensure_state(const char* op, std::vector<Matrix>& state, const std::vector<Parameter>& params);
};

/// Exercise 5.1 (exercises/ch05/optimizers.cpp): w <- w - lr g.
class Sgd : public Optimizer {
public:
    using Optimizer::Optimizer;
    void step(std::vector<Parameter> params) override;
};

/// Exercise 5.2: v <- beta v + g;  w <- w - lr v.
class Momentum : public Optimizer {
public:
    explicit Momentum(double learning_rate, double beta_ = 0.9) : Optimizer(learning_rate), beta(beta_) {}
    void step(std::vector<Parameter> params) override;
    double beta;
    std::vector<Matrix> velocity;
};

/// Exercise 5.3, Nesterov momentum: v <- beta v + g;  w <- w - lr (g + beta v).
class Nesterov : public Optimizer {
public:
    explicit Nesterov(double learning_rate, double beta_ = 0.9) : Optimizer(learning_rate), beta(beta_) {}
    void step(std::vector<Parameter> params) override;
    double beta;
    std::vector<Matrix> velocity;
};

/// Exercise 5.4: s <- rho s + (1 - rho) g^2;  w <- w - lr g / (sqrt(s) + eps).
class RmsProp : public Optimizer {
public:
    explicit RmsProp(double learning_rate, double rho_ = 0.9, double eps_ = 1e-8)
        : Optimizer(learning_rate), rho(rho_), eps(eps_) {}
    void step(std::vector<Parameter> params) override;
    double rho, eps;
    std::vector<Matrix> mean_square;
};

/// Exercise 5.5: t <- t + 1;  m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2;
/// w <- w - lr m_hat / (sqrt(v_hat) + eps), with m_hat = m / (1 - beta1^t) and
/// v_hat = v / (1 - beta2^t) (the bias correction).
class Adam : public Optimizer {
public:
    explicit Adam(double learning_rate = 1e-3, double beta1_ = 0.9, double beta2_ = 0.999, double eps_ = 1e-8)
        : Optimizer(learning_rate), beta1(beta1_), beta2(beta2_), eps(eps_) {}
    void step(std::vector<Parameter> params) override;
    double beta1, beta2, eps;
    long t = 0;  ///< steps taken
    std::vector<Matrix> m, v;
};

/// Exercise 5.6, Adam with decoupled weight decay: w <- w - lr lambda w, then Adam's step.
class AdamW : public Adam {
public:
    explicit AdamW(double learning_rate = 1e-3, double weight_decay_ = 0.01) : Adam(learning_rate), weight_decay(weight_decay_) {}
    void step(std::vector<Parameter> params) override;
    double weight_decay;
};

/// Exercise 5.7, the step schedule: lr0 gamma^floor(epoch / every).
double step_schedule(double lr0, int epoch, int every, double gamma);

/// Exercise 5.8, the cosine schedule: lr_min + (lr0 - lr_min) (1 + cos(pi step / total)) / 2,
/// from lr0 at step 0 down to lr_min at step `total` (and lr_min after it).
double cosine_schedule(double lr0, long step, long total, double lr_min = 0.0);

/// Exercise 5.9, clipping by global norm: with n = sqrt(sum of every gradient element
/// squared), scales every gradient by max_norm / n if n > max_norm. Returns n.
double clip_grad_norm(std::vector<Parameter> params, double max_norm);

}  // namespace bp
