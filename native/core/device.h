// Device strings from JS ("cpu", "cuda", "cuda:N") to at::Device, with a clear error
// where the requested device does not exist in this LibTorch or on this machine.
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace ecgldm {

/** Parses "cpu" | "cuda" | "cuda:N"; throws Error(Device) if CUDA is absent or N too high. */
at::Device parseDevice(const std::string& spec);

/** True when this LibTorch was built with CUDA and a GPU is visible. */
bool cudaAvailable();

/** Number of visible CUDA devices (0 without CUDA). */
int cudaDeviceCount();

}  // namespace ecgldm
