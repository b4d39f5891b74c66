#include "bp/train/training_step.hpp"

#include <sstream>

namespace bp {

std::string SanityCheck::report() const {
    std::ostringstream out;
    out.precision(4);
    out << "sanity check '" << what << "' " << (passed ? "passed" : "FAILED") << ": measured " << measured;
    if (tolerance > 0) out << ", expected " << expected << " +- " << tolerance;
    else out << ", expected at most " << expected;
    return out.str();
}

}  // namespace bp
