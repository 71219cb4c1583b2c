// Classifier-free guidance (Ho & Salimans 2022, eq. 6):
//   eps~ = eps(x, t, null) + s (eps(x, t, label) - eps(x, t, null))
// computed from one forward pass over the doubled batch [x; x] with labels
// [label; null], so the network runs once per step whatever the scale. The same
// combination is used for v-prediction (v is linear in eps at fixed x_t).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>

namespace ecgldm {
namespace diffusion {

/** A noise-prediction network as a function: x [B, C, L], t [B] int64, label [B] int64 -> [B, C, L]. */
using Denoiser = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& label)>;

/** [labels; nullLabel x B] ([2B] int64), built once per sampling run. */
torch::Tensor labelsWithNull(const torch::Tensor& labels, int64_t nullLabel);

/** The guided model output for x at the timesteps t2 [2B] (t repeated twice) and the
 *  labels of labelsWithNull(). scale 1 is the conditional model, 0 the unconditional. */
torch::Tensor guidedModelOutput(const Denoiser& model, const torch::Tensor& x, const torch::Tensor& t2,
                                const torch::Tensor& labels2, double scale);

}  // namespace diffusion
}  // namespace ecgldm
