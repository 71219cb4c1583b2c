// CnnLstm: conv feature extractor followed by a (bi)LSTM over time.
//   features.{i}   one block per entry of `channels`: Conv1d(k, same padding, no bias),
//                  BatchNorm1d, ReLU, MaxPool1d(pool) (conv_stack.h)
//   lstm           LSTM(channels.back(), hidden, layers, batch_first, bidirectional)
//   the LSTM outputs are averaged over time, then Dropout and
//   classifier     Linear(hidden * directions, numClasses)
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace ecgldm {
namespace nn {

struct CnnLstmOptions {
  /** Input leads (channels of the [B, leads, L] input). */
  TORCH_ARG(int64_t, leads) = 1;
  /** Number of output logits. */
  TORCH_ARG(int64_t, numClasses) = 2;
  /** Output channels of each conv block; one block per entry. */
  TORCH_ARG(std::vector<int64_t>, channels) = std::vector<int64_t>{32, 64};
  /** Conv kernel length. */
  TORCH_ARG(int64_t, kernelSize) = 7;
  /** Max-pool factor after each conv block (shortens the sequence the LSTM sees). */
  TORCH_ARG(int64_t, pool) = 4;
  /** LSTM hidden size per direction. */
  TORCH_ARG(int64_t, hidden) = 64;
  /** Stacked LSTM layers. */
  TORCH_ARG(int64_t, layers) = 1;
  /** Bidirectional LSTM. */
  TORCH_ARG(bool, bidirectional) = true;
  /** Dropout before the classifier (and between LSTM layers when layers > 1). */
  TORCH_ARG(double, dropout) = 0.3;
};

class CnnLstmImpl : public torch::nn::Module {
 public:
  explicit CnnLstmImpl(const CnnLstmOptions& options = {});

  /** x: [B, leads, L] -> logits [B, numClasses]. */
  torch::Tensor forward(torch::Tensor x);

  const CnnLstmOptions& options() const { return options_; }

 private:
  CnnLstmOptions options_;
  torch::nn::Sequential features_{nullptr};
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear classifier_{nullptr};
};

TORCH_MODULE(CnnLstm);

}  // namespace nn
}  // namespace ecgldm
