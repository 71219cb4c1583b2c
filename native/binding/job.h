// One async job = one Promise. execute() runs on a libuv worker thread and touches only
// the job's own fields (its "baton") and plain native code; result() builds the JS value
// on the main thread. Progress goes through a thread-safe function, cancellation comes
// from an AbortSignal; every exception becomes a typed JS rejection.
#pragma once

#include <napi.h>

#include <atomic>
#include <exception>
#include <memory>

#include "core/job_context.h"

namespace ecgldm::binding {

class Job : public Napi::AsyncWorker, public JobContext {
 public:
  /**
   * `options` may hold `onProgress` (function) and `signal` (AbortSignal); other fields
   * are the subclass's to read in its constructor.
   */
  Job(Napi::Env env, const char* resourceName, const Napi::Object& options);
  ~Job() override;

  /** Queues the job and returns its Promise; an already-aborted signal rejects at once. */
  Napi::Promise start();

  bool cancelled() const override { return cancelled_->load(); }
  void report(const Progress& progress) override;

 protected:
  /** The work, on a worker thread: no N-API calls here. */
  virtual void execute() = 0;
  /** The resolved value, on the main thread. */
  virtual Napi::Value result(Napi::Env env) = 0;

 private:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;
  void finish();

  Napi::Promise::Deferred deferred_;
  std::shared_ptr<std::atomic<bool>> cancelled_;
  std::exception_ptr failure_;
  Napi::ThreadSafeFunction progress_;
  bool hasProgress_ = false;
  Napi::ObjectReference signal_;
  Napi::FunctionReference abortListener_;
};

}  // namespace ecgldm::binding
