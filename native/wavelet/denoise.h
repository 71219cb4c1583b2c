// The seed's wavelet denoising recipe as one call, per signal row:
//   1. coeffs = wavedec(x, wavelet, mode, level)                      [cA_n, cD_n, ..., cD_1]
//   2. sigma  = median(|cD1|) / 0.6745                                  (MAD noise estimate)
//   3. thr    = sigma * sqrt(2 ln M), M = len(cD1)                      (universal threshold)
//   4. cD1 = cD2 = 0; soft-threshold every other detail AND cA_n by thr
//   5. y = waverec(coeffs) cut to the input length
// M is the length of cD1, not of the signal: the golden outputs (seed_denoise.json, from
// the seed's code) reproduce only with len(cD1) (checked to 1e-13 on all four signals).
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "wavelet/dwt.h"

namespace ecgldm::wavelet {

struct DenoiseOptions {
  std::string wavelet = "sym8";
  int level = 8;
  Mode mode = Mode::Symmetric;  // pywt.wavedec's default, as the seed calls it
};

struct DenoiseResult {
  at::Tensor signal;     // same shape and dtype as the input
  at::Tensor threshold;  // float64 [...], the threshold of each row
};

/**
 * Denoises every row of x [..., L] (float32/float64, finite, non-empty). `output`, when
 * defined, receives the result instead of a new tensor: a contiguous CPU tensor of x's
 * shape and dtype, which may be x itself (each row is read before it is written) — the
 * binding passes its own copy of the input, saving an allocation of the batch's size.
 */
DenoiseResult denoise(const at::Tensor& x, const DenoiseOptions& options, std::vector<std::string>* warnings = nullptr,
                      Backend backend = Backend::Auto, const at::Tensor& output = at::Tensor());

/** The constant of step 2: the 0.75 quantile of |N(0, 1)|, so sigma estimates a Gaussian std. */
constexpr double kMadToSigma = 0.6745;

}  // namespace ecgldm::wavelet
