#include "nn/fusion_classifier.h"

#include <string>
#include <utility>

#include "core/error.h"

namespace ecgldm {
namespace nn {

FusionUNet fusionUNet(SeedUNet unet) {
  FusionUNet out;
  out.module = unet.ptr();
  out.trunk = [m = unet.ptr()](const torch::Tensor& x, const torch::Tensor& t) {
    return m->features(x, t, torch::zeros({x.size(0)}, x.options()));
  };
  out.featureChannels = unet->options().nChannels();
  out.downPath = {"downsampling_blocks"};
  out.outputHead = {"output_conv"};
  return out;
}

FusionUNet fusionUNet(UNet1d unet) {
  FusionUNet out;
  out.module = unet.ptr();
  const int64_t nullClass = unet->options().numClasses();
  out.trunk = [m = unet.ptr(), nullClass](const torch::Tensor& x, const torch::Tensor& t) {
    return m->features(x, t, torch::full({x.size(0)}, nullClass, t.options()));
  };
  out.featureChannels = unet->options().baseChannels();
  out.downPath = {"time_mlp", "class_embedding", "input_conv", "down"};
  out.outputHead = {"out_conv", "out_norm"};
  return out;
}

FusionClassifierImpl::FusionClassifierImpl(FusionUNet unet, const FusionClassifierOptions& options)
    : options_(options), unet_(std::move(unet)) {
  check(unet_.module != nullptr, ErrorCode::ArgType, "Expected a U-Net module for FusionClassifier but received none");
  check(static_cast<bool>(unet_.trunk), ErrorCode::ArgType,
        "Expected a U-Net trunk function for FusionClassifier but received none");
  check(unet_.featureChannels > 0 && !unet_.outputHead.empty(), ErrorCode::ArgRange,
        "Expected positive U-Net feature channels and a named output head for FusionClassifier");
  check(options_.headHidden() > 0 && options_.diffusionStep() >= 0, ErrorCode::ArgRange,
        "Expected a positive headHidden and a non-negative diffusionStep");

  // 1. The U-Net, registered first so that its keys read unet.* as in the reference.
  register_module("unet", unet_.module);
  auto children = unet_.module->named_children();
  auto requireChild = [&children](const std::string& name) {
    check(children.contains(name), ErrorCode::ArgRange, "Expected the U-Net to have a child module named " + name);
  };

  // 2. Freeze its down path (reference: freeze_downsampling()).
  if (options_.freezeDownBlocks()) {
    for (const std::string& name : unet_.downPath) {
      requireChild(name);
      for (auto& p : children[name]->parameters()) p.set_requires_grad(false);
    }
  }

  // 3. The new head, in place of the U-Net's output head (reference: adjust_output_conv()).
  //    Index 2 and 4 carry the weights, as in the reference's nn.Sequential.
  head_ = torch::nn::Sequential(torch::nn::AdaptiveAvgPool1d(1), torch::nn::Flatten(),
                                torch::nn::Linear(unet_.featureChannels, options_.headHidden()), torch::nn::Mish(),
                                torch::nn::Linear(options_.headHidden(), options_.ecgnet().numClasses()));
  for (const std::string& name : unet_.outputHead) requireChild(name);
  unet_.module->replace_module(unet_.outputHead.front(), head_.ptr());
  for (size_t i = 1; i < unet_.outputHead.size(); ++i) unet_.module->unregister_module(unet_.outputHead[i]);

  // 4. ECGNet and the fusion weights.
  ecgnet_ = register_module("ecgnet", ECGNet(options_.ecgnet()));
  weights_ = register_parameter("weights", torch::tensor({0.5f, 0.5f}));
}

torch::Tensor FusionClassifierImpl::unetLogits(const torch::Tensor& x) {
  auto t = torch::full({x.size(0)}, options_.diffusionStep(), x.options().dtype(torch::kLong));
  auto features = unet_.trunk(x, t);
  check(features.dim() == 3 && features.size(1) == unet_.featureChannels, ErrorCode::Shape,
        "Expected U-Net features of shape [batch, " + std::to_string(unet_.featureChannels) +
            ", length] but received " + c10::str(features.sizes()));
  return head_->forward(features);
}

torch::Tensor FusionClassifierImpl::forward(torch::Tensor x) {
  const int64_t leads = options_.ecgnet().leads();
  check(x.dim() == 3 && x.size(1) == leads, ErrorCode::Shape,
        "Expected FusionClassifier input of shape [batch, " + std::to_string(leads) + ", samples] but received " +
            c10::str(x.sizes()));
  return weights_[0] * unetLogits(x) + weights_[1] * ecgnet_->forward(x);
}

}  // namespace nn
}  // namespace ecgldm
