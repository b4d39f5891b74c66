/// \file
/// Sequences, for recurrent networks (chapter 7): a batch of m sequences of T steps, each step
/// an n x m matrix with one example per column, as everywhere in the course; and what every
/// recurrent layer does with them.
#pragma once

#include "bp/core/module.hpp"

#include <memory>
#include <string>
#include <vector>

namespace bp {

/// One time step of a Sequence, read and written in place: a view of its n x m columns. A
/// Matrix of that shape may be passed where a TimeStep is expected.
using TimeStep = Eigen::Ref<Matrix>;
/// One time step, read only (a view, or a Matrix).
using ConstTimeStep = Eigen::Ref<const Matrix>;

/// T steps x_1, ..., x_T of a batch of m sequences, each step n x m. The steps lie side by
/// side in one n x (T m) matrix, step t in columns (t - 1) m to t m - 1, so that one product
/// can take every step at once (a readout does: V times all the states).
class Sequence {
public:
    // [sequence_constructors]
    Sequence() = default;
    /// T steps of zeros, each n x m.
    Sequence(Index n, Index T, Index m);
    /// From its steps, each n x m (at least one). ShapeError if they differ in shape.
    explicit Sequence(const std::vector<Matrix>& steps);
    /// From every step side by side: `all` is n x (T m), in steps of m columns.
    Sequence(Matrix all, Index m);
    // [sequence_constructors]

    Index features() const { return all_.rows(); }  ///< n
    Index steps() const { return steps_; }          ///< T
    Index batch() const { return m_; }              ///< m
    bool empty() const { return steps_ == 0; }

    /// TimeStep t, numbered 1, ..., T as in the chapter (x_1 is the first). UsageError outside.
    TimeStep at(Index t);
    ConstTimeStep at(Index t) const;

    /// Every step side by side, n x (T m).
    Matrix& all() { return all_; }
    const Matrix& all() const { return all_; }

    /// Steps first, ..., first + count - 1, as a Sequence of their own (a copy).
    Sequence slice(Index first, Index count) const;

    /// Makes it n x m at each of T steps, keeping its memory when the shape is unchanged (the
    /// values are then left as they were; otherwise they are unspecified).
    void resize(Index n, Index T, Index m);

private:
    Matrix all_;
    Index steps_ = 0, m_ = 0;
    void check_step(Index t) const;
};

/// "8x4 at each of 5 steps", for error messages.
std::string shape(const Sequence& s);

/// The state a recurrent layer carries from one step to the next, and from one chunk of a
/// sequence to the next: h, and for an LSTM also its cell c. An empty matrix stands for zeros.
struct RecurrentState {
    Matrix h;  ///< n_h x m
    Matrix c;  ///< n_h x m for an LSTM; empty for the others
};

/// What every recurrent layer does (bp::Rnn, bp::Lstm, bp::Gru): a forward pass over a whole
/// sequence that keeps, for every step, what that step's backward needs, and
/// backpropagation through time. It is a bp::Module like every layer, so that the optimizers,
/// clipping, the gradient checker, the monitor and the model file work on it unchanged.
class SequenceLayer : public Module {
public:
    /// h_1, ..., h_T from x_1, ..., x_T (each n_in x m), starting from `start` (zeros where it
    /// is empty). Keeps what backward needs; the result stays valid until the next forward.
    virtual const Sequence& forward(const Sequence& x, const RecurrentState& start = {}) = 0;

    /// dh_out = dL/dh_t for t = 1, ..., T as the layers above see it (zero at a step without
    /// a loss) -> ADDS every parameter's gradient, summed over the steps, and returns
    /// dx = dL/dx_t for every t. Throws UsageError before any forward.
    virtual const Sequence& backward(const Sequence& dh_out) = 0;

    /// After backward: dL/dh_t for t = 1, ..., T in full, dh_out plus what came back through
    /// the later steps.
    virtual const Sequence& hidden_grads() const = 0;
    /// After backward: the gradient of the start state, dL/dh_0 (and dL/dc_0).
    virtual const RecurrentState& start_grad() const = 0;
    /// After forward: h_T (and c_T), from which the next chunk of a long sequence starts.
    virtual RecurrentState final_state() const = 0;

    virtual Index n_in() const = 0;   ///< n_x, the features of each step's input
    virtual Index n_out() const = 0;  ///< n_h, the size of the state h
    /// hidden_grads() once backward has run: what chapter 7's monitor reads.
    const Sequence* hidden_gradients() const override;
    /// A copy of the layer, of its own kind.
    virtual std::unique_ptr<SequenceLayer> clone() const = 0;
};

/// What hidden(t) and cell(t) of the recurrent layers return: `first` for t = 0, rest.at(t) for
/// t = 1, ..., T. Throws UsageError naming `op` and SYMBOL_t for a step forward did not make.
ConstTimeStep stored_step(const char* op, const char* symbol, const Matrix& first, const Sequence& rest, Index t);

/// Throws ShapeError("OP: NAME is RxC but must be ROWSxCOLS") unless the step has that shape.
void require_shape(const char* op, const char* name, ConstTimeStep step, Index rows, Index cols);

/// Throws UsageError naming `op` unless forward has run; ShapeError unless dh_out is n_h x m at
/// each of the T steps forward saw.
void require_backward_input(const char* op, bool has_forward, const Sequence& dh_out, Index n_h, const Sequence& x);

/// The start state for forward: `given` if it is n x m, zeros if it is empty; ShapeError
/// naming `op` and `what` ("h_0", "c_0") otherwise.
Matrix start_or_zeros(const char* op, const char* what, const Matrix& given, Index n, Index m);

}  // namespace bp
