// DDIM sampling (Song et al. 2021, eq. 12): a non-Markovian reverse process that reuses a
// DDPM-trained model with any subsequence of timesteps. eta = 0 is the deterministic
// (probability-flow-like) sampler; eta = 1 with all T steps is DDPM's posterior variance.
#pragma once

#include "diffusion/sampler.h"

namespace ecgldm {
namespace diffusion {

struct DdimSamplerOptions {
  TORCH_ARG(PredictionType, prediction) = PredictionType::Epsilon;
  /** Scale of the added noise (eq. 16); 0 = deterministic. */
  TORCH_ARG(double, eta) = 0.0;
  /** Clamp the predicted x0 to [-clipX0, clipX0]; 0 = off. */
  TORCH_ARG(double, clipX0) = 0.0;
};

class DdimSampler : public Sampler {
 public:
  explicit DdimSampler(const NoiseSchedule& schedule, const DdimSamplerOptions& options = {});

  SamplerStepOutput step(const torch::Tensor& modelOutput, int64_t t, const torch::Tensor& sample,
                         c10::optional<at::Generator> generator = c10::nullopt) override;

  /** sigma_t(eta) of eq. 16 between t and prev. */
  double sigma(int64_t t, int64_t prev) const;

 private:
  DdimSamplerOptions options_;
};

}  // namespace diffusion
}  // namespace ecgldm
