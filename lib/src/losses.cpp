#include "bp/loss.hpp"

namespace bp {

Loss softmax_cross_entropy() { return {"softmax cross-entropy", softmax_cross_entropy_loss, softmax_cross_entropy_grad}; }

Loss mean_squared_error() { return {"mean squared error", mse_loss, mse_grad}; }

Loss binary_cross_entropy_with_logits() { return {"binary cross-entropy", bce_with_logits_loss, bce_with_logits_grad}; }

}  // namespace bp
