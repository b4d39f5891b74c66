/// \file
/// What every piece of a network shares, whatever it computes and whatever it takes in (a
/// batch of columns, or a sequence of them): named parameters and buffers, inner modules with
/// their names, zero_grad, training or evaluation mode, and what a gradient monitor reads.
/// bp::Layer and bp::SequenceLayer add the forward and backward passes; every walk over a
/// model (the optimizers' parameters, the monitor, the model file) goes through this contract.
#pragma once

#include "bp/core/activations.hpp"
#include "bp/core/parameter.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bp {

class Sequence;

/// A named tensor that a model keeps but does not train, such as batch normalization's
/// running mean (chapter 6): saved with the model, never seen by an optimizer.
struct Buffer {
    std::string name;  ///< e.g. "layer2.running_mean"
    TensorRef value;
};

/// A parameter read only: its name, its value and its gradient.
struct ConstParameter {
    std::string name;
    Eigen::Map<const Matrix> value, grad;
};

/// A buffer read only.
struct ConstBuffer {
    std::string name;
    Eigen::Map<const Matrix> value;
};

class Module;

/// An inner module and the name it has in its parent's parameter names ("layer2", "inner").
struct Child {
    std::string name;
    Module& module;
};

/// The activation a module applies to its output, and that output after forward (chapter 6's
/// monitor measures its saturated or dead units).
struct ActivationOutput {
    Activation f;
    const Matrix& a;
};

/// The module contract.
// [module]
class Module {
public:
    virtual ~Module() = default;

    /// What the module is, as named in error messages and model files: "dense", "lstm", ...
    virtual std::string kind() const = 0;

    /// Its own trainable parameters, named without a prefix ("W", "b"); not its children's.
    virtual std::vector<Parameter> own_parameters() { return {}; }
    /// Its own buffers, named without a prefix ("running_mean").
    virtual std::vector<Buffer> own_buffers() { return {}; }
    /// Its inner modules, in order, with their names.
    virtual std::vector<Child> children() { return {}; }

    /// Every trainable parameter of the module and of the modules inside it, its own first,
    /// named PREFIX.CHILD.NAME: layer1.W, layer1.b, layer2.W, ... What an optimizer updates.
    std::vector<Parameter> parameters(const std::string& prefix = "");
    std::vector<ConstParameter> parameters(const std::string& prefix = "") const;
    /// Every buffer, named as the parameters are.
    std::vector<Buffer> buffers(const std::string& prefix = "");
    std::vector<ConstBuffer> buffers(const std::string& prefix = "") const;

    /// Sets every gradient to zero; backward only ever adds to them.
    void zero_grad();

    /// Training mode (the default) or evaluation mode, for the module and every module inside
    /// it: batch normalization (chapter 6) uses the batch's statistics in training and its
    /// running averages in evaluation.
    void set_training(bool training);
    bool training() const { return training_; }

    /// The numbers that, with its kind, its tensors and its children, rebuild the module (its
    /// sizes, its activation, ...): what a model file stores of it besides the tensors.
    virtual std::vector<double> settings() const { return {}; }

    /// What is wrong with the module's values, if anything a loaded model must not have (a
    /// negative running variance): checked when a model file is read. Nothing by default.
    virtual std::optional<std::string> invalid_values() const { return std::nullopt; }

    /// For chapter 6's monitor: the activation the module applies and its last output, if it
    /// applies one and forward has run.
    virtual std::optional<ActivationOutput> activation_output() const { return std::nullopt; }
    /// For chapter 7's monitor: after backward, dL/dh_t in full for t = 1, ..., T, if the module
    /// is a recurrent layer; nullptr otherwise.
    virtual const Sequence* hidden_gradients() const { return nullptr; }

protected:
    Module() = default;
    Module(const Module&) = default;
    Module& operator=(const Module&) = default;
    Module(Module&&) = default;
    Module& operator=(Module&&) = default;

    bool training_ = true;
};
// [module]

/// An inner module read only, with its name.
struct ConstChild {
    std::string name;
    const Module& module;
};
/// The inner modules of a module read only: its children(), in order.
std::vector<ConstChild> children_of(const Module& module);

/// Calls visit(name, module) for `root` (named `prefix`) and every module inside it, a parent
/// before its children, children in order; a child's name is PARENT.CHILD.
void for_each_module(Module& root, const std::function<void(const std::string& name, Module& module)>& visit,
                     const std::string& prefix = "");
void for_each_module(const Module& root, const std::function<void(const std::string& name, const Module& module)>& visit,
                     const std::string& prefix = "");

/// The global norm of the gradients, sqrt of the sum of every element squared: what clipping
/// by norm measures (chapter 5) and the monitor prints (chapter 6).
double global_grad_norm(const std::vector<Parameter>& params);

}  // namespace bp
