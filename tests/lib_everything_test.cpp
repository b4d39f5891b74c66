// bp.hpp holds the whole library: this file includes nothing else of it and names one thing
// from each public header (the chapters' own experiment helpers are not the library's), so a
// header left out of bp.hpp fails to build here. Each line says the header, as bp/FOLDER/NAME.hpp.
#include "bp/bp.hpp"

#include <gtest/gtest.h>

#include <type_traits>

TEST(LibEverything, BpHppDeclaresOneNameOfEveryHeader) {
    using namespace bp;
    // One type or value per header.
    static_assert(std::is_class_v<ActivationLayer>);                                  // layers/activation_layer.hpp
    static_assert(std::is_enum_v<Activation>);                                        // core/activations.hpp
    static_assert(std::is_class_v<BatchNorm>);                                        // layers/batch_norm.hpp
    void (*sigmoid_step)(TimeStep) = sigmoid_in_place;                                // recurrent/cell_math.hpp
    static_assert(std::is_class_v<Dataset>);                                          // io/data.hpp
    static_assert(std::is_class_v<Dense>);                                            // layers/dense.hpp
    static_assert(std::is_base_of_v<std::exception, ShapeError>);                     // core/errors.hpp
    static_assert(gradcheck_step > 0);                                                // check/gradcheck.hpp
    static_assert(std::is_class_v<GradientMonitor>);                                  // train/gradient_monitor.hpp
    static_assert(std::is_class_v<Graph>);                                            // autodiff/graph.hpp
    static_assert(std::is_class_v<Gru>);                                              // recurrent/gru.hpp
    static_assert(std::is_class_v<GruVars>);                                          // recurrent/gru_graph.hpp
    static_assert(std::is_class_v<Init>);                                             // core/init.hpp
    static_assert(std::is_abstract_v<Layer>);                                         // layers/layer.hpp
    Matrix (*forward)(const Matrix&, const Vector&, const Matrix&) = linear_forward;  // core/linear.hpp
    static_assert(std::is_class_v<Loss>);                                             // core/loss.hpp
    static_assert(std::is_class_v<Lstm>);                                             // recurrent/lstm.hpp
    static_assert(std::is_same_v<Matrix::Scalar, double>);                            // core/matrix.hpp
    static_assert(std::is_base_of_v<Sequential, Mlp>);                                // layers/mlp.hpp
    static_assert(model_file_version >= 3);                                           // io/model_file.hpp
    static_assert(std::is_abstract_v<Module>);                                        // core/module.hpp
    static_assert(std::is_base_of_v<Optimizer, Adam>);                                // train/optimizers.hpp
    static_assert(std::is_class_v<Options>);                                          // io/options.hpp
    static_assert(std::is_class_v<Parameter>);                                        // core/parameter.hpp
    EXPECT_FALSE(hidden_activation_names().empty());          // io/plot.hpp (its inline part: the rest links backprop_plot)
    static_assert(std::is_class_v<Rng>);                      // core/random.hpp
    static_assert(std::is_base_of_v<Layer, Residual>);        // layers/residual.hpp
    static_assert(std::is_base_of_v<SequenceLayer, Rnn>);     // recurrent/rnn.hpp
    static_assert(std::is_class_v<Sequence>);                 // recurrent/sequence.hpp
    static_assert(std::is_base_of_v<Module, SequenceModel>);  // recurrent/sequence_model.hpp
    static_assert(std::is_base_of_v<Layer, Sequential>);      // layers/sequential.hpp
    static_assert(std::is_class_v<EpochOptions>);             // train/train.hpp
    static_assert(std::is_class_v<SanityCheck>);              // train/training_step.hpp
    EXPECT_TRUE(sigmoid_step && forward);
}
