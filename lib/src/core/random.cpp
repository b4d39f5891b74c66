#include "bp/core/random.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace bp {

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(std::uint64_t seed) {
    for (std::uint64_t& word : s_) word = splitmix64(seed);
}

// xoshiro256** by Blackman and Vigna.
std::uint64_t Rng::next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

// The top 53 bits scaled by 2^-53: every double in [0, 1) on a grid of 2^-53, exactly.
double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

double Rng::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return spare_normal_;
    }
    const double u1 = 1.0 - uniform();  // in (0, 1], so log(u1) is finite
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * 3.14159265358979323846 * u2;
    spare_normal_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
}

Index Rng::below(Index n) {
    if (n <= 0) throw std::invalid_argument("Rng::below: n is " + std::to_string(n) + " but must be positive");
    const auto range = static_cast<std::uint64_t>(n);
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;  // reject the uneven tail
    std::uint64_t x = next_u64();
    while (x >= limit) x = next_u64();
    return static_cast<Index>(x % range);
}

// Filled column by column, so the numbers do not depend on Eigen's evaluation order.
Matrix Rng::uniform_matrix(Index rows, Index cols, double lo, double hi) {
    Matrix m(rows, cols);
    for (Index j = 0; j < cols; ++j)
        for (Index i = 0; i < rows; ++i) m(i, j) = uniform(lo, hi);
    return m;
}

Matrix Rng::normal_matrix(Index rows, Index cols, double stddev) {
    Matrix m(rows, cols);
    for (Index j = 0; j < cols; ++j)
        for (Index i = 0; i < rows; ++i) m(i, j) = stddev * normal();
    return m;
}

}  // namespace bp
