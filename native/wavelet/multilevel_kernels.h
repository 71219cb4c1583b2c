// CPU loop kernels of the multilevel transform on one row: every level of a row runs in
// one task, so its coefficients stay in cache from decomposition to reconstruction.
#pragma once

#include <vector>

#include "wavelet/dwt_kernels.h"

namespace ecgldm::wavelet {

/** Per-thread scratch of the multilevel kernels. */
template <typename T>
struct MultilevelScratch {
  RowScratch<T> row;
  std::vector<T> ping, pong;  // intermediate approximations, alternately written
};

/**
 * pywt.wavedec of one row: coeffs[0] = cA_n, coeffs[j] = cD_{n-j+1} (n = levels.size()),
 * each pointing at levels[..].coeffLength writable samples.
 */
template <typename T>
void wavedecRow(const T* x, const std::vector<DwtPlan>& levels, const PolyphaseBank<T>& bank,
                MultilevelScratch<T>& scratch, T* const* coeffs) {
  const int64_t n = static_cast<int64_t>(levels.size());
  const T* input = x;
  for (int64_t i = 0; i < n; ++i) {
    T* approx = coeffs[0];
    if (i + 1 < n) {
      std::vector<T>& buffer = i % 2 == 0 ? scratch.ping : scratch.pong;
      buffer.resize(levels[i].coeffLength);
      approx = buffer.data();
    }
    dwtRow(input, levels[i], bank, scratch.row, approx, coeffs[n - i]);
    input = approx;
  }
}

/**
 * pywt.waverec of one row from coeffs ordered as wavedecRow writes them; levels[j - 1]
 * reconstructs from (approximation, coeffs[j]). An approximation one sample longer than
 * its detail is read without its last sample (pywt's rule), which plain pointers give.
 * Writes levels.back().outputLength samples to y.
 */
template <typename T>
void waverecRow(const T* const* coeffs, const std::vector<IdwtPlan>& levels, const PolyphaseBank<T>& bank,
                MultilevelScratch<T>& scratch, T* y) {
  const int64_t n = static_cast<int64_t>(levels.size());
  const T* approx = coeffs[0];
  for (int64_t j = 1; j <= n; ++j) {
    T* output = y;
    if (j < n) {
      std::vector<T>& buffer = j % 2 == 1 ? scratch.ping : scratch.pong;
      buffer.resize(levels[j - 1].outputLength);
      output = buffer.data();
    }
    idwtRow(approx, coeffs[j], levels[j - 1], bank, scratch.row, output);
    approx = output;
  }
}

}  // namespace ecgldm::wavelet
