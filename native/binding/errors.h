// C++ exceptions -> typed JS errors. The JS classes (ts/errors.ts) are handed to the
// addon once at load through setErrorClasses(); only this layer catches c10::Error.
#pragma once

#include <napi.h>

#include <exception>
#include <string>

#include "core/error.h"

namespace ecgldm::binding {

/** Stores `{E_SHAPE: ShapeError, ...}` for this Node environment (one per worker thread). */
Napi::Value setErrorClasses(const Napi::CallbackInfo& info);

/** Builds the JS error of class `code` ("E_SHAPE", ...) with `message`. */
Napi::Error makeError(Napi::Env env, const std::string& code, const std::string& message);

inline Napi::Error makeError(Napi::Env env, ErrorCode code, const std::string& message) {
  return makeError(env, errorCodeName(code), message);
}

/** Maps any captured exception to its JS error: ecgldm::Error keeps its code, c10::Error is E_TORCH. */
Napi::Error toJsError(Napi::Env env, const std::exception_ptr& error);

/** Runs `body`; any C++ exception leaves as a typed JS exception, never as a crash. */
template <typename Body>
Napi::Value guarded(const Napi::CallbackInfo& info, Body&& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    throw toJsError(info.Env(), std::current_exception());
  }
}

}  // namespace ecgldm::binding
