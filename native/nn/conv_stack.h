// The convolutional front end shared by the Cnn1d and CnnLstm baselines: one block per
// entry of `channels`, each Conv1d(k, same padding, no bias) -> BatchNorm1d -> ReLU ->
// MaxPool1d(pool).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ecgldm {
namespace nn {

/** Builds the conv/pool blocks; `owner` names the module in error messages. */
torch::nn::Sequential convPoolStack(int64_t inChannels, const std::vector<int64_t>& channels, int64_t kernelSize,
                                    int64_t pool, const std::string& owner);

/** Shortest input the stack accepts: pool^blocks samples (one sample left after pooling). */
int64_t convPoolMinLength(size_t blocks, int64_t pool);

}  // namespace nn
}  // namespace ecgldm
