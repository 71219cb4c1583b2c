// ResNet1d: an xresnet1d-style residual network (the fastai XResNet adapted to 1-D
// ECG by Strodthoff et al., PTB-XL benchmark), basic blocks (expansion 1).
//   stem.{0..2}     three ConvBnRelu layers (k = stemKernel): leads -> stem[0] (stride 2)
//                   -> stem[1] -> stem[2]; then MaxPool1d(3, 2, 1)
//   stages.{s}.{b}  ResBlock: conv path Conv-BN-ReLU-Conv-BN (last BN zero-initialised);
//                   identity path AvgPool(2) when strided, Conv1x1-BN when widths differ;
//                   ReLU after the sum. The first block of every stage but the first
//                   has stride 2.
//   head            adaptive concat pooling (max ++ mean over time) -> BN -> Dropout(p/2)
//                   -> Linear(2*C, headHidden) -> ReLU -> BN -> Dropout(p)
//                   -> Linear(headHidden, numClasses)
// Length-agnostic (adaptive pooling).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace ecgldm {
namespace nn {

struct ResNet1dOptions {
  /** Input leads (channels of the [B, leads, L] input). */
  TORCH_ARG(int64_t, leads) = 1;
  /** Number of output logits. */
  TORCH_ARG(int64_t, numClasses) = 2;
  /** Output channels of the three stem convs. */
  TORCH_ARG(std::vector<int64_t>, stemChannels) = std::vector<int64_t>{32, 32, 64};
  /** Stem conv kernel length. */
  TORCH_ARG(int64_t, stemKernel) = 5;
  /** Channels of each residual stage. */
  TORCH_ARG(std::vector<int64_t>, stageChannels) = std::vector<int64_t>{64, 128, 256, 256};
  /** Residual blocks per stage (same length as stageChannels). */
  TORCH_ARG(std::vector<int64_t>, blocks) = std::vector<int64_t>{2, 2, 2, 2};
  /** Kernel length of the residual blocks' convs. */
  TORCH_ARG(int64_t, kernelSize) = 5;
  /** Hidden units of the head. */
  TORCH_ARG(int64_t, headHidden) = 128;
  /** Head dropout p (p/2 before the first linear layer, p before the last). */
  TORCH_ARG(double, dropout) = 0.5;
};

/** One basic residual block of ResNet1d. */
class ResBlock1dImpl : public torch::nn::Module {
 public:
  ResBlock1dImpl(int64_t in, int64_t out, int64_t kernelSize, int64_t stride);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Sequential convpath_{nullptr};
  torch::nn::Sequential idpath_{nullptr};  // empty Sequential when the identity is exact
  bool hasIdpath_ = false;
};

TORCH_MODULE(ResBlock1d);

class ResNet1dImpl : public torch::nn::Module {
 public:
  explicit ResNet1dImpl(const ResNet1dOptions& options = {});

  /** x: [B, leads, L] -> logits [B, numClasses]. */
  torch::Tensor forward(torch::Tensor x);

  const ResNet1dOptions& options() const { return options_; }

 private:
  ResNet1dOptions options_;
  torch::nn::Sequential stem_{nullptr};
  torch::nn::ModuleList stages_{nullptr};  // registers stageList_ as stages.0, stages.1, ...
  std::vector<torch::nn::Sequential> stageList_;
  torch::nn::Sequential head_{nullptr};
};

TORCH_MODULE(ResNet1d);

}  // namespace nn
}  // namespace ecgldm
