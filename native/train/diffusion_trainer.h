// The generator's training loop, nanoGPT style: one function that reads top to bottom
// (options -> data split -> model/optimizer/EMA/resume -> one loop over steps).
//
//   data       [N, C, L] float + labels [N] int64, moved to the device once; a seeded
//              split into train / validation, and a seeded shuffle per epoch
//   step       noised batch (t, eps, label dropout) -> MSE -> backward -> clip -> AdamW
//              with linear warm-up + cosine decay -> EMA update (the EMA weights are the
//              ones to sample with)
//   epoch end  validation loss (fixed noise, comparable across epochs); the best epoch's
//              checkpoint is kept, and the last one is written for resume
//   stop       shouldStop() is checked at every step boundary; the last checkpoint is
//              written and the run returns with stopped = true
//   NaN        a non-finite loss throws Error(Training); checkpoints already written stay
//              as they were (the weights that diverged are never saved)
//
// Noise for step s is drawn from a generator seeded with (seed, s), and the shuffle of
// epoch e from (seed, e), so a resumed run draws exactly what the uninterrupted one would.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "diffusion/guidance.h"
#include "diffusion/loss.h"
#include "diffusion/noise_schedule.h"
#include "train/autocast.h"
#include "train/optimizer.h"

namespace ecgldm {
namespace train {

struct DiffusionTrainerOptions {
  // Data.
  int64_t batchSize = 32;         // the seed's batch size
  int64_t epochs = 200;           // the seed's epochs
  double valFraction = 0.2;       // the seed's test_size; 0 = no validation (best by train loss)
  uint64_t seed = 0;              // split, shuffles, noise
  // Optimisation.
  OptimizerOptions optimizer{OptimizerKind::AdamW, 1e-4, 0.9, 0.999, 1e-8, 0.0, false};
  int64_t warmupSteps = 1600;     // the seed's warm-up (clamped to 10% of the run)
  double minLrFraction = 0.1;     // cosine floor = lr * minLrFraction
  double gradClip = 1.0;          // max global L2 norm; 0 = off
  double emaDecay = 0.9999;       // the seed's EMA decay
  Precision precision = Precision::Float32;  // BFloat16: forward under autocast (see autocast.h)
  // Diffusion objective (prediction type, label dropout for guidance).
  diffusion::DiffusionLossOptions loss;
  // Reporting and checkpoints (empty path = not written).
  int64_t logEvery = 10;          // progress callback every N steps
  std::string bestCheckpointPath;
  std::string lastCheckpointPath;
  std::string resumeFrom;         // a checkpoint written by this trainer
  std::string modelConfigJson = "{}";  // stored in checkpoints; the caller's model config
  std::string runConfigJson = "{}";
};

struct DiffusionTrainProgress {
  int64_t step = 0;               // optimizer steps done
  int64_t totalSteps = 0;
  int64_t epoch = 0;              // 0-based
  double loss = 0;                // mean training loss since the previous report
  double lr = 0;
  double samplesPerSecond = 0;
  double etaSeconds = 0;
};

struct DiffusionEpochSummary {
  int64_t epoch = 0;
  double trainLoss = 0;           // mean over the epoch's steps
  double valLoss = std::numeric_limits<double>::quiet_NaN();  // NaN without validation
  bool best = false;              // this epoch improved the best loss (checkpoint kept)
};

struct DiffusionTrainResult {
  int64_t steps = 0;
  double bestLoss = std::numeric_limits<double>::infinity();
  bool stopped = false;           // shouldStop() ended the run early
  std::vector<DiffusionEpochSummary> epochs;
};

struct DiffusionTrainerCallbacks {
  std::function<void(const DiffusionTrainProgress&)> onProgress;
  std::function<void(const DiffusionEpochSummary&)> onEpoch;
  std::function<bool()> shouldStop;
};

/**
 * Trains `model` (already on `device`; `denoiser` runs its forward) on data [N, C, L] and
 * labels [N]. Throws Error(ArgRange/Shape) for invalid options or data, Error(Training)
 * on a non-finite loss, and the checkpoint errors (Io/Format) of saving or resuming.
 */
DiffusionTrainResult trainDiffusion(torch::nn::Module& model, const diffusion::Denoiser& denoiser,
                                    const diffusion::NoiseSchedule& schedule, const torch::Tensor& data,
                                    const torch::Tensor& labels, const DiffusionTrainerOptions& options,
                                    const at::Device& device, const DiffusionTrainerCallbacks& callbacks = {});

}  // namespace train
}  // namespace ecgldm
