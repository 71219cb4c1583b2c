// The training objective: draw t ~ U{0..T-1} and eps ~ N(0, I), noise x0 to x_t, and
// regress the model output on eps (Ho et al. 2020 eq. 14, L_simple; the seed) or on
// v = sqrt(abar) eps - sqrt(1 - abar) x0 (Salimans & Ho 2022). For classifier-free
// guidance a fraction of the labels is replaced by the null label (Ho & Salimans 2022).
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "diffusion/noise_schedule.h"

namespace ecgldm {
namespace diffusion {

struct DiffusionLossOptions {
  TORCH_ARG(PredictionType, prediction) = PredictionType::Epsilon;
  /** Probability of replacing a label by nullLabel (0 = never, as in the seed). */
  TORCH_ARG(double, conditionDropProb) = 0.0;
  /** The unconditional class index; needed when conditionDropProb > 0. */
  TORCH_ARG(int64_t, nullLabel) = -1;
};

/** One noised training batch: feed (noisy, t, labels) to the model, regress on target. */
struct NoisedBatch {
  torch::Tensor noisy;
  torch::Tensor t;
  torch::Tensor labels;
  torch::Tensor target;
};

/** x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise (Ho et al. eq. 4), t [B]. */
torch::Tensor addNoise(const NoiseSchedule& schedule, const torch::Tensor& x0, const torch::Tensor& noise,
                       const torch::Tensor& t);

/** eps, or v for v-prediction. */
torch::Tensor trainingTarget(const NoiseSchedule& schedule, const torch::Tensor& x0, const torch::Tensor& noise,
                             const torch::Tensor& t, PredictionType prediction);

/** Draws t, noise and label dropout from `generator` (on x0's device) and builds the batch. */
NoisedBatch makeNoisedBatch(const NoiseSchedule& schedule, const torch::Tensor& x0, const torch::Tensor& labels,
                            const DiffusionLossOptions& options, c10::optional<at::Generator> generator = c10::nullopt);

/** Mean squared error between model output and target (scalar). */
torch::Tensor diffusionLoss(const torch::Tensor& modelOutput, const torch::Tensor& target);

}  // namespace diffusion
}  // namespace ecgldm
