#include "binding/job.h"

#include "binding/errors.h"
#include "core/caching_cpu_allocator.h"

namespace ecgldm::binding {

namespace {

void deliverProgress(Napi::Env env, Napi::Function callback, Progress* progress) {
  std::unique_ptr<Progress> owned(progress);
  if (env == nullptr || callback.IsEmpty()) return;
  Napi::Object event = Napi::Object::New(env);
  event.Set("stage", Napi::String::New(env, owned->stage));
  for (const auto& [name, value] : owned->values) event.Set(name, Napi::Number::New(env, value));
  // The TS layer wraps user callbacks so they cannot throw; stay safe regardless.
  try {
    callback.Call({event});
  } catch (const Napi::Error&) {
  }
}

}  // namespace

Job::Job(Napi::Env env, const char* resourceName, const Napi::Object& options)
    : Napi::AsyncWorker(env, resourceName),
      deferred_(Napi::Promise::Deferred::New(env)),
      cancelled_(std::make_shared<std::atomic<bool>>(false)) {
  Napi::Value onProgress = options.Get("onProgress");
  if (onProgress.IsFunction()) {
    progress_ = Napi::ThreadSafeFunction::New(env, onProgress.As<Napi::Function>(), resourceName, 0, 1);
    hasProgress_ = true;
  }
  Napi::Value signal = options.Get("signal");
  if (signal.IsObject()) {
    Napi::Object signalObject = signal.As<Napi::Object>();
    if (signalObject.Get("aborted").ToBoolean()) cancelled_->store(true);
    Napi::Value add = signalObject.Get("addEventListener");
    if (add.IsFunction()) {
      auto flag = cancelled_;
      Napi::Function listener = Napi::Function::New(env, [flag](const Napi::CallbackInfo& info) {
        flag->store(true);
        return info.Env().Undefined();
      });
      add.As<Napi::Function>().Call(signalObject, {Napi::String::New(env, "abort"), listener});
      signal_ = Napi::Persistent(signalObject);
      abortListener_ = Napi::Persistent(listener);
    }
  }
}

Job::~Job() = default;

Napi::Promise Job::start() {
  Napi::Promise promise = deferred_.Promise();
  if (cancelled()) {
    failure_ = std::make_exception_ptr(Error(ErrorCode::Cancelled, "the operation was cancelled before it started"));
    OnError(Napi::Error());
    Destroy();
  } else {
    Queue();
  }
  return promise;
}

void Job::report(const Progress& progress) {
  if (!hasProgress_) return;
  // Non-blocking: a busy event loop must never stall a training step.
  progress_.NonBlockingCall(new Progress(progress), deliverProgress);
}

void Job::Execute() {
  // Large blocks freed by one step are reused by the next while the job runs.
  CpuCacheScope cacheScope;
  try {
    execute();
  } catch (...) {
    failure_ = std::current_exception();
    SetError("native job failed");
  }
}

void Job::OnOK() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  try {
    deferred_.Resolve(result(env));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  } catch (...) {
    deferred_.Reject(toJsError(env, std::current_exception()).Value());
  }
  finish();
}

void Job::OnError(const Napi::Error& error) {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  // failure_ is empty only when node-addon-api itself caught the exception.
  deferred_.Reject(failure_ ? toJsError(env, failure_).Value()
                            : makeError(env, ErrorCode::Native, error.IsEmpty() ? "native job failed" : error.Message()).Value());
  finish();
}

void Job::finish() {
  if (hasProgress_) {
    progress_.Release();
    hasProgress_ = false;
  }
  if (!signal_.IsEmpty() && !abortListener_.IsEmpty()) {
    Napi::Object signal = signal_.Value();
    Napi::Value remove = signal.Get("removeEventListener");
    if (remove.IsFunction()) {
      remove.As<Napi::Function>().Call(signal, {Napi::String::New(Env(), "abort"), abortListener_.Value()});
    }
  }
  signal_.Reset();
  abortListener_.Reset();
}

}  // namespace ecgldm::binding
