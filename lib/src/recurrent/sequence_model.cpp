#include "bp/recurrent/sequence_model.hpp"

#include <algorithm>

namespace bp {

SequenceBatch SequenceBatch::chunk(Index first, Index count) const {
    // Step first_scored of the whole batch is step first_scored - first + 1 of the chunk;
    // count + 1 if it comes after the chunk's last step: then the chunk scores none.
    const Index scored = std::clamp<Index>(first_scored - first + 1, 1, count + 1);
    return {x.slice(first, count), y.slice(first, count), scored};
}

namespace {

std::unique_ptr<SequenceLayer> checked(std::unique_ptr<SequenceLayer> layer) {
    if (!layer) throw UsageError("SequenceModel", "needs a recurrent layer, not a null pointer");
    return layer;
}

}  // namespace

SequenceModel::SequenceModel(std::unique_ptr<SequenceLayer> layer_, Index K, Rng& rng)
    : layer(checked(std::move(layer_))), readout(Dense(layer->n_out(), K, Activation::identity, rng, Init::xavier())) {}

SequenceModel::SequenceModel(std::unique_ptr<SequenceLayer> layer_, std::optional<Dense> readout_)
    : layer(checked(std::move(layer_))), readout(std::move(readout_)) {
    if (readout && readout->n_in() != layer->n_out())
        throw ShapeError("SequenceModel", "the readout takes " + std::to_string(readout->n_in()) + " inputs but the " + layer->kind() +
                                              " layer's h has " + std::to_string(layer->n_out()));
}

SequenceModel::SequenceModel(const SequenceModel& other)
    : Module(other), layer(other.layer->clone()), readout(other.readout), out_(other.out_) {}

SequenceModel& SequenceModel::operator=(const SequenceModel& other) {
    if (this != &other) *this = SequenceModel(other);
    return *this;
}

std::vector<Child> SequenceModel::children() {
    std::vector<Child> all{{layer->kind(), *layer}};
    if (readout) all.push_back({"readout", *readout});
    return all;
}

const Sequence& SequenceModel::forward(const Sequence& x, const RecurrentState& start) {
    const Sequence& h = layer->forward(x, start);
    if (!readout) return out_ = h;
    out_ = Sequence(readout->forward(h.all()), h.batch());  // V [h_1 ... h_T] + c: every step in one product
    return out_;
}

const Sequence& SequenceModel::backward(const Sequence& d_out) {
    if (out_.empty()) throw UsageError("SequenceModel::backward", "run forward first");
    if (d_out.features() != out_.features() || d_out.steps() != out_.steps() || d_out.batch() != out_.batch())
        throw ShapeError("SequenceModel::backward", "d_out is " + shape(d_out) + " but the outputs are " + shape(out_));
    // o_t = V h_t + c at every step: dV and dc sum over the steps (the readout's backward on
    // all of them at once), and dh_t = V^T do_t goes into the layer's backward through time.
    if (!readout) return layer->backward(d_out);
    return layer->backward(Sequence(readout->backward(d_out.all()), d_out.batch()));
}

namespace {

void require_outputs_fit(const char* op, const Sequence& out, const SequenceBatch& batch) {
    if (out.features() != batch.y.features() || out.steps() != batch.y.steps() || out.batch() != batch.y.batch())
        throw ShapeError(op, "the outputs are " + shape(out) + " but the targets are " + shape(batch.y));
    if (batch.first_scored < 1 || batch.first_scored > out.steps() + 1)
        throw std::invalid_argument(std::string(op) + ": first_scored is " + std::to_string(batch.first_scored) +
                                    ", not a step from 1 to " + std::to_string(out.steps()) + " (or T + 1 for none)");
}

}  // namespace

double sequence_loss(const Loss& loss, const Sequence& out, const SequenceBatch& batch, Sequence* d_out) {
    require_outputs_fit("sequence_loss", out, batch);
    const Index m = out.batch(), scored = out.steps() - batch.first_scored + 1;
    if (d_out) {
        d_out->resize(out.features(), out.steps(), m);
        d_out->all().setZero();
    }
    if (scored == 0) return 0.0;
    // The scored steps side by side: chapter 2's loss of them is a mean over their scored * m
    // columns, so scored times it is the sum over the steps of each step's batch mean.
    const auto o = out.all().rightCols(scored * m);
    const auto y = batch.y.all().rightCols(scored * m);
    const double steps = static_cast<double>(scored);
    if (d_out) d_out->all().rightCols(scored * m) = steps * loss.grad(o, y);
    return steps * loss.value(o, y);
}

double sequence_accuracy(const Sequence& out, const SequenceBatch& batch) {
    require_outputs_fit("sequence_accuracy", out, batch);
    const Index m = out.batch(), scored = out.steps() - batch.first_scored + 1;
    if (scored == 0) throw std::invalid_argument("sequence_accuracy: the batch scores no step");
    const auto o = out.all().rightCols(scored * m);
    const auto y = batch.y.all().rightCols(scored * m);
    const std::vector<int> predicted = argmax_per_column(o), target = argmax_per_column(y);
    Index right = 0;
    for (std::size_t k = 0; k < predicted.size(); ++k) right += predicted[k] == target[k];
    return static_cast<double>(right) / static_cast<double>(o.cols());
}

}  // namespace bp
