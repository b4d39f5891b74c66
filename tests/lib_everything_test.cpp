// bp.hpp holds the whole library: this file includes nothing else of it and names one thing
// from each public header, so a header left out of bp.hpp (or one that no longer compiles on
// its own terms) fails to build here.
#include "bp/bp.hpp"

#include <gtest/gtest.h>

#include <type_traits>

TEST(LibEverything, BpHppDeclaresOneNameOfEveryHeader) {
    using namespace bp;
    // One type or value per header, in the order of the files.
    static_assert(std::is_class_v<ActivationLayer>);                        // activation_layer.hpp
    static_assert(std::is_enum_v<Activation>);                              // activations.hpp
    static_assert(std::is_class_v<BatchNorm>);                              // batch_norm.hpp
    static_assert(std::is_class_v<TaskResult>);                             // bptt_experiments.hpp
    void (*sigmoid_step)(Step) = sigmoid_in_place;                          // cell_math.hpp
    static_assert(std::is_class_v<Dataset>);                                // data.hpp
    static_assert(std::is_class_v<Dense>);                                  // dense.hpp
    static_assert(std::is_base_of_v<std::exception, ShapeError>);           // errors.hpp
    static_assert(gradcheck_step > 0);                                      // gradcheck.hpp
    static_assert(std::is_class_v<DeepNet>);                                // gradient_flow.hpp
    static_assert(std::is_class_v<GradientMonitor>);                        // gradient_monitor.hpp
    static_assert(std::is_class_v<Graph>);                                  // graph.hpp
    static_assert(std::is_class_v<Gru>);                                    // gru.hpp
    static_assert(std::is_class_v<GruVars>);                                // gru_graph.hpp
    static_assert(std::is_class_v<Init>);                                   // init.hpp
    static_assert(std::is_abstract_v<Layer>);                               // layer.hpp
    Matrix (*forward)(const Matrix&, const Vector&, const Matrix&) = linear_forward;  // linear.hpp
    static_assert(std::is_class_v<Loss>);                                   // loss.hpp
    static_assert(std::is_class_v<Lstm>);                                   // lstm.hpp
    static_assert(std::is_same_v<Matrix::Scalar, double>);                  // matrix.hpp
    static_assert(std::is_base_of_v<Sequential, Mlp>);                      // mlp.hpp
    static_assert(model_file_version >= 3);                                 // model_file.hpp
    static_assert(std::is_abstract_v<Module>);                              // module.hpp
    static_assert(std::is_base_of_v<Optimizer, Adam>);                      // optimizers.hpp
    static_assert(std::is_class_v<Options>);                                // options.hpp
    static_assert(std::is_class_v<Parameter>);                              // parameter.hpp
    EXPECT_FALSE(hidden_activation_names().empty());                        // plot.hpp (its inline part: the rest links backprop_plot)
    static_assert(std::is_class_v<Rng>);                                    // random.hpp
    static_assert(std::is_base_of_v<Layer, Residual>);                      // residual.hpp
    static_assert(std::is_base_of_v<SequenceLayer, Rnn>);                   // rnn.hpp
    static_assert(std::is_class_v<Sequence>);                               // sequence.hpp
    static_assert(std::is_base_of_v<Module, SequenceModel>);                // sequence_model.hpp
    SequenceBatch (*task)(Index, Index, Rng&) = parity;                     // sequence_tasks.hpp
    static_assert(std::is_base_of_v<Layer, Sequential>);                    // sequential.hpp
    static_assert(std::is_base_of_v<Dense, SwishDense>);                    // swish_dense.hpp
    static_assert(std::is_class_v<EpochOptions>);                           // train.hpp
    static_assert(std::is_class_v<SanityCheck>);                            // training_step.hpp
    EXPECT_TRUE(sigmoid_step && forward && task);
}
