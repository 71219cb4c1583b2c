// ECGNet: the EEGNet-style classifier of the reference (ECG-DiReNet
// classification/model/ECGNet.py), reproduced module for module so that the
// registered names equal the reference state_dict keys:
//   blocks.0.{0,1,2,3}  temporal conv 1xK1 (F1), BN(eps 1e-3), depthwise conv over
//                       leads (F1*D, max-norm), BN, then ELU, AvgPool 4, dropout
//   blocks.1.{0,1,2}    separable conv: depthwise 1xK2, pointwise -> F2, BN; Mish,
//                       AvgPool 8, dropout
//   blocks.2.{0,1,2}    grouped conv 1xK2 (F2 -> 2*F2, groups F1*D), 1x1 -> F2, BN;
//                       Mish, AvgPool 8, dropout
//   classifierBlock.{0,1,4}  Linear(F2*W, 128, no bias), BN1d, Mish, Dropout 0.3,
//                       Linear(128, numClasses, no bias)
//
// Input layout: [B, leads, samples] (the library's layout). The reference takes
// [B, samples, leads] and permutes to [B, 1, leads, samples]; this module does the
// same reshaping from [B, leads, samples].
//
// Max-norm: the reference renormalises the depthwise weight at the start of every
// forward. Here the forward is pure and the constraint is applied by applyMaxNorm(),
// called once by the constructor and by the training loop after every optimizer
// step; the weights the forward sees are the same.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ecgldm {
namespace nn {

struct ECGNetOptions {
  /** Number of output logits. */
  TORCH_ARG(int64_t, numClasses) = 2;
  /** Number of leads (input channels); the depthwise conv spans all of them. */
  TORCH_ARG(int64_t, leads) = 1;
  /** Segment length in samples; fixes the classifier's input size. */
  TORCH_ARG(int64_t, samples) = 2048;
  /** Dropout after each of the three conv blocks. */
  TORCH_ARG(double, dropout) = 0.2;
  /** Dropout inside the classifier block. */
  TORCH_ARG(double, classifierDropout) = 0.3;
  /** Temporal kernel length of the first conv. */
  TORCH_ARG(int64_t, kernelLength) = 64;
  /** Kernel length of the separable and grouped convs. */
  TORCH_ARG(int64_t, kernelLength2) = 16;
  /** Temporal filters. */
  TORCH_ARG(int64_t, f1) = 4;
  /** Depth multiplier of the depthwise (spatial) conv. */
  TORCH_ARG(int64_t, d) = 2;
  /** Pointwise filters. */
  TORCH_ARG(int64_t, f2) = 16;
  /** Hidden units of the classifier. */
  TORCH_ARG(int64_t, hidden) = 128;
  /** Max L2 norm of each depthwise filter. */
  TORCH_ARG(double, maxNorm) = 1.0;
};

class ECGNetImpl : public torch::nn::Module {
 public:
  explicit ECGNetImpl(const ECGNetOptions& options = {});

  /** x: [B, leads, samples] -> logits [B, numClasses]. */
  torch::Tensor forward(torch::Tensor x);

  /** Clamps the L2 norm of every depthwise filter to options.maxNorm (in place). */
  void applyMaxNorm();

  /** Width of the conv blocks' output (time axis) for these options. */
  int64_t featureWidth() const { return featureWidth_; }

  const ECGNetOptions& options() const { return options_; }

 private:
  void useChannelsLastWeights();
  ECGNetOptions options_;
  int64_t featureWidth_ = 0;
  torch::nn::Conv2d depthwise_{nullptr};
  torch::nn::ModuleList blocks_{nullptr};  // holds block1_..3_ as blocks.0..2 (reference keys)
  torch::nn::Sequential block1_{nullptr}, block2_{nullptr}, block3_{nullptr};
  torch::nn::Sequential classifierBlock_{nullptr};
};

TORCH_MODULE(ECGNet);

}  // namespace nn
}  // namespace ecgldm
