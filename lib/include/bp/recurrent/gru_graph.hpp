/// \file
/// The GRU of chapter 7 built with chapter 3's computational graph: its parameters as leaves of
/// a graph, and one step recorded in it (exercise 7.10), to compare with the GRU by hand.
#pragma once

#include "bp/autodiff/graph.hpp"
#include "bp/recurrent/gru.hpp"

namespace bp {

/// The GRU's parameters as leaves of a graph, bound to the layer's Parameters: the graph's
/// backward ADDS their gradients into the layer's (dW_xu, ...).
struct GruVars {
    Var W_xu, W_hu, b_u, W_xr, W_hr, b_r, W_xh, W_hh, b_h;
};
GruVars gru_graph_parameters(Graph& g, Gru& gru);

/// Exercise 7.10 (exercises/ch07/gru.cpp): one GRU step recorded in the graph g, from the
/// input x_t (n_x x m) and the state h_prev (n_h x m); returns h_t. Only the graph's own ops:
/// matmul, add, add_bias, mul, one_minus, sigmoid, tanh.
Var gru_step(Graph& g, const GruVars& p, Var x_t, Var h_prev);

}  // namespace bp
