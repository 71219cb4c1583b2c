// UNet1d: a modern label-conditional 1-D U-Net for diffusion (the ADM layout of Dhariwal
// & Nichol 2021, reduced to one dimension), independent of the seed's architecture.
//
//   time_mlp          sinusoid(t, base) -> Linear -> SiLU -> Linear   (embedding dim E)
//   class_embedding   Embedding(numClasses + 1, E); index numClasses is the null class
//                     used for classifier-free guidance; added to the time embedding
//   patchify          [B, C, L] -> [B, C * patchSize, L / patchSize] (1-D pixel unshuffle;
//                     undone after out_conv): the full-resolution levels cost patchSize x less
//   input_conv        Conv(inChannels * patchSize -> base, k3)
//   down.{l}          numResBlocks residual blocks (+ self-attention at attentionLevels),
//                     then a stride-2 conv except at the last level
//   mid_block1, mid_attention, mid_block2
//   up.{l}            numResBlocks + 1 residual blocks over [h ; skip], attention,
//                     nearest x2 + conv except at level 0
//   out_norm, out_conv (GroupNorm, SiLU, Conv -> inChannels; zero-initialised)
//
// Residual blocks: GroupNorm -> SiLU -> Conv(k3) -> GroupNorm * (1 + scale) + shift
// (scale, shift from the embedding) -> SiLU -> Dropout -> Conv(k3, zero-init), plus a
// 1x1 conv on the skip path when widths differ. Attention: channels are the features and
// time steps the tokens. Zero-initialised output layers make every block start as the
// identity, which keeps early training stable.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace ecgldm {
namespace nn {

struct UNet1dOptions {
  /** Leads of the [B, inChannels, L] signal (1..12). */
  TORCH_ARG(int64_t, inChannels) = 1;
  /** Neighbouring samples folded into channels before input_conv (1 = none). */
  TORCH_ARG(int64_t, patchSize) = 1;
  /** Channels of the first level. */
  TORCH_ARG(int64_t, baseChannels) = 32;
  /** Channel multiplier per level; its size is the number of levels. */
  TORCH_ARG(std::vector<int64_t>, channelMults) = std::vector<int64_t>{1, 2, 2, 4};
  /** Residual blocks per level on the way down (one more on the way up). */
  TORCH_ARG(int64_t, numResBlocks) = 2;
  /** Levels (0-based) with self-attention; the lowest by default (the middle always has it). */
  TORCH_ARG(std::vector<int64_t>, attentionLevels) = std::vector<int64_t>{3};
  /** Conditional classes; the null class is numClasses. */
  TORCH_ARG(int64_t, numClasses) = 2;
  TORCH_ARG(double, dropout) = 0.0;
  /** Attention heads (must divide the channels of each attention level). */
  TORCH_ARG(int64_t, numHeads) = 4;
  /** GroupNorm groups (capped to a divisor of each width). */
  TORCH_ARG(int64_t, normGroups) = 8;
};

/** Residual block with scale/shift conditioning on the time(+class) embedding. */
class UNetResBlockImpl : public torch::nn::Module {
 public:
  UNetResBlockImpl(int64_t inChannels, int64_t outChannels, int64_t embedDim, double dropout, int64_t normGroups);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& emb);

 private:
  torch::nn::GroupNorm norm1_{nullptr}, norm2_{nullptr};
  torch::nn::Conv1d conv1_{nullptr}, conv2_{nullptr}, skip_{nullptr};
  torch::nn::Linear embProj_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(UNetResBlock);

/** Multi-head self-attention over time (tokens) with channels as features, residual. */
class UNetAttentionImpl : public torch::nn::Module {
 public:
  UNetAttentionImpl(int64_t channels, int64_t numHeads, int64_t normGroups);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t numHeads_;
  torch::nn::GroupNorm norm_{nullptr};
  torch::nn::Conv1d qkv_{nullptr}, proj_{nullptr};
};
TORCH_MODULE(UNetAttention);

/** One resolution of the U-Net: residual blocks, each followed by attention when the
 *  level has it, and optional resampling (stride-2 conv down, or nearest x2 + conv up). */
class UNetLevelImpl : public torch::nn::Module {
 public:
  UNetLevelImpl();
  /** attention may be null (no attention at this level). */
  void addBlock(UNetResBlock block, UNetAttention attention);
  void setResample(torch::nn::Conv1d conv, bool upsample);

  size_t size() const { return blocks_.size(); }
  /** Block i (and its attention) on x. */
  torch::Tensor forwardBlock(size_t i, const torch::Tensor& x, const torch::Tensor& emb);
  /** The resampling conv, or x unchanged at a level without one. */
  torch::Tensor resample(const torch::Tensor& x);

 private:
  std::vector<UNetResBlock> blocks_;
  std::vector<UNetAttention> attentions_;
  torch::nn::ModuleList blockList_{nullptr}, attentionList_{nullptr};
  torch::nn::Conv1d resample_{nullptr};
  bool upsample_ = false;
};
TORCH_MODULE(UNetLevel);

class UNet1dImpl : public torch::nn::Module {
 public:
  explicit UNet1dImpl(const UNet1dOptions& options = {});

  /** x [B, inChannels, L] float (L divisible by 2^(levels-1)), t [B] int64 in [0, T),
   *  label [B] int64 in [0, numClasses] (numClasses = unconditional). Returns [B, inChannels, L]. */
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& label);

  /** Everything but the output head: the last up level's activations [B, baseChannels,
   *  L / patchSize] (what a classifier built on the trained U-Net pools). */
  torch::Tensor features(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& label);

  const UNet1dOptions& options() const { return options_; }
  /** The factor L must be divisible by: patchSize * 2^(levels - 1). */
  int64_t lengthFactor() const;

 private:
  UNet1dOptions options_;
  int64_t embedDim_;
  torch::nn::Sequential timeMlp_{nullptr};
  torch::nn::Embedding classEmbedding_{nullptr};
  torch::nn::Conv1d inputConv_{nullptr};
  torch::nn::ModuleList downList_{nullptr}, upList_{nullptr};
  std::vector<UNetLevel> down_, up_;
  UNetResBlock midBlock1_{nullptr}, midBlock2_{nullptr};
  UNetAttention midAttention_{nullptr};
  torch::nn::GroupNorm outNorm_{nullptr};
  torch::nn::Conv1d outConv_{nullptr};
};
TORCH_MODULE(UNet1d);

}  // namespace nn
}  // namespace ecgldm
