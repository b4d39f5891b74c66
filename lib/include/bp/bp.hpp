/// \file
/// Every public header of the course library, for programs that want it all at once (a test
/// compiles a program that uses one name from each through this header alone). The figures of
/// bp/io/plot.hpp also need the backprop_plot library (gnuplot-iostream) at link time.
#pragma once

// core/: matrices, errors, random numbers, parameters, the module contract, activations, the linear step, losses, initialisation
#include "bp/core/activations.hpp"
#include "bp/core/errors.hpp"
#include "bp/core/init.hpp"
#include "bp/core/linear.hpp"
#include "bp/core/loss.hpp"
#include "bp/core/matrix.hpp"
#include "bp/core/module.hpp"
#include "bp/core/parameter.hpp"
#include "bp/core/random.hpp"

// layers/: layers of columns: Dense, activations, batch norm, residual blocks, Sequential, Mlp
#include "bp/layers/activation_layer.hpp"
#include "bp/layers/batch_norm.hpp"
#include "bp/layers/dense.hpp"
#include "bp/layers/layer.hpp"
#include "bp/layers/mlp.hpp"
#include "bp/layers/residual.hpp"
#include "bp/layers/sequential.hpp"

// recurrent/: sequences and the recurrent layers of chapter 7, and the sequence model
#include "bp/recurrent/cell_math.hpp"
#include "bp/recurrent/gru.hpp"
#include "bp/recurrent/gru_graph.hpp"
#include "bp/recurrent/lstm.hpp"
#include "bp/recurrent/rnn.hpp"
#include "bp/recurrent/sequence.hpp"
#include "bp/recurrent/sequence_model.hpp"

// autodiff/: chapter 3's computational graph
#include "bp/autodiff/graph.hpp"

// train/: optimizers, the training step and loop, the sanity checks, the gradient monitor
#include "bp/train/gradient_monitor.hpp"
#include "bp/train/optimizers.hpp"
#include "bp/train/train.hpp"
#include "bp/train/training_step.hpp"

// check/: chapter 4's gradient checks
#include "bp/check/gradcheck.hpp"

// io/: data sets, model files, command-line options, figures
#include "bp/io/data.hpp"
#include "bp/io/model_file.hpp"
#include "bp/io/options.hpp"
#include "bp/io/plot.hpp"
