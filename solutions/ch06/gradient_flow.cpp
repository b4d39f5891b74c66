// Chapter 6: measuring how gradients flow.
#include "bp/train/gradient_monitor.hpp"

#include <stdexcept>

namespace bp {

//! [gradient_norms]
std::vector<double> gradient_norms(const std::vector<Parameter>& params) {
    std::vector<double> norms;
    norms.reserve(params.size());
    // BEGIN EXERCISE 6.1 (ch06-measuring): gradient_norms: ||g||_F of each parameter's gradient (not of its value, not squared), in the order given.
    // HINT 6.1 1: The first of the three numbers per layer: the gradient's Frobenius norm, and the three slips the section warns of (order, value, square root).
    // HINT 6.1 2: Each p.grad() is a Map of its parameter's shape (W a matrix, b a column); the result holds one double per parameter, in the order of params.
    // HINT 6.1 3: p.grad().norm() is the Frobenius norm, the square root of squaredNorm(); a range-for over params and norms.push_back(...).
    // HINT 6.1 4: dW = [3 0; 4 0; 0 12] and db = (0, 5) give {13, 5}: sqrt(9 + 16 + 144) = 13. Not {169, 25} (squared), not {5, 13} (reversed), not the norms of W and b.
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
    // BEGIN EXERCISE 6.2 (ch06-measuring): saturated_fraction: sigmoid and tanh, the fraction of elements strictly within 0.01 of a flat tail; ReLU, the fraction of rows that are 0 for every example; identity and leaky ReLU, 0.
    // HINT 6.2 1: The third number: elements in a flat tail for sigmoid and tanh (both tails, the boundary itself not counted), dead units (rows) for ReLU, 0 for the others.
    // HINT 6.2 2: a is n x m: units are rows, examples columns. Sigmoid and tanh count elements out of a.size() (the double elements); ReLU counts rows out of a.rows() (units).
    // HINT 6.2 3: switch (f); (a.array() < lo || a.array() > hi).count(); a.array().abs() for tanh; (a.array() == 0).rowwise().all().count(); count() is an Index: divide as doubles.
    // HINT 6.2 4: Sigmoid, a = (0.005, 0.5, 0.995, 0.02): 2 of 4 in a tail (0.02 is not), 0.5. ReLU, a = [0 0; 0 3]: row 1 is dead, 1/2, though 3 of the 4 elements are 0.
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
