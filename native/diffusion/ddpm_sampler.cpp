#include "diffusion/ddpm_sampler.h"

#include <cmath>
#include <string>

#include "core/error.h"

namespace ecgldm {
namespace diffusion {

DdpmSampler::DdpmSampler(const NoiseSchedule& schedule, const DdpmSamplerOptions& options)
    : Sampler(schedule, options.prediction(), options.clipX0()), options_(options) {}

void DdpmSampler::setTimesteps(int64_t n) {
  check(options_.variance() != DdpmVariance::SeedVariance || n == schedule_.numTrainSteps(), ErrorCode::ArgRange,
        "Expected steps = " + std::to_string(schedule_.numTrainSteps()) +
            " with seedVariance (the seed samples every timestep) but received " + std::to_string(n));
  Sampler::setTimesteps(n);
}

double DdpmSampler::noiseStd(int64_t t, int64_t prev) const {
  const double abarT = schedule_.alphaBar(t);
  if (options_.variance() == DdpmVariance::SeedVariance) {
    const int64_t previousIndex = t == 0 ? schedule_.numTrainSteps() - 1 : t - 1;
    return (1.0 - schedule_.alphaBar(previousIndex) * schedule_.beta(t)) / (1.0 - abarT);
  }
  const double abarPrev = schedule_.alphaBar(prev);
  const double effectiveBeta = 1.0 - abarT / abarPrev;
  return std::sqrt(effectiveBeta * (1.0 - abarPrev) / (1.0 - abarT));  // eq. 7, 0 when prev = -1
}

SamplerStepOutput DdpmSampler::step(const torch::Tensor& modelOutput, int64_t t, const torch::Tensor& sample,
                                    c10::optional<at::Generator> generator) {
  const Position position = locate(t);
  const int64_t prev = position.prev;

  // 1. x0 (and eps) from the model output (eq. 15 for eps-prediction).
  X0AndEps predicted = split(modelOutput, t, sample);

  // 2. Posterior mean mu~(x_t, x0) = c1 x0 + c2 x_t (eq. 7), with beta_t replaced by the
  //    effective beta of the step t -> prev (equal to beta_t when prev = t - 1).
  const double abarT = schedule_.alphaBar(t), abarPrev = schedule_.alphaBar(prev);
  const double effectiveBeta = 1.0 - abarT / abarPrev;
  const double c1 = std::sqrt(abarPrev) * effectiveBeta / (1.0 - abarT);
  const double c2 = std::sqrt(1.0 - effectiveBeta) * (1.0 - abarPrev) / (1.0 - abarT);
  torch::Tensor prevSample = c1 * predicted.x0 + c2 * sample;

  // 3. x_prev = mu~ + sigma z, z ~ N(0, I) (Algorithm 2, line 4).
  const double sigma = noiseStd(t, prev);
  if (sigma > 0) prevSample.add_(gaussianLike(sample, generator), sigma);
  return {prevSample, predicted.x0};
}

}  // namespace diffusion
}  // namespace ecgldm
