#include "diffusion/loss.h"

#include <string>

#include "core/error.h"

namespace ecgldm {
namespace diffusion {

torch::Tensor addNoise(const NoiseSchedule& schedule, const torch::Tensor& x0, const torch::Tensor& noise,
                       const torch::Tensor& t) {
  return schedule.addNoise(x0, noise, t);
}

torch::Tensor trainingTarget(const NoiseSchedule& schedule, const torch::Tensor& x0, const torch::Tensor& noise,
                             const torch::Tensor& t, PredictionType prediction) {
  return prediction == PredictionType::Epsilon ? noise : schedule.velocity(x0, noise, t);
}

NoisedBatch makeNoisedBatch(const NoiseSchedule& schedule, const torch::Tensor& x0, const torch::Tensor& labels,
                            const DiffusionLossOptions& options, c10::optional<at::Generator> generator) {
  const int64_t batch = x0.size(0);
  check(labels.dim() == 1 && labels.size(0) == batch, ErrorCode::Shape,
        "Expected labels of shape [" + std::to_string(batch) + "] but received " + c10::str(labels.sizes()));
  const double dropProb = options.conditionDropProb();
  check(dropProb >= 0 && dropProb <= 1, ErrorCode::ArgRange,
        "Expected conditionDropProb in [0, 1] but received " + std::to_string(dropProb));
  check(dropProb == 0 || options.nullLabel() >= 0, ErrorCode::ArgRange,
        "Expected a nullLabel >= 0 when conditionDropProb > 0");

  NoisedBatch out;
  // 1. t ~ U{0, ..., T-1}, eps ~ N(0, I).
  out.t = torch::randint(0, schedule.numTrainSteps(), {batch}, generator, x0.options().dtype(torch::kLong));
  auto noise = torch::randn(x0.sizes(), generator, x0.options());
  // 2. x_t (eq. 4) and the regression target.
  out.noisy = schedule.addNoise(x0, noise, out.t);
  out.target = trainingTarget(schedule, x0, noise, out.t, options.prediction());
  // 3. Label dropout for classifier-free guidance.
  out.labels = labels;
  if (dropProb > 0) {
    auto drop = torch::rand({batch}, generator, x0.options()) < dropProb;
    out.labels = torch::where(drop, torch::full_like(labels, options.nullLabel()), labels);
  }
  return out;
}

torch::Tensor diffusionLoss(const torch::Tensor& modelOutput, const torch::Tensor& target) {
  check(modelOutput.sizes() == target.sizes(), ErrorCode::Shape,
        "Expected the model output " + c10::str(modelOutput.sizes()) + " to match the target " + c10::str(target.sizes()));
  return torch::mse_loss(modelOutput, target);
}

}  // namespace diffusion
}  // namespace ecgldm
