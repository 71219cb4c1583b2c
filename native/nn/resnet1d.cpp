#include "nn/resnet1d.h"

#include <string>

#include "core/error.h"

namespace ecgldm {
namespace nn {

namespace {

// Conv1d (same padding, no bias) -> BatchNorm1d [-> ReLU], appended to `seq`.
void appendConvBn(torch::nn::Sequential& seq, int64_t in, int64_t out, int64_t kernel, int64_t stride, bool relu,
                  bool zeroBn = false) {
  torch::nn::Conv1d conv(torch::nn::Conv1dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
  torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanIn, torch::kReLU);
  torch::nn::BatchNorm1d bn(out);
  // Zero-initialising the last BN of a residual branch makes each block start as identity.
  if (zeroBn) torch::nn::init::zeros_(bn->weight);
  seq->push_back(conv);
  seq->push_back(bn);
  if (relu) seq->push_back(torch::nn::ReLU());
}

/** Concatenation of adaptive max and average pooling over time: [B, C, L] -> [B, 2C]. */
class ConcatPool1dImpl : public torch::nn::Module {
 public:
  torch::Tensor forward(torch::Tensor x) { return torch::cat({std::get<0>(x.max(-1)), x.mean(-1)}, 1); }
};
TORCH_MODULE(ConcatPool1d);

}  // namespace

ResBlock1dImpl::ResBlock1dImpl(int64_t in, int64_t out, int64_t kernelSize, int64_t stride) {
  torch::nn::Sequential convpath;
  appendConvBn(convpath, in, out, kernelSize, stride, true);
  appendConvBn(convpath, out, out, kernelSize, 1, false, true);
  convpath_ = register_module("convpath", convpath);

  torch::nn::Sequential idpath;
  if (stride != 1) {
    idpath->push_back(torch::nn::AvgPool1d(torch::nn::AvgPool1dOptions(stride).ceil_mode(true)));
  }
  if (in != out) appendConvBn(idpath, in, out, 1, 1, false);
  hasIdpath_ = !idpath->is_empty();
  idpath_ = register_module("idpath", idpath);
}

torch::Tensor ResBlock1dImpl::forward(torch::Tensor x) {
  auto identity = hasIdpath_ ? idpath_->forward(x) : x;
  return torch::relu(convpath_->forward(x) + identity);
}

ResNet1dImpl::ResNet1dImpl(const ResNet1dOptions& options) : options_(options) {
  const auto& o = options_;
  check(o.leads() > 0 && o.numClasses() > 0 && o.stemKernel() > 0 && o.kernelSize() > 0 && o.headHidden() > 0,
        ErrorCode::ArgRange, "Expected positive leads, numClasses, stemKernel, kernelSize and headHidden for ResNet1d");
  check(o.stemChannels().size() == 3, ErrorCode::ArgRange,
        "Expected 3 ResNet1d stemChannels but received " + std::to_string(o.stemChannels().size()));
  check(!o.stageChannels().empty() && o.stageChannels().size() == o.blocks().size(), ErrorCode::ArgRange,
        "Expected ResNet1d stageChannels and blocks to be non-empty and of equal length");
  check(o.dropout() >= 0 && o.dropout() < 1, ErrorCode::ArgRange,
        "Expected ResNet1d dropout in [0, 1) but received " + std::to_string(o.dropout()));

  torch::nn::Sequential stem;
  int64_t in = o.leads();
  for (size_t i = 0; i < 3; ++i) {
    const int64_t out = o.stemChannels()[i];
    check(out > 0, ErrorCode::ArgRange, "Expected positive ResNet1d stemChannels");
    appendConvBn(stem, in, out, o.stemKernel(), i == 0 ? 2 : 1, true);
    in = out;
  }
  stem->push_back(torch::nn::MaxPool1d(torch::nn::MaxPool1dOptions(3).stride(2).padding(1)));
  stem_ = register_module("stem", stem);

  torch::nn::ModuleList stages;  // a Sequential cannot hold Sequentials in LibTorch
  for (size_t s = 0; s < o.stageChannels().size(); ++s) {
    const int64_t out = o.stageChannels()[s];
    check(out > 0 && o.blocks()[s] > 0, ErrorCode::ArgRange, "Expected positive ResNet1d stageChannels and blocks");
    torch::nn::Sequential stage;
    for (int64_t b = 0; b < o.blocks()[s]; ++b) {
      stage->push_back(ResBlock1d(in, out, o.kernelSize(), (s > 0 && b == 0) ? 2 : 1));
      in = out;
    }
    stages->push_back(stage);
    stageList_.push_back(stage);
  }
  stages_ = register_module("stages", stages);

  head_ = register_module("head", torch::nn::Sequential(
                                      ConcatPool1d(),
                                      torch::nn::BatchNorm1d(2 * in),
                                      torch::nn::Dropout(o.dropout() / 2),
                                      torch::nn::Linear(2 * in, o.headHidden()),
                                      torch::nn::ReLU(),
                                      torch::nn::BatchNorm1d(o.headHidden()),
                                      torch::nn::Dropout(o.dropout()),
                                      torch::nn::Linear(o.headHidden(), o.numClasses())));
}

torch::Tensor ResNet1dImpl::forward(torch::Tensor x) {
  check(x.dim() == 3 && x.size(1) == options_.leads() && x.size(2) >= 4, ErrorCode::Shape,
        "Expected ResNet1d input of shape [batch, " + std::to_string(options_.leads()) +
            ", length >= 4] but received " + c10::str(x.sizes()));
  x = stem_->forward(x);
  for (auto& stage : stageList_) x = stage->forward(x);
  return head_->forward(x);
}

}  // namespace nn
}  // namespace ecgldm
