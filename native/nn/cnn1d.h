// Cnn1d: a plain 1-D CNN baseline for multi-lead ECG segments.
//   features.{i}   one block per entry of `channels`: Conv1d(k, same padding, no bias),
//                  BatchNorm1d, ReLU, MaxPool1d(pool) (conv_stack.h)
//   then global average pooling over time, Dropout, and
//   classifier     Linear(channels.back(), numClasses)
// Length-agnostic: any input length that survives the pooling works.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace ecgldm {
namespace nn {

struct Cnn1dOptions {
  /** Input leads (channels of the [B, leads, L] input). */
  TORCH_ARG(int64_t, leads) = 1;
  /** Number of output logits. */
  TORCH_ARG(int64_t, numClasses) = 2;
  /** Output channels of each conv block; one block per entry. */
  TORCH_ARG(std::vector<int64_t>, channels) = std::vector<int64_t>{32, 64, 128};
  /** Conv kernel length (odd keeps the length before pooling). */
  TORCH_ARG(int64_t, kernelSize) = 7;
  /** Max-pool factor after each conv block. */
  TORCH_ARG(int64_t, pool) = 2;
  /** Dropout before the linear classifier. */
  TORCH_ARG(double, dropout) = 0.3;
};

class Cnn1dImpl : public torch::nn::Module {
 public:
  explicit Cnn1dImpl(const Cnn1dOptions& options = {});

  /** x: [B, leads, L] -> logits [B, numClasses]. */
  torch::Tensor forward(torch::Tensor x);

  const Cnn1dOptions& options() const { return options_; }

 private:
  Cnn1dOptions options_;
  torch::nn::Sequential features_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear classifier_{nullptr};
};

TORCH_MODULE(Cnn1d);

}  // namespace nn
}  // namespace ecgldm
