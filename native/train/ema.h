// Exponential moving average of a module's weights (the seed uses decay 0.9999): sampling
// with the averaged weights gives smoother, better diffusion samples than the raw ones.
#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <optional>

#include "train/safetensors.h"

namespace ecgldm::train {

class Ema {
 public:
  /** Starts the average at the module's current parameters and buffers (copies). */
  explicit Ema(const torch::nn::Module& module);

  /**
   * shadow = d * shadow + (1 - d) * current, for floating-point parameters and buffers;
   * integer buffers (BatchNorm's num_batches_tracked) are copied. With `warmupStep`,
   * d = min(decay, (1 + step) / (10 + step)), so that early shadows are not dominated by
   * the random initialisation (at decay 0.9999 that would take ~10,000 steps to fade).
   * Returns the d used. Throws Error(ArgRange) for decay outside [0, 1] and Error(Shape)
   * if the module's layout differs from the one the Ema was made for.
   */
  double update(const torch::nn::Module& module, double decay,
                std::optional<int64_t> warmupStep = std::nullopt);

  /** Writes the shadow weights into the module (e.g. before exporting the EMA model). */
  void copyTo(torch::nn::Module& module) const;

  /**
   * Exchanges the module's weights with the shadow ones; calling it twice restores both.
   * For evaluation with EMA weights prefer EmaWeightsScope, which swaps back on exit.
   */
  void swap(torch::nn::Module& module);

  /** The shadow tensors, named like namedParametersAndBuffers(module) (for checkpoints). */
  const NamedTensors& shadow() const { return shadow_; }

  /** Replaces the shadow values from a checkpoint; checks names/shapes (Error(Format)). */
  void load(const NamedTensors& tensors);

 private:
  // The module's tensors, in the shadow's order, after checking that the layout matches.
  NamedTensors matchingTensorsOf(const torch::nn::Module& module) const;

  NamedTensors shadow_;
};

/** Swaps the EMA weights into `module` for the lifetime of the scope (exception-safe). */
class EmaWeightsScope {
 public:
  EmaWeightsScope(Ema& ema, torch::nn::Module& module) : ema_(ema), module_(module) { ema_.swap(module_); }
  ~EmaWeightsScope() { ema_.swap(module_); }
  EmaWeightsScope(const EmaWeightsScope&) = delete;
  EmaWeightsScope& operator=(const EmaWeightsScope&) = delete;

 private:
  Ema& ema_;
  torch::nn::Module& module_;
};

}  // namespace ecgldm::train
