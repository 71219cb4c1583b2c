#include "diffusion/guidance.h"

#include <string>

#include "core/error.h"

namespace ecgldm {
namespace diffusion {

torch::Tensor labelsWithNull(const torch::Tensor& labels, int64_t nullLabel) {
  check(nullLabel >= 0, ErrorCode::ArgRange,
        "Expected a null label >= 0 for classifier-free guidance but received " + std::to_string(nullLabel) +
            " (the model has no unconditional class)");
  return torch::cat({labels, torch::full_like(labels, nullLabel)});
}

torch::Tensor guidedModelOutput(const Denoiser& model, const torch::Tensor& x, const torch::Tensor& t2,
                                const torch::Tensor& labels2, double scale) {
  const int64_t batch = x.size(0);
  check(t2.size(0) == 2 * batch && labels2.size(0) == 2 * batch, ErrorCode::Shape,
        "Expected doubled timesteps and labels (" + std::to_string(2 * batch) + ") for guidance but received " +
            c10::str(t2.sizes()) + " and " + c10::str(labels2.sizes()));
  // 1. One forward of [x; x] with [label; null].
  auto out = model(torch::cat({x, x}), t2, labels2);
  auto conditional = out.slice(0, 0, batch), unconditional = out.slice(0, batch, 2 * batch);
  // 2. eps_u + s (eps_c - eps_u), one fused kernel.
  return torch::lerp(unconditional, conditional, scale);
}

}  // namespace diffusion
}  // namespace ecgldm
