// Chapter 7's GRU step (exercises 7.10 and 7.11): built through chapter 3's graph, then its
// backward pass by hand, against the tests' own step and the graph's gradients.
#include "ch07_recurrent.hpp"
#include "check.hpp"

#include "bp/autodiff/graph.hpp"
#include "bp/recurrent/gru_graph.hpp"

#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace {

using bp::Matrix;
using bp::Vector;
using bp_test::matches_or_names_mistake_first;
using bp_test::matrices_near;
using bp_test::near;
using bp_test::sigmoid_of;
using bp_test::slopes;
using bp_test::tanh_of;
using bp_test::weighted_sum;

// ---- 7.10 gru_step, through the graph ----

// The tests' own GRU step: u, r, the candidate and h_t.
struct OwnGruStep {
    Matrix u, r, candidate, h;
    OwnGruStep(const bp::Gru& g, const Matrix& x, const Matrix& h_prev) {
        u = sigmoid_of((g.W_xu * x + g.W_hu * h_prev).colwise() + g.b_u);
        r = sigmoid_of((g.W_xr * x + g.W_hr * h_prev).colwise() + g.b_r);
        candidate = tanh_of((g.W_xh * x + g.W_hh * r.cwiseProduct(h_prev)).colwise() + g.b_h);
        h = (u.array() * h_prev.array() + (1.0 - u.array()) * candidate.array()).matrix();
    }
};

// The update gate used the other way round, h_t = (1 - u) ⊙ h_prev + u ⊙ h~, and its name.
Matrix with_update_gate_swapped(const OwnGruStep& s, const Matrix& h_prev) {
    return ((1.0 - s.u.array()) * h_prev.array() + s.u.array() * s.candidate.array()).matrix();
}
const char* const update_gate_swapped =
    "expected h_t = u ⊙ h_prev + (1 - u) ⊙ h~, got (1 - u) ⊙ h_prev + u ⊙ h~: that is the update gate u used the other "
    "way round (some texts write the GRU so, with their z); the page says h_t = u ⊙ h_{t-1} + (1 - u) ⊙ h~, so that where "
    "u = 1 the state is kept as it is (and bp::Gru starts b_u at 1 for that)";

bp::Gru small_gru(bp::Rng& rng, bp::Index n_x = 2, bp::Index n_h = 3) {
    bp::Gru g(n_x, n_h, rng);
    for (const bp::Parameter& p : g.parameters()) p.value() = rng.uniform_matrix(p.rows(), p.cols(), -0.8, 0.8);
    return g;
}

TEST(Ex7_10, ComputesTheGruStep) {
    bp::Rng rng(722);
    bp::Gru gru = small_gru(rng);
    const Matrix x = rng.uniform_matrix(2, 4, -1, 1), h_prev = rng.uniform_matrix(3, 4, -1, 1);
    bp::Graph g;
    const bp::Var h = bp::gru_step(g, bp::gru_graph_parameters(g, gru), g.input(x, "x_t"), g.input(h_prev, "h_prev"));
    const OwnGruStep want(gru, x, h_prev);
    // h_t with another candidate: the reset gate applied after W_hh's product, or not at all.
    const auto with_candidate = [&](const Matrix& recurrent) {
        const Matrix candidate = tanh_of((gru.W_xh * x + recurrent).colwise() + gru.b_h);
        return Matrix(want.u.array() * h_prev.array() + (1.0 - want.u.array()) * candidate.array());
    };
    const Matrix after_product = with_candidate(want.r.cwiseProduct(gru.W_hh * h_prev)), no_reset = with_candidate(gru.W_hh * h_prev);
    // The reset gate on both products; and the two gates in each other's places.
    const Matrix candidate_all_reset = tanh_of(Matrix(want.r.cwiseProduct(gru.W_xh * x + gru.W_hh * h_prev)).colwise() + gru.b_h);
    const Matrix all_reset = want.u.array() * h_prev.array() + (1.0 - want.u.array()) * candidate_all_reset.array();
    const Matrix candidate_of_u = tanh_of((gru.W_xh * x + gru.W_hh * want.u.cwiseProduct(h_prev)).colwise() + gru.b_h);
    const Matrix gates_swapped = want.r.array() * h_prev.array() + (1.0 - want.r.array()) * candidate_of_u.array();
    EXPECT_HOLDS(matches_or_names_mistake_first(
        "h_t", want.h, g.value(h),
        {{update_gate_swapped, with_update_gate_swapped(want, h_prev)},
         {"the candidate has r ⊙ (W_hh h_prev), the reset gate applied after the product, as PyTorch's nn.GRU does; this course "
          "applies it before, as Cho and others do: W_hh (r ⊙ h_prev), g.matmul(W_hh, g.mul(r, h_prev))",
          after_product},
         {"the candidate has W_hh h_prev, without the reset gate: h~ = tanh(W_xh x_t + W_hh (r ⊙ h_prev) + b_h)", no_reset},
         {"the candidate has r ⊙ (W_xh x_t + W_hh h_prev), the reset gate on both products: it acts on the state alone, before "
          "W_hh: h~ = tanh(W_xh x_t + W_hh (r ⊙ h_prev) + b_h)",
          all_reset},
         {"the two gates are in each other's places, r mixing h_prev with h~ and u resetting the state in the candidate: u (from "
          "W_xu, W_hu, b_u) is the update gate, h_t = u ⊙ h_prev + (1 - u) ⊙ h~, and r (from W_xr, W_hr, b_r) the reset gate, "
          "W_hh (r ⊙ h_prev)",
          gates_swapped}},
        "u = sigmoid(W_xu x_t + W_hu h_prev + b_u), r = sigmoid(W_xr x_t + W_hr h_prev + b_r); "
        "h~ = tanh(W_xh x_t + W_hh (r ⊙ h_prev) + b_h); h_t = u ⊙ h_prev + (1 - u) ⊙ h~"));
}

