// Chapter 7: the GRU, through chapter 3's graph and by hand.
#include "bp/recurrent/gru_graph.hpp"

namespace bp {

//! [gru_step]
Var gru_step(Graph& g, const GruVars& p, Var x_t, Var h_prev) {
    // BEGIN EXERCISE 7.10 (ch07-gru): gru_step: sigmoid gates u, r; candidate from r ⊙ h_prev; h_t = u ⊙ h_prev + (1 - u) ⊙ candidate.
    throw bp::NotImplemented("7.10", "exercises/ch07/gru.cpp",
                             "Chapter 7, section 'The GRU' (chapters/07-bptt/chapter.md)");
    // END EXERCISE 7.10
}
//! [gru_step]

//! [gru_step_backward]
void gru_step_backward(Gru& gru, ConstTimeStep x_t, ConstTimeStep h_prev, ConstTimeStep u, ConstTimeStep r, ConstTimeStep candidate,
                       ConstTimeStep dh_t, TimeStep dx_t, TimeStep dh_prev) {
    const Index n = gru.n_out(), m = x_t.cols();
    require_shape("gru_step_backward", "x_t", x_t, gru.n_in(), m);
    require_shape("gru_step_backward", "dx_t", dx_t, gru.n_in(), m);
    const std::pair<const char*, ConstTimeStep> states[] = {{"h_prev", h_prev},       {"u", u},       {"r", r},
                                                            {"candidate", candidate}, {"dh_t", dh_t}, {"dh_prev", dh_prev}};
    for (const auto& [name, s] : states) require_shape("gru_step_backward", name, s, n, m);
    // BEGIN EXERCISE 7.11 (ch07-gru-backward): gru_step_backward: back through h_t, h~ and both gates; dh_prev adds up four paths.
    throw bp::NotImplemented("7.11", "exercises/ch07/gru.cpp",
                             "Chapter 7, section 'The GRU's backward pass by hand' (chapters/07-bptt/chapter.md)");
    // END EXERCISE 7.11
}
//! [gru_step_backward]

}  // namespace bp
