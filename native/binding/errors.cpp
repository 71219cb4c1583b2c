#include "binding/errors.h"

#include <c10/util/Exception.h>

#include <new>

#include "binding/addon_data.h"

namespace ecgldm::binding {

Napi::Value setErrorClasses(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) {
    throw Napi::TypeError::New(info.Env(), "Expected object of error classes for setErrorClasses");
  }
  addonData(info.Env()).errorClasses = Napi::Persistent(info[0].As<Napi::Object>());
  return info.Env().Undefined();
}

Napi::Error makeError(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::ObjectReference& classes = addonData(env).errorClasses;
  if (!classes.IsEmpty()) {
    Napi::Value cls = classes.Value().Get(code);
    if (!cls.IsFunction()) cls = classes.Value().Get("E_NATIVE");
    if (cls.IsFunction()) {
      Napi::Object err = cls.As<Napi::Function>().New({Napi::String::New(env, message)});
      return Napi::Error(env, err);
    }
  }
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  return err;
}

Napi::Error toJsError(Napi::Env env, const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return makeError(env, e.code(), e.what());
  } catch (const c10::Error& e) {
    return makeError(env, ErrorCode::Torch, e.what_without_backtrace());
  } catch (const std::bad_alloc&) {
    return makeError(env, ErrorCode::Native, "out of memory");
  } catch (const std::exception& e) {
    return makeError(env, ErrorCode::Native, e.what());
  } catch (...) {
    return makeError(env, ErrorCode::Native, "unknown native error");
  }
}

}  // namespace ecgldm::binding
