#include "nn/fusion_classifier.h"

#include <string>

#include "core/error.h"

namespace ecgldm {
namespace nn {

FusionClassifierImpl::FusionClassifierImpl(std::shared_ptr<torch::nn::Module> unet, UNetTrunk trunk,
                                           const FusionClassifierOptions& options)
    : options_(options), unet_(std::move(unet)), trunk_(std::move(trunk)) {
  check(unet_ != nullptr, ErrorCode::ArgType, "Expected a U-Net module for FusionClassifier but received none");
  check(static_cast<bool>(trunk_), ErrorCode::ArgType,
        "Expected a U-Net trunk function for FusionClassifier but received none");
  check(options_.unetChannels() > 0 && options_.headHidden() > 0 && options_.diffusionStep() >= 0,
        ErrorCode::ArgRange, "Expected positive unetChannels and headHidden and a non-negative diffusionStep");
  check(options_.ecgnet().leads() == options_.unetChannels(), ErrorCode::ArgRange,
        "Expected ECGNet leads (" + std::to_string(options_.ecgnet().leads()) + ") to equal the U-Net channels (" +
            std::to_string(options_.unetChannels()) + ") in FusionClassifier");

  // 1. The U-Net, registered first so that its keys read unet.* as in the reference.
  register_module("unet", unet_);

  // 2. Freeze its down blocks (reference: freeze_downsampling()).
  if (options_.freezeDownBlocks()) {
    auto children = unet_->named_children();
    check(children.contains("downsampling_blocks"), ErrorCode::ArgRange,
          "Expected the U-Net to have a child module named downsampling_blocks to freeze");
    for (auto& p : children["downsampling_blocks"]->parameters()) p.set_requires_grad(false);
  }

  // 3. The new head, in place of the U-Net's output_conv (reference: adjust_output_conv()).
  //    Index 2 and 4 carry the weights, as in the reference's nn.Sequential.
  head_ = torch::nn::Sequential(torch::nn::AdaptiveAvgPool1d(1), torch::nn::Flatten(),
                                torch::nn::Linear(options_.unetChannels(), options_.headHidden()), torch::nn::Mish(),
                                torch::nn::Linear(options_.headHidden(), options_.ecgnet().numClasses()));
  if (unet_->named_children().contains("output_conv")) {
    unet_->replace_module("output_conv", head_.ptr());
  } else {
    unet_->register_module("output_conv", head_.ptr());
  }

  // 4. ECGNet and the fusion weights.
  ecgnet_ = register_module("ecgnet", ECGNet(options_.ecgnet()));
  weights_ = register_parameter("weights", torch::tensor({0.5f, 0.5f}));
}

torch::Tensor FusionClassifierImpl::unetLogits(const torch::Tensor& x) {
  auto t = torch::full({x.size(0)}, options_.diffusionStep(), x.options().dtype(torch::kLong));
  auto features = trunk_(x, t);
  check(features.dim() == 3 && features.size(1) == options_.unetChannels(), ErrorCode::Shape,
        "Expected U-Net features of shape [batch, " + std::to_string(options_.unetChannels()) +
            ", length] but received " + c10::str(features.sizes()));
  return head_->forward(features);
}

torch::Tensor FusionClassifierImpl::forward(torch::Tensor x) {
  check(x.dim() == 3 && x.size(1) == options_.unetChannels(), ErrorCode::Shape,
        "Expected FusionClassifier input of shape [batch, " + std::to_string(options_.unetChannels()) +
            ", samples] but received " + c10::str(x.sizes()));
  return weights_[0] * unetLogits(x) + weights_[1] * ecgnet_->forward(x);
}

}  // namespace nn
}  // namespace ecgldm
