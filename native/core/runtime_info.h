// Facts about the LibTorch this addon runs on, for ecgldm.info(): versions, threads,
// CUDA, and which BLAS is really loaded (Debian's LibTorch is 160x slower at matmul
// with the reference BLAS than with OpenBLAS; see shared/LIBTORCH.md).
#pragma once

#include <string>
#include <vector>

namespace ecgldm {

struct RuntimeInfo {
  std::string torchVersion;
  bool cudaCompiled = false;
  int cudaDeviceCount = 0;
  int threads = 0;
  int interopThreads = 0;
  std::string blasCompiled;                // BLAS_INFO from at::show_config()
  std::vector<std::string> loadedLibraries;  // BLAS/LAPACK/MKL/OpenMP/torch libraries mapped in
};

RuntimeInfo runtimeInfo();

/**
 * Process-wide LibTorch settings made once when the addon loads: NNPACK off (it only
 * prints "Could not initialize NNPACK! Unsupported hardware" on many CPUs, per thread,
 * and oneDNN serves the same convolutions).
 */
void configureRuntime();

/** Sets LibTorch's intra-op thread count (all later native work uses it). */
void setThreads(int threads);

}  // namespace ecgldm