TEST(Ex7_10, TheGraphsGradientsMatchFiniteDifferences) {
    bp::Rng rng(723);
    bp::Gru gru = small_gru(rng);
    Matrix x = rng.uniform_matrix(2, 3, -1, 1), h_prev = rng.uniform_matrix(3, 3, -1, 1);
    const Matrix G = rng.uniform_matrix(3, 3, -1, 1);
    bp::Graph g;
    const bp::Var xv = g.input(x, "x_t"), hv = g.input(h_prev, "h_prev");
    const bp::Var h = bp::gru_step(g, bp::gru_graph_parameters(g, gru), xv, hv);
    g.backward(g.sum(g.mul(h, g.input(G, "G"))));  // L = sum(G ⊙ h_t)
    const OwnGruStep want(gru, x, h_prev);
    if (!near(want.h, g.value(h)) && near(with_update_gate_swapped(want, h_prev), g.value(h))) {
        // The graph differentiates the step it was given: every gradient is that other step's.
        ADD_FAILURE() << update_gate_swapped << ". The graph's gradients are those of that other step, so none can match "
                      << "the finite differences of the page's\n"
                      << matrices_near("h_t", want.h, g.value(h)).message();
        return;
    }
    const auto L = [&] { return weighted_sum(G, OwnGruStep(gru, x, h_prev).h); };
    const char* why = "the graph's parameter leaves add their gradients into the layer's";
    for (auto [name, W, dW] : {std::tuple<const char*, Matrix*, Matrix*>{"W_xu", &gru.W_xu, &gru.dW_xu},
                               {"W_hu", &gru.W_hu, &gru.dW_hu},
                               {"W_xr", &gru.W_xr, &gru.dW_xr},
                               {"W_hr", &gru.W_hr, &gru.dW_hr},
                               {"W_xh", &gru.W_xh, &gru.dW_xh},
                               {"W_hh", &gru.W_hh, &gru.dW_hh}})
        EXPECT_HOLDS(matrices_near(std::string("d") + name, slopes(L, *W), *dW, 1e-7)) << why;
    for (auto [name, b, db] : {std::tuple<const char*, Vector*, Vector*>{"b_u", &gru.b_u, &gru.db_u},
                               {"b_r", &gru.b_r, &gru.db_r},
                               {"b_h", &gru.b_h, &gru.db_h}})
        EXPECT_HOLDS(matrices_near(std::string("d") + name, slopes(L, *b), *db, 1e-7)) << why;
    EXPECT_HOLDS(matrices_near("dx_t", slopes(L, x), g.grad(xv), 1e-7));
    EXPECT_HOLDS(matrices_near("dh_prev", slopes(L, h_prev), g.grad(hv), 1e-7)) << "h_prev is used four times (in u ⊙ h_prev, "
                                                                                   "r ⊙ h_prev and the products with W_hu and W_hr)";
}

// ---- 7.11 gru_step_backward, by hand ----

