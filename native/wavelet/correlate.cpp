// The inner kernel of the dwt / idwt row loops (declared in dwt_kernels.h). It is the
// hot loop of every CPU transform, so it is compiled twice: for AVX2+FMA and for the
// baseline, and the dynamic loader picks one per CPU (GCC target_clones, an ifunc). The
// always-inline body takes the target of the clone it is inlined into.
#include <cstdint>

#include "wavelet/dwt_kernels.h"

// ifunc needs GCC and glibc (not clang, not musl); elsewhere the baseline build alone runs.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
#define ECGLDM_CLONES __attribute__((target_clones("arch=haswell", "default")))
#else
#define ECGLDM_CLONES
#endif

namespace ecgldm::wavelet {
namespace {

/**
 * A pair of two-input valid correlations (see correlatePair):
 *   out0[o] = sum_r f00[r] * in0[o + r] + f01[r] * in1[o + r]
 *   out1[o] = sum_r f10[r] * in0[o + r] + f11[r] * in1[o + r]     for o < count.
 * Outputs are computed in register blocks of kBlock: each block loads its inputs once
 * per tap and keeps its sums in vector registers, so the compiler's vectorized `b` loop
 * does two FMAs per load and no stores until the block is done.
 */
template <typename T>
[[gnu::always_inline]] inline void correlatePairBody(const T* __restrict in0, const T* __restrict in1,
                                                    const T* __restrict f00, const T* __restrict f01,
                                                    const T* __restrict f10, const T* __restrict f11, int64_t taps,
                                                    int64_t count, T* __restrict out0, T* __restrict out1) {
  constexpr int kBlock = 64 / sizeof(T);  // one cache line: 16 floats or 8 doubles
  int64_t o = 0;
  for (; o + kBlock <= count; o += kBlock) {
    T sum0[kBlock] = {}, sum1[kBlock] = {};
    for (int64_t r = 0; r < taps; ++r) {
      const T* __restrict a = in0 + o + r;
      const T* __restrict b = in1 + o + r;
      const T w00 = f00[r], w01 = f01[r], w10 = f10[r], w11 = f11[r];
      for (int k = 0; k < kBlock; ++k) {
        sum0[k] += w00 * a[k] + w01 * b[k];
        sum1[k] += w10 * a[k] + w11 * b[k];
      }
    }
    for (int k = 0; k < kBlock; ++k) {
      out0[o + k] = sum0[k];
      out1[o + k] = sum1[k];
    }
  }
  for (; o < count; ++o) {  // the tail, same sums one output at a time
    T sum0 = 0, sum1 = 0;
    for (int64_t r = 0; r < taps; ++r) {
      sum0 += f00[r] * in0[o + r] + f01[r] * in1[o + r];
      sum1 += f10[r] * in0[o + r] + f11[r] * in1[o + r];
    }
    out0[o] = sum0;
    out1[o] = sum1;
  }
}

}  // namespace

ECGLDM_CLONES void correlatePair(const float* in0, const float* in1, const float* f00, const float* f01,
                                 const float* f10, const float* f11, int64_t taps, int64_t count, float* out0,
                                 float* out1) {
  correlatePairBody(in0, in1, f00, f01, f10, f11, taps, count, out0, out1);
}

ECGLDM_CLONES void correlatePair(const double* in0, const double* in1, const double* f00, const double* f01,
                                 const double* f10, const double* f11, int64_t taps, int64_t count, double* out0,
                                 double* out1) {
  correlatePairBody(in0, in1, f00, f01, f10, f11, taps, count, out0, out1);
}

}  // namespace ecgldm::wavelet
