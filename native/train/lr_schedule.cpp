#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace ecgldm::train {

namespace {
constexpr double kPi = 3.14159265358979323846;
}

LrSchedule::LrSchedule(const LrScheduleOptions& options) : options_(options) {
  check(std::isfinite(options.peakLr) && options.peakLr > 0, ErrorCode::ArgRange,
        "Expected positive finite number for peakLr but received " + std::to_string(options.peakLr));
  check(std::isfinite(options.minLr) && options.minLr >= 0 && options.minLr <= options.peakLr,
        ErrorCode::ArgRange,
        "Expected number in [0, peakLr] for minLr but received " + std::to_string(options.minLr));
  check(options.totalSteps > 0, ErrorCode::ArgRange,
        "Expected positive integer for totalSteps but received " + std::to_string(options.totalSteps));
  check(options.warmupSteps >= 0, ErrorCode::ArgRange,
        "Expected non-negative integer for warmupSteps but received " +
            std::to_string(options.warmupSteps));
  check(options.maxWarmupFraction >= 0 && options.maxWarmupFraction <= 1, ErrorCode::ArgRange,
        "Expected number in [0, 1] for maxWarmupFraction but received " +
            std::to_string(options.maxWarmupFraction));

  // Known seed bug: its 1,600-step warm-up outlasts short training runs (a small labelled
  // set at batch 32 gives a few hundred steps), so the learning rate never reaches its
  // peak and the model barely trains. We clamp the warm-up to a fraction of the run and
  // report it instead of silently reproducing that.
  const auto limit = static_cast<int64_t>(std::floor(options.maxWarmupFraction *
                                                     static_cast<double>(options.totalSteps)));
  warmupSteps_ = std::min(options.warmupSteps, limit);
  if (warmupSteps_ < options.warmupSteps)
    warning_ = "warm-up of " + std::to_string(options.warmupSteps) + " steps clamped to " +
               std::to_string(warmupSteps_) + " (" +
               std::to_string(static_cast<int>(options.maxWarmupFraction * 100)) + "% of the " +
               std::to_string(options.totalSteps) + " training steps)";
}

double LrSchedule::at(int64_t step) const {
  step = std::max<int64_t>(step, 0);
  // 1. Linear warm-up; (step + 1) so that step 0 already trains with a non-zero rate.
  if (step < warmupSteps_)
    return options_.peakLr * static_cast<double>(step + 1) / static_cast<double>(warmupSteps_ + 1);
  // 2. Past the end of the run: stay at the floor.
  if (step >= options_.totalSteps) return options_.minLr;
  // 3. Cosine from peakLr (at the end of warm-up) down to minLr (at totalSteps).
  const double progress = static_cast<double>(step - warmupSteps_) /
                          static_cast<double>(options_.totalSteps - warmupSteps_);
  const double coefficient = 0.5 * (1.0 + std::cos(kPi * progress));
  return options_.minLr + coefficient * (options_.peakLr - options_.minLr);
}

}  // namespace ecgldm::train
