// Mixed precision for training: a scope in which the ops autocast covers (convolutions,
// matmuls, linear layers) run in bfloat16 on one device type, while weights, gradients,
// optimizer state and the ops autocast keeps in float32 (norms, softmax, losses) stay
// float32. bfloat16 has float32's exponent range, so no loss scaling is needed (float16
// would need a gradient scaler, which LibTorch's C++ API does not have).
#pragma once

#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>

#include <string>

namespace ecgldm::train {

enum class Precision { Float32, BFloat16 };

/** "float32" | "bf16" -> Precision (ArgRange error otherwise). */
Precision parsePrecision(const std::string& name);

/** Enables autocast to bfloat16 on `device` for its lifetime (no-op for Float32), and
 *  restores the thread's previous autocast state on exit. Autocast state is per thread. */
class AutocastScope {
 public:
  AutocastScope(c10::DeviceType device, Precision precision);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  c10::DeviceType device_;
  bool active_;
  bool wasEnabled_ = false;
  c10::ScalarType previousDtype_ = c10::ScalarType::Float;
};

}  // namespace ecgldm::train
