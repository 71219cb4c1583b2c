#include "wavelet/signal_checks.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "core/error.h"

namespace ecgldm::wavelet {
namespace {

// IEEE-754: a value is NaN or Inf exactly when all its exponent bits are set. Testing the
// bits (an integer OR-reduction) lets the compiler vectorize the scan, which std::isfinite
// or a floating-point reduction would not without -ffast-math.
template <typename T>
struct ExponentBits;
template <>
struct ExponentBits<float> {
  using Bits = uint32_t;
  static constexpr Bits kMask = 0x7f800000u;
};
template <>
struct ExponentBits<double> {
  using Bits = uint64_t;
  static constexpr Bits kMask = 0x7ff0000000000000ull;
};

template <typename T>
bool rowIsFinite(const T* row, int64_t length) {
  using Bits = typename ExponentBits<T>::Bits;
  constexpr Bits mask = ExponentBits<T>::kMask;
  Bits nonFinite = 0;
  for (int64_t i = 0; i < length; ++i) {
    Bits bits;
    std::memcpy(&bits, row + i, sizeof(T));
    nonFinite |= static_cast<Bits>((bits & mask) == mask);
  }
  return nonFinite == 0;
}

/** Index of the first row holding NaN or Inf, or -1. */
int64_t firstNonFiniteRow(const at::Tensor& rows) {
  const int64_t count = rows.size(0), length = rows.size(1);
  std::atomic<int64_t> first{std::numeric_limits<int64_t>::max()};
  AT_DISPATCH_FLOATING_TYPES(rows.scalar_type(), "wavelet::checkSignal", [&] {
    const scalar_t* data = rows.data_ptr<scalar_t>();
    at::parallel_for(0, count, 64, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        if (rowIsFinite(data + r * length, length)) continue;
        int64_t seen = first.load();
        while (r < seen && !first.compare_exchange_weak(seen, r)) {
        }
        return;
      }
    });
  });
  const int64_t row = first.load();
  return row == std::numeric_limits<int64_t>::max() ? -1 : row;
}

}  // namespace

void checkSignal(const at::Tensor& x, const char* argName) {
  const std::string name(argName);
  check(x.scalar_type() == at::kFloat || x.scalar_type() == at::kDouble, ErrorCode::DType,
        "Expected float32 or float64 for " + name + " but received " + std::string(c10::toString(x.scalar_type())));
  check(x.dim() >= 1 && x.numel() > 0, ErrorCode::Shape,
        "Expected a non-empty signal for " + name + " but received shape " + c10::str(x.sizes()));
  at::Tensor rows = x.reshape({-1, x.size(-1)});
  int64_t row = -1;
  if (x.device().is_cpu()) {
    row = firstNonFiniteRow(rows.contiguous());
  } else {
    at::Tensor finiteRows = at::isfinite(rows).all(1);
    if (!finiteRows.all().item<bool>()) row = finiteRows.logical_not().nonzero()[0][0].item<int64_t>();
  }
  check(row < 0, ErrorCode::NonFinite, name + " contains NaN or Inf at row " + std::to_string(row));
}

}  // namespace ecgldm::wavelet
