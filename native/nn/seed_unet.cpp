#include "nn/seed_unet.h"

#include <cmath>
#include <string>

#include "core/error.h"

namespace ecgldm {
namespace nn {

namespace {

// The reference uses padding="same"; every kernel here is odd, so that is k / 2 each side.
torch::nn::Conv1d sameConv(int64_t in, int64_t out, int64_t kernel, bool bias = true) {
  return torch::nn::Conv1d(torch::nn::Conv1dOptions(in, out, kernel).padding(kernel / 2).bias(bias));
}

// Reference TimeEmbedding.embed_table(): t in 1..T, frequencies exp(-10 i / (half - 1)),
// [sin | cos]. Computed in float32 like the reference so the frozen table matches it.
torch::Tensor sinusoidTable(int64_t numDiffusionSteps, int64_t dimEmbed) {
  const int64_t half = dimEmbed / 2;
  auto t = torch::arange(numDiffusionSteps, torch::kLong) + 1;
  const double step = 10.0 / static_cast<double>(half - 1);
  auto freqs = torch::exp(torch::arange(half, torch::kLong) * -step);  // float32, as in Python
  auto args = t.unsqueeze(1) * freqs.unsqueeze(0);
  return torch::cat({args.sin(), args.cos()}, -1);
}

}  // namespace

// ---------------------------------------------------------------------------------------
SeedTimeEmbeddingImpl::SeedTimeEmbeddingImpl(int64_t dim, int64_t numDiffusionSteps, int64_t nChannels,
                                             int64_t dimEmbed, int64_t dimLatent) {
  fc1_ = register_module("fc1", torch::nn::Linear(dimEmbed, dimLatent));
  fc2_ = register_module("fc2", torch::nn::Linear(dimLatent, dim));
  outConv_ = register_module("out_conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(1, nChannels, 1)));
  // A parameter (so it is in the state_dict under "embeddings") that never trains.
  embeddings_ = register_parameter("embeddings", sinusoidTable(numDiffusionSteps, dimEmbed), /*requires_grad=*/false);
}

torch::Tensor SeedTimeEmbeddingImpl::forward(const torch::Tensor& t) {
  auto emb = embeddings_.index_select(0, t);                      // [B, 64]
  auto out = fc2_->forward(torch::mish(fc1_->forward(emb)));      // [B, dim]
  return outConv_->forward(out.unsqueeze(1));                     // [B, nChannels, dim]
}

// ---------------------------------------------------------------------------------------
SeedSelfAttentionImpl::SeedSelfAttentionImpl(int64_t vectorSize, int64_t dim, int64_t hiddenDim, int64_t numHeads)
    : hiddenDim_(hiddenDim) {
  toQkv_ = register_module("to_qkv", sameConv(dim, 3 * hiddenDim, 1, /*bias=*/false));
  toOut_ = register_module("to_out", sameConv(hiddenDim, dim, 1));
  attention_ = register_module(
      "attention", torch::nn::MultiheadAttention(torch::nn::MultiheadAttentionOptions(vectorSize, numHeads)));
  normalization_ = register_module("normalization", torch::nn::LayerNorm(torch::nn::LayerNormOptions({vectorSize})));
}

torch::Tensor SeedSelfAttentionImpl::forward(const torch::Tensor& x) {
  auto qkv = toQkv_->forward(normalization_->forward(x)).chunk(3, 1);  // 3 x [B, hidden, L]
  // The reference runs MultiheadAttention with batch_first=True on [B, hidden, L]: the
  // hidden channels are the tokens and the time axis the embedding. LibTorch's module is
  // sequence-first, so swap to [hidden, B, L] and back.
  auto h = std::get<0>(attention_->forward(qkv[0].transpose(0, 1), qkv[1].transpose(0, 1), qkv[2].transpose(0, 1),
                                           /*key_padding_mask=*/{}, /*need_weights=*/false));
  return toOut_->forward(h.transpose(0, 1)) + x;
}

// ---------------------------------------------------------------------------------------
SeedDownBlockImpl::SeedDownBlockImpl(int64_t inChannels, int64_t outChannels, int64_t dim, int64_t numDiffusionSteps,
                                     int64_t kernelSize, int64_t numHeads, int64_t hiddenDim) {
  const int64_t cut = (inChannels + outChannels) / 2 + 1;  // reference "cutted_channels"
  timeEmb_ = register_module("time_emb", SeedTimeEmbedding(dim, numDiffusionSteps, inChannels));
  conv1_ = register_module("conv1", sameConv(inChannels, cut, kernelSize));
  conv2_ = register_module("conv2", sameConv(cut, cut, 1));
  conv3_ = register_module("conv3", sameConv(cut, outChannels, kernelSize));
  down_ = register_module("down", torch::nn::Conv1d(torch::nn::Conv1dOptions(outChannels, outChannels, 3).stride(2).padding(1)));
  layerNorm1_ = register_module("layer_norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({cut, dim})));
  layerNorm2_ = register_module("layer_norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({outChannels, dim})));
  // Unused by forward() in the reference too; kept so checkpoints and counts match.
  if (inChannels != outChannels) register_module("res_conv", sameConv(inChannels, outChannels, 1));
  attention_ = register_module("attention", SeedSelfAttention(dim, cut, hiddenDim, numHeads));
  attention2_ = register_module("attention2", SeedSelfAttention(dim, outChannels, hiddenDim, numHeads));
}

std::pair<torch::Tensor, torch::Tensor> SeedDownBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& t) {
  auto shortcut = conv1_->forward(x + timeEmb_->forward(t));
  shortcut = conv2_->forward(torch::mish(layerNorm1_->forward(shortcut)));
  shortcut = attention_->forward(shortcut);
  auto h = layerNorm2_->forward(conv3_->forward(shortcut));
  return {h, torch::mish(down_->forward(h))};
}

// ---------------------------------------------------------------------------------------
SeedUpBlockImpl::SeedUpBlockImpl(int64_t nInputs, int64_t nOutputs, int64_t dim, int64_t numDiffusionSteps,
                                 int64_t kernelSize, int64_t numHeads, int64_t hiddenDim) {
  const int64_t nShortcut = (nInputs + nOutputs) / 2;
  preShortcutConvs_ = register_module("pre_shortcut_convs", sameConv(2 * nInputs, nShortcut, kernelSize));
  shortcutConvs_ = register_module("shortcut_convs", sameConv(nShortcut, nShortcut, kernelSize));
  postShortcutConvs_ = register_module("post_shortcut_convs", sameConv(nShortcut, nOutputs, kernelSize));
  up_ = register_module("up", torch::nn::ConvTranspose1d(
                                  torch::nn::ConvTranspose1dOptions(nInputs, nInputs, 4).stride(2).padding(1)));
  // Unlike the down blocks, the reference normalises over time only here.
  layerNorm1_ = register_module("layer_norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({2 * dim})));
  layerNorm2_ = register_module("layer_norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({2 * dim})));
  if (nInputs != nOutputs) resConv_ = register_module("res_conv", sameConv(2 * nInputs, nOutputs, 1));
  attention_ = register_module("attention", SeedSelfAttention(2 * dim, nShortcut, hiddenDim, numHeads));
  attention2_ = register_module("attention2", SeedSelfAttention(2 * dim, nOutputs, hiddenDim, numHeads));
  timeEmb_ = register_module("time_emb", SeedTimeEmbedding(2 * dim, numDiffusionSteps, nInputs));
}

torch::Tensor SeedUpBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& skip, const torch::Tensor& t) {
  auto initial = up_->forward(x);
  auto withTime = initial + timeEmb_->forward(t);
  const auto& h = skip.defined() ? skip : withTime;  // reference: `if h is None: h = x`
  auto shortcut = preShortcutConvs_->forward(torch::cat({withTime, h}, 1));
  shortcut = shortcutConvs_->forward(torch::mish(layerNorm1_->forward(shortcut)));
  shortcut = attention_->forward(shortcut);
  auto out = torch::mish(layerNorm2_->forward(postShortcutConvs_->forward(shortcut)));
  auto residualIn = torch::cat({initial, h}, 1);
  // With equal widths the reference's res_conv is Identity on 2 * nInputs channels, which
  // cannot be added to nOutputs channels; the seed configuration never takes that path.
  return out + (resConv_ ? resConv_->forward(residualIn) : residualIn);
}

// ---------------------------------------------------------------------------------------
SeedUNetImpl::SeedUNetImpl(const SeedUNetOptions& options) : options_(options) {
  const auto& o = options_;
  const int64_t T = o.numDiffusionSteps(), k = o.kernelSize(), n = o.nChannels(), res = o.resolution();
  check(T > 0, ErrorCode::ArgRange, "Expected positive numDiffusionSteps for SeedUNet but received " + std::to_string(T));
  check(k > 0 && k % 2 == 1, ErrorCode::ArgRange,
        "Expected an odd positive kernelSize for SeedUNet but received " + std::to_string(k));
  check(o.numLevels() == 3, ErrorCode::ArgRange,
        "Expected numLevels 3 for SeedUNet (the reference ECGunetChannels only runs with 3) but received " +
            std::to_string(o.numLevels()));
  check(n > 0, ErrorCode::ArgRange, "Expected positive nChannels for SeedUNet but received " + std::to_string(n));
  // Attention embeds the time axis at res, res/2 and res/4 with up to 8 heads.
  check(res >= 32 && res % 32 == 0, ErrorCode::ArgRange,
        "Expected a resolution divisible by 32 for SeedUNet but received " + std::to_string(res));

  // Down path (reference: the first block uses kernel + 2, 8 heads and hidden 8).
  downsamplingBlocks_ = register_module("downsampling_blocks", torch::nn::ModuleList());
  downBlocks_.push_back(SeedDownBlock(n, 2 * n, res, T, k + 2, /*numHeads=*/8, /*hiddenDim=*/8));
  downBlocks_.push_back(SeedDownBlock(2 * n, 4 * n, res / 2, T, k));
  for (auto& block : downBlocks_) downsamplingBlocks_->push_back(block);

  // Up path: 4n -> 2n at res/2, then 2n -> n at res (8 heads).
  upsamplingBlocks_ = register_module("upsampling_blocks", torch::nn::ModuleList());
  upBlocks_.push_back(SeedUpBlock(4 * n, 2 * n, res / 4, T, k));
  upBlocks_.push_back(SeedUpBlock(2 * n, n, res / 2, T, k, /*numHeads=*/8));
  for (auto& block : upBlocks_) upsamplingBlocks_->push_back(block);

  // Bottleneck at res/4 with 4n channels.
  const int64_t bottleneckChannels = 4 * n, bottleneckLength = res / 4;
  timeEmb_ = register_module("time_emb", SeedTimeEmbedding(bottleneckLength, T, bottleneckChannels));
  bottleneckConv1_ = register_module("bottleneck_conv1", sameConv(bottleneckChannels, bottleneckChannels, 3));
  bottleneckConv2_ = register_module("bottleneck_conv2", sameConv(bottleneckChannels, bottleneckChannels, 3));
  attentionBlock_ = register_module("attention_block",
                                    SeedSelfAttention(bottleneckLength, bottleneckChannels, /*hiddenDim=*/32));
  bottleneckLayerNorm1_ = register_module("bottleneck_layer_norm1",
                                          torch::nn::LayerNorm(torch::nn::LayerNormOptions({bottleneckLength})));
  bottleneckLayerNorm2_ = register_module("bottleneck_layer_norm2",
                                          torch::nn::LayerNorm(torch::nn::LayerNormOptions({bottleneckLength})));

  outputConv_ = register_module("output_conv", torch::nn::Sequential(sameConv(n, n, 3), torch::nn::Mish(), sameConv(n, n, 1)));
}

torch::Tensor SeedUNetImpl::forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& label) {
  return outputConv_->forward(features(x, t, label));
}

torch::Tensor SeedUNetImpl::features(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& label) {
  const auto& o = options_;
  check(x.dim() == 3 && x.size(1) == o.nChannels() && x.size(2) == o.resolution(), ErrorCode::Shape,
        "Expected x of shape [B, " + std::to_string(o.nChannels()) + ", " + std::to_string(o.resolution()) +
            "] for SeedUNet but received " + c10::str(x.sizes()));
  const int64_t batch = x.size(0);
  check(t.dim() == 1 && t.size(0) == batch, ErrorCode::Shape,
        "Expected t of shape [" + std::to_string(batch) + "] but received " + c10::str(t.sizes()));
  check(label.numel() == batch, ErrorCode::Shape,
        "Expected one label per sample (" + std::to_string(batch) + ") but received " + c10::str(label.sizes()));

  // 1. The label is added to the signal (reference: x + broadcast(label)).
  auto out = x + label.to(x.dtype()).reshape({batch, 1, 1});

  // 2. Down path; the last block's skip is dropped (reference: `del shortcuts[-1]`).
  auto [skip0, down0] = downBlocks_[0]->forward(out, t);
  auto down1 = downBlocks_[1]->forward(down0, t).second;

  // 3. Bottleneck with time embedding, attention and a residual scaled by 1/sqrt(2).
  out = bottleneckConv1_->forward(down1 + timeEmb_->forward(t));
  out = torch::mish(bottleneckLayerNorm1_->forward(out));
  out = bottleneckConv2_->forward(attentionBlock_->forward(out));
  out = torch::mish(bottleneckLayerNorm2_->forward(out)) + down1 / std::sqrt(2.0);

  // 4. Up path: the first block has no skip, the second takes the first down block's.
  out = upBlocks_[0]->forward(out, torch::Tensor(), t);
  return upBlocks_[1]->forward(out, skip0, t);
}

}  // namespace nn
}  // namespace ecgldm
