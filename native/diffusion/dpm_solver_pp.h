// DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2): a multistep
// second-order solver of the diffusion ODE in data-prediction (x0) form, written in
// lambda = log(alpha / sigma) with alpha = sqrt(abar), sigma = sqrt(1 - abar).
// The first step is first-order (there is no previous x0 yet), and so is the last one
// (lower_order_final): it lands on the clean signal, sigma = 0, where h is infinite and
// the first-order update is exactly x = x0. Good samples in 10-25 steps.
#pragma once

#include "diffusion/sampler.h"

namespace ecgldm {
namespace diffusion {

struct DpmSolverPPOptions {
  TORCH_ARG(PredictionType, prediction) = PredictionType::Epsilon;
  /** Clamp the predicted x0 to [-clipX0, clipX0]; 0 = off. */
  TORCH_ARG(double, clipX0) = 0.0;
};

class DpmSolverPP : public Sampler {
 public:
  explicit DpmSolverPP(const NoiseSchedule& schedule, const DpmSolverPPOptions& options = {});

  void setTimesteps(int64_t n) override;
  /** Deterministic: `generator` is unused. Steps must follow timesteps() in order. */
  SamplerStepOutput step(const torch::Tensor& modelOutput, int64_t t, const torch::Tensor& sample,
                         c10::optional<at::Generator> generator = c10::nullopt) override;

 private:
  // History of the previous step for the second-order update.
  torch::Tensor previousX0_;
  double previousH_ = 0.0;
  int64_t previousIndex_ = -1;
};

}  // namespace diffusion
}  // namespace ecgldm
