#include "diffusion/dpm_solver_pp.h"

#include <cmath>
#include <string>

#include "core/error.h"

namespace ecgldm {
namespace diffusion {

DpmSolverPP::DpmSolverPP(const NoiseSchedule& schedule, const DpmSolverPPOptions& options)
    : Sampler(schedule, options.prediction(), options.clipX0()) {}

void DpmSolverPP::setTimesteps(int64_t n) {
  Sampler::setTimesteps(n);
  previousX0_ = torch::Tensor();
  previousH_ = 0.0;
  previousIndex_ = -1;
}

SamplerStepOutput DpmSolverPP::step(const torch::Tensor& modelOutput, int64_t t, const torch::Tensor& sample,
                                    c10::optional<at::Generator> /*generator*/) {
  const Position position = locate(t);
  check(static_cast<int64_t>(position.index) == previousIndex_ + 1, ErrorCode::ArgRange,
        "Expected DPM-Solver++ steps in the order of timesteps(); step " + std::to_string(position.index) +
            " came after step " + std::to_string(previousIndex_));

  // 1. Data prediction x0_theta(x_s, s).
  X0AndEps predicted = split(modelOutput, t, sample);

  // 2. alpha, sigma at s = t and at the target t' = prev; e^{-h} = (sigma_t'/alpha_t') / (sigma_s/alpha_s)
  //    where h = lambda_t' - lambda_s. Written as a ratio it stays finite at sigma_t' = 0.
  const double abarS = schedule_.alphaBar(t), abarT = schedule_.alphaBar(position.prev);
  const double alphaS = std::sqrt(abarS), sigmaS = std::sqrt(1.0 - abarS);
  const double alphaT = std::sqrt(abarT), sigmaT = std::sqrt(1.0 - abarT);
  const double expMinusH = (sigmaT / alphaT) / (sigmaS / alphaS);
  const bool lastStep = position.prev < 0;
  const bool firstOrder = !previousX0_.defined() || lastStep;

  // 3. D: x0 itself (first order, DDIM-equivalent) or the 2M extrapolation
  //    D = (1 + 1/(2r)) x0_s - 1/(2r) x0_{s-1}, r = h_{i-1} / h_i (Algorithm 2).
  torch::Tensor d = predicted.x0;
  double h = 0.0;
  if (!lastStep) h = -std::log(expMinusH);
  if (!firstOrder) {
    const double r = previousH_ / h;
    d = (1.0 + 0.5 / r) * predicted.x0 - (0.5 / r) * previousX0_;
  }

  // 4. x_t' = (sigma_t'/sigma_s) x_s - alpha_t' (e^{-h} - 1) D (Lu et al. 2022, eq. 8 / Alg. 2).
  torch::Tensor prevSample = (sigmaT / sigmaS) * sample + (alphaT * (1.0 - expMinusH)) * d;

  previousX0_ = predicted.x0;
  previousH_ = h;
  previousIndex_ = static_cast<int64_t>(position.index);
  return {prevSample, predicted.x0};
}

}  // namespace diffusion
}  // namespace ecgldm
