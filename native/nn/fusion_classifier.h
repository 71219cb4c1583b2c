// FusionClassifier ("Option B" of the reference, ECG-DiReNet
// classification/model/WeightModel.py): the pretrained generator U-Net with its down
// blocks frozen and its output head replaced by
//     AdaptiveAvgPool1d(1) -> Flatten -> Linear(C, 64) -> Mish -> Linear(64, numClasses)
// (C = the U-Net's channels, 1 in the reference), plus an ECGNet; the output is
//     weights[0] * unet_logits + weights[1] * ecgnet_logits
// with learned `weights` initialised to (0.5, 0.5).
//
// What is pooled: the output of the U-Net's last up block, i.e. everything the U-Net
// computes except its old output head, run at diffusion step t = 1 (the reference
// calls the U-Net with t = torch.ones(B)) and with no label (the classification copy
// of the U-Net has no label input: label 0 added for the seed U-Net, the null class
// for UNet1d).
//
// The U-Net enters as a FusionUNet: the module itself (registered as "unet", so its
// parameters and the reference keys unet.* follow it), a trunk function computing those
// features, and the names of its down-path and output-head children; fusionUNet() makes
// one from a SeedUNet or a UNet1d.
//
// State-dict keys equal the reference's for the seed U-Net: unet.* (the head is
// registered in place of the U-Net's output_conv: unet.output_conv.{2,4}.*), ecgnet.*,
// weights. For UNet1d the head takes out_conv's name (unet.out_conv.{2,4}.*) and
// out_norm is removed.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nn/ecgnet.h"
#include "nn/seed_unet.h"
#include "nn/unet1d.h"

namespace ecgldm {
namespace nn {

/** The U-Net trunk: x [B, leads, L], t [B] int64 -> features [B, featureChannels, L'] before the output head. */
using UNetTrunk = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& t)>;

/** A generator U-Net as the fusion classifier sees it. */
struct FusionUNet {
  std::shared_ptr<torch::nn::Module> module;
  UNetTrunk trunk;
  /** Channels of the trunk's features; the new head's first Linear takes these. */
  int64_t featureChannels = 0;
  /** Children of `module` forming its down path: frozen when freezeDownBlocks is set. */
  std::vector<std::string> downPath;
  /** Children forming its output head: the new head takes the first one's name, the others are removed. */
  std::vector<std::string> outputHead;
};

/** The seed U-Net: features(x, t, label 0); down path downsampling_blocks; head output_conv. */
FusionUNet fusionUNet(SeedUNet unet);

/** UNet1d: features(x, t, null class); down path time_mlp, class_embedding, input_conv and
 *  the down levels (everything before the middle block); head out_norm + out_conv. */
FusionUNet fusionUNet(UNet1d unet);

struct FusionClassifierOptions {
  /** ECGNet branch; defaults are the reference WeightModel's (F1 8, one logit, no dropout).
   *  Its leads are the input's leads. */
  TORCH_ARG(ECGNetOptions, ecgnet) = ECGNetOptions().f1(8).numClasses(1).dropout(0.0);
  /** Hidden units of the replaced U-Net head. */
  TORCH_ARG(int64_t, headHidden) = 64;
  /** Diffusion step index the U-Net runs at (reference: 1). */
  TORCH_ARG(int64_t, diffusionStep) = 1;
  /** Freeze the U-Net's down path (reference: true). */
  TORCH_ARG(bool, freezeDownBlocks) = true;
};

class FusionClassifierImpl : public torch::nn::Module {
 public:
  /** unet: the generator U-Net, pretrained weights loaded; its output head is replaced
   *  by the new one (and its down path frozen when options.freezeDownBlocks is set). */
  FusionClassifierImpl(FusionUNet unet, const FusionClassifierOptions& options = {});

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
  FusionUNet unet_;
  torch::nn::Sequential head_{nullptr};
  ECGNet ecgnet_{nullptr};
  torch::Tensor weights_;
};

TORCH_MODULE(FusionClassifier);

}  // namespace nn
}  // namespace ecgldm
