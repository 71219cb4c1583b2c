#pragma once

#include <napi.h>

namespace ecgldm::binding {

/** Registers info() and setThreads(n). */
void registerInfo(Napi::Env env, Napi::Object exports);

}  // namespace ecgldm::binding
