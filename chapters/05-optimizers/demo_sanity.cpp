// Chapter 5, sanity checks: the initial loss of a classifier, and whether a network can
// overfit one small batch, each on a model that passes and on one that fails. ./course demo
// 5 runs it after the chapter's demo.
#include "bp/layers/mlp.hpp"
#include "bp/train/training_step.hpp"
#include "bp/train/train.hpp"

#include <iostream>

int main() try {
    //! [demo]
    bp::Rng rng(5);
    // The shape of the chapter's Fashion-MNIST network, on inputs of mean 0 and variance 1.
    const bp::Matrix x = rng.normal_matrix(784, 200, 1.0);
    bp::Matrix y = bp::Matrix::Zero(10, 200);
    for (bp::Index k = 0; k < 200; ++k) y(rng.below(10), k) = 1;  // random labels, one-hot
    bp::Mlp net({784, 256, 128, 10}, bp::Activation::relu, bp::Activation::identity, rng);
    std::cout << "784-256-128-10, as built:\n  " << bp::check_initial_loss(net, x, y, 0.5).report() << "\n";
    net.dense(2).W *= 0.1;  // the output layer's weights ten times smaller
    std::cout << "the same, output layer 10x smaller:\n  " << bp::check_initial_loss(net, x, y, 0.5).report() << "\n";

    // 20 points of the spirals, and a network of some 1,200 weights that can memorise them.
    const bp::Dataset spirals = bp::spiral(3, 100, 0.1, rng);
    std::vector<bp::Index> twenty;
    for (bp::Index k = 0; k < 300; k += 15) twenty.push_back(k);  // every 15th: all three arms
    bp::Matrix x20, y20;
    spirals.batch(twenty, 0, 20, x20, y20);
    bp::Mlp small({2, 32, 32, 3}, bp::Activation::relu, bp::Activation::identity, rng);
    bp::Mlp dead = small;
    dead.dense(0).b.setConstant(-5);  // every unit of layer 1 off for every input
    bp::Adam adam(0.01), adam_for_dead(0.01);
    const bp::Loss ce = bp::softmax_cross_entropy();
    std::cout << "2-32-32-3 on 20 points, 300 steps:\n  " << bp::check_overfits(small, ce, adam, x20, y20, 300, 0.01).report() << "\n";
    std::cout << "the same, first layer dead:\n  " << bp::check_overfits(dead, ce, adam_for_dead, x20, y20, 300, 0.01).report() << "\n";
    //! [demo]
} catch (const std::exception& e) {
    std::cerr << "ch05-demo-sanity: " << e.what() << "\n";
    return 1;
}
