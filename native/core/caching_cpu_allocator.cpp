#include "core/caching_cpu_allocator.h"

#include <c10/core/CPUAllocator.h>
#include <c10/util/Exception.h>
#include <torch/version.h>

#include <sys/mman.h>

#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace ecgldm {

namespace {

// c10's own alignment for CPU tensors (AVX-512 loads).
constexpr std::size_t kAlignment = 64;
// Below this, glibc reuses freed memory by itself; above it, blocks are cached.
constexpr std::size_t kMinCachedBytes = 128 * 1024;
constexpr std::size_t kHugePage = 2 * 1024 * 1024;

// LibTorch 2.3 made allocate() non-const and added the pure virtual copy_data().
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
#define ECG_LDM_ALLOCATE_CONST
#define ECG_LDM_HAS_COPY_DATA 1
#else
#define ECG_LDM_ALLOCATE_CONST const
#define ECG_LDM_HAS_COPY_DATA 0
#endif

/**
 * Size classes of at most 1/8 waste: a request is rounded up to a multiple of an eighth
 * of its power of two, so blocks of nearby sizes (a last, smaller batch) share a class.
 */
std::size_t sizeClass(std::size_t bytes) {
  std::size_t power = 1;
  while (power * 2 <= bytes) power *= 2;
  const std::size_t step = power / 8;
  return (bytes + step - 1) / step * step;
}

void* systemAllocate(std::size_t bytes) {
  void* data = nullptr;
  if (posix_memalign(&data, kAlignment, bytes) != 0) data = nullptr;
  TORCH_CHECK(data != nullptr, "CPU allocator: not enough memory: you tried to allocate ", bytes, " bytes.");
  return data;
}

// Large blocks are mapped directly (page-aligned), so handing one back returns its pages
// at once instead of leaving them in a malloc arena of whichever thread freed it.
// nullptr when the system has no memory left.
void* mapLarge(std::size_t bytes) {
  void* data = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) return nullptr;
  // Huge pages: one fault per 2 MiB instead of 512 when a job first touches a block.
  if (bytes >= kHugePage) madvise(data, bytes, MADV_HUGEPAGE);
  return data;
}

void unmapLarge(void* data, std::size_t bytes) { munmap(data, bytes); }

class CachingCpuAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(std::size_t bytes) ECG_LDM_ALLOCATE_CONST override {
    if (bytes == 0) return {nullptr, nullptr, &freeSmall, c10::Device(c10::DeviceType::CPU)};
    if (bytes < kMinCachedBytes) {
      void* data = systemAllocate(bytes);
      return {data, data, &freeSmall, c10::Device(c10::DeviceType::CPU)};
    }
    // Through instance(): allocate() is const before LibTorch 2.3.
    void* data = instance().takeLarge(sizeClass(bytes));
    return {data, data, &freeAny, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &freeAny; }

#if ECG_LDM_HAS_COPY_DATA
  void copy_data(void* dest, const void* src, std::size_t count) const override { default_copy_data(dest, src, count); }
#endif

  void setLimit(std::size_t limitBytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    limit_ = limitBytes;
    trimTo(limit_);
  }

  void openScope() {
    std::lock_guard<std::mutex> lock(mutex_);
    ++scopes_;
  }

  void closeScope() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--scopes_ == 0) trimTo(0);
  }

  CpuCacheStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {cached_, scopes_, limit_, hits_, misses_};
  }

  static CachingCpuAllocator& instance() {
    // Never destroyed: tensors freed during process exit still call back into it.
    static auto* allocator = new CachingCpuAllocator();
    return *allocator;
  }

 private:
  static void freeSmall(void* data) { std::free(data); }
  static void freeAny(void* data) { instance().giveBack(data); }

  void* takeLarge(std::size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto found = free_.find(bytes);
      if (found != free_.end() && !found->second.empty()) {
        void* data = found->second.back();
        found->second.pop_back();
        cached_ -= bytes;
        ++hits_;
        inUse_.emplace(data, bytes);
        return data;
      }
      ++misses_;
    }
    void* data = mapLarge(bytes);
    if (data == nullptr) {
      // Free blocks of other sizes may be what the system is missing: hand them back, retry.
      {
        std::lock_guard<std::mutex> lock(mutex_);
        trimTo(0);
      }
      data = mapLarge(bytes);
    }
    TORCH_CHECK(data != nullptr, "CPU allocator: not enough memory: you tried to allocate ", bytes, " bytes.");
    std::lock_guard<std::mutex> lock(mutex_);
    inUse_.emplace(data, bytes);
    return data;
  }

  void giveBack(void* data) {
    if (data == nullptr) return;
    std::unique_lock<std::mutex> lock(mutex_);
    auto found = inUse_.find(data);
    if (found == inUse_.end()) {  // a small block handed out through raw_allocate()
      lock.unlock();
      std::free(data);
      return;
    }
    const std::size_t bytes = found->second;
    inUse_.erase(found);
    if (scopes_ == 0 || cached_ + bytes > limit_) {
      lock.unlock();
      unmapLarge(data, bytes);
      return;
    }
    free_[bytes].push_back(data);
    cached_ += bytes;
  }

  // Caller holds mutex_.
  void trimTo(std::size_t bytes) {
    for (auto it = free_.begin(); it != free_.end() && cached_ > bytes;) {
      auto& blocks = it->second;
      while (!blocks.empty() && cached_ > bytes) {
        unmapLarge(blocks.back(), it->first);
        blocks.pop_back();
        cached_ -= it->first;
      }
      it = blocks.empty() ? free_.erase(it) : std::next(it);
    }
  }

  std::mutex mutex_;
  std::unordered_map<std::size_t, std::vector<void*>> free_;  // size class -> free blocks
  std::unordered_map<void*, std::size_t> inUse_;              // large block -> size class
  std::size_t cached_ = 0;
  std::size_t scopes_ = 0;
  std::size_t limit_ = 0;
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
};

}  // namespace

void installCachingCpuAllocator(std::size_t limitBytes) {
  static std::once_flag installed;
  auto& allocator = CachingCpuAllocator::instance();
  allocator.setLimit(limitBytes);
  if (limitBytes == 0) return;
  // Priority 1 outranks LibTorch's default CPU allocator (registered at 0).
  std::call_once(installed, [&] { c10::SetCPUAllocator(&allocator, 1); });
}

CpuCacheScope::CpuCacheScope() { CachingCpuAllocator::instance().openScope(); }

CpuCacheScope::~CpuCacheScope() { CachingCpuAllocator::instance().closeScope(); }

CpuCacheStats cpuCacheStats() { return CachingCpuAllocator::instance().stats(); }

}  // namespace ecgldm
