#include "diffusion/noise_schedule.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"

namespace ecgldm {
namespace diffusion {

namespace {

constexpr double kPi = 3.14159265358979323846;

torch::Tensor cosineBetas(int64_t steps, double s) {
  // Nichol & Dhariwal 2021 eq. 17 with the 0.999 clip of their §3.2 (avoids a
  // singularity at t = T where abar reaches 0).
  auto f = [&](double t) {
    const double c = std::cos((t / static_cast<double>(steps) + s) / (1.0 + s) * kPi / 2.0);
    return c * c;
  };
  std::vector<double> betas(static_cast<size_t>(steps));
  for (int64_t t = 0; t < steps; ++t) {
    betas[static_cast<size_t>(t)] = std::min(1.0 - f(static_cast<double>(t + 1)) / f(static_cast<double>(t)), 0.999);
  }
  return torch::tensor(betas, torch::kFloat64);
}

std::vector<double> toVector(const torch::Tensor& table) {
  auto contiguous = table.contiguous();
  return std::vector<double>(contiguous.data_ptr<double>(), contiguous.data_ptr<double>() + contiguous.numel());
}

}  // namespace

NoiseSchedule::NoiseSchedule(const NoiseScheduleOptions& options) : options_(options) {
  const int64_t T = options_.numTrainSteps();
  check(T >= 2, ErrorCode::ArgRange, "Expected numTrainSteps >= 2 but received " + std::to_string(T));

  // 1. betas.
  if (options_.schedule() == BetaSchedule::Linear) {
    check(options_.betaStart() > 0 && options_.betaStart() <= options_.betaEnd() && options_.betaEnd() < 1,
          ErrorCode::ArgRange,
          "Expected 0 < betaStart <= betaEnd < 1 but received " + std::to_string(options_.betaStart()) + " and " +
              std::to_string(options_.betaEnd()));
    betas_ = torch::linspace(options_.betaStart(), options_.betaEnd(), T, torch::kFloat64);
  } else {
    check(options_.cosineOffset() >= 0, ErrorCode::ArgRange, "Expected a non-negative cosineOffset");
    betas_ = cosineBetas(T, options_.cosineOffset());
  }

  // 2. alphas and their cumulative products; abar_{-1} = 1.
  alphas_ = 1.0 - betas_;
  alphasCumprod_ = torch::cumprod(alphas_, 0);
  alphasCumprodPrev_ = torch::cat({torch::ones({1}, torch::kFloat64), alphasCumprod_.slice(0, 0, T - 1)});
  sqrtAlphasCumprod_ = alphasCumprod_.sqrt();
  sqrtOneMinusAlphasCumprod_ = (1.0 - alphasCumprod_).sqrt();

  // 3. The true posterior q(x_{t-1} | x_t, x0) = N(mu~_t, beta~_t I) (Ho et al. eq. 6-7).
  posteriorVariance_ = betas_ * (1.0 - alphasCumprodPrev_) / (1.0 - alphasCumprod_);
  posteriorLogVarianceClipped_ =
      torch::cat({posteriorVariance_.slice(0, 1, 2), posteriorVariance_.slice(0, 1, T)}).log();
  posteriorMeanCoef1_ = betas_ * alphasCumprodPrev_.sqrt() / (1.0 - alphasCumprod_);
  posteriorMeanCoef2_ = (1.0 - alphasCumprodPrev_) * alphas_.sqrt() / (1.0 - alphasCumprod_);

  alphaBarValues_ = toVector(alphasCumprod_);
  betaValues_ = toVector(betas_);
}

double NoiseSchedule::alphaBar(int64_t t) const {
  if (t < 0) return 1.0;
  return alphaBarValues_.at(static_cast<size_t>(t));
}

void NoiseSchedule::checkTimestep(int64_t t) const {
  check(t >= 0 && t < numTrainSteps(), ErrorCode::ArgRange,
        "Expected a timestep in [0, " + std::to_string(numTrainSteps()) + ") but received " + std::to_string(t));
}

std::vector<int64_t> NoiseSchedule::samplingTimesteps(int64_t n) const {
  const int64_t T = numTrainSteps();
  check(n >= 1 && n <= T, ErrorCode::ArgRange,
        "Expected steps in [1, " + std::to_string(T) + "] but received " + std::to_string(n));
  std::vector<int64_t> timesteps(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    // Evenly spaced, rounded; strictly decreasing because the spacing is >= 1.
    const double position = n == 1 ? 0.0 : static_cast<double>(i) * static_cast<double>(T - 1) / static_cast<double>(n - 1);
    timesteps[static_cast<size_t>(i)] = (T - 1) - static_cast<int64_t>(std::llround(position));
  }
  return timesteps;
}

torch::Tensor NoiseSchedule::gather(const torch::Tensor& table, const torch::Tensor& t, const torch::Tensor& like) const {
  check(t.dim() == 1 && t.size(0) == like.size(0), ErrorCode::Shape,
        "Expected one timestep per sample (" + std::to_string(like.size(0)) + ") but received " + c10::str(t.sizes()));
  std::vector<int64_t> shape(static_cast<size_t>(like.dim()), 1);
  shape[0] = like.size(0);
  // 1000 doubles: converting per call costs less than a cache keyed by device would save.
  return table.to(like.device(), like.scalar_type()).index_select(0, t.to(like.device())).view(shape);
}

torch::Tensor NoiseSchedule::addNoise(const torch::Tensor& x0, const torch::Tensor& noise, const torch::Tensor& t) const {
  return gather(sqrtAlphasCumprod_, t, x0) * x0 + gather(sqrtOneMinusAlphasCumprod_, t, x0) * noise;
}

torch::Tensor NoiseSchedule::velocity(const torch::Tensor& x0, const torch::Tensor& noise, const torch::Tensor& t) const {
  return gather(sqrtAlphasCumprod_, t, x0) * noise - gather(sqrtOneMinusAlphasCumprod_, t, x0) * x0;
}

X0AndEps NoiseSchedule::split(const torch::Tensor& modelOutput, int64_t t, const torch::Tensor& sample,
                              PredictionType prediction, double clipX0) const {
  checkTimestep(t);
  const double abar = alphaBar(t);
  const double signalScale = std::sqrt(abar), noiseScale = std::sqrt(1.0 - abar);
  X0AndEps out;
  if (prediction == PredictionType::Epsilon) {
    out.eps = modelOutput;
    out.x0 = (sample - noiseScale * modelOutput) / signalScale;
  } else {
    out.x0 = signalScale * sample - noiseScale * modelOutput;
    out.eps = noiseScale * sample + signalScale * modelOutput;
  }
  if (clipX0 > 0) {
    out.x0 = out.x0.clamp(-clipX0, clipX0);
    out.eps = (sample - signalScale * out.x0) / noiseScale;  // the eps consistent with the clipped x0
  }
  return out;
}

}  // namespace diffusion
}  // namespace ecgldm
