// A small program of your own on the course library: a 2-4-2 network learns XOR with Adam.
// Built outside the course's tree through find_package(backprop_course) (see CMakeLists.txt).
#include "bp/core/linear.hpp"
#include "bp/core/loss.hpp"
#include "bp/layers/mlp.hpp"
#include "bp/train/optimizers.hpp"
#include "bp/train/train.hpp"

#include <cstdio>

int main() try {
    bp::Matrix x(2, 4), y(2, 4);  // the four inputs as columns, and their classes one-hot
    x << 0, 0, 1, 1,              //
        0, 1, 0, 1;
    y << 1, 0, 0, 1,  //
        0, 1, 1, 0;

    bp::Rng rng(1);
    bp::Mlp net({2, 4, 2}, bp::Activation::tanh, bp::Activation::identity, rng);
    bp::Adam adam(0.05);
    double first = 0, last = 0;
    for (long step = 0; step < 500; ++step) {
        last = bp::train_step(net, bp::softmax_cross_entropy(), adam, x, y, {}, step);
        if (step == 0) first = last;
    }
    // A matrix made by the library and freed here: safe only if both agree on Eigen's layout.
    const bp::Matrix logits = net.forward(x);
    const bp::Matrix z = bp::linear_forward(net.dense(0).W, net.dense(0).b, x);
    std::printf("loss %.4f after one step, %.4f after 500; first layer's z is %ldx%ld\n", first, last, static_cast<long>(z.rows()),
                static_cast<long>(z.cols()));
    for (bp::Index k = 0; k < 4; ++k) {
        bp::Index predicted = 0;
        logits.col(k).maxCoeff(&predicted);
        std::printf("  %g XOR %g -> %ld\n", x(0, k), x(1, k), static_cast<long>(predicted));
        if (predicted != (k == 1 || k == 2 ? 1 : 0)) return 1;
    }
    return last < first ? 0 : 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "xor: %s\n", e.what());
    return 1;
}
