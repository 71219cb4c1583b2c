// Per-environment state of the addon (Node main thread and each worker thread has its own).
#pragma once

#include <napi.h>

namespace ecgldm::binding {

struct AddonData {
  Napi::ObjectReference errorClasses;
};

/** This environment's AddonData, created on first use. */
AddonData& addonData(Napi::Env env);

}  // namespace ecgldm::binding
