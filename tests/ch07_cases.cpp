// Chapter 7 reference cases: the RNN's step and sequence, forward and backward, its gradient
// check and hidden-state norms, truncated BPTT, the LSTM's step, and the GRU through the graph
// and by hand. Sequences are given with their steps side by side (n x T m).
#include "ch07_recurrent.hpp"
#include "check.hpp"
#include "reference_cases.hpp"

#include "bp/autodiff/graph.hpp"
#include "bp/recurrent/gru_graph.hpp"
#include "bp/recurrent/lstm.hpp"
#include "bp/check/gradcheck.hpp"
#include "bp/recurrent/rnn.hpp"
#include "bp/train/optimizers.hpp"
#include "bp/recurrent/sequence_model.hpp"

namespace bp_test {

namespace {

using bp::Sequence;

// An RNN from the case's inputs W_x, W_h, b (the first three).
bp::Rnn rnn_from(const NamedList& in, bp::Activation f = bp::Activation::tanh) {
    return bp::Rnn(in[0].value, in[1].value, in[2].value.col(0), f);
}

// The weights of a small tanh RNN (n_x = 2, n_h = 3), then x (T = 3 steps of m = 2) and h_0.
NamedList rnn_inputs(std::uint64_t seed) {
    bp::Rng rng(seed);
    return {{"W_x", rng.uniform_matrix(3, 2, -0.8, 0.8)},
            {"W_h", rng.uniform_matrix(3, 3, -0.8, 0.8)},
            {"b", rng.uniform_matrix(3, 1, -0.3, 0.3)},
            {"x (3 steps of 2 columns)", rng.uniform_matrix(2, 6, -1, 1)},
            {"h0", rng.uniform_matrix(3, 2, -1, 1)}};
}

bp::Gru gru_from(const NamedList& in) {
    bp::Rng unused(0);
    bp::Gru g(in[0].value.cols(), in[0].value.rows(), unused);
    const std::vector<bp::Parameter> params = g.parameters();
    for (std::size_t i = 0; i < params.size(); ++i) params[i].value() = in[i].value;
    return g;
}

NamedList gru_inputs(std::uint64_t seed) {
    bp::Rng rng(seed);
    NamedList inputs;
    for (const char* name : {"W_xu", "W_hu", "b_u", "W_xr", "W_hr", "b_r", "W_xh", "W_hh", "b_h"}) {
        const std::string n = name;
        const bp::Index cols = n[0] == 'b' ? 1 : n[2] == 'x' ? 2 : 3;
        inputs.push_back({n, rng.uniform_matrix(3, cols, -0.8, 0.8)});
    }
    inputs.push_back({"x_t", rng.uniform_matrix(2, 3, -1, 1)});
    inputs.push_back({"h_prev", rng.uniform_matrix(3, 3, -1, 1)});
    inputs.push_back({"G (dL/dh_t)", rng.uniform_matrix(3, 3, -1, 1)});
    return inputs;
}

NamedList gradients_of(bp::Gru& g) {
    NamedList out;
    for (const bp::Parameter& p : g.parameters()) out.push_back({"d" + p.name, p.grad()});
    return out;
}

}  // namespace

BP_REFERENCE_CASES(ch07) {
    std::vector<ReferenceCase> cases;
    {
        bp::Rng rng(731);
        NamedList inputs = rnn_inputs(731);
        inputs.resize(3);
        inputs.push_back({"x_t", rng.uniform_matrix(2, 4, -1, 1)});
        inputs.push_back({"h_prev", rng.uniform_matrix(3, 4, -1, 1)});
        for (bp::Activation f : {bp::Activation::tanh, bp::Activation::identity})
            cases.push_back({"7.1", bp::to_string(f), "rnn_step_forward(Rnn(W_x, W_h, b, " + bp::to_string(f) + "), x_t, h_prev, h_t)",
                             inputs, [f](const NamedList& in) {
                                 const bp::Rnn rnn = rnn_from(in, f);
                                 Matrix h(3, 4);
                                 bp::rnn_step_forward(rnn, in[3].value, in[4].value, h);
                                 return NamedList{{"h_t", h}};
                             }});
    }
    cases.push_back({"7.2", "three_steps", "Rnn(W_x, W_h, b).forward(x, {h0}) with T = 3, m = 2", rnn_inputs(732), [](const NamedList& in) {
                         bp::Rnn rnn = rnn_from(in);
                         return NamedList{{"h", rnn.forward(Sequence(in[3].value, 2), {in[4].value, Matrix()}).all()}};
                     }});
    {
        bp::Rng rng(733);
        NamedList inputs = rnn_inputs(733);
        inputs.resize(3);
        const Matrix h_prev = rng.uniform_matrix(3, 2, -1, 1), x_t = rng.uniform_matrix(2, 2, -1, 1);
        inputs.push_back({"x_t", x_t});
        inputs.push_back({"h_prev", h_prev});
        inputs.push_back({"h_t", tanh_of((inputs[0].value * x_t + inputs[1].value * h_prev).colwise() + inputs[2].value.col(0))});
        inputs.push_back({"dh_t", rng.uniform_matrix(3, 2, -1, 1)});
        // The gradients start non-zero: the step must add to them.
        inputs.push_back({"dW_x before", rng.uniform_matrix(3, 2, -1, 1)});
        inputs.push_back({"dW_h before", rng.uniform_matrix(3, 3, -1, 1)});
        inputs.push_back({"db before", rng.uniform_matrix(3, 1, -1, 1)});
        cases.push_back({"7.3", "adds_to_the_gradients", "rnn_step_backward(rnn, x_t, h_prev, h_t, dh_t, dx_t, dh_prev)", inputs,
                         [](const NamedList& in) {
                             bp::Rnn rnn = rnn_from(in);
                             rnn.dW_x = in[7].value;
                             rnn.dW_h = in[8].value;
                             rnn.db = in[9].value.col(0);
                             Matrix dx(2, 2), dh_prev(3, 2);
                             bp::rnn_step_backward(rnn, in[3].value, in[4].value, in[5].value, in[6].value, dx, dh_prev);
                             return NamedList{{"dW_x", rnn.dW_x}, {"dW_h", rnn.dW_h}, {"db", rnn.db}, {"dx_t", dx}, {"dh_prev", dh_prev}};
                         }});
    }
    {
        NamedList inputs = rnn_inputs(734);
        bp::Rng rng(735);
        inputs.push_back({"dh_out (3 steps of 2 columns)", rng.uniform_matrix(3, 6, -1, 1)});
        cases.push_back(
            {"7.4", "three_steps", "rnn.backward(dh_out) after rnn.forward(x, {h0}), T = 3, m = 2", inputs, [](const NamedList& in) {
                 bp::Rnn rnn = rnn_from(in);
                 own_rnn_forward(rnn, Sequence(in[3].value, 2), in[4].value);
                 const Matrix dx = rnn.backward(Sequence(in[5].value, 2)).all();
                 return NamedList{{"dW_x", rnn.dW_x}, {"dW_h", rnn.dW_h},          {"db", rnn.db},
                                  {"dx", dx},         {"dh0", rnn.start_grad().h}, {"dh", rnn.hidden_grads().all()}};
             }});
    }
    cases.push_back({"7.5", "tanh_rnn", "check_rnn_gradients(rnn, x, h0, Rng(736))", rnn_inputs(736), [](const NamedList& in) {
                         bp::Rnn rnn = rnn_from(in);
                         bp::Rng rng(736);
                         const bp::GradientCheck check = bp::check_rnn_gradients(rnn, Sequence(in[3].value, 2), in[4].value, rng);
                         return NamedList{{"passed", Matrix::Constant(1, 1, check.passed ? 1.0 : 0.0)},
                                          {"parameters_checked", Matrix::Constant(1, 1, double(check.worst_by_parameter.size()))}};
                     }});
    {
        NamedList inputs = rnn_inputs(737);
        bp::Rng rng(737);
        inputs.push_back({"g (dL/dh_T)", rng.uniform_matrix(3, 2, -1, 1)});
        cases.push_back({"7.6", "three_steps", "hidden_state_gradient_norms(rnn, g) after rnn.forward(x, {h0}), T = 3", inputs,
                         [](const NamedList& in) {
                             bp::Rnn rnn = rnn_from(in);
                             own_rnn_forward(rnn, Sequence(in[3].value, 2), in[4].value);
                             const std::vector<double> norms = bp::hidden_state_gradient_norms(rnn, in[5].value);
                             return NamedList{{"norms", Eigen::Map<const Matrix>(norms.data(), 1, Eigen::Index(norms.size()))}};
                         }});
    }
    {
        NamedList inputs = rnn_inputs(738);
        inputs.resize(3);
        bp::Rng rng(738);
        inputs.push_back({"readout V", rng.uniform_matrix(2, 3, -0.8, 0.8)});
        inputs.push_back({"x (5 steps of 2 columns)", rng.uniform_matrix(2, 10, -1, 1)});
        inputs.push_back({"y (5 steps of 2 columns)", rng.uniform_matrix(2, 10, -1, 1)});
        cases.push_back({"7.7", "window_2_of_5",
                         "truncated_bptt(model, mean_squared_error(), {x, y}, 2, SGD step with lr = 0.1) for an RNN with a readout", inputs,
                         [](const NamedList& in) {
                             bp::Rng unused(0);
                             bp::SequenceModel model(std::make_unique<bp::Rnn>(rnn_from(in)), 2, unused);
                             model.readout->W = in[3].value;
                             const bp::SequenceBatch batch{Sequence(in[4].value, 2), Sequence(in[5].value, 2), 1};
                             bp::Sgd sgd(0.1);
                             const double L =
                                 bp::truncated_bptt(model, bp::mean_squared_error(), batch, 2, [&] { sgd.step(model.parameters()); });
                             NamedList out{{"loss", Matrix::Constant(1, 1, L)}};
                             for (const bp::Parameter& p : model.parameters()) out.push_back({p.name, p.value()});
                             return out;
                         }});
    }
    {
        bp::Rng rng(739);
        const NamedList inputs = {{"W_x", rng.uniform_matrix(12, 2, -0.8, 0.8)}, {"W_h", rng.uniform_matrix(12, 3, -0.8, 0.8)},
                                  {"b", rng.uniform_matrix(12, 1, -0.5, 0.5)},   {"x_t", rng.uniform_matrix(2, 3, -1, 1)},
                                  {"h_prev", rng.uniform_matrix(3, 3, -1, 1)},   {"c_prev", rng.uniform_matrix(3, 3, -2, 2)}};
        cases.push_back({"7.8", "one_step", "lstm_step_forward(Lstm(W_x, W_h, b), x_t, h_prev, c_prev, gates, c_t, h_t)", inputs,
                         [](const NamedList& in) {
                             const bp::Lstm lstm(in[0].value, in[1].value, in[2].value.col(0));
                             Matrix gates(12, 3), c(3, 3), h(3, 3);
                             bp::lstm_step_forward(lstm, in[3].value, in[4].value, in[5].value, gates, c, h);
                             return NamedList{{"gates", gates}, {"c_t", c}, {"h_t", h}};
                         }});
        NamedList back = inputs;
        back.push_back({"dh_t", rng.uniform_matrix(3, 3, -1, 1)});
        back.push_back({"dc_next", rng.uniform_matrix(3, 3, -1, 1)});
        cases.push_back({"7.9", "one_step",
                         "lstm_step_backward(lstm, x_t, h_prev, c_prev, gates, c_t, dh_t, dc_next, dx_t, dh_prev, dc_prev), with the gates "
                         "and c_t of the step's forward",
                         back, [](const NamedList& in) {
                             bp::Lstm lstm(in[0].value, in[1].value, in[2].value.col(0));
                             const OwnLstmStep fwd(lstm, in[3].value, in[4].value, in[5].value);
                             Matrix dx(2, 3), dh_prev(3, 3), dc_prev(3, 3);
                             bp::lstm_step_backward(lstm, in[3].value, in[4].value, in[5].value, fwd.gates, fwd.c, in[6].value, in[7].value,
                                                    dx, dh_prev, dc_prev);
                             return NamedList{{"dW_x", lstm.dW_x}, {"dW_h", lstm.dW_h},  {"db", lstm.db},
                                              {"dx_t", dx},        {"dh_prev", dh_prev}, {"dc_prev", dc_prev}};
                         }});
    }
    cases.push_back({"7.10", "one_step", "h_t = gru_step(g, gru_graph_parameters(g, gru), x_t, h_prev); g.backward(sum(G ⊙ h_t))",
                     gru_inputs(740), [](const NamedList& in) {
                         bp::Gru gru = gru_from(in);
                         bp::Graph g;
                         const bp::Var x = g.input(in[9].value, "x_t"), h_prev = g.input(in[10].value, "h_prev");
                         const bp::Var h = bp::gru_step(g, bp::gru_graph_parameters(g, gru), x, h_prev);
                         g.backward(g.sum(g.mul(h, g.input(in[11].value, "G"))));
                         NamedList out{{"h_t", g.value(h)}, {"dx_t", g.grad(x)}, {"dh_prev", g.grad(h_prev)}};
                         for (const Named& d : gradients_of(gru)) out.push_back(d);
                         return out;
                     }});
    cases.push_back({"7.11", "one_step", "gru_step_backward(gru, x_t, h_prev, u, r, candidate, G, dx_t, dh_prev), after the step's forward",
                     gru_inputs(741), [](const NamedList& in) {
                         bp::Gru gru = gru_from(in);
                         Matrix u(3, 3), r(3, 3), candidate(3, 3), h(3, 3), dx(2, 3), dh_prev(3, 3);
                         bp::gru_step_forward(gru, in[9].value, in[10].value, u, r, candidate, h);
                         bp::gru_step_backward(gru, in[9].value, in[10].value, u, r, candidate, in[11].value, dx, dh_prev);
                         NamedList out{{"dx_t", dx}, {"dh_prev", dh_prev}};
                         for (const Named& d : gradients_of(gru)) out.push_back(d);
                         return out;
                     }});
    return cases;
}

}  // namespace bp_test
