// Chapter 6: measuring how gradients flow.
#include "bp/train/gradient_monitor.hpp"

#include <stdexcept>

namespace bp {

//! [gradient_norms]
std::vector<double> gradient_norms(const std::vector<Parameter>& params) {
    std::vector<double> norms;
    norms.reserve(params.size());
    // BEGIN EXERCISE 6.1 (ch06-measuring): gradient_norms: ||g||_F of each parameter's gradient (not its value, not squared), in order.
    throw bp::NotImplemented("6.1", "exercises/ch06/gradient_flow.cpp",
                             "Chapter 6, section 'Measuring gradient flow' (chapters/06-vanishing-exploding/chapter.md)");
    // END EXERCISE 6.1
    return norms;
}
//! [gradient_norms]

//! [saturated_fraction]
double saturated_fraction(Activation f, const Matrix& a) {
    require_nonempty("saturated_fraction", "a", a);
    if (f == Activation::softmax)
        throw std::invalid_argument("saturated_fraction: softmax works on whole columns; networks end at their logits");
    const double units = static_cast<double>(a.rows()), elements = static_cast<double>(a.size());
    // BEGIN EXERCISE 6.2 (ch06-measuring): saturated_fraction: sigmoid, tanh: share within 0.01 of a tail; ReLU: dead rows' share; else 0.
    throw bp::NotImplemented("6.2", "exercises/ch06/gradient_flow.cpp",
                             "Chapter 6, section 'Measuring gradient flow' (chapters/06-vanishing-exploding/chapter.md)");
    // END EXERCISE 6.2
}
//! [saturated_fraction]

}  // namespace bp
