#include "diffusion/ddim_sampler.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"

namespace ecgldm {
namespace diffusion {

DdimSampler::DdimSampler(const NoiseSchedule& schedule, const DdimSamplerOptions& options)
    : Sampler(schedule, options.prediction(), options.clipX0()), options_(options) {
  check(options.eta() >= 0, ErrorCode::ArgRange, "Expected eta >= 0 but received " + std::to_string(options.eta()));
}

double DdimSampler::sigma(int64_t t, int64_t prev) const {
  const double abarT = schedule_.alphaBar(t), abarPrev = schedule_.alphaBar(prev);
  return options_.eta() * std::sqrt((1.0 - abarPrev) / (1.0 - abarT) * (1.0 - abarT / abarPrev));
}

SamplerStepOutput DdimSampler::step(const torch::Tensor& modelOutput, int64_t t, const torch::Tensor& sample,
                                    c10::optional<at::Generator> generator) {
  const Position position = locate(t);
  const double abarPrev = schedule_.alphaBar(position.prev);

  // 1. "predicted x0" and eps (eq. 12, first term; v-prediction converted by the schedule).
  X0AndEps predicted = split(modelOutput, t, sample);

  // 2. sigma_t (eq. 16) and the "direction pointing to x_t" sqrt(1 - abar_prev - sigma^2) eps.
  const double noiseStd = sigma(t, position.prev);
  const double directionScale = std::sqrt(std::max(0.0, 1.0 - abarPrev - noiseStd * noiseStd));

  // 3. x_prev = sqrt(abar_prev) x0 + direction + sigma z (eq. 12).
  torch::Tensor prevSample = std::sqrt(abarPrev) * predicted.x0 + directionScale * predicted.eps;
  if (noiseStd > 0) prevSample.add_(gaussianLike(sample, generator), noiseStd);
  return {prevSample, predicted.x0};
}

}  // namespace diffusion
}  // namespace ecgldm
