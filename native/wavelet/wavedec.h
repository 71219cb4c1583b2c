// Multilevel decomposition and reconstruction (pywt.wavedec / pywt.waverec) over a batch
// of signals shaped [..., L] (typically [N, C, L]): every row is transformed independently.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "wavelet/dwt.h"

namespace ecgldm::wavelet {

/** pywt.dwt_max_level: floor(log2(length / (F - 1))), 0 when length < F - 1 or F < 2. */
int dwtMaxLevel(int64_t length, int64_t filterLength);

/**
 * pywt._check_level: level < 0 throws Error(ArgRange); level > dwtMaxLevel appends pywt's
 * UserWarning text to `warnings` (when given) and the decomposition goes on, as pywt's does.
 */
void checkLevel(int64_t length, int64_t filterLength, int level, std::vector<std::string>* warnings);

/** The dwt plan of each level, first level (on the signal) first. */
std::vector<DwtPlan> planWavedec(int64_t length, int64_t filterLength, Mode mode, int level);

/**
 * The idwt plan of each level for coefficients of these lengths ([cA_n, cD_n, ..., cD_1]).
 * Throws Error(Shape) where an approximation is neither as long as its detail nor one
 * longer (pywt: "coefficient shape mismatch").
 */
std::vector<IdwtPlan> planWaverec(const std::vector<int64_t>& coeffLengths, int64_t filterLength, Mode mode);

/**
 * pywt.wavedec along the last axis of x (float32/float64, finite, non-empty):
 * returns [cA_n, cD_n, ..., cD_1], each shaped [..., L_k].
 */
std::vector<at::Tensor> wavedec(const at::Tensor& x, const FilterBank& bank, Mode mode, int level,
                                std::vector<std::string>* warnings = nullptr, Backend backend = Backend::Auto);

/** pywt.waverec of [cA_n, cD_n, ..., cD_1] (equal leading dims and dtype); not cut. */
at::Tensor waverec(const std::vector<at::Tensor>& coeffs, const FilterBank& bank, Mode mode,
                   Backend backend = Backend::Auto);

}  // namespace ecgldm::wavelet
