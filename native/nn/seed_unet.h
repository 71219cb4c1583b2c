// SeedUNet: the reference generator's U-Net (`ECGunetChannels` in
// shuangyinli/ECG-DiReNet generator/model/ECGLDM.py) reproduced module for module, so a
// state_dict saved by the reference loads by name and the parameter count matches
// (resolution 2048, 1 channel, kernel 5, 1000 steps: 86,281,170 parameters of which
// 85,961,170 trainable; the 5 sinusoidal tables, 1000 x 64 each, are frozen).
//
//   downsampling_blocks.{0,1}  SeedDownBlock: 1 -> 2 -> 4 channels (n = nChannels)
//   time_emb, bottleneck_conv{1,2}, bottleneck_layer_norm{1,2}, attention_block
//   upsampling_blocks.{0,1}    SeedUpBlock: 4 -> 2 -> 1 channels
//   output_conv.{0,2}          Conv(3) -> Mish -> Conv(1)
//
// Quirks kept on purpose (they are part of the checkpoint layout): every block owns an
// `attention2` and the down blocks a `res_conv` that forward() never uses; the
// attention's embedding is the *time axis* and its tokens are the q/k/v channels.
// Only 3 levels run in the reference (its loops for more levels produce LayerNorm
// shapes that do not match the activations), so numLevels is fixed at 3.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ecgldm {
namespace nn {

struct SeedUNetOptions {
  /** Diffusion steps T; rows of the frozen sinusoidal time tables. */
  TORCH_ARG(int64_t, numDiffusionSteps) = 1000;
  /** Conv kernel of the blocks (odd); the first down block uses kernelSize + 2. */
  TORCH_ARG(int64_t, kernelSize) = 5;
  /** Levels of the U-Net; the reference only runs with 3. */
  TORCH_ARG(int64_t, numLevels) = 3;
  /** Leads of the [B, nChannels, resolution] input. */
  TORCH_ARG(int64_t, nChannels) = 1;
  /** Signal length; fixed because LayerNorm and attention sizes depend on it. */
  TORCH_ARG(int64_t, resolution) = 2048;
};

/** Reference `TimeEmbedding`: frozen sinusoid table[t] -> Linear -> Mish -> Linear(dim)
 *  -> 1x1 conv from 1 to nChannels channels. Output [B, nChannels, dim]. */
class SeedTimeEmbeddingImpl : public torch::nn::Module {
 public:
  SeedTimeEmbeddingImpl(int64_t dim, int64_t numDiffusionSteps, int64_t nChannels,
                        int64_t dimEmbed = 64, int64_t dimLatent = 128);
  torch::Tensor forward(const torch::Tensor& t);

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
  torch::nn::Conv1d outConv_{nullptr};
  torch::Tensor embeddings_;
};
TORCH_MODULE(SeedTimeEmbedding);

/** Reference `SelfAttention`: LayerNorm over time, 1x1 conv to q/k/v (hiddenDim channels
 *  each), MultiheadAttention whose embedding is the time axis (vectorSize) and whose
 *  hiddenDim tokens are channels, 1x1 conv back to dim channels, residual. */
class SeedSelfAttentionImpl : public torch::nn::Module {
 public:
  SeedSelfAttentionImpl(int64_t vectorSize, int64_t dim, int64_t hiddenDim = 16, int64_t numHeads = 4);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t hiddenDim_;
  torch::nn::Conv1d toQkv_{nullptr}, toOut_{nullptr};
  torch::nn::MultiheadAttention attention_{nullptr};
  torch::nn::LayerNorm normalization_{nullptr};
};
TORCH_MODULE(SeedSelfAttention);

/** Reference `DownsamplingBlock`; returns {skip h at this resolution, downsampled out}. */
class SeedDownBlockImpl : public torch::nn::Module {
 public:
  SeedDownBlockImpl(int64_t inChannels, int64_t outChannels, int64_t dim, int64_t numDiffusionSteps,
                    int64_t kernelSize, int64_t numHeads = 4, int64_t hiddenDim = 16);
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x, const torch::Tensor& t);

 private:
  SeedTimeEmbedding timeEmb_{nullptr};
  torch::nn::Conv1d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr}, down_{nullptr};
  torch::nn::LayerNorm layerNorm1_{nullptr}, layerNorm2_{nullptr};
  SeedSelfAttention attention_{nullptr}, attention2_{nullptr};
};
TORCH_MODULE(SeedDownBlock);

/** Reference `UpsamplingBlock`: ConvTranspose(k4, s2) up, time embedding, concat with the
 *  skip (or with itself when there is none), three convs with attention, residual 1x1. */
class SeedUpBlockImpl : public torch::nn::Module {
 public:
  SeedUpBlockImpl(int64_t nInputs, int64_t nOutputs, int64_t dim, int64_t numDiffusionSteps,
                  int64_t kernelSize, int64_t numHeads = 4, int64_t hiddenDim = 16);
  /** skip may be undefined (the first up block has none). */
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& skip, const torch::Tensor& t);

 private:
  torch::nn::Conv1d preShortcutConvs_{nullptr}, shortcutConvs_{nullptr}, postShortcutConvs_{nullptr};
  torch::nn::ConvTranspose1d up_{nullptr};
  torch::nn::LayerNorm layerNorm1_{nullptr}, layerNorm2_{nullptr};
  torch::nn::Conv1d resConv_{nullptr};  // null when nInputs == nOutputs (reference: Identity)
  SeedSelfAttention attention_{nullptr}, attention2_{nullptr};
  SeedTimeEmbedding timeEmb_{nullptr};
};
TORCH_MODULE(SeedUpBlock);

class SeedUNetImpl : public torch::nn::Module {
 public:
  explicit SeedUNetImpl(const SeedUNetOptions& options = {});

  /** x [B, nChannels, resolution] float, t [B] int64 in [0, T), label [B] (or [B, 1]) numeric,
   *  added to the signal as in the reference. Returns the predicted noise, shaped like x. */
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& label);

  /** Everything forward() computes except output_conv: [B, nChannels, resolution]; the
   *  fusion classifier (Option B) pools these in place of the noise prediction. */
  torch::Tensor features(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& label);

  const SeedUNetOptions& options() const { return options_; }

 private:
  SeedUNetOptions options_;
  torch::nn::ModuleList downsamplingBlocks_{nullptr}, upsamplingBlocks_{nullptr};
  std::vector<SeedDownBlock> downBlocks_;
  std::vector<SeedUpBlock> upBlocks_;
  SeedTimeEmbedding timeEmb_{nullptr};
  torch::nn::Conv1d bottleneckConv1_{nullptr}, bottleneckConv2_{nullptr};
  SeedSelfAttention attentionBlock_{nullptr};
  torch::nn::LayerNorm bottleneckLayerNorm1_{nullptr}, bottleneckLayerNorm2_{nullptr};
  torch::nn::Sequential outputConv_{nullptr};
};
TORCH_MODULE(SeedUNet);

}  // namespace nn
}  // namespace ecgldm
