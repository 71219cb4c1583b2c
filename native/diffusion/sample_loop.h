// A whole sampling run in native code: initial noise, every sampler step with the model
// (and classifier-free guidance), progress and cancellation, all under inference mode.
// The loop keeps everything on the device: timesteps are host integers, coefficients host
// doubles, and the progress callback sees only step counts, so no step waits on a
// device-to-host copy.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "diffusion/ddpm_sampler.h"
#include "diffusion/guidance.h"
#include "diffusion/noise_schedule.h"
#include "diffusion/sampler.h"
#include "nn/seed_unet.h"
#include "nn/unet1d.h"

namespace ecgldm {
namespace diffusion {

enum class SamplerKind { Ddpm, Ddim, DpmSolverPP };

struct SampleLoopOptions {
  TORCH_ARG(SamplerKind, sampler) = SamplerKind::DpmSolverPP;
  /** Model evaluations (timesteps); DDPM with seedVariance needs T. */
  TORCH_ARG(int64_t, steps) = 25;
  TORCH_ARG(PredictionType, prediction) = PredictionType::Epsilon;
  /** DDIM noise scale (0 = deterministic). */
  TORCH_ARG(double, eta) = 0.0;
  /** DDPM variance: the true posterior or the seed's (comparison only). */
  TORCH_ARG(DdpmVariance, ddpmVariance) = DdpmVariance::Posterior;
  /** Clamp the predicted x0 to [-clipX0, clipX0]; 0 = off. */
  TORCH_ARG(double, clipX0) = 0.0;
  /** Classifier-free guidance scale s; 1 = plain conditional sampling (one forward of B). */
  TORCH_ARG(double, guidanceScale) = 1.0;
  /** The model's unconditional class; required when guidanceScale != 1. */
  TORCH_ARG(int64_t, nullLabel) = -1;
  /** Seed of the run's private generator: same seed, device and options -> same samples. */
  TORCH_ARG(uint64_t, seed) = 0;
};

/** Called after each step with (steps done, total); return false to cancel. */
using ProgressCallback = std::function<bool(int step, int total)>;

/** The sampler an options object names. */
std::unique_ptr<Sampler> makeSampler(const NoiseSchedule& schedule, const SampleLoopOptions& options);

/** Runs the loop and returns samples [B, C, L] on `device`. shape = {B, C, L}; labels [B]
 *  int64. The model must already be on `device` and in eval mode (see denoiserFor).
 *  Throws Error(Cancelled) when progress returns false (checked after every step). */
torch::Tensor sampleLoop(const Denoiser& model, const NoiseSchedule& schedule, std::vector<int64_t> shape,
                         const torch::Tensor& labels, const SampleLoopOptions& options, const at::Device& device,
                         const ProgressCallback& progress = nullptr);

/** The models as Denoisers; they switch the module to eval mode. */
Denoiser denoiserFor(nn::UNet1d model);
Denoiser denoiserFor(nn::SeedUNet model);

}  // namespace diffusion
}  // namespace ecgldm
