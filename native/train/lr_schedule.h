// Learning-rate schedule: linear warm-up to the peak, then cosine decay to a floor
// (nanoGPT's get_lr). Pure arithmetic, no optimizer: the training loop calls
// setLearningRate(optimizer, schedule.at(step)) before each step.
#pragma once

#include <cstdint>
#include <string>

namespace ecgldm::train {

struct LrScheduleOptions {
  double peakLr = 1e-4;             // the seed's Adam learning rate
  double minLr = 1e-5;              // floor reached at totalSteps (and kept after)
  int64_t warmupSteps = 0;          // requested warm-up, clamped below
  int64_t totalSteps = 1;           // steps of the whole run (> 0)
  double maxWarmupFraction = 0.1;   // warm-up may take at most this share of totalSteps
};

class LrSchedule {
 public:
  /** Validates the options (Error(ArgRange) naming the field) and clamps the warm-up. */
  explicit LrSchedule(const LrScheduleOptions& options);

  /** The learning rate for 0-based `step`; steps past totalSteps get minLr. */
  double at(int64_t step) const;

  /** Warm-up length actually used (the requested one, or the clamped one). */
  int64_t warmupSteps() const { return warmupSteps_; }

  /** Why the warm-up was shortened, for the caller to log; empty when it was not. */
  const std::string& warning() const { return warning_; }

 private:
  LrScheduleOptions options_;
  int64_t warmupSteps_ = 0;
  std::string warning_;
};

}  // namespace ecgldm::train
