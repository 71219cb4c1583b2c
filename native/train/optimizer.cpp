#include "train/optimizer.h"

// LibTorch 1.13's clip_grad.h uses torch::stack & co. without including them.
#include <torch/types.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

#include <cmath>
#include <tuple>

#include "core/error.h"

namespace ecgldm::train {

namespace {

void checkRange(bool ok, const std::string& field, const std::string& expected, double actual) {
  check(ok, ErrorCode::ArgRange,
        "Expected " + expected + " for " + field + " but received " + std::to_string(actual));
}

// AdamOptions and AdamWOptions share these setters but no base class.
template <class Options>
Options adamOptions(const OptimizerOptions& options) {
  return Options(options.lr)
      .betas(std::make_tuple(options.beta1, options.beta2))
      .eps(options.eps)
      .weight_decay(options.weightDecay)
      .amsgrad(options.amsgrad);
}

}  // namespace

OptimizerKind parseOptimizerKind(const std::string& name) {
  if (name == "adam") return OptimizerKind::Adam;
  if (name == "adamw") return OptimizerKind::AdamW;
  throw Error(ErrorCode::ArgRange, "Expected one of adam, adamw for optimizer but received " + name);
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(std::vector<at::Tensor> parameters,
                                                       const OptimizerOptions& options) {
  checkRange(std::isfinite(options.lr) && options.lr > 0, "lr", "positive finite number", options.lr);
  checkRange(options.beta1 >= 0 && options.beta1 < 1, "beta1", "number in [0, 1)", options.beta1);
  checkRange(options.beta2 >= 0 && options.beta2 < 1, "beta2", "number in [0, 1)", options.beta2);
  checkRange(options.eps > 0, "eps", "positive number", options.eps);
  checkRange(options.weightDecay >= 0, "weightDecay", "non-negative number", options.weightDecay);
  check(!parameters.empty(), ErrorCode::ArgRange, "the optimizer needs at least one parameter");
  switch (options.kind) {
    case OptimizerKind::Adam:
      return std::make_unique<torch::optim::Adam>(
          std::move(parameters), adamOptions<torch::optim::AdamOptions>(options));
    case OptimizerKind::AdamW:
      return std::make_unique<torch::optim::AdamW>(
          std::move(parameters), adamOptions<torch::optim::AdamWOptions>(options));
  }
  throw Error(ErrorCode::ArgRange, "unknown optimizer kind");
}

void setLearningRate(torch::optim::Optimizer& optimizer, double lr) {
  checkRange(std::isfinite(lr) && lr >= 0, "lr", "non-negative finite number", lr);
  for (auto& group : optimizer.param_groups()) {
    auto& options = group.options();
    if (auto* adam = dynamic_cast<torch::optim::AdamOptions*>(&options)) adam->lr(lr);
    else if (auto* adamw = dynamic_cast<torch::optim::AdamWOptions*>(&options)) adamw->lr(lr);
    else throw Error(ErrorCode::ArgRange, "setLearningRate supports Adam and AdamW only");
  }
}

double clipGradNorm(const std::vector<at::Tensor>& parameters, double maxNorm) {
  checkRange(maxNorm > 0, "maxNorm", "positive number", maxNorm);
  return torch::nn::utils::clip_grad_norm_(parameters, maxNorm, /*norm_type=*/2.0);
}

}  // namespace ecgldm::train
