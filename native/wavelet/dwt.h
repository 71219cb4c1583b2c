// Single-level discrete wavelet transform and its inverse with PyWavelets' exact
// semantics (pywt.dwt / pywt.idwt): coefficient lengths, boundary handling, phase.
//
// Both directions are written as "valid" correlations over an extended signal:
//   dwt:  c[o] = sum_m rev(dec)[m] * e[2o + m],  e = x extended by planExtension
//   idwt: y[t] = sum_k c[k] * rec[t + F - 2 - 2k] over the valid part of the full
//         upsampled convolution (pywt's upsampling_convolution_valid_sf)
// The CPU loop kernels (dwt_kernels.h) split them into polyphase halves; the ATen path
// (dwtWithOps / idwtWithOps) runs them as conv1d / conv_transpose1d with stride 2.
#pragma once

#include <ATen/ATen.h>

#include <utility>

#include "wavelet/filter_bank.h"
#include "wavelet/mode.h"

namespace ecgldm::wavelet {

/** Which implementation runs: Auto = loops on CPU, ATen ops elsewhere (CUDA). */
enum class Backend { Auto, Loops, AtenOps };

/** True when `backend` resolves to the ATen-op path for a tensor on `device`. */
bool usesAtenOps(Backend backend, const at::Device& device);

/** pywt.dwt_coeff_len: floor((n + F - 1) / 2), or ceil(n / 2) for periodization. */
int64_t dwtCoeffLength(int64_t signalLength, int64_t filterLength, Mode mode);

/**
 * Length pywt.idwt reconstructs from `coeffLength` coefficients: 2L - F + 2, or 2L for
 * periodization. pywt raises ValueError when that is not positive ("Invalid coefficient
 * arrays length for specified wavelet"); this throws Error(ArgRange).
 */
int64_t idwtOutputLength(int64_t coeffLength, int64_t filterLength, Mode mode);

/** Everything one dwt level needs that does not depend on the row: lengths and boundary. */
struct DwtPlan {
  int64_t inputLength = 0;  // samples of the input
  int64_t coeffLength = 0;  // samples of cA and of cD
  bool repeatLast = false;  // periodization of odd input: pywt appends the last sample once
  ExtensionPlan extension;  // of the (padded) input; extendedLength() == 2 * (coeffLength - 1) + F
};
DwtPlan planDwt(int64_t inputLength, int64_t filterLength, Mode mode);

/** Everything one idwt level needs: lengths, the periodic coefficient extension, the offset. */
struct IdwtPlan {
  int64_t coeffLength = 0;   // samples of cA and of cD
  int64_t outputLength = 0;  // idwtOutputLength
  bool periodic = false;     // periodization: coefficients are extended periodically first
  ExtensionPlan extension;   // of the coefficients (periodization only)
  int64_t skip = 0;          // valid outputs dropped before the first returned sample
};
IdwtPlan planIdwt(int64_t coeffLength, int64_t filterLength, Mode mode);

/** One dwt level over rows: x [R, n] -> (cA [R, L], cD [R, L]). */
std::pair<at::Tensor, at::Tensor> dwt(const at::Tensor& x, const FilterBank& bank, Mode mode,
                                      Backend backend = Backend::Auto);

/** One idwt level over rows: cA, cD [R, L] (equal lengths) -> [R, idwtOutputLength]. */
at::Tensor idwt(const at::Tensor& cA, const at::Tensor& cD, const FilterBank& bank, Mode mode,
                Backend backend = Backend::Auto);

/** The extension of every row of x [R, n] by `plan`, in ATen ops (index_select). */
at::Tensor extendWithOps(const at::Tensor& x, const ExtensionPlan& plan);

}  // namespace ecgldm::wavelet
