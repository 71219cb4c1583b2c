#include "train/ema.h"

#include <algorithm>

#include "core/error.h"
#include "train/checkpoint.h"

namespace ecgldm::train {

Ema::Ema(const torch::nn::Module& module) {
  torch::NoGradGuard noGrad;
  for (const auto& [name, tensor] : namedParametersAndBuffers(module))
    shadow_.emplace_back(name, tensor.detach().clone());
}

NamedTensors Ema::matchingTensorsOf(const torch::nn::Module& module) const {
  NamedTensors current = namedParametersAndBuffers(module);
  bool same = current.size() == shadow_.size();
  for (size_t i = 0; same && i < current.size(); ++i)
    same = current[i].first == shadow_[i].first &&
           current[i].second.sizes().equals(shadow_[i].second.sizes());
  check(same, ErrorCode::Shape,
        "the EMA was created for a module with different parameters or shapes");
  return current;
}

double Ema::update(const torch::nn::Module& module, double decay, std::optional<int64_t> warmupStep) {
  check(decay >= 0.0 && decay <= 1.0, ErrorCode::ArgRange,
        "Expected decay in [0, 1] but received " + std::to_string(decay));
  if (warmupStep) {
    const double step = static_cast<double>(std::max<int64_t>(*warmupStep, 0));
    decay = std::min(decay, (1.0 + step) / (10.0 + step));
  }
  const NamedTensors current = matchingTensorsOf(module);
  torch::NoGradGuard noGrad;
  for (size_t i = 0; i < current.size(); ++i) {
    at::Tensor& average = shadow_[i].second;
    const at::Tensor value = current[i].second.detach();
    if (at::isFloatingType(average.scalar_type()))
      average.mul_(decay).add_(value.to(average.device()), 1.0 - decay);
    else
      average.copy_(value);  // counters cannot be averaged
  }
  return decay;
}

void Ema::copyTo(torch::nn::Module& module) const {
  const NamedTensors current = matchingTensorsOf(module);
  torch::NoGradGuard noGrad;
  for (size_t i = 0; i < current.size(); ++i) current[i].second.copy_(shadow_[i].second);
}

void Ema::swap(torch::nn::Module& module) {
  const NamedTensors current = matchingTensorsOf(module);
  torch::NoGradGuard noGrad;
  for (size_t i = 0; i < current.size(); ++i) {
    at::Tensor moduleValue = current[i].second.detach().clone();
    current[i].second.copy_(shadow_[i].second);
    shadow_[i].second.copy_(moduleValue);
  }
}

void Ema::load(const NamedTensors& tensors) { copyMatchingTensors(shadow_, tensors, "ema."); }

}  // namespace ecgldm::train