// The step's backward pass by the page's formulas, or with one of the usual slips, each a line
// of them written another way: the nine gradients in the order of parameters(), then dx_t and
// dh_prev.
enum class GruSlip {
    none,
    direct_path_1_minus_u,
    dA_h_with_u,
    du_sign,
    update_gate_other_way,
    dW_hh_with_h_prev,
    candidate_path_without_r,
    dr_without_h_prev,
    W_hh_not_transposed,
    W_hu_not_transposed,
    W_hr_not_transposed,
    no_candidate_path,
    no_update_gate_path,
    no_reset_gate_path,
    dW_hu_transposed,
    dW_hr_transposed,
    dW_hh_transposed
};
std::vector<Matrix> own_gru_backward(const bp::Gru& g, const Matrix& x, const Matrix& h_prev, const Matrix& dh,
                                     GruSlip slip = GruSlip::none) {
    const OwnGruStep s(g, x, h_prev);
    const bool swapped = slip == GruSlip::update_gate_other_way;
    const Eigen::ArrayXXd u = s.u.array(), r = s.r.array(), c = s.candidate.array(), hp = h_prev.array(), d = dh.array();
    // The shares of h_prev and of the candidate in h_t, and h_t's slope in u.
    const Eigen::ArrayXXd keeps = swapped || slip == GruSlip::direct_path_1_minus_u ? Eigen::ArrayXXd(1.0 - u) : u;
    const Eigen::ArrayXXd lets = swapped || slip == GruSlip::dA_h_with_u ? u : Eigen::ArrayXXd(1.0 - u);
    const Eigen::ArrayXXd du = swapped || slip == GruSlip::du_sign ? d * (c - hp) : d * (hp - c);
    const Matrix dA_h = (d * lets * (1.0 - c.square())).matrix(), reset_h = (r * hp).matrix();
    const Matrix d_reset_h = slip == GruSlip::W_hh_not_transposed ? Matrix(g.W_hh * dA_h) : Matrix(g.W_hh.transpose() * dA_h);
    const Matrix dA_u = (du * u * (1.0 - u)).matrix();
    const Matrix dr = slip == GruSlip::dr_without_h_prev ? d_reset_h : Matrix(d_reset_h.cwiseProduct(h_prev));
    const Matrix dA_r = (dr.array() * r * (1.0 - r)).matrix();
    Matrix dh_prev = (d * keeps).matrix();
    if (slip != GruSlip::no_candidate_path)
        dh_prev += slip == GruSlip::candidate_path_without_r ? d_reset_h : Matrix(d_reset_h.cwiseProduct(s.r));
    if (slip != GruSlip::no_update_gate_path)
        dh_prev += slip == GruSlip::W_hu_not_transposed ? Matrix(g.W_hu * dA_u) : Matrix(g.W_hu.transpose() * dA_u);
    if (slip != GruSlip::no_reset_gate_path)
        dh_prev += slip == GruSlip::W_hr_not_transposed ? Matrix(g.W_hr * dA_r) : Matrix(g.W_hr.transpose() * dA_r);
    // The square weights' gradients dA h^T, or the mistake of their transposes h dA^T (both fit the shapes).
    const auto square = [&](const Matrix& dA, const Matrix& input, GruSlip transposed) {
        return slip == transposed ? Matrix(input * dA.transpose()) : Matrix(dA * input.transpose());
    };
    return {dA_u * x.transpose(),
            square(dA_u, h_prev, GruSlip::dW_hu_transposed),
            dA_u.rowwise().sum(),
            dA_r * x.transpose(),
            square(dA_r, h_prev, GruSlip::dW_hr_transposed),
            dA_r.rowwise().sum(),
            dA_h * x.transpose(),
            square(dA_h, slip == GruSlip::dW_hh_with_h_prev ? h_prev : reset_h, GruSlip::dW_hh_transposed),
            dA_h.rowwise().sum(),
            g.W_xu.transpose() * dA_u + g.W_xr.transpose() * dA_r + g.W_xh.transpose() * dA_h,
            dh_prev};
}

const char* const dW_hh_with_h_prev = "dW_hh pairs dA_h with h_prev; W_hh multiplied r ⊙ h_prev, so dW_hh += dA_h (r ⊙ h_prev)^T";

