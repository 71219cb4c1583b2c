#include "core/device.h"

#include <ATen/Context.h>

#include "core/error.h"

namespace ecgldm {

bool cudaAvailable() { return at::hasCUDA() && cudaDeviceCount() > 0; }

int cudaDeviceCount() {
  if (!at::hasCUDA()) return 0;
  return static_cast<int>(at::detail::getCUDAHooks().getNumGPUs());
}

at::Device parseDevice(const std::string& spec) {
  if (spec == "cpu") return at::Device(at::kCPU);
  if (spec.rfind("cuda", 0) != 0) {
    throw Error(ErrorCode::ArgRange, "Expected 'cpu', 'cuda' or 'cuda:N' for device but received \"" + spec + "\"");
  }
  int index = 0;
  if (spec.size() > 4) {
    const std::string rest = spec.substr(4);
    if (rest.size() < 2 || rest[0] != ':' || rest.find_first_not_of("0123456789", 1) != std::string::npos) {
      throw Error(ErrorCode::ArgRange, "Expected 'cpu', 'cuda' or 'cuda:N' for device but received \"" + spec + "\"");
    }
    index = std::stoi(rest.substr(1));
  }
  if (!at::hasCUDA()) {
    throw Error(ErrorCode::Device, "device \"" + spec + "\" requested but this LibTorch was built without CUDA");
  }
  const int count = cudaDeviceCount();
  if (index >= count) {
    throw Error(ErrorCode::Device, "device \"" + spec + "\" requested but " + std::to_string(count) +
                                       " CUDA device(s) are visible");
  }
  return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index));
}

}  // namespace ecgldm
