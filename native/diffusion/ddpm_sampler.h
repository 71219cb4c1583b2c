// Ancestral DDPM sampling (Ho et al. 2020, Algorithm 2) with the true posterior
// q(x_prev | x_t, x0) of eq. 6-7. With fewer steps than T the same formulas hold between
// consecutive sampled timesteps t -> prev, using the effective beta 1 - abar_t / abar_prev.
#pragma once

#include "diffusion/sampler.h"

namespace ecgldm {
namespace diffusion {

enum class DdpmVariance {
  /** beta~ = (1 - abar_prev) / (1 - abar_t) * beta_t (Ho et al. eq. 7); no noise on the last step. */
  Posterior,
  /** The seed's sampler (ECGLDM.p_sample): sigma = (1 - abar_{t-1} beta_t) / (1 - abar_t)
   *  used as a standard deviation, abar_{t-1} read at index T-1 when t = 0 (Python's [-1]),
   *  and noise added on every step including the last. Kept for comparison only; needs
   *  setTimesteps(T). */
  SeedVariance,
};

struct DdpmSamplerOptions {
  TORCH_ARG(PredictionType, prediction) = PredictionType::Epsilon;
  TORCH_ARG(DdpmVariance, variance) = DdpmVariance::Posterior;
  /** Clamp the predicted x0 to [-clipX0, clipX0]; 0 = off. */
  TORCH_ARG(double, clipX0) = 0.0;
};

class DdpmSampler : public Sampler {
 public:
  explicit DdpmSampler(const NoiseSchedule& schedule, const DdpmSamplerOptions& options = {});

  void setTimesteps(int64_t n) override;
  SamplerStepOutput step(const torch::Tensor& modelOutput, int64_t t, const torch::Tensor& sample,
                         c10::optional<at::Generator> generator = c10::nullopt) override;

  /** The standard deviation step() adds between t and prev (host double). */
  double noiseStd(int64_t t, int64_t prev) const;

 private:
  DdpmSamplerOptions options_;
};

}  // namespace diffusion
}  // namespace ecgldm
