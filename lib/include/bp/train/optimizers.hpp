/// \file
/// Optimizers: how to turn gradients into a step. Each walks the (value, gradient) pairs of
/// the parameters; those with memory (velocities, moment estimates) keep one matrix of memory
/// per parameter, by the parameter's name, made on the first step.
#pragma once

#include "bp/core/parameter.hpp"

#include <map>
#include <string>
#include <vector>

namespace bp {

/// An optimizer's memory: one matrix per parameter, by name ("layer1.W" -> its velocity).
using OptimizerMemory = std::map<std::string, Matrix>;

/// What a training loop needs of any optimizer.
class Optimizer {
public:
    /// Throws std::invalid_argument unless the learning rate is finite and >= 0.
    explicit Optimizer(double learning_rate);
    virtual ~Optimizer() = default;

    /// One update of every parameter from its gradient (which it does not change). A
    /// Parameter refers to its layer's matrices, so taking them by value still updates the model.
    virtual void step(std::vector<Parameter> params) = 0;

    double lr;  ///< the learning rate; a schedule may change it between steps

protected:
    /// Throws std::invalid_argument naming `op` and the setting unless every setting is in its
    /// range: lr finite and >= 0 here, and each optimizer's own (its betas, eps, ...) in the
    /// overrides. Every step calls it first: the settings are public, and a schedule or a user
    /// may have changed them since the constructor checked them.
    virtual void check_settings(const char* op) const;

    /// On the first call, a zero matrix of each parameter's shape under its name; afterwards,
    /// a ShapeError naming `op` and the parameter that appeared, disappeared or changed shape.
    static void ensure_memory(const char* op, OptimizerMemory& memory, const std::vector<Parameter>& params);
};

/// Exercise 5.1 (exercises/ch05/optimizers.cpp): w <- w - lr g.
class Sgd : public Optimizer {
public:
    using Optimizer::Optimizer;
    void step(std::vector<Parameter> params) override;
};

/// Exercise 5.2: v <- beta v + g;  w <- w - lr v.  beta in [0, 1).
class Momentum : public Optimizer {
public:
    explicit Momentum(double learning_rate, double beta = 0.9);
    void step(std::vector<Parameter> params) override;
    double beta;
    OptimizerMemory velocity;

protected:
    void check_settings(const char* op) const override;
};

/// Exercise 5.3, Nesterov momentum: v <- beta v + g;  w <- w - lr (g + beta v).  beta in [0, 1).
class Nesterov : public Optimizer {
public:
    explicit Nesterov(double learning_rate, double beta = 0.9);
    void step(std::vector<Parameter> params) override;
    double beta;
    OptimizerMemory velocity;

protected:
    void check_settings(const char* op) const override;
};

/// Exercise 5.4: s <- rho s + (1 - rho) g^2;  w <- w - lr g / (sqrt(s) + eps).  rho in [0, 1),
/// eps > 0. The default rho is 0.9 (Hinton's original value); PyTorch's RMSprop defaults to
/// 0.99 (its `alpha`): pass rho = 0.99 to match it. Since s starts at 0, the first step is
/// about lr / sqrt(1 - rho), not lr.
class RmsProp : public Optimizer {
public:
    explicit RmsProp(double learning_rate, double rho = 0.9, double eps = 1e-8);
    void step(std::vector<Parameter> params) override;
    double rho, eps;
    OptimizerMemory mean_square;

protected:
    void check_settings(const char* op) const override;
};

/// Exercise 5.5: t <- t + 1;  m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2;
/// w <- w - lr m_hat / (sqrt(v_hat) + eps), with m_hat = m / (1 - beta1^t) and
/// v_hat = v / (1 - beta2^t) (the bias correction). beta1 and beta2 in [0, 1), eps > 0.
class Adam : public Optimizer {
public:
    explicit Adam(double learning_rate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);
    void step(std::vector<Parameter> params) override;
    double beta1, beta2, eps;
    long t = 0;  ///< steps taken
    OptimizerMemory m, v;

protected:
    /// For AdamW: the same checks, with errors naming `op`.
    Adam(const char* op, double learning_rate, double beta1, double beta2, double eps);
    void check_settings(const char* op) const override;
};

/// Exercise 5.6, Adam with decoupled weight decay: w <- w - lr lambda w, then Adam's step.
/// lambda finite and >= 0; beta1, beta2 and eps as Adam's (PyTorch's AdamW takes the same
/// settings, with betas = (beta1, beta2)). The weight decay comes second, so that
/// AdamW(lr, weight_decay) reads as it always has.
class AdamW : public Adam {
public:
    explicit AdamW(double learning_rate = 1e-3, double weight_decay = 0.01, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);
    void step(std::vector<Parameter> params) override;
    double weight_decay;

protected:
    void check_settings(const char* op) const override;
};

/// Exercise 5.7, the step schedule: lr0 gamma^floor(epoch / every). epoch >= 0, every > 0.
double step_schedule(double lr0, int epoch, int every, double gamma);

/// Exercise 5.8, the cosine schedule: lr_min + (lr0 - lr_min) (1 + cos(pi step / total)) / 2,
/// from lr0 at step 0 down to lr_min at step `total` (and lr_min after it). step >= 0.
double cosine_schedule(double lr0, long step, long total, double lr_min = 0.0);

/// Exercise 5.9, clipping by global norm: with n = sqrt(sum of every gradient element
/// squared), scales every gradient by max_norm / n if n > max_norm. Returns n. A gradient
/// with an inf or a NaN is a ValueError naming the parameter: no scale mends it.
double clip_grad_norm(std::vector<Parameter> params, double max_norm);

/// Exercise 6.4 (exercises/ch06/clipping.cpp), clipping by value: every gradient element is
/// limited to [-max_value, max_value]; elements inside that range are left as they are.
/// Returns the largest |g| before clipping, over every parameter: 0 if there is no element at
/// all (no parameter, or only gradients with no element), and a gradient with no element is
/// skipped. Unlike clipping by norm, it changes the direction of the step. max_value must be
/// finite and > 0; a gradient holding an inf or a NaN is a ValueError naming the parameter.
double clip_grad_value(std::vector<Parameter> params, double max_value);

/// Throws ValueError naming `op`, the first parameter whose gradient holds an inf or a NaN,
/// and where (require_finite).
void require_finite_gradients(const char* op, const std::vector<Parameter>& params);

/// A setting (a learning rate, a beta, ...): throws std::invalid_argument("OP: NAME must be ..., got VALUE") unless lo <= value < hi
/// (lo <= value <= hi if `hi_included`) and value is finite: the optimizers' and schedules'
/// checks of their settings.
void require_setting(const char* op, const char* name, double value, double lo, double hi, bool hi_included = false);

}  // namespace bp
