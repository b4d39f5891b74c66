/// \file
/// A seeded random generator that gives the same numbers with every compiler and standard
/// library. std::mt19937 is portable but std::normal_distribution is not (each library draws
/// normals its own way), so the course draws its own: xoshiro256** seeded by splitmix64,
/// uniforms from the top 53 bits, normals by the Box-Muller transform.
#pragma once

#include "bp/core/matrix.hpp"

#include <cstdint>

namespace bp {

/// xoshiro256**: small, fast, and the same numbers on every platform.
class Rng {
public:
    explicit Rng(std::uint64_t seed);

    std::uint64_t next_u64();              ///< the raw 64-bit stream
    double uniform();                      ///< in [0, 1)
    double uniform(double lo, double hi);  ///< in [lo, hi)
    double normal();                       ///< mean 0, standard deviation 1
    Index below(Index n);                  ///< an integer in [0, n), without modulo bias

    Matrix uniform_matrix(Index rows, Index cols, double lo, double hi);
    Matrix normal_matrix(Index rows, Index cols, double stddev);

private:
    std::uint64_t s_[4];
    double spare_normal_ = 0.0;  // Box-Muller makes normals in pairs
    bool has_spare_ = false;
};

}  // namespace bp
