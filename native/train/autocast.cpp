#include "train/autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "core/error.h"

// LibTorch 2.4 made the autocast switches per device type; 1.13 (Debian's) has one
// switch for CUDA and one for CPU.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define ECG_LDM_AUTOCAST_PER_DEVICE 1
#endif

namespace ecgldm::train {

namespace {

bool autocastEnabled(c10::DeviceType device) {
#ifdef ECG_LDM_AUTOCAST_PER_DEVICE
  return at::autocast::is_autocast_enabled(device);
#else
  return device == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

void setAutocast(c10::DeviceType device, bool enabled, c10::ScalarType dtype) {
#ifdef ECG_LDM_AUTOCAST_PER_DEVICE
  at::autocast::set_autocast_dtype(device, dtype);
  at::autocast::set_autocast_enabled(device, enabled);
#else
  if (device == c10::DeviceType::CUDA) {
    at::autocast::set_autocast_gpu_dtype(dtype);
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
    at::autocast::set_cpu_enabled(enabled);
  }
#endif
}

c10::ScalarType autocastDtype(c10::DeviceType device) {
#ifdef ECG_LDM_AUTOCAST_PER_DEVICE
  return at::autocast::get_autocast_dtype(device);
#else
  return device == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype()
                                         : at::autocast::get_autocast_cpu_dtype();
#endif
}

}  // namespace

Precision parsePrecision(const std::string& name) {
  if (name == "float32") return Precision::Float32;
  if (name == "bf16") return Precision::BFloat16;
  throw Error(ErrorCode::ArgRange, "Expected precision \"float32\" or \"bf16\" but received \"" + name + "\"");
}

AutocastScope::AutocastScope(c10::DeviceType device, Precision precision)
    : device_(device), active_(precision == Precision::BFloat16) {
  if (!active_) return;
  check(device == c10::DeviceType::CPU || device == c10::DeviceType::CUDA, ErrorCode::Device,
        "bf16 mixed precision runs on cpu or cuda only");
  wasEnabled_ = autocastEnabled(device);
  previousDtype_ = autocastDtype(device);
  setAutocast(device, true, c10::ScalarType::BFloat16);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // Leaving the outermost scope drops the cached low-precision copies of the weights.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  setAutocast(device_, wasEnabled_, previousDtype_);
}

}  // namespace ecgldm::train
