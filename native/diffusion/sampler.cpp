#include "diffusion/sampler.h"

#include <string>

#include "core/error.h"

namespace ecgldm {
namespace diffusion {

Sampler::Sampler(const NoiseSchedule& schedule, PredictionType prediction, double clipX0)
    : schedule_(schedule), prediction_(prediction), clipX0_(clipX0) {
  check(clipX0 >= 0, ErrorCode::ArgRange, "Expected clipX0 >= 0 (0 = off) but received " + std::to_string(clipX0));
}

void Sampler::setTimesteps(int64_t n) {
  timesteps_ = schedule_.samplingTimesteps(n);
  indexOfTimestep_.assign(static_cast<size_t>(schedule_.numTrainSteps()), -1);
  for (size_t i = 0; i < timesteps_.size(); ++i) indexOfTimestep_[static_cast<size_t>(timesteps_[i])] = static_cast<int64_t>(i);
}

Sampler::Position Sampler::locate(int64_t t) const {
  check(!timesteps_.empty(), ErrorCode::ArgRange, "call setTimesteps(n) before step()");
  schedule_.checkTimestep(t);
  const int64_t index = indexOfTimestep_[static_cast<size_t>(t)];
  check(index >= 0, ErrorCode::ArgRange,
        "Expected t to be one of the " + std::to_string(timesteps_.size()) + " timesteps set by setTimesteps but received " +
            std::to_string(t));
  const size_t i = static_cast<size_t>(index);
  return {i, i + 1 < timesteps_.size() ? timesteps_[i + 1] : -1};
}

torch::Tensor Sampler::gaussianLike(const torch::Tensor& like, const c10::optional<at::Generator>& generator) {
  return torch::randn(like.sizes(), generator, like.options());
}

}  // namespace diffusion
}  // namespace ecgldm
