#include "wavelet/mode.h"

#include <array>
#include <utility>

#include "core/error.h"

namespace ecgldm::wavelet {
namespace {

constexpr std::array<std::pair<const char*, Mode>, 8> kModes = {{
    {"zero", Mode::Zero},
    {"constant", Mode::Constant},
    {"symmetric", Mode::Symmetric},
    {"periodic", Mode::Periodic},
    {"smooth", Mode::Smooth},
    {"periodization", Mode::Periodization},
    {"reflect", Mode::Reflect},
    {"antisymmetric", Mode::Antisymmetric},
}};

int64_t positiveModulo(int64_t i, int64_t period) {
  int64_t r = i % period;
  return r < 0 ? r + period : r;
}

// The source of extended position `i` (i < 0 or i >= n) of a signal of n samples.
ExtendedSample sourceOf(int64_t i, int64_t n, Mode mode) {
  ExtendedSample s;
  s.weight = 1;
  switch (mode) {
    case Mode::Zero:
      s.weight = 0;
      break;
    case Mode::Constant:
      s.index = i < 0 ? 0 : n - 1;
      break;
    case Mode::Periodic:
    case Mode::Periodization:
      s.index = positiveModulo(i, n);
      break;
    case Mode::Symmetric:
    case Mode::Antisymmetric: {
      // Half-sample symmetric with period 2n; the mirrored half flips sign for Antisymmetric.
      int64_t k = positiveModulo(i, 2 * n);
      bool mirrored = k >= n;
      s.index = mirrored ? 2 * n - 1 - k : k;
      if (mirrored && mode == Mode::Antisymmetric) s.weight = -1;
      break;
    }
    case Mode::Reflect: {
      int64_t k = positiveModulo(i, 2 * n - 2);
      s.index = k < n ? k : 2 * n - 2 - k;
      break;
    }
    case Mode::Smooth:
      // pywt: the first / last two samples continue linearly; one sample is constant.
      s.index = i < 0 ? 0 : n - 1;
      if (n > 1) {
        s.slopeFrom = s.index;
        s.slopeTo = i < 0 ? 1 : n - 2;
        s.slopeSteps = static_cast<double>(i < 0 ? -i : i - (n - 1));
      }
      break;
  }
  return s;
}

}  // namespace

Mode parseMode(const std::string& name) {
  for (const auto& [known, mode] : kModes)
    if (name == known) return mode;
  std::string list;
  for (const auto& entry : kModes) list += (list.empty() ? "" : ", ") + std::string(entry.first);
  throw Error(ErrorCode::ArgRange, "unknown mode \"" + name + "\"; known: " + list);
}

const char* modeName(Mode mode) {
  for (const auto& [known, value] : kModes)
    if (value == mode) return known;
  return "?";
}

std::vector<std::string> modeNames() {
  std::vector<std::string> names;
  for (const auto& entry : kModes) names.emplace_back(entry.first);
  return names;
}

ExtensionPlan planExtension(int64_t length, int64_t left, int64_t right, Mode mode) {
  check(length > 0, ErrorCode::Shape, "cannot extend an empty signal");
  // pywt (convolution.c): "Input data length must be greater than 1 for [anti]reflect mode."
  check(mode != Mode::Reflect || length > 1, ErrorCode::ArgRange,
        "a signal (or coefficient array) of length 1 cannot be extended in reflect mode");
  ExtensionPlan plan;
  plan.length = length;
  plan.left = left;
  plan.right = right;
  plan.leftSamples.reserve(left);
  for (int64_t i = -left; i < 0; ++i) plan.leftSamples.push_back(sourceOf(i, length, mode));
  plan.rightSamples.reserve(right);
  for (int64_t i = length; i < length + right; ++i) plan.rightSamples.push_back(sourceOf(i, length, mode));
  return plan;
}

}  // namespace ecgldm::wavelet
