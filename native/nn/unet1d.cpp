#include "nn/unet1d.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/error.h"

namespace ecgldm {
namespace nn {

namespace {

// GroupNorm needs groups | channels; use the largest divisor of channels <= requested.
torch::nn::GroupNorm groupNorm(int64_t channels, int64_t groups) {
  return torch::nn::GroupNorm(torch::nn::GroupNormOptions(std::gcd(channels, groups), channels));
}

torch::nn::Conv1d conv3(int64_t in, int64_t out, int64_t stride = 1) {
  return torch::nn::Conv1d(torch::nn::Conv1dOptions(in, out, 3).stride(stride).padding(1));
}

template <typename Conv>
Conv zeroInit(Conv conv) {
  torch::NoGradGuard noGrad;
  conv->weight.zero_();
  if (conv->bias.defined()) conv->bias.zero_();
  return conv;
}

// Transformer sinusoids (Vaswani et al. 2017), [B] -> [B, dim]: sin | cos of t / 10000^(i / half).
torch::Tensor timestepEmbedding(const torch::Tensor& t, int64_t dim) {
  const int64_t half = dim / 2;
  auto freqs = torch::exp(torch::arange(half, t.options().dtype(torch::kFloat32)) * (-std::log(10000.0) / half));
  auto args = t.to(torch::kFloat32).unsqueeze(1) * freqs.unsqueeze(0);
  return torch::cat({args.sin(), args.cos()}, 1);
}

}  // namespace

// ---------------------------------------------------------------------------------------
UNetResBlockImpl::UNetResBlockImpl(int64_t inChannels, int64_t outChannels, int64_t embedDim, double dropout,
                                   int64_t normGroups) {
  norm1_ = register_module("norm1", groupNorm(inChannels, normGroups));
  conv1_ = register_module("conv1", conv3(inChannels, outChannels));
  embProj_ = register_module("emb_proj", torch::nn::Linear(embedDim, 2 * outChannels));
  norm2_ = register_module("norm2", groupNorm(outChannels, normGroups));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
  conv2_ = register_module("conv2", zeroInit(conv3(outChannels, outChannels)));
  if (inChannels != outChannels) {
    skip_ = register_module("skip", torch::nn::Conv1d(torch::nn::Conv1dOptions(inChannels, outChannels, 1)));
  }
}

torch::Tensor UNetResBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& emb) {
  auto h = conv1_->forward(torch::silu(norm1_->forward(x)));
  // Scale/shift conditioning (FiLM / ADM "AdaGN"): norm(h) * (1 + scale) + shift.
  auto scaleShift = embProj_->forward(torch::silu(emb)).unsqueeze(-1).chunk(2, 1);
  h = norm2_->forward(h) * (1 + scaleShift[0]) + scaleShift[1];
  h = conv2_->forward(dropout_->forward(torch::silu(h)));
  return (skip_ ? skip_->forward(x) : x) + h;
}

// ---------------------------------------------------------------------------------------
UNetAttentionImpl::UNetAttentionImpl(int64_t channels, int64_t numHeads, int64_t normGroups) : numHeads_(numHeads) {
  check(numHeads > 0 && channels % numHeads == 0, ErrorCode::ArgRange,
        "Expected numHeads to divide the attention width " + std::to_string(channels) + " but received " +
            std::to_string(numHeads));
  norm_ = register_module("norm", groupNorm(channels, normGroups));
  qkv_ = register_module("qkv", torch::nn::Conv1d(torch::nn::Conv1dOptions(channels, 3 * channels, 1)));
  proj_ = register_module("proj", zeroInit(torch::nn::Conv1d(torch::nn::Conv1dOptions(channels, channels, 1))));
}

torch::Tensor UNetAttentionImpl::forward(const torch::Tensor& x) {
  const int64_t batch = x.size(0), channels = x.size(1), length = x.size(2), headDim = channels / numHeads_;
  // [B, 3C, L] -> 3 x [B, heads, headDim, L]
  auto qkv = qkv_->forward(norm_->forward(x)).view({batch, 3, numHeads_, headDim, length}).unbind(1);
  // softmax(q^T k / sqrt(d)) over key positions: [B, heads, L, L]
  auto weights = torch::softmax(torch::matmul(qkv[0].transpose(-1, -2), qkv[1]) / std::sqrt(double(headDim)), -1);
  // out[b, h, d, i] = sum_j v[b, h, d, j] w[b, h, i, j]
  auto out = torch::matmul(qkv[2], weights.transpose(-1, -2)).reshape({batch, channels, length});
  return x + proj_->forward(out);
}

// ---------------------------------------------------------------------------------------
UNetLevelImpl::UNetLevelImpl() {
  blockList_ = register_module("blocks", torch::nn::ModuleList());
  attentionList_ = register_module("attentions", torch::nn::ModuleList());
}

void UNetLevelImpl::addBlock(UNetResBlock block, UNetAttention attention) {
  blocks_.push_back(block);
  blockList_->push_back(block);
  attentions_.push_back(attention);
  if (attention) attentionList_->push_back(attention);
}

void UNetLevelImpl::setResample(torch::nn::Conv1d conv, bool upsample) {
  resample_ = register_module("resample", conv);
  upsample_ = upsample;
}

torch::Tensor UNetLevelImpl::forwardBlock(size_t i, const torch::Tensor& x, const torch::Tensor& emb) {
  auto h = blocks_[i]->forward(x, emb);
  return attentions_[i] ? attentions_[i]->forward(h) : h;
}

torch::Tensor UNetLevelImpl::resample(const torch::Tensor& x) {
  if (!resample_) return x;
  if (!upsample_) return resample_->forward(x);
  return resample_->forward(x.repeat_interleave(2, -1));  // nearest-neighbour x2
}

// ---------------------------------------------------------------------------------------
UNet1dImpl::UNet1dImpl(const UNet1dOptions& options) : options_(options) {
  const auto& o = options_;
  const int64_t base = o.baseChannels(), levels = static_cast<int64_t>(o.channelMults().size());
  check(o.inChannels() >= 1 && o.inChannels() <= 12, ErrorCode::ArgRange,
        "Expected inChannels in [1, 12] for UNet1d but received " + std::to_string(o.inChannels()));
  check(base > 0 && base % 2 == 0, ErrorCode::ArgRange,
        "Expected a positive even baseChannels for UNet1d but received " + std::to_string(base));
  check(levels >= 1 && levels <= 8, ErrorCode::ArgRange,
        "Expected 1 to 8 channelMults for UNet1d but received " + std::to_string(levels));
  for (int64_t mult : o.channelMults()) {
    check(mult > 0, ErrorCode::ArgRange, "Expected positive channelMults but received " + std::to_string(mult));
  }
  for (int64_t level : o.attentionLevels()) {
    check(level >= 0 && level < levels, ErrorCode::ArgRange,
          "Expected attentionLevels in [0, " + std::to_string(levels) + ") but received " + std::to_string(level));
  }
  check(o.numResBlocks() >= 1, ErrorCode::ArgRange,
        "Expected numResBlocks >= 1 but received " + std::to_string(o.numResBlocks()));
  check(o.numClasses() >= 1, ErrorCode::ArgRange,
        "Expected numClasses >= 1 but received " + std::to_string(o.numClasses()));
  check(o.dropout() >= 0 && o.dropout() < 1, ErrorCode::ArgRange,
        "Expected dropout in [0, 1) but received " + std::to_string(o.dropout()));
  check(o.normGroups() >= 1, ErrorCode::ArgRange, "Expected normGroups >= 1");
  check(o.patchSize() >= 1 && o.patchSize() <= 64, ErrorCode::ArgRange,
        "Expected patchSize in [1, 64] for UNet1d but received " + std::to_string(o.patchSize()));

  embedDim_ = 4 * base;
  auto hasAttention = [&](int64_t level) {
    return std::find(o.attentionLevels().begin(), o.attentionLevels().end(), level) != o.attentionLevels().end();
  };
  auto resBlock = [&](int64_t in, int64_t out) { return UNetResBlock(in, out, embedDim_, o.dropout(), o.normGroups()); };
  auto attention = [&](int64_t level, int64_t channels) {
    return hasAttention(level) ? UNetAttention(channels, o.numHeads(), o.normGroups()) : UNetAttention(nullptr);
  };

  // 1. Embeddings: time (sinusoid of width base -> MLP) plus class, both of width 4 * base.
  timeMlp_ = register_module("time_mlp", torch::nn::Sequential(torch::nn::Linear(base, embedDim_), torch::nn::SiLU(),
                                                               torch::nn::Linear(embedDim_, embedDim_)));
  classEmbedding_ = register_module("class_embedding", torch::nn::Embedding(o.numClasses() + 1, embedDim_));
  inputConv_ = register_module("input_conv", conv3(o.inChannels() * o.patchSize(), base));

  // 2. Down path; skipChannels records the width of every activation kept for the up path.
  int64_t channels = base;
  std::vector<int64_t> skipChannels{channels};
  downList_ = register_module("down", torch::nn::ModuleList());
  for (int64_t level = 0; level < levels; ++level) {
    UNetLevel stage;
    const int64_t out = base * o.channelMults()[static_cast<size_t>(level)];
    for (int64_t b = 0; b < o.numResBlocks(); ++b) {
      stage->addBlock(resBlock(channels, out), attention(level, out));
      channels = out;
      skipChannels.push_back(channels);
    }
    if (level + 1 < levels) {
      stage->setResample(conv3(channels, channels, /*stride=*/2), /*upsample=*/false);
      skipChannels.push_back(channels);
    }
    down_.push_back(stage);
    downList_->push_back(stage);
  }

  // 3. Middle: res, attention, res.
  midBlock1_ = register_module("mid_block1", resBlock(channels, channels));
  midAttention_ = register_module("mid_attention", UNetAttention(channels, o.numHeads(), o.normGroups()));
  midBlock2_ = register_module("mid_block2", resBlock(channels, channels));

  // 4. Up path, deepest level first; each block consumes one skip.
  upList_ = register_module("up", torch::nn::ModuleList());
  for (int64_t level = levels - 1; level >= 0; --level) {
    UNetLevel stage;
    const int64_t out = base * o.channelMults()[static_cast<size_t>(level)];
    for (int64_t b = 0; b <= o.numResBlocks(); ++b) {
      stage->addBlock(resBlock(channels + skipChannels.back(), out), attention(level, out));
      skipChannels.pop_back();
      channels = out;
    }
    if (level > 0) stage->setResample(conv3(channels, channels), /*upsample=*/true);
    up_.push_back(stage);
    upList_->push_back(stage);
  }

  // 5. Output head, zero-initialised so the untrained model predicts 0.
  outNorm_ = register_module("out_norm", groupNorm(channels, o.normGroups()));
  outConv_ = register_module("out_conv", zeroInit(conv3(channels, o.inChannels() * o.patchSize())));
}

int64_t UNet1dImpl::lengthFactor() const {
  return options_.patchSize() << (options_.channelMults().size() - 1);
}

torch::Tensor UNet1dImpl::forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& label) {
  const int64_t batch = x.size(0), channels = x.size(1), length = x.size(2), patch = options_.patchSize();
  auto h = torch::silu(outNorm_->forward(features(x, t, label)));
  // [B, C * p, L / p] -> [B, C, L]: inverse of the fold in features().
  return outConv_->forward(h).view({batch, channels, patch, length / patch}).permute({0, 1, 3, 2}).reshape(
      {batch, channels, length});
}

