// The addon's entry point: it only registers. Each exported area has its own binding file.
#include <napi.h>

#include <exception>

#include "binding/classifier_binding.h"
#include "binding/errors.h"
#include "binding/generator_binding.h"
#include "binding/info_binding.h"
#include "binding/wavelet_binding.h"
#include "core/runtime_info.h"

namespace ecgldm::binding {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  // Runs before setErrorClasses: a bad setting (ECG_LDM_CPU_CACHE_MB) fails the load.
  try {
    configureRuntime();
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  exports.Set("setErrorClasses", Napi::Function::New(env, setErrorClasses, "setErrorClasses"));
  registerInfo(env, exports);
  registerWavelet(env, exports);
  registerClassifier(env, exports);
  registerGenerator(env, exports);
  return exports;
}

}  // namespace ecgldm::binding

// NODE_API_MODULE needs a plain identifier.
static Napi::Object initAddon(Napi::Env env, Napi::Object exports) { return ecgldm::binding::init(env, exports); }

NODE_API_MODULE(ecg_ldm, initAddon)
