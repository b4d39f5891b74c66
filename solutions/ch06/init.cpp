// Chapter 6: the scale of the first weights.
#include "bp/core/init.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace bp {

//! [init_stddev]
double init_stddev(Init::Scheme scheme, Index n_in, Index n_out) {
    if (n_in <= 0 || n_out <= 0)
        throw std::invalid_argument("init_stddev: n_in and n_out must be positive, got " + std::to_string(n_in) + " and " +
                                    std::to_string(n_out));
    if (scheme != Init::Scheme::lecun && scheme != Init::Scheme::xavier && scheme != Init::Scheme::he)
        throw std::invalid_argument("init_stddev: only the lecun, xavier and he schemes have a standard deviation of their own");
    const double fan_in = static_cast<double>(n_in), fan_out = static_cast<double>(n_out);
    // BEGIN EXERCISE 6.3 (ch06-initialisation): init_stddev: each scheme's standard deviation (not variance) of W, from n_in and n_out.
    switch (scheme) {
        case Init::Scheme::lecun: return std::sqrt(1 / fan_in);               // Var(z) = Var(a_prev)
        case Init::Scheme::xavier: return std::sqrt(2 / (fan_in + fan_out));  // a compromise between forward and backward
        default: return std::sqrt(2 / fan_in);                                // He: ReLU keeps half of E[z^2]
    }
    // END EXERCISE 6.3
}
//! [init_stddev]

}  // namespace bp
