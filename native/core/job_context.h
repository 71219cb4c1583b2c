// What a long native job sees of its caller: a cancellation flag and a progress sink.
// Plain C++ so training and sampling loops stay free of N-API; native/binding/job.h
// implements it over an AbortSignal and a thread-safe function.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ecgldm {

/** One progress report: a stage name and named numbers (step, loss, samplesPerSecond...). */
struct Progress {
  std::string stage;
  std::vector<std::pair<std::string, double>> values;
};

class JobContext {
 public:
  virtual ~JobContext() = default;
  /** True once the caller asked to stop; loops check it at step boundaries. */
  virtual bool cancelled() const = 0;
  /** Sends a progress report; never blocks the job (reports may be dropped). */
  virtual void report(const Progress& progress) = 0;

  void throwIfCancelled() const {
    if (cancelled()) throw Error(ErrorCode::Cancelled, "the operation was cancelled");
  }
};

/** A context that is never cancelled and drops progress: for synchronous calls. */
class SilentJobContext final : public JobContext {
 public:
  bool cancelled() const override { return false; }
  void report(const Progress&) override {}
};

}  // namespace ecgldm