torch::Tensor UNet1dImpl::features(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& label) {
  const auto& o = options_;
  check(x.dim() == 3 && x.size(1) == o.inChannels(), ErrorCode::Shape,
        "Expected x of shape [B, " + std::to_string(o.inChannels()) + ", L] for UNet1d but received " +
            c10::str(x.sizes()));
  const int64_t batch = x.size(0), length = x.size(2), factor = lengthFactor();
  check(length > 0 && length % factor == 0, ErrorCode::Shape,
        "Expected a signal length divisible by " + std::to_string(factor) + " (patchSize * 2^(levels-1) for " +
            std::to_string(o.channelMults().size()) + " levels) but received length " + std::to_string(length));
  check(t.dim() == 1 && t.size(0) == batch, ErrorCode::Shape,
        "Expected t of shape [" + std::to_string(batch) + "] but received " + c10::str(t.sizes()));
  check(label.dim() == 1 && label.size(0) == batch, ErrorCode::Shape,
        "Expected label of shape [" + std::to_string(batch) + "] but received " + c10::str(label.sizes()));

  // 1. Conditioning vector: time MLP + class embedding (null class = numClasses).
  auto emb = timeMlp_->forward(timestepEmbedding(t, o.baseChannels())) + classEmbedding_->forward(label.to(torch::kLong));

  // 2. Fold each run of patchSize samples into channels: [B, C, L] -> [B, C * p, L / p],
  //    channel c * p + k holding sample k of each patch. Down, keeping every activation as a skip.
  const int64_t patch = o.patchSize();
  auto folded = patch == 1 ? x : x.reshape({batch, o.inChannels(), length / patch, patch})
                                     .permute({0, 1, 3, 2})
                                     .reshape({batch, o.inChannels() * patch, length / patch});
  auto h = inputConv_->forward(folded);
  std::vector<torch::Tensor> skips{h};
  for (auto& stage : down_) {
    for (size_t i = 0; i < stage->size(); ++i) {
      h = stage->forwardBlock(i, h, emb);
      skips.push_back(h);
    }
    auto resampled = stage->resample(h);
    if (!resampled.is_same(h)) {
      h = resampled;
      skips.push_back(h);
    }
  }

  // 3. Middle.
  h = midBlock2_->forward(midAttention_->forward(midBlock1_->forward(h, emb)), emb);

  // 4. Up, concatenating the skips in reverse order.
  for (auto& stage : up_) {
    for (size_t i = 0; i < stage->size(); ++i) {
      h = stage->forwardBlock(i, torch::cat({h, skips.back()}, 1), emb);
      skips.pop_back();
    }
    h = stage->resample(h);
  }
  return h;
}

}  // namespace nn
}  // namespace ecgldm