// The slip that gru_step_backward's results show (the nine gradients, from zero, then dx_t and
// dh_prev), said as a failure's first line; "" if they show none of them.
std::string gru_backward_slip(const bp::Gru& gru, const Matrix& x, const Matrix& h_prev, const Matrix& dh, const std::vector<Matrix>& got) {
    const char* const paths = " (h_{t-1} reaches h_t by four paths, and dh_prev is their sum)";
    const std::vector<std::pair<GruSlip, std::string>> slips = {
        {GruSlip::update_gate_other_way,
         "these are the gradients of h_t = (1 - u) ⊙ h_prev + u ⊙ h~, the update gate used the other way round (some texts "
         "write the GRU so, with their z); the page's h_t = u ⊙ h_{t-1} + (1 - u) ⊙ h~ gives the direct path dh_t ⊙ u, "
         "du = dh_t ⊙ (h_{t-1} - h~) and dA_h = dh_t ⊙ (1 - u) ⊙ (1 - h~^2)"},
        {GruSlip::direct_path_1_minus_u,
         "dh_prev's direct path is dh_t ⊙ (1 - u): h_t = u ⊙ h_{t-1} + (1 - u) ⊙ h~ keeps h_{t-1} through u, so the direct "
         "path is dh_t ⊙ u"},
        {GruSlip::dA_h_with_u,
         "dA_h = dh_t ⊙ u ⊙ (1 - h~^2): the candidate enters h_t through 1 - u, so dA_h = dh_t ⊙ (1 - u) ⊙ (1 - h~^2)"},
        {GruSlip::du_sign,
         "du = dh_t ⊙ (h~ - h_{t-1}), the sign turned: h_t = u ⊙ h_{t-1} + (1 - u) ⊙ h~ has slope h_{t-1} - h~ in u, so "
         "du = dh_t ⊙ (h_{t-1} - h~)"},
        {GruSlip::dW_hh_with_h_prev, dW_hh_with_h_prev},
        {GruSlip::candidate_path_without_r,
         "dh_prev's candidate path is W_hh^T dA_h, without ⊙ r: W_hh multiplied r ⊙ h_{t-1}, so that path is "
         "d(r ⊙ h_{t-1}) ⊙ r = (W_hh^T dA_h) ⊙ r"},
        {GruSlip::dr_without_h_prev,
         "dr = d(r ⊙ h_{t-1}), without ⊙ h_{t-1}: r reaches the candidate as r ⊙ h_{t-1}, so dr = d(r ⊙ h_{t-1}) ⊙ h_{t-1}, "
         "then dA_r = dr ⊙ r (1 - r)"},
        {GruSlip::W_hh_not_transposed, "d(r ⊙ h_{t-1}) = W_hh dA_h: it is W_hh^T dA_h (W_hh is square, so W_hh dA_h fits the shapes too)"},
        {GruSlip::W_hu_not_transposed,
         "dh_prev's update-gate path is W_hu dA_u: it is W_hu^T dA_u (W_hu is square, so W_hu dA_u fits the shapes too)"},
        {GruSlip::W_hr_not_transposed,
         "dh_prev's reset-gate path is W_hr dA_r: it is W_hr^T dA_r (W_hr is square, so W_hr dA_r fits the shapes too)"},
        {GruSlip::no_candidate_path, std::string("dh_prev lacks the candidate's path, d(r ⊙ h_{t-1}) ⊙ r") + paths},
        {GruSlip::no_update_gate_path, std::string("dh_prev lacks the update gate's path, W_hu^T dA_u") + paths},
        {GruSlip::no_reset_gate_path, std::string("dh_prev lacks the reset gate's path, W_hr^T dA_r") + paths},
        {GruSlip::dW_hu_transposed,
         "dW_hu = h_{t-1} dA_u^T, the transpose of dA_u h_{t-1}^T (W_hu is square, so both fit the shapes): dW_hu += dA_u h_{t-1}^T"},
        {GruSlip::dW_hr_transposed,
         "dW_hr = h_{t-1} dA_r^T, the transpose of dA_r h_{t-1}^T (W_hr is square, so both fit the shapes): dW_hr += dA_r h_{t-1}^T"},
        {GruSlip::dW_hh_transposed,
         "dW_hh = (r ⊙ h_{t-1}) dA_h^T, the transpose of dA_h (r ⊙ h_{t-1})^T (W_hh is square, so both fit the shapes): "
         "dW_hh += dA_h (r ⊙ h_{t-1})^T"}};
    const std::vector<Matrix> right = own_gru_backward(gru, x, h_prev, dh);
    const auto all_near = [&](const std::vector<Matrix>& want) {
        for (std::size_t i = 0; i < want.size(); ++i)
            if (!near(want[i], got[i])) return false;
        return true;
    };
    if (all_near(right)) return "";
    for (const auto& [slip, what] : slips)
        if (all_near(own_gru_backward(gru, x, h_prev, dh, slip))) return what + " (section The GRU's backward pass by hand)";
    return "";
}

