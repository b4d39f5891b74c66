/// \file
/// Everything in the course library, for programs that want it all at once.
#pragma once

#include "bp/activation_layer.hpp"
#include "bp/activations.hpp"
#include "bp/batch_norm.hpp"
#include "bp/data.hpp"
#include "bp/dense.hpp"
#include "bp/errors.hpp"
#include "bp/gradcheck.hpp"
#include "bp/gradient_flow.hpp"
#include "bp/gradient_monitor.hpp"
#include "bp/graph.hpp"
#include "bp/init.hpp"
#include "bp/linear.hpp"
#include "bp/loss.hpp"
#include "bp/matrix.hpp"
#include "bp/mlp.hpp"
#include "bp/optimizers.hpp"
#include "bp/parameter.hpp"
#include "bp/random.hpp"
#include "bp/residual.hpp"
#include "bp/train.hpp"
