// pywt.threshold: soft, hard and non-negative garrote shrinkage, elementwise.
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace ecgldm::wavelet {

enum class ThresholdMode { Soft, Hard, Garrote };

/** Parses "soft" | "hard" | "garrote"; throws Error(ArgRange) otherwise. */
ThresholdMode parseThresholdMode(const std::string& name);

/**
 * One value thresholded exactly as pywt._thresholding computes it (same operations in
 * the same order, so results agree to the last bit):
 *  - soft:    x * max(0, 1 - t/|x|)   (x == 0 gives 0: t/0 = inf, clipped; t == 0, x == 0 gives NaN as in numpy)
 *  - garrote: x * max(0, 1 - t²/x²)
 *  - hard:    x
 * then, with a non-zero substitute, |x| < t becomes `substitute` (hard always applies this
 * rule, with substitute 0 by default). The clip keeps NaN as numpy's clip does.
 */
template <typename T>
inline T thresholdOne(T x, T t, ThresholdMode mode, T substitute) {
  const T magnitude = x < 0 ? -x : x;
  T shrunk = x;
  if (mode == ThresholdMode::Soft) {
    T factor = T(1) - t / magnitude;
    shrunk = x * (factor < T(0) ? T(0) : factor);
  } else if (mode == ThresholdMode::Garrote) {
    T factor = T(1) - (t * t) / (magnitude * magnitude);
    shrunk = x * (factor < T(0) ? T(0) : factor);
  }
  if (mode == ThresholdMode::Hard || substitute != T(0)) return magnitude < t ? substitute : shrunk;
  return shrunk;
}

/** Thresholds every element of a float32/float64 tensor (any shape, CPU or CUDA). */
at::Tensor threshold(const at::Tensor& data, double value, ThresholdMode mode, double substitute = 0);

}  // namespace ecgldm::wavelet
