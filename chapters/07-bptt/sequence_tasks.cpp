#include "sequence_tasks.hpp"

namespace bp {

namespace {

void require_positive(const char* task, const char* name, Index value, Index at_least = 1) {
    if (value < at_least)
        throw std::invalid_argument(std::string(task) + ": " + name + " must be at least " + std::to_string(at_least) + ", got " +
                                    std::to_string(value));
}

// T x m symbols in [0, symbols), one-hot into a Sequence: symbol[t - 1][k] at step t, column k.
Sequence one_hot_steps(const std::vector<std::vector<Index>>& symbol, Index symbols, Index m) {
    Sequence x(symbols, static_cast<Index>(symbol.size()), m);
    for (Index t = 1; t <= x.steps(); ++t)
        for (Index k = 0; k < m; ++k) x.at(t)(symbol[static_cast<std::size_t>(t - 1)][static_cast<std::size_t>(k)], k) = 1.0;
    return x;
}

std::vector<std::vector<Index>> draw_symbols(Index T, Index m, Index symbols, Rng& rng) {
    std::vector<std::vector<Index>> s(static_cast<std::size_t>(T), std::vector<Index>(static_cast<std::size_t>(m)));
    for (auto& step : s)
        for (Index& v : step) v = rng.below(symbols);
    return s;
}

}  // namespace

SequenceBatch adding_problem(Index T, Index m, Rng& rng) {
    require_positive("adding_problem", "T", T, 2);
    require_positive("adding_problem", "m", m);
    SequenceBatch b{Sequence(2, T, m), Sequence(1, T, m), T};
    const Index half = T / 2;
    for (Index k = 0; k < m; ++k) {
        for (Index t = 1; t <= T; ++t) b.x.at(t)(0, k) = rng.uniform();
        const Index first = 1 + rng.below(half), second = half + 1 + rng.below(T - half);
        b.x.at(first)(1, k) = b.x.at(second)(1, k) = 1.0;
        b.y.at(T)(0, k) = b.x.at(first)(0, k) + b.x.at(second)(0, k);
    }
    return b;
}

SequenceBatch first_symbol(Index T, Index m, Index symbols, Rng& rng) {
    require_positive("first_symbol", "T", T);
    require_positive("first_symbol", "m", m);
    require_positive("first_symbol", "symbols", symbols, 2);
    const auto s = draw_symbols(T, m, symbols, rng);
    SequenceBatch b{one_hot_steps(s, symbols, m), Sequence(symbols, T, m), T};
    for (Index k = 0; k < m; ++k) b.y.at(T)(s.front()[static_cast<std::size_t>(k)], k) = 1.0;
    return b;
}

SequenceBatch parity(Index T, Index m, Rng& rng) {
    require_positive("parity", "T", T);
    require_positive("parity", "m", m);
    SequenceBatch b{Sequence(1, T, m), Sequence(2, T, m), 1};
    for (Index k = 0; k < m; ++k) {
        Index odd = 0;
        for (Index t = 1; t <= T; ++t) {
            const Index bit = rng.below(2);
            odd ^= bit;
            b.x.at(t)(0, k) = static_cast<double>(bit);
            b.y.at(t)(odd, k) = 1.0;
        }
    }
    return b;
}

SequenceBatch delayed_recall(Index T, Index delay, Index m, Index symbols, Rng& rng) {
    require_positive("delayed_recall", "delay", delay);
    require_positive("delayed_recall", "T", T, delay + 1);
    require_positive("delayed_recall", "m", m);
    require_positive("delayed_recall", "symbols", symbols, 2);
    const auto s = draw_symbols(T, m, symbols, rng);
    SequenceBatch b{one_hot_steps(s, symbols, m), Sequence(symbols, T, m), delay + 1};
    for (Index t = delay + 1; t <= T; ++t)
        for (Index k = 0; k < m; ++k) b.y.at(t)(s[static_cast<std::size_t>(t - delay - 1)][static_cast<std::size_t>(k)], k) = 1.0;
    return b;
}

}  // namespace bp
