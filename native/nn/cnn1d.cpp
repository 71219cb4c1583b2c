#include "nn/cnn1d.h"

#include <string>

#include "core/error.h"
#include "nn/conv_stack.h"

namespace ecgldm {
namespace nn {

Cnn1dImpl::Cnn1dImpl(const Cnn1dOptions& options) : options_(options) {
  check(options_.numClasses() > 0, ErrorCode::ArgRange,
        "Expected positive numClasses for Cnn1d but received " + std::to_string(options_.numClasses()));
  check(options_.dropout() >= 0 && options_.dropout() < 1, ErrorCode::ArgRange,
        "Expected Cnn1d dropout in [0, 1) but received " + std::to_string(options_.dropout()));
  features_ = register_module(
      "features", convPoolStack(options_.leads(), options_.channels(), options_.kernelSize(), options_.pool(), "Cnn1d"));
  dropout_ = register_module("dropout", torch::nn::Dropout(options_.dropout()));
  classifier_ = register_module("classifier", torch::nn::Linear(options_.channels().back(), options_.numClasses()));
}

torch::Tensor Cnn1dImpl::forward(torch::Tensor x) {
  const int64_t minLength = convPoolMinLength(options_.channels().size(), options_.pool());
  check(x.dim() == 3 && x.size(1) == options_.leads() && x.size(2) >= minLength, ErrorCode::Shape,
        "Expected Cnn1d input of shape [batch, " + std::to_string(options_.leads()) + ", length >= " +
            std::to_string(minLength) + "] but received " + c10::str(x.sizes()));
  x = features_->forward(x);
  x = x.mean(-1);  // global average pooling over time
  return classifier_->forward(dropout_->forward(x));
}

}  // namespace nn
}  // namespace ecgldm
