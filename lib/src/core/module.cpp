#include "bp/core/module.hpp"

#include <cmath>

namespace bp {

namespace {

Eigen::Map<const Matrix> read_only(const Eigen::Map<Matrix>& m) { return {m.data(), m.rows(), m.cols()}; }

// own_parameters(), own_buffers() and children() refer to the tensors and modules so that
// optimizers and loaders can change them. The const forms of the walks call them through this
// and hand on only read-only views, so nothing is written through a const module.
Module& for_reading(const Module& m) { return const_cast<Module&>(m); }

}  // namespace

void for_each_module(Module& root, const std::function<void(const std::string&, Module&)>& visit, const std::string& prefix) {
    visit(prefix, root);
    for (const Child& child : root.children()) for_each_module(child.module, visit, join_name(prefix, child.name));
}

void for_each_module(const Module& root, const std::function<void(const std::string&, const Module&)>& visit, const std::string& prefix) {
    for_each_module(
        for_reading(root), [&](const std::string& name, Module& m) { visit(name, m); }, prefix);
}

std::vector<ConstChild> children_of(const Module& module) {
    std::vector<ConstChild> all;
    for (const Child& c : for_reading(module).children()) all.push_back({c.name, c.module});
    return all;
}

std::vector<Parameter> Module::parameters(const std::string& prefix) {
    std::vector<Parameter> all;
    for_each_module(
        *this,
        [&](const std::string& name, Module& m) {
            for (Parameter& p : m.own_parameters()) {
                p.name = join_name(name, p.name);
                all.push_back(std::move(p));
            }
        },
        prefix);
    return all;
}

std::vector<ConstParameter> Module::parameters(const std::string& prefix) const {
    std::vector<ConstParameter> all;
    for (const Parameter& p : for_reading(*this).parameters(prefix)) all.push_back({p.name, read_only(p.value()), read_only(p.grad())});
    return all;
}

std::vector<Buffer> Module::buffers(const std::string& prefix) {
    std::vector<Buffer> all;
    for_each_module(
        *this,
        [&](const std::string& name, Module& m) {
            for (Buffer& b : m.own_buffers()) all.push_back({join_name(name, b.name), b.value});
        },
        prefix);
    return all;
}

std::vector<ConstBuffer> Module::buffers(const std::string& prefix) const {
    std::vector<ConstBuffer> all;
    for (const Buffer& b : for_reading(*this).buffers(prefix)) all.push_back({b.name, read_only(b.value.map())});
    return all;
}

void Module::zero_grad() {
    for (const Parameter& p : parameters()) p.grad().setZero();
}

void Module::set_training(bool training) {
    for_each_module(*this, [training](const std::string&, Module& m) { m.training_ = training; });
}

double global_grad_norm(const std::vector<Parameter>& params) {
    double squares = 0;
    for (const Parameter& p : params) squares += p.grad().squaredNorm();
    return std::sqrt(squares);
}

}  // namespace bp
