#include "binding/info_binding.h"

#include "binding/errors.h"
#include "core/runtime_info.h"

#ifndef ECG_LDM_VERSION
#define ECG_LDM_VERSION "0.0.0"
#endif

namespace ecgldm::binding {

namespace {

Napi::Value info(const Napi::CallbackInfo& call) {
  return guarded(call, [&]() -> Napi::Value {
    Napi::Env env = call.Env();
    const RuntimeInfo runtime = runtimeInfo();
    Napi::Object out = Napi::Object::New(env);
    out.Set("addonVersion", ECG_LDM_VERSION);
    out.Set("torchVersion", runtime.torchVersion);
    Napi::Object cuda = Napi::Object::New(env);
    cuda.Set("compiled", runtime.cudaCompiled);
    cuda.Set("available", runtime.cudaDeviceCount > 0);
    cuda.Set("deviceCount", runtime.cudaDeviceCount);
    out.Set("cuda", cuda);
    out.Set("threads", runtime.threads);
    out.Set("interopThreads", runtime.interopThreads);
    out.Set("blasCompiled", runtime.blasCompiled);
    Napi::Array libs = Napi::Array::New(env, runtime.loadedLibraries.size());
    for (size_t i = 0; i < runtime.loadedLibraries.size(); ++i) libs.Set(static_cast<uint32_t>(i), runtime.loadedLibraries[i]);
    out.Set("loadedLibraries", libs);
    Napi::Object cache = Napi::Object::New(env);
    cache.Set("limitBytes", static_cast<double>(runtime.cpuCache.limitBytes));
    cache.Set("cachedBytes", static_cast<double>(runtime.cpuCache.cachedBytes));
    cache.Set("openScopes", static_cast<double>(runtime.cpuCache.openScopes));
    cache.Set("hits", static_cast<double>(runtime.cpuCache.hits));
    cache.Set("misses", static_cast<double>(runtime.cpuCache.misses));
    out.Set("cpuCache", cache);
    return out;
  });
}

Napi::Value setThreadCount(const Napi::CallbackInfo& call) {
  return guarded(call, [&]() -> Napi::Value {
    if (call.Length() < 1 || !call[0].IsNumber()) throw Error(ErrorCode::ArgType, "Expected integer for threads");
    setThreads(call[0].As<Napi::Number>().Int32Value());
    return call.Env().Undefined();
  });
}

}  // namespace

void registerInfo(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, info, "info"));
  exports.Set("setThreads", Napi::Function::New(env, setThreadCount, "setThreads"));
}

}  // namespace ecgldm::binding
