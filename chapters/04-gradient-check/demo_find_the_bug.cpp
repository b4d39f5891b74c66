// Chapter 4, find the bug: your check_dense_layer on a layer whose backward pass (given, in
// chapters/04-gradient-check/swish_dense.cpp) has a mistake, and on your fixed one. ./course demo 4 runs it
// after the chapter's demo.
#include "bp/check/gradcheck.hpp"
#include "swish_dense.hpp"

#include <iostream>

int main() try {
    //! [find_the_bug]
    bp::Rng rng(44);
    bp::BuggySwishDense suspect(4, 3, rng);
    const bp::Matrix x = rng.uniform_matrix(4, 5, -2, 2);
    std::cout << "BuggySwishDense, as given:\n" << bp::check_dense_layer(suspect, x, rng).report();
    //! [find_the_bug]
    //! [fixed]
    bp::SwishDense fixed(suspect.W, suspect.b);  // the same weights, with your backward pass
    std::cout << "\nSwishDense, with your exercise 4.4:\n" << bp::check_dense_layer(fixed, x, rng).report();
    //! [fixed]
} catch (const std::exception& e) {
    std::cerr << "ch04-demo-find-the-bug: " << e.what() << "\n";
    return 1;
}
