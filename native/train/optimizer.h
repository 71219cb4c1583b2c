// Optimizers for the training loops: Adam (the seed's) and AdamW, built from one small
// options struct, plus the learning-rate setter and gradient clipping the loop needs.
#pragma once

#include <torch/optim/optimizer.h>

#include <memory>
#include <string>
#include <vector>

namespace ecgldm::train {

enum class OptimizerKind { Adam, AdamW };

struct OptimizerOptions {
  OptimizerKind kind = OptimizerKind::Adam;
  double lr = 1e-4;           // the seed's learning rate
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weightDecay = 0.0;   // L2 for Adam, decoupled for AdamW
  bool amsgrad = false;
};

/** "adam" | "adamw" -> OptimizerKind; Error(ArgRange) listing the valid names otherwise. */
OptimizerKind parseOptimizerKind(const std::string& name);

/** Builds the optimizer over `parameters`; Error(ArgRange) naming an invalid option. */
std::unique_ptr<torch::optim::Optimizer> makeOptimizer(std::vector<at::Tensor> parameters,
                                                       const OptimizerOptions& options);

/** Sets the learning rate of every parameter group (Adam, AdamW; Error(ArgRange) otherwise). */
void setLearningRate(torch::optim::Optimizer& optimizer, double lr);

/**
 * Scales the gradients in place so that their joint L2 norm is at most `maxNorm`, and
 * returns the norm before scaling (log it: a non-finite value means the step diverged).
 */
double clipGradNorm(const std::vector<at::Tensor>& parameters, double maxNorm);

}  // namespace ecgldm::train
