#include "core/runtime_info.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <torch/version.h>

#include <fstream>
#include <set>
#include <sstream>

#include "core/device.h"
#include "core/error.h"

namespace ecgldm {

namespace {

std::string configValue(const std::string& config, const std::string& key) {
  const auto at = config.find(key + "=");
  if (at == std::string::npos) return "unknown";
  const auto begin = at + key.size() + 1;
  const auto end = config.find_first_of(",\n", begin);
  return config.substr(begin, end - begin);
}

// /proc/self/maps tells which shared objects the dynamic linker really chose.
std::vector<std::string> mappedLibraries() {
  std::ifstream maps("/proc/self/maps");
  std::set<std::string> found;
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    for (const char* needle : {"blas", "lapack", "mkl", "gomp", "iomp", "libtorch", "libc10"}) {
      if (path.find(needle) != std::string::npos) {
        found.insert(path);
        break;
      }
    }
  }
  return {found.begin(), found.end()};
}

}  // namespace

RuntimeInfo runtimeInfo() {
  RuntimeInfo info;
  info.torchVersion = TORCH_VERSION;
  info.cudaCompiled = at::hasCUDA();
  info.cudaDeviceCount = cudaDeviceCount();
  info.threads = at::get_num_threads();
  info.interopThreads = at::get_num_interop_threads();
  info.blasCompiled = configValue(at::show_config(), "BLAS_INFO");
  info.loadedLibraries = mappedLibraries();
  return info;
}

void configureRuntime() {
#if TORCH_VERSION_MAJOR >= 2  // LibTorch 1.13 has no switch (and Debian's builds no NNPACK)
  at::globalContext().setUserEnabledNNPACK(false);
#endif
}

void setThreads(int threads) {
  check(threads >= 1 && threads <= 1024, ErrorCode::ArgRange,
        "Expected integer between 1 and 1024 for threads but received " + std::to_string(threads));
  at::set_num_threads(threads);
}

}  // namespace ecgldm
