#include "core/runtime_info.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <torch/version.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "core/caching_cpu_allocator.h"
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

// The block cache's limit: ECG_LDM_CPU_CACHE_MB when set (0 turns caching off), else a
// quarter of physical memory, at most 8 GiB (a seed U-Net step at batch 32 needs ~1.5 GiB).
std::size_t cpuCacheLimit() {
  constexpr std::size_t kMiB = 1024 * 1024;
  if (const char* text = std::getenv("ECG_LDM_CPU_CACHE_MB")) {
    char* end = nullptr;
    const unsigned long long mib = std::strtoull(text, &end, 10);
    check(*text >= '0' && *text <= '9' && *end == '\0', ErrorCode::ArgRange,
          std::string("Expected a whole number of MiB (0 = off) for ECG_LDM_CPU_CACHE_MB but received ") + text);
    return static_cast<std::size_t>(mib) * kMiB;
  }
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long pageSize = sysconf(_SC_PAGE_SIZE);
  const std::size_t physical = pages > 0 && pageSize > 0 ? static_cast<std::size_t>(pages) * pageSize : 0;
  return std::min<std::size_t>(physical / 4, 8192 * kMiB);
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
  info.cpuCache = cpuCacheStats();
  return info;
}

void configureRuntime() {
  installCachingCpuAllocator(cpuCacheLimit());
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