// gru_step_backward's nine gradients (added into gru's), then dx_t and dh_prev.
std::vector<Matrix> results_of(const bp::Gru& gru, const Matrix& dx, const Matrix& dh_prev) {
    std::vector<Matrix> got;
    for (const bp::ConstParameter& p : gru.parameters()) got.emplace_back(p.grad);
    got.push_back(dx);
    got.push_back(dh_prev);
    return got;
}

// dh_prev by hand and by finite differences, for a GRU, with dh_t = G.
void expect_dh_prev_matches(bp::Gru& gru, bp::Rng& rng, const std::string& paths) {
    Matrix x = rng.uniform_matrix(2, 2, -1, 1), h_prev = rng.uniform_matrix(3, 2, -1, 1);
    const Matrix G = rng.uniform_matrix(3, 2, -1, 1);
    const OwnGruStep s(gru, x, h_prev);
    Matrix dx(2, 2), dh_prev(3, 2);
    gru.zero_grad();
    bp::gru_step_backward(gru, x, h_prev, s.u, s.r, s.candidate, G, dx, dh_prev);
    const std::string slip = gru_backward_slip(gru, x, h_prev, G, results_of(gru, dx, dh_prev));
    const auto L = [&] { return weighted_sum(G, OwnGruStep(gru, x, h_prev).h); };
    EXPECT_HOLDS(bp_test::explained(slip, matrices_near("dh_prev", slopes(L, h_prev), dh_prev, 1e-7))) << "with only " << paths;
}

TEST(Ex7_11, EachPathIntoHPrev) {
    bp::Rng rng(724);
    bp::Gru gru = small_gru(rng);
    gru.W_hu.setZero(), gru.W_hr.setZero(), gru.W_hh.setZero();
    expect_dh_prev_matches(gru, rng, "the direct path: h_t = u ⊙ h_prev + ..., so dh_prev = dh ⊙ u");
    gru.W_hu = rng.uniform_matrix(3, 3, -0.8, 0.8);
    expect_dh_prev_matches(gru, rng, "the direct path and the update gate's: + W_hu^T dA_u");
    gru.W_hu.setZero();
    gru.W_hh = rng.uniform_matrix(3, 3, -0.8, 0.8);
    expect_dh_prev_matches(gru, rng, "the direct path and the candidate's: + (W_hh^T dA_h) ⊙ r");
    gru.W_hr = rng.uniform_matrix(3, 3, -0.8, 0.8);
    expect_dh_prev_matches(gru, rng, "the direct path, the candidate's and the reset gate's: + W_hr^T dA_r");
}

TEST(Ex7_11, MatchesTheGraphTo1e12) {
    bp::Rng rng(725);
    bp::Gru gru = small_gru(rng), by_graph = gru;
    const Matrix x = rng.uniform_matrix(2, 3, -1, 1), h_prev = rng.uniform_matrix(3, 3, -1, 1), G = rng.uniform_matrix(3, 3, -1, 1);
    const OwnGruStep s(gru, x, h_prev);
    Matrix dx(2, 3), dh_prev(3, 3);
    bp::gru_step_backward(gru, x, h_prev, s.u, s.r, s.candidate, G, dx, dh_prev);
    bp::Graph g;
    const bp::Var xv = g.input(x, "x_t"), hv = g.input(h_prev, "h_prev");
    const bp::Var h = bp::gru_step(g, bp::gru_graph_parameters(g, by_graph), xv, hv);
    g.backward(g.sum(g.mul(h, g.input(G, "G"))));
    if (!near(s.h, g.value(h))) {
        // The graph is built by exercise 7.10's gru_step: a wrong step there is no mistake of this exercise's.
        ADD_FAILURE() << "the graph this test compares with is built by your gru_step (exercise 7.10), and its h_t is not the "
                         "page's step"
                      << (near(with_update_gate_swapped(s, h_prev), g.value(h)) ? std::string(": ") + update_gate_swapped : std::string())
                      << ". Fix exercise 7.10 first\n"
                      << matrices_near("h_t", s.h, g.value(h)).message();
        return;
    }
    const std::vector<bp::Parameter> mine = gru.parameters(), graphs = by_graph.parameters();
    // dW_hh's known mistake: dA_h paired with h_prev instead of r ⊙ h_prev, what W_hh multiplied
    // (own_gru_backward's eighth gradient is dW_hh).
    const bp_test::Mistake with_h_prev{dW_hh_with_h_prev, own_gru_backward(gru, x, h_prev, G, GruSlip::dW_hh_with_h_prev)[7]};
    // A known slip is named once, as the first line of the first result it shows in.
    const std::string slip = gru_backward_slip(gru, x, h_prev, G, results_of(gru, dx, dh_prev));
    std::vector<::testing::AssertionResult> results;
    results.reserve(mine.size() + 2);
    for (std::size_t i = 0; i < mine.size(); ++i)
        results.push_back(matches_or_names_mistake_first(
            "d" + mine[i].name, graphs[i].grad(), mine[i].grad(),
            mine[i].name == "W_hh" ? std::vector<bp_test::Mistake>{with_h_prev} : std::vector<bp_test::Mistake>{},
            slip.empty() ? "against chapter 3's graph" : slip, 1e-12));
    results.push_back(bp_test::explained(slip, matrices_near("dx_t", g.grad(xv), dx, 1e-12)));
    results.push_back(bp_test::explained(slip, matrices_near("dh_prev", g.grad(hv), dh_prev, 1e-12)));
    for (const ::testing::AssertionResult& result : results) {
        if (result) continue;
        ADD_FAILURE() << result.message();
        if (!slip.empty()) return;
    }
}

