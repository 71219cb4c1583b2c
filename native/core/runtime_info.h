// Facts about the LibTorch this addon runs on, for ecgldm.info(): versions, threads,
// CUDA, and which BLAS is really loaded (Debian's LibTorch is 160x slower at matmul
// with the reference BLAS than with OpenBLAS; see shared/LIBTORCH.md).
#pragma once

#include <string>
#include <vector>

#include "core/caching_cpu_allocator.h"

namespace ecgldm {

struct RuntimeInfo {
  std::string torchVersion;
  bool cudaCompiled = false;
  int cudaDeviceCount = 0;
  int threads = 0;
  int interopThreads = 0;
  std::string blasCompiled;                // BLAS_INFO from at::show_config()
  std::vector<std::string> loadedLibraries;  // BLAS/LAPACK/MKL/OpenMP/torch libraries mapped in
  CpuCacheStats cpuCache;                    // the caching CPU allocator's state
};

RuntimeInfo runtimeInfo();

/**
 * Process-wide LibTorch settings made once when the addon loads: the caching CPU
 * allocator (core/caching_cpu_allocator.h; ECG_LDM_CPU_CACHE_MB sets its limit), and
 * NNPACK off (it only prints "Could not initialize NNPACK! Unsupported hardware" on many
 * CPUs, per thread, and oneDNN serves the same convolutions).
 */
void configureRuntime();

/** Sets LibTorch's intra-op thread count (all later native work uses it). */
void setThreads(int threads);

}  // namespace ecgldm
