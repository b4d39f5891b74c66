// Chapter 6: measuring how gradients flow.
#include "bp/train/gradient_monitor.hpp"

#include <stdexcept>

namespace bp {

//! [gradient_norms]
std::vector<double> gradient_norms(const std::vector<Parameter>& params) {
    std::vector<double> norms;
    norms.reserve(params.size());
    // BEGIN EXERCISE 6.1 (ch06-measuring): gradient_norms: ||g||_F of each parameter's gradient (not its value, not squared), in order.
    for (const Parameter& p : params) norms.push_back(p.grad().norm());
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
    switch (f) {
        case Activation::sigmoid:  // sigma'(z) = a (1 - a) is small near 0 and near 1
            return static_cast<double>((a.array() < saturation_margin || a.array() > 1 - saturation_margin).count()) / elements;
        case Activation::tanh:  // tanh'(z) = 1 - a^2 is small near -1 and near 1
            return static_cast<double>((a.array().abs() > 1 - saturation_margin).count()) / elements;
        case Activation::relu:  // a unit that is 0 for every example passes no gradient on this batch
            return static_cast<double>((a.array() == 0).rowwise().all().count()) / units;
        default: return 0;  // identity, leaky ReLU: the slope never vanishes
    }
    // END EXERCISE 6.2
}
//! [saturated_fraction]

}  // namespace bp
