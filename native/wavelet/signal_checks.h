// Argument checks shared by every wavelet entry point: dtype, emptiness, finiteness.
#pragma once

#include <ATen/ATen.h>

namespace ecgldm::wavelet {

/**
 * Throws Error(DType) unless `x` is float32/float64, Error(Shape) if it has no samples
 * (or no dimension), Error(NonFinite) naming the first row (flattened leading dims)
 * that holds NaN or Inf. `argName` names the argument in each message.
 */
void checkSignal(const at::Tensor& x, const char* argName);

}  // namespace ecgldm::wavelet
