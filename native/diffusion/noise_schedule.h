// The forward (noising) process q(x_t | x_0) of a discrete-time diffusion model and the
// quantities every sampler and the training loss derive from it. Tables are float64 on
// the CPU (exact enough for abar near 0 at t = T-1); samplers read scalars from them on
// the host, so a sampling step never waits on the device.
//
// Notation (Ho et al. 2020): beta_t, alpha_t = 1 - beta_t, abar_t = prod_{s<=t} alpha_s,
// t = 0..T-1 (0-based; the paper's t = 1..T). abar_{-1} = 1 (the clean signal).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace ecgldm {
namespace diffusion {

enum class BetaSchedule {
  /** Ho et al. 2020: betas linear from betaStart to betaEnd (the seed's 1e-4..0.02). */
  Linear,
  /** Nichol & Dhariwal 2021 eq. 17: abar(t) = f(t)/f(0), f(t) = cos^2(((t/T + s)/(1 + s)) pi/2),
   *  beta_t = min(1 - abar_t/abar_{t-1}, 0.999). */
  Cosine,
};

/** What the network predicts. */
enum class PredictionType {
  /** The added noise eps (Ho et al. 2020; the seed). */
  Epsilon,
  /** v = sqrt(abar) eps - sqrt(1 - abar) x0 (Salimans & Ho 2022, §4). */
  V,
};

struct NoiseScheduleOptions {
  /** Training steps T. */
  TORCH_ARG(int64_t, numTrainSteps) = 1000;
  TORCH_ARG(BetaSchedule, schedule) = BetaSchedule::Linear;
  /** Linear schedule endpoints. */
  TORCH_ARG(double, betaStart) = 1e-4;
  TORCH_ARG(double, betaEnd) = 0.02;
  /** Cosine schedule offset s. */
  TORCH_ARG(double, cosineOffset) = 0.008;
};

/** x0 and eps implied by one model output (whatever its prediction type). */
struct X0AndEps {
  torch::Tensor x0;
  torch::Tensor eps;
};

class NoiseSchedule {
 public:
  explicit NoiseSchedule(const NoiseScheduleOptions& options = {});

  const NoiseScheduleOptions& options() const { return options_; }
  int64_t numTrainSteps() const { return options_.numTrainSteps(); }

  // Tables, float64 [T] on the CPU.
  const torch::Tensor& betas() const { return betas_; }
  const torch::Tensor& alphas() const { return alphas_; }
  const torch::Tensor& alphasCumprod() const { return alphasCumprod_; }
  const torch::Tensor& alphasCumprodPrev() const { return alphasCumprodPrev_; }
  /** beta~_t = beta_t (1 - abar_{t-1}) / (1 - abar_t) (Ho et al. eq. 7); 0 at t = 0. */
  const torch::Tensor& posteriorVariance() const { return posteriorVariance_; }
  /** log beta~_t with the t = 0 entry replaced by t = 1's (the log of 0 is -inf). */
  const torch::Tensor& posteriorLogVarianceClipped() const { return posteriorLogVarianceClipped_; }
  /** mu~_t = coef1_t x0 + coef2_t x_t (Ho et al. eq. 7). */
  const torch::Tensor& posteriorMeanCoef1() const { return posteriorMeanCoef1_; }
  const torch::Tensor& posteriorMeanCoef2() const { return posteriorMeanCoef2_; }

  /** abar_t as a host double; t = -1 gives 1 (the clean end of every sampling loop). */
  double alphaBar(int64_t t) const;
  double beta(int64_t t) const { return betaValues_.at(static_cast<size_t>(t)); }

  /** n sampling timesteps, evenly spaced from T-1 down to 0 (n = T gives T-1, ..., 0). */
  std::vector<int64_t> samplingTimesteps(int64_t n) const;

  /** x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps (Ho et al. eq. 4), t [B] int64 on x0's
   *  device, one timestep per sample. */
  torch::Tensor addNoise(const torch::Tensor& x0, const torch::Tensor& noise, const torch::Tensor& t) const;
  /** v = sqrt(abar_t) eps - sqrt(1 - abar_t) x0 (Salimans & Ho 2022), per-sample t. */
  torch::Tensor velocity(const torch::Tensor& x0, const torch::Tensor& noise, const torch::Tensor& t) const;

  /** Converts a model output at one timestep t (all samples) into x0 and eps:
   *  eps-prediction: x0 = (x_t - sqrt(1 - abar) eps) / sqrt(abar) (inverse of eq. 4);
   *  v-prediction:   x0 = sqrt(abar) x_t - sqrt(1 - abar) v, eps = sqrt(1 - abar) x_t + sqrt(abar) v.
   *  clipX0 > 0 clamps x0 to [-clipX0, clipX0] and recomputes eps from it. */
  X0AndEps split(const torch::Tensor& modelOutput, int64_t t, const torch::Tensor& sample, PredictionType prediction,
                 double clipX0 = 0.0) const;

  /** Throws Error(ArgRange) unless 0 <= t < T. */
  void checkTimestep(int64_t t) const;

 private:
  /** table[t] as [B, 1, ..., 1] in like's dtype and on its device. */
  torch::Tensor gather(const torch::Tensor& table, const torch::Tensor& t, const torch::Tensor& like) const;

  NoiseScheduleOptions options_;
  torch::Tensor betas_, alphas_, alphasCumprod_, alphasCumprodPrev_;
  torch::Tensor sqrtAlphasCumprod_, sqrtOneMinusAlphasCumprod_;
  torch::Tensor posteriorVariance_, posteriorLogVarianceClipped_, posteriorMeanCoef1_, posteriorMeanCoef2_;
  std::vector<double> alphaBarValues_, betaValues_;
};

}  // namespace diffusion
}  // namespace ecgldm
