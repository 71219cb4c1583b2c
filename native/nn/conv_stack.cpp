#include "nn/conv_stack.h"

#include "core/error.h"

namespace ecgldm {
namespace nn {

torch::nn::Sequential convPoolStack(int64_t inChannels, const std::vector<int64_t>& channels, int64_t kernelSize,
                                    int64_t pool, const std::string& owner) {
  check(inChannels > 0 && kernelSize > 0 && pool > 0, ErrorCode::ArgRange,
        "Expected positive leads, kernelSize and pool for " + owner);
  check(!channels.empty(), ErrorCode::ArgRange, "Expected at least one conv block in " + owner + " channels");
  torch::nn::Sequential stack;
  int64_t in = inChannels;
  for (int64_t out : channels) {
    check(out > 0, ErrorCode::ArgRange, "Expected positive " + owner + " channels but received " + std::to_string(out));
    stack->push_back(torch::nn::Conv1d(torch::nn::Conv1dOptions(in, out, kernelSize).padding(kernelSize / 2).bias(false)));
    stack->push_back(torch::nn::BatchNorm1d(out));
    stack->push_back(torch::nn::ReLU());
    stack->push_back(torch::nn::MaxPool1d(torch::nn::MaxPool1dOptions(pool)));
    in = out;
  }
  return stack;
}

int64_t convPoolMinLength(size_t blocks, int64_t pool) {
  int64_t length = 1;
  for (size_t i = 0; i < blocks; ++i) length *= pool;
  return length;
}

}  // namespace nn
}  // namespace ecgldm
