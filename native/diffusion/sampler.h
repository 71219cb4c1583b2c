// The interface every sampler shares (diffusers' scheduler API): a sampler holds the
// noise schedule and its own step state but no model.
//   1. setTimesteps(n)
//   2. for t in timesteps(): out = step(modelOutput(x, t), t, x); x = out.prevSample
//   3. addNoise(x0, noise, t) for training
// Every loop ends at the clean signal: the step from the last timestep goes to
// abar = 1 (t = -1), so its prevSample is the final sample.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "diffusion/noise_schedule.h"

namespace ecgldm {
namespace diffusion {

struct SamplerStepOutput {
  /** x at the next (less noisy) timestep; the final sample after the last step. */
  torch::Tensor prevSample;
  /** The model's estimate of the clean signal at this step. */
  torch::Tensor predX0;
};

class Sampler {
 public:
  Sampler(const NoiseSchedule& schedule, PredictionType prediction, double clipX0);
  virtual ~Sampler() = default;

  /** Chooses n timesteps (T-1 .. 0, evenly spaced) and resets the step state. */
  virtual void setTimesteps(int64_t n);
  const std::vector<int64_t>& timesteps() const { return timesteps_; }

  /** One reverse step from x_t; `generator` drives any noise the step adds. Throws
   *  Error(ArgRange) "call setTimesteps(n) before step()" before setTimesteps. */
  virtual SamplerStepOutput step(const torch::Tensor& modelOutput, int64_t t, const torch::Tensor& sample,
                                 c10::optional<at::Generator> generator = c10::nullopt) = 0;

  /** Forward process for training: x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise, t [B]. */
  torch::Tensor addNoise(const torch::Tensor& x0, const torch::Tensor& noise, const torch::Tensor& t) const {
    return schedule_.addNoise(x0, noise, t);
  }

  const NoiseSchedule& schedule() const { return schedule_; }
  PredictionType prediction() const { return prediction_; }

 protected:
  struct Position {
    size_t index;  // of t in timesteps()
    int64_t prev;  // the next timestep of the loop, -1 after the last
  };
  /** Where t sits in the current timesteps; throws if setTimesteps was not called or
   *  t is not one of the timesteps. */
  Position locate(int64_t t) const;
  /** x0 and eps from the model output (prediction type and clipping applied). */
  X0AndEps split(const torch::Tensor& modelOutput, int64_t t, const torch::Tensor& sample) const {
    return schedule_.split(modelOutput, t, sample, prediction_, clipX0_);
  }
  /** Standard normal noise shaped like `like`, from `generator` when given. */
  static torch::Tensor gaussianLike(const torch::Tensor& like, const c10::optional<at::Generator>& generator);

  NoiseSchedule schedule_;
  PredictionType prediction_;
  double clipX0_;
  std::vector<int64_t> timesteps_;
  std::vector<int64_t> indexOfTimestep_;  // [T], -1 where t is not sampled
};

}  // namespace diffusion
}  // namespace ecgldm
