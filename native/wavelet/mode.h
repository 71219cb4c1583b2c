// The signal-extension modes of PyWavelets (pywt.Modes) and how each one extends a
// finite signal past its edges. One description (ExtensionPlan) serves both the CPU loop
// kernels and the ATen-op path, so the two cannot disagree about a boundary.
#pragma once

#include <string>
#include <vector>

namespace ecgldm::wavelet {

enum class Mode {
  Zero,           // ... 0 0 | x1 .. xn | 0 0 ...
  Constant,       // ... x1 x1 | x1 .. xn | xn xn ...
  Symmetric,      // ... x2 x1 | x1 .. xn | xn xn-1 ...   (half-sample symmetric)
  Reflect,        // ... x3 x2 | x1 .. xn | xn-1 xn-2 ... (whole-sample symmetric)
  Periodic,       // ... xn-1 xn | x1 .. xn | x1 x2 ...
  Smooth,         // linear continuation of the first / last two samples
  Antisymmetric,  // ... -x2 -x1 | x1 .. xn | -xn -xn-1 ...
  Periodization,  // periodic with ceil(n/2) coefficients (odd n: last sample repeated)
};

/** Parses a pywt mode name ("symmetric", ...); throws Error(ArgRange) naming the known ones. */
Mode parseMode(const std::string& name);

/** The pywt name of `mode`. */
const char* modeName(Mode mode);

/** Every mode name, in pywt.Modes.modes order. */
std::vector<std::string> modeNames();

/**
 * Where one sample outside [0, n) comes from: value = weight * x[index]
 * + slopeSteps * (x[slopeFrom] - x[slopeTo]). Only Smooth uses the slope term.
 */
struct ExtendedSample {
  int64_t index = 0;
  double weight = 0;
  int64_t slopeFrom = 0, slopeTo = 0;
  double slopeSteps = 0;
};

/** How a signal of `length` samples is extended by `left` / `right` samples. */
struct ExtensionPlan {
  int64_t length = 0, left = 0, right = 0;
  std::vector<ExtendedSample> leftSamples, rightSamples;  // outermost-left first; innermost-right first
  int64_t extendedLength() const { return left + length + right; }
};

/**
 * The extension of `mode` for a signal of `length` samples. It wraps as often as needed
 * (a signal shorter than the filter reflects / repeats several times, as pywt's
 * convolution does). Periodization is planned as Periodic: the caller pads odd lengths.
 * Reflect needs length > 1: pywt raises ValueError there, so this throws Error(ArgRange).
 */
ExtensionPlan planExtension(int64_t length, int64_t left, int64_t right, Mode mode);

}  // namespace ecgldm::wavelet
