// CPU loop kernels of one dwt / idwt level on one row, templated on float / double.
// Each row is first extended once into a small per-thread buffer, so the inner loops
// run over contiguous memory with a fixed tap count and no boundary branches: every
// tap works on a polyphase half (o -> 2o + m becomes o -> o + m/2), contiguous, in
// register blocks the compiler vectorizes without reassociating any sum.
#pragma once

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "wavelet/dwt.h"

namespace ecgldm::wavelet {

/** A bank's filters rearranged for the polyphase loops (see dwt.h for the formulas). */
template <typename T>
struct PolyphaseBank {
  int64_t halfLength = 0;  // F / 2 taps per polyphase filter
  // dwt: c[o] = sum_r even[r] * e[2(o+r)] + odd[r] * e[2(o+r)+1], with rev(dec) split by parity.
  std::vector<T> decLoEven, decLoOdd, decHiEven, decHiOdd;
  // idwt: y[2p] = sum_r evenOut[r] * c[p+r], y[2p+1] = sum_r oddOut[r] * c[p+r].
  std::vector<T> recLoEvenOut, recLoOddOut, recHiEvenOut, recHiOddOut;

  explicit PolyphaseBank(const FilterBank& bank) {
    const int64_t F = bank.length();
    check(F % 2 == 0 && F >= 2, ErrorCode::ArgRange, "wavelet " + bank.name + " has an odd filter length");
    halfLength = F / 2;
    for (int64_t r = 0; r < halfLength; ++r) {
      decLoEven.push_back(static_cast<T>(bank.decLo[F - 1 - 2 * r]));
      decLoOdd.push_back(static_cast<T>(bank.decLo[F - 2 - 2 * r]));
      decHiEven.push_back(static_cast<T>(bank.decHi[F - 1 - 2 * r]));
      decHiOdd.push_back(static_cast<T>(bank.decHi[F - 2 - 2 * r]));
      recLoEvenOut.push_back(static_cast<T>(bank.recLo[F - 2 - 2 * r]));
      recLoOddOut.push_back(static_cast<T>(bank.recLo[F - 1 - 2 * r]));
      recHiEvenOut.push_back(static_cast<T>(bank.recHi[F - 2 - 2 * r]));
      recHiOddOut.push_back(static_cast<T>(bank.recHi[F - 1 - 2 * r]));
    }
  }
};

/** Per-thread scratch of the row kernels; grows to the largest row and is reused. */
template <typename T>
struct RowScratch {
  std::vector<T> extended, even, odd, coeffA, coeffD, full;
};

/**
 * The one inner kernel of both directions, a pair of two-input valid correlations:
 *   out0[o] = sum_r f00[r] * in0[o + r] + f01[r] * in1[o + r]
 *   out1[o] = sum_r f10[r] * in0[o + r] + f11[r] * in1[o + r]     for o < count.
 * Defined in correlate.cpp, compiled for AVX2+FMA and baseline x86-64 with the CPU's
 * choice made at load time (the addon is built without -march flags).
 */
void correlatePair(const float* in0, const float* in1, const float* f00, const float* f01, const float* f10,
                   const float* f11, int64_t taps, int64_t count, float* out0, float* out1);
void correlatePair(const double* in0, const double* in1, const double* f00, const double* f01, const double* f10,
                   const double* f11, int64_t taps, int64_t count, double* out0, double* out1);

/** Writes the extension of x (plan.length samples, or one fewer when repeatLast) into ext. */
template <typename T>
inline void extendRow(const T* x, int64_t n, const ExtensionPlan& plan, bool repeatLast, T* ext) {
  T* interior = ext + plan.left;
  std::copy(x, x + n, interior);
  if (repeatLast) interior[n] = x[n - 1];
  auto sample = [interior](const ExtendedSample& s) {
    return static_cast<T>(s.weight) * interior[s.index] +
           static_cast<T>(s.slopeSteps) * (interior[s.slopeFrom] - interior[s.slopeTo]);
  };
  for (int64_t k = 0; k < plan.left; ++k) ext[k] = sample(plan.leftSamples[k]);
  for (int64_t k = 0; k < plan.right; ++k) interior[plan.length + k] = sample(plan.rightSamples[k]);
}

/** One dwt level of one row: x (plan.inputLength) -> cA, cD (plan.coeffLength each). */
template <typename T>
void dwtRow(const T* x, const DwtPlan& plan, const PolyphaseBank<T>& bank, RowScratch<T>& scratch, T* cA, T* cD) {
  const int64_t extendedLength = plan.extension.extendedLength();
  const int64_t half = extendedLength / 2;
  scratch.extended.resize(extendedLength);
  scratch.even.resize(half);
  scratch.odd.resize(half);
  extendRow(x, plan.inputLength, plan.extension, plan.repeatLast, scratch.extended.data());
  for (int64_t i = 0; i < half; ++i) {
    scratch.even[i] = scratch.extended[2 * i];
    scratch.odd[i] = scratch.extended[2 * i + 1];
  }
  correlatePair(scratch.even.data(), scratch.odd.data(), bank.decLoEven.data(), bank.decLoOdd.data(),
                bank.decHiEven.data(), bank.decHiOdd.data(), bank.halfLength, plan.coeffLength, cA, cD);
}

/** One idwt level of one row: cA, cD (plan.coeffLength each) -> y (plan.outputLength). */
template <typename T>
void idwtRow(const T* cA, const T* cD, const IdwtPlan& plan, const PolyphaseBank<T>& bank, RowScratch<T>& scratch,
             T* y) {
  const T* a = cA;
  const T* d = cD;
  int64_t length = plan.coeffLength;
  if (plan.periodic) {
    length = plan.extension.extendedLength();
    scratch.coeffA.resize(length);
    scratch.coeffD.resize(length);
    extendRow(cA, plan.coeffLength, plan.extension, false, scratch.coeffA.data());
    extendRow(cD, plan.coeffLength, plan.extension, false, scratch.coeffD.data());
    a = scratch.coeffA.data();
    d = scratch.coeffD.data();
  }
  const int64_t taps = bank.halfLength;
  const int64_t perPhase = length - taps + 1;  // valid outputs of each phase
  scratch.even.resize(perPhase);
  scratch.odd.resize(perPhase);
  correlatePair(a, d, bank.recLoEvenOut.data(), bank.recHiEvenOut.data(), bank.recLoOddOut.data(),
                bank.recHiOddOut.data(), taps, perPhase, scratch.even.data(), scratch.odd.data());
  // Interleave the phases: output t is valid output t + skip, even ones from `even`.
  const int64_t firstEven = plan.skip % 2;
  for (int64_t t = firstEven; t < plan.outputLength; t += 2) y[t] = scratch.even[(t + plan.skip) / 2];
  for (int64_t t = 1 - firstEven; t < plan.outputLength; t += 2) y[t] = scratch.odd[(t + plan.skip) / 2];
}

}  // namespace ecgldm::wavelet
