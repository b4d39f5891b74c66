#include "bp/recurrent/sequence.hpp"

#include "bp/recurrent/cell_math.hpp"

namespace bp {

Sequence::Sequence(Index n, Index T, Index m) {
    if (n <= 0 || T <= 0 || m <= 0)
        throw ShapeError("Sequence", "needs n > 0 features, T > 0 steps and m > 0 examples, got n = " + std::to_string(n) +
                                         ", T = " + std::to_string(T) + ", m = " + std::to_string(m));
    all_ = Matrix::Zero(n, T * m);
    steps_ = T;
    m_ = m;
}

Sequence::Sequence(const std::vector<Matrix>& steps) {
    if (steps.empty() || steps.front().size() == 0) throw ShapeError("Sequence", "needs at least one step, and steps that are not empty");
    const Index n = steps.front().rows(), m = steps.front().cols();
    all_.resize(n, static_cast<Index>(steps.size()) * m);
    for (std::size_t t = 0; t < steps.size(); ++t) {
        if (steps[t].rows() != n || steps[t].cols() != m)
            throw ShapeError("Sequence", "step " + std::to_string(t + 1) + " is " + shape(steps[t]) + " but step 1 is " +
                                             std::to_string(n) + "x" + std::to_string(m));
        all_.middleCols(static_cast<Index>(t) * m, m) = steps[t];
    }
    steps_ = static_cast<Index>(steps.size());
    m_ = m;
}

Sequence::Sequence(Matrix all, Index m) : all_(std::move(all)), m_(m) {
    if (m <= 0 || all_.size() == 0 || all_.cols() % m != 0)
        throw ShapeError("Sequence", "all the steps side by side, " + shape(all_) +
                                         ", are not a whole number of steps of m = " + std::to_string(m) + " columns");
    steps_ = all_.cols() / m;
}

void Sequence::check_step(Index t) const {
    if (t < 1 || t > steps_)
        throw UsageError("Sequence::at",
                         "there is no step " + std::to_string(t) + ": the steps are numbered 1 to " + std::to_string(steps_));
}

TimeStep Sequence::at(Index t) {
    check_step(t);
    return all_.middleCols((t - 1) * m_, m_);
}

ConstTimeStep Sequence::at(Index t) const {
    check_step(t);
    return all_.middleCols((t - 1) * m_, m_);
}

Sequence Sequence::slice(Index first, Index count) const {
    if (count < 1 || first < 1 || first + count - 1 > steps_)
        throw UsageError("Sequence::slice", "steps " + std::to_string(first) + " to " + std::to_string(first + count - 1) +
                                                " are not all among the steps 1 to " + std::to_string(steps_));
    return Sequence(all_.middleCols((first - 1) * m_, count * m_), m_);
}

void Sequence::resize(Index n, Index T, Index m) {
    if (n <= 0 || T <= 0 || m <= 0)
        throw ShapeError("Sequence::resize",
                         "needs n, T and m > 0, got " + std::to_string(n) + ", " + std::to_string(T) + ", " + std::to_string(m));
    all_.resize(n, T * m);  // a no-op when the size is the same
    steps_ = T;
    m_ = m;
}

std::string shape(const Sequence& s) {
    return std::to_string(s.features()) + "x" + std::to_string(s.batch()) + " at each of " + std::to_string(s.steps()) + " steps";
}

const Sequence* SequenceLayer::hidden_gradients() const {
    const Sequence& dh = hidden_grads();
    return dh.empty() ? nullptr : &dh;
}

ConstTimeStep stored_step(const char* op, const char* symbol, const Matrix& first, const Sequence& rest, Index t) {
    if (first.size() == 0 || t < 0 || t > rest.steps())
        throw UsageError(op, std::string("there is no ") + symbol + "_" + std::to_string(t) + ": forward makes " + symbol + "_0 to " +
                                 symbol + "_T (T = " + std::to_string(rest.steps()) + ")");
    return t == 0 ? ConstTimeStep(first) : rest.at(t);
}

void require_shape(const char* op, const char* name, ConstTimeStep step, Index rows, Index cols) {
    if (step.rows() != rows || step.cols() != cols)
        throw ShapeError(op, std::string(name) + " is " + std::to_string(step.rows()) + "x" + std::to_string(step.cols()) +
                                 " but must be " + std::to_string(rows) + "x" + std::to_string(cols));
}

void require_backward_input(const char* op, bool has_forward, const Sequence& dh_out, Index n_h, const Sequence& x) {
    if (!has_forward) throw UsageError(op, "run forward first: backward needs the states it stored");
    if (dh_out.features() != n_h || dh_out.steps() != x.steps() || dh_out.batch() != x.batch())
        throw ShapeError(op, "dh_out is " + shape(dh_out) + " but the states are " + std::to_string(n_h) + "x" + std::to_string(x.batch()) +
                                 " at each of " + std::to_string(x.steps()) + " steps");
}

Matrix start_or_zeros(const char* op, const char* what, const Matrix& given, Index n, Index m) {
    if (given.size() == 0) return Matrix::Zero(n, m);
    if (given.rows() != n || given.cols() != m)
        throw ShapeError(op, std::string(what) + " is " + shape(given) + " but must be " + std::to_string(n) + "x" + std::to_string(m) +
                                 " (n_h x m), or empty for zeros");
    return given;
}

void sigmoid_in_place(TimeStep a) { a = (1.0 + (-a.array()).exp()).inverse().matrix(); }

void tanh_in_place(TimeStep a) {
    // tanh(z) = (1 - e^-2z) / (1 + e^-2z) = 2 / (1 + e^-2z) - 1. For z -> -inf, e^-2z = inf and
    // the result is -1, as it should be.
    a = (2.0 / (1.0 + (-2.0 * a.array()).exp()) - 1.0).matrix();
}

}  // namespace bp
