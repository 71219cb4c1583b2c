#include "wavelet/threshold.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include "core/error.h"

namespace ecgldm::wavelet {

ThresholdMode parseThresholdMode(const std::string& name) {
  if (name == "soft") return ThresholdMode::Soft;
  if (name == "hard") return ThresholdMode::Hard;
  if (name == "garrote") return ThresholdMode::Garrote;
  throw Error(ErrorCode::ArgRange, "unknown threshold mode \"" + name + "\"; known: soft, hard, garrote");
}

namespace {

// The same maths in ATen ops (for CUDA tensors), mirroring thresholdOne step by step.
at::Tensor thresholdWithOps(const at::Tensor& x, double t, ThresholdMode mode, double substitute) {
  at::Tensor magnitude = x.abs();
  at::Tensor shrunk = x;
  if (mode == ThresholdMode::Soft) shrunk = x * (1 - t / magnitude).clamp_min(0);
  if (mode == ThresholdMode::Garrote) shrunk = x * (1 - (t * t) / (magnitude * magnitude)).clamp_min(0);
  if (mode == ThresholdMode::Hard || substitute != 0)
    return at::where(magnitude < t, at::full({}, substitute, x.options()), shrunk);
  return shrunk;
}

}  // namespace

at::Tensor threshold(const at::Tensor& data, double value, ThresholdMode mode, double substitute) {
  check(data.scalar_type() == at::kFloat || data.scalar_type() == at::kDouble, ErrorCode::DType,
        "Expected float32 or float64 for data but received " + std::string(c10::toString(data.scalar_type())));
  if (!data.device().is_cpu()) return thresholdWithOps(data, value, mode, substitute);
  at::Tensor input = data.contiguous();
  at::Tensor output = at::empty_like(input);
  AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "wavelet::threshold", [&] {
    const scalar_t* in = input.data_ptr<scalar_t>();
    scalar_t* out = output.data_ptr<scalar_t>();
    const auto t = static_cast<scalar_t>(value);
    const auto sub = static_cast<scalar_t>(substitute);
    at::parallel_for(0, input.numel(), 1 << 14, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) out[i] = thresholdOne(in[i], t, mode, sub);
    });
  });
  return output;
}

}  // namespace ecgldm::wavelet
