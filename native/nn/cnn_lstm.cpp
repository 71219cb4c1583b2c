#include "nn/cnn_lstm.h"

#include <string>
#include <tuple>

#include "core/error.h"
#include "nn/conv_stack.h"

namespace ecgldm {
namespace nn {

CnnLstmImpl::CnnLstmImpl(const CnnLstmOptions& options) : options_(options) {
  const auto& o = options_;
  check(o.numClasses() > 0 && o.hidden() > 0 && o.layers() > 0, ErrorCode::ArgRange,
        "Expected positive numClasses, hidden and layers for CnnLstm");
  check(o.dropout() >= 0 && o.dropout() < 1, ErrorCode::ArgRange,
        "Expected CnnLstm dropout in [0, 1) but received " + std::to_string(o.dropout()));
  features_ = register_module("features", convPoolStack(o.leads(), o.channels(), o.kernelSize(), o.pool(), "CnnLstm"));
  const int64_t in = o.channels().back();
  lstm_ = register_module(
      "lstm", torch::nn::LSTM(torch::nn::LSTMOptions(in, o.hidden())
                                  .num_layers(o.layers())
                                  .batch_first(true)
                                  .bidirectional(o.bidirectional())
                                  .dropout(o.layers() > 1 ? o.dropout() : 0.0)));
  dropout_ = register_module("dropout", torch::nn::Dropout(o.dropout()));
  classifier_ = register_module(
      "classifier", torch::nn::Linear(o.hidden() * (o.bidirectional() ? 2 : 1), o.numClasses()));
}

torch::Tensor CnnLstmImpl::forward(torch::Tensor x) {
  const int64_t minLength = convPoolMinLength(options_.channels().size(), options_.pool());
  check(x.dim() == 3 && x.size(1) == options_.leads() && x.size(2) >= minLength, ErrorCode::Shape,
        "Expected CnnLstm input of shape [batch, " + std::to_string(options_.leads()) + ", length >= " +
            std::to_string(minLength) + "] but received " + c10::str(x.sizes()));
  x = features_->forward(x);                              // [B, C, L']
  auto sequence = std::get<0>(lstm_->forward(x.transpose(1, 2)));  // [B, L', H * directions]
  x = sequence.mean(1);                                   // average over time
  return classifier_->forward(dropout_->forward(x));
}

}  // namespace nn
}  // namespace ecgldm