TEST(Ex7_11, AddsIntoTheGradients) {
    bp::Rng rng(726);
    bp::Gru gru = small_gru(rng);
    const Matrix x = rng.uniform_matrix(2, 2, -1, 1), h_prev = rng.uniform_matrix(3, 2, -1, 1), G = rng.uniform_matrix(3, 2, -1, 1);
    const OwnGruStep s(gru, x, h_prev);
    Matrix dx(2, 2), dh_prev(3, 2);
    bp::gru_step_backward(gru, x, h_prev, s.u, s.r, s.candidate, G, dx, dh_prev);
    std::vector<Matrix> once;
    for (const bp::Parameter& p : gru.parameters()) once.emplace_back(p.grad());
    bp::gru_step_backward(gru, x, h_prev, s.u, s.r, s.candidate, G, dx, dh_prev);
    const std::vector<bp::Parameter> params = gru.parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
        const std::string d = "d" + params[i].name;
        EXPECT_HOLDS(matches_or_names_mistake_first(
            d, Matrix(2 * once[i]), params[i].grad(),
            {{"expected " + d + " after the same step twice to be twice one step's share, got one share: that is " + d +
                  " written with = instead of +=, each step overwriting what the steps before it added; every weight and bias is "
                  "shared by the steps, so each step adds its share (" +
                  d + " += ...)",
              once[i]}},
            "the same step twice must add twice: each step adds its share into " + d + " (+=)"));
    }
}

TEST(Ex7_11, WritesItsOutputsOverWhatTheyHeld) {
    // The same step into outputs of zeros and into outputs that hold 100 everywhere: the page's dx_t and
    // dh_prev are sums that the step writes (=), since the layer's loop hands it buffers holding the
    // step before's values.
    bp::Rng rng(733);
    bp::Gru gru = small_gru(rng), again = gru;
    const Matrix x = rng.uniform_matrix(2, 2, -1, 1), h_prev = rng.uniform_matrix(3, 2, -1, 1), G = rng.uniform_matrix(3, 2, -1, 1);
    const OwnGruStep s(gru, x, h_prev);
    Matrix dx = Matrix::Zero(2, 2), dh_prev = Matrix::Zero(3, 2);
    bp::gru_step_backward(gru, x, h_prev, s.u, s.r, s.candidate, G, dx, dh_prev);
    Matrix dx_held = bp_test::held_like(dx), dh_prev_held = bp_test::held_like(dh_prev);
    bp::gru_step_backward(again, x, h_prev, s.u, s.r, s.candidate, G, dx_held, dh_prev_held);
    const auto added = [](const std::string& out) {
        return "the first of its terms was added (+=) instead of written (=); the page says the step writes " + out +
               " (=, not +=), a sum of its terms, and the layer's loop hands it buffers that still hold the step before's values";
    };
    EXPECT_HOLDS(bp_test::writes_over("dx_t", dx, dx_held, added("dx_t")));
    EXPECT_HOLDS(bp_test::writes_over("dh_prev", dh_prev, dh_prev_held, added("dh_prev")));
}

}  // namespace
