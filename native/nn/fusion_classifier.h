// FusionClassifier ("Option B" of the reference, ECG-DiReNet
// classification/model/WeightModel.py): the pretrained generator U-Net with its down
// blocks frozen and its output head replaced by
//     AdaptiveAvgPool1d(1) -> Flatten -> Linear(C, 64) -> Mish -> Linear(64, numClasses)
// (C = the U-Net's channels, 1 in the reference), plus an ECGNet; the output is
//     weights[0] * unet_logits + weights[1] * ecgnet_logits
// with learned `weights` initialised to (0.5, 0.5).
//
// What is pooled: the output of the U-Net's last up block, i.e. everything the U-Net
// computes except its old output_conv, run at diffusion step t = 1 (the reference
// calls the U-Net with t = torch.ones(B)) and with no label added (the classification
// copy of the U-Net has no label input).
//
// The U-Net enters through a small interface: the module itself (registered as
// "unet", so its parameters and the reference keys unet.* follow it) and a trunk
// function computing those features. For SeedUNet that is
//     [unet](const torch::Tensor& x, const torch::Tensor& t) {
//       return unet->features(x, t, torch::zeros({x.size(0)}, x.options())); }
//
// State-dict keys equal the reference's: unet.* (the head is registered in place of
// the U-Net's output_conv: unet.output_conv.{2,4}.*), ecgnet.*, weights.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "nn/ecgnet.h"

namespace ecgldm {
namespace nn {

/** The U-Net trunk: x [B, C, L], t [B] int64 -> features [B, C, L'] before the output head. */
using UNetTrunk = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& t)>;

struct FusionClassifierOptions {
  /** ECGNet branch; defaults are the reference WeightModel's (F1 8, one logit, no dropout). */
  TORCH_ARG(ECGNetOptions, ecgnet) = ECGNetOptions().f1(8).numClasses(1).dropout(0.0);
  /** Channels of the U-Net features (its nChannels); the head's first Linear takes these. */
  TORCH_ARG(int64_t, unetChannels) = 1;
  /** Hidden units of the replaced U-Net head. */
  TORCH_ARG(int64_t, headHidden) = 64;
  /** Diffusion step index the U-Net runs at (reference: 1). */
  TORCH_ARG(int64_t, diffusionStep) = 1;
  /** Freeze the U-Net's down blocks (reference: true). */
  TORCH_ARG(bool, freezeDownBlocks) = true;
};

class FusionClassifierImpl : public torch::nn::Module {
 public:
  /**
   * unet: the generator U-Net (with pretrained weights loaded); it must have a child
   * "downsampling_blocks" when freezeDownBlocks is set, and its child "output_conv",
   * if any, is replaced by the new head. trunk: computes its pre-head features.
   */
  FusionClassifierImpl(std::shared_ptr<torch::nn::Module> unet, UNetTrunk trunk,
                       const FusionClassifierOptions& options = {});

  /** x: [B, leads, samples] -> fused logits [B, numClasses]. */
  torch::Tensor forward(torch::Tensor x);

  /** The U-Net branch alone: pooled features through the new head, [B, numClasses]. */
  torch::Tensor unetLogits(const torch::Tensor& x);

  /** Re-applies the ECGNet max-norm constraint; call after every optimizer step. */
  void applyMaxNorm() { ecgnet_->applyMaxNorm(); }

  ECGNet& ecgnet() { return ecgnet_; }
  /** The learned fusion weights (2 values). */
  const torch::Tensor& fusionWeights() const { return weights_; }
  const FusionClassifierOptions& options() const { return options_; }

 private:
  FusionClassifierOptions options_;
  std::shared_ptr<torch::nn::Module> unet_;
  UNetTrunk trunk_;
  torch::nn::Sequential head_{nullptr};
  ECGNet ecgnet_{nullptr};
  torch::Tensor weights_;
};

TORCH_MODULE(FusionClassifier);

}  // namespace nn
}  // namespace ecgldm
