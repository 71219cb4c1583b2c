// N-API surface of native/train/classifier_trainer: the ClassifierHandle class.
//
// A handle owns one ClassifierState (the network, its device, the training summary)
// through a shared_ptr, so a running predict job keeps the network alive even if the
// handle is disposed meanwhile. One job at a time per handle: a second predict while one
// runs is E_BUSY. train() is a static job that builds a new handle when it resolves.
//
// Data crosses once in the reference layout [N, L, C] (Float32Array) and is permuted to
// the networks' [N, C, L] here; labels are Int32Array or BigInt64Array [N].
#include "binding/classifier_binding.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "binding/errors.h"
#include "binding/job.h"
#include "binding/tensor_convert.h"
#include "core/device.h"
#include "core/error.h"
#include "train/classifier_trainer.h"

namespace ecgldm::binding {
namespace {

namespace tr = ecgldm::train;

/** What a handle owns. */
struct ClassifierState {
  tr::ClassifierModel model;
  std::string summaryJson = "null";  // training summary (JSON), "null" for a loaded model
  std::atomic<bool> busy{false};
};

// ---- option readers (the TS layer validated already; these keep C++ safe on its own) ----

std::string stringOption(const Napi::Object& options, const char* name, const std::string& fallback) {
  Napi::Value value = options.Get(name);
  if (value.IsUndefined()) return fallback;
  if (!value.IsString()) throw Error(ErrorCode::ArgType, std::string("Expected string for options.") + name);
  return value.As<Napi::String>().Utf8Value();
}

double numberOption(const Napi::Object& options, const char* name, double fallback) {
  Napi::Value value = options.Get(name);
  if (value.IsUndefined()) return fallback;
  if (!value.IsNumber()) throw Error(ErrorCode::ArgType, std::string("Expected number for options.") + name);
  const double d = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) throw Error(ErrorCode::ArgRange, std::string("Expected finite number for options.") + name);
  return d;
}

int64_t integerOption(const Napi::Object& options, const char* name, int64_t fallback) {
  const double d = numberOption(options, name, static_cast<double>(fallback));
  if (std::floor(d) != d || std::fabs(d) > 9007199254740991.0)
    throw Error(ErrorCode::ArgRange, std::string("Expected integer for options.") + name);
  return static_cast<int64_t>(d);
}

bool boolOption(const Napi::Object& options, const char* name, bool fallback) {
  Napi::Value value = options.Get(name);
  if (value.IsUndefined()) return fallback;
  if (!value.IsBoolean()) throw Error(ErrorCode::ArgType, std::string("Expected boolean for options.") + name);
  return value.As<Napi::Boolean>().Value();
}

/** data [N, L, C] (reference layout) -> tensor [N, C, L]. */
at::Tensor segmentsArg(const Napi::Value& data, const Napi::Value& shapeValue, const char* name) {
  const std::vector<int64_t> shape = shapeFromArray(shapeValue, (std::string(name) + "Shape").c_str());
  if (shape.size() != 3)
    throw Error(ErrorCode::Shape, std::string("Expected ") + name + " shape [N, L, C] but received " +
                                      std::to_string(shape.size()) + " dimensions");
  return tensorFromArray(data, shape, name, {at::kFloat, at::kDouble}).to(at::kFloat).permute({0, 2, 1}).contiguous();
}

at::Tensor labelsArg(const Napi::Value& labels, int64_t count, const char* name) {
  return tensorFromArray(labels, {count}, name, {at::kInt, at::kLong}).to(at::kLong);
}

std::string formatNumber(double d) {
  if (!std::isfinite(d)) return "null";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", d);
  return buffer;
}

std::string summaryJson(const tr::ClassifierTrainResult& r) {
  std::string out = "{\"steps\":" + std::to_string(r.steps) + ",\"bestEpoch\":" + std::to_string(r.bestEpoch) +
                    ",\"bestValLoss\":" + formatNumber(r.bestValLoss) +
                    ",\"stoppedEarly\":" + (r.stoppedEarly ? "true" : "false") + ",\"epochs\":[";
  for (size_t i = 0; i < r.epochs.size(); ++i) {
    const tr::ClassifierEpochSummary& e = r.epochs[i];
    out += std::string(i ? "," : "") + "{\"epoch\":" + std::to_string(e.epoch) + ",\"trainLoss\":" +
           formatNumber(e.trainLoss) + ",\"valLoss\":" + formatNumber(e.valLoss) + ",\"valAccuracy\":" +
           formatNumber(e.valAccuracy) + ",\"best\":" + (e.best ? "true" : "false") + "}";
  }
  return out + "]}";
}

/** A new ClassifierHandle (JS object) owning `state`, built through the class constructor. */
Napi::Object newHandle(const Napi::Function& constructor, std::shared_ptr<ClassifierState> state) {
  return constructor.New({Napi::External<std::shared_ptr<ClassifierState>>::New(constructor.Env(), &state)});
}

// ---- jobs ----

/** Everything train() copies out of its options, read before the Job exists (see TrainJob). */
struct TrainBaton {
  std::string modelConfig;
  at::Tensor trainX, trainY, valX, valY;
  at::Device device = at::kCPU;
  tr::ClassifierTrainerOptions options;
};

TrainBaton readTrainBaton(const Napi::Object& options) {
  TrainBaton b;
  b.modelConfig = stringOption(options, "modelConfig", "");
  if (b.modelConfig.empty() && !options.Get("resumeFrom").IsString())
    throw Error(ErrorCode::ArgType, "Expected JSON string for options.modelConfig");
  b.trainX = segmentsArg(options.Get("trainData"), options.Get("trainShape"), "trainData");
  b.trainY = labelsArg(options.Get("trainLabels"), b.trainX.size(0), "trainLabels");
  b.valX = segmentsArg(options.Get("valData"), options.Get("valShape"), "valData");
  b.valY = labelsArg(options.Get("valLabels"), b.valX.size(0), "valLabels");
  b.device = parseDevice(stringOption(options, "device", "cpu"));
  tr::ClassifierTrainerOptions& o = b.options;
  o.epochs = integerOption(options, "epochs", o.epochs);
  o.batchSize = integerOption(options, "batchSize", o.batchSize);
  o.optimizer.kind = tr::parseOptimizerKind(stringOption(options, "optimizer", "adam"));
  o.optimizer.lr = numberOption(options, "lr", o.optimizer.lr);
  o.optimizer.weightDecay = numberOption(options, "weightDecay", o.optimizer.weightDecay);
  o.classWeighting = boolOption(options, "classWeighting", o.classWeighting);
  o.patience = integerOption(options, "patience", o.patience);
  const int64_t seed = integerOption(options, "seed", 0);
  if (seed < 0) throw Error(ErrorCode::ArgRange, "Expected non-negative integer for options.seed");
  o.seed = static_cast<uint64_t>(seed);
  o.progressEvery = integerOption(options, "progressEvery", o.progressEvery);
  o.checkpointDir = stringOption(options, "checkpointDir", "");
  o.resumeFrom = stringOption(options, "resumeFrom", "");
  o.runConfigJson = stringOption(options, "runConfig", "{}");
  o.metadataJson = stringOption(options, "metadata", "{}");
  return b;
}

/**
 * ClassifierHandle.train(options) -> Promise<ClassifierHandle>. The baton is read before
 * the Job is constructed: the Job's constructor opens the progress thread-safe function,
 * which only start() / finish() release, so nothing may throw after it.
 */
class TrainJob final : public Job {
 public:
  TrainJob(const Napi::Function& constructor, const Napi::Object& options, TrainBaton baton)
      : Job(options.Env(), "ecgldm.classifier.train", options),
        constructor_(Napi::Persistent(constructor)),
        b_(std::move(baton)) {}

 protected:
  void execute() override {
    result_ = tr::trainClassifier(b_.modelConfig, b_.trainX, b_.trainY, b_.valX, b_.valY, b_.options, b_.device, *this);
  }
  Napi::Value result(Napi::Env env) override {
    auto state = std::make_shared<ClassifierState>();
    state->summaryJson = summaryJson(result_);
    state->model = std::move(result_.model);
    return newHandle(constructor_.Value(), std::move(state));
  }

 private:
  Napi::FunctionReference constructor_;
  TrainBaton b_;
  tr::ClassifierTrainResult result_;
};

/** handle.predict(data, shape) -> Promise<Float32Array> (probabilities, [N, classes]). */
class PredictJob final : public Job {
 public:
  PredictJob(const Napi::CallbackInfo& call, std::shared_ptr<ClassifierState> state)
      : Job(call.Env(), "ecgldm.classifier.predict", Napi::Object::New(call.Env())),
        data_(segmentsArg(call[0], call[1], "data")),
        state_(std::move(state)) {
    if (state_->busy.exchange(true))
      throw Error(ErrorCode::Busy, "this classifier is already running a job; await it before starting another");
    holdsBusy_ = true;
  }
  ~PredictJob() override {
    if (holdsBusy_) state_->busy.store(false);
  }

 protected:
  void execute() override { probabilities_ = tr::predictClassifier(state_->model, data_); }
  Napi::Value result(Napi::Env env) override {
    if (holdsBusy_) state_->busy.store(false);
    holdsBusy_ = false;
    return arrayFromTensor(env, probabilities_);
  }

 private:
  at::Tensor data_;
  std::shared_ptr<ClassifierState> state_;
  bool holdsBusy_ = false;
  at::Tensor probabilities_;
};

// An async call never throws: bad arguments reject its Promise like any later failure.
template <typename Make>
Napi::Value startJob(Napi::Env env, Make&& make) {
  try {
    Job* job = make();  // AsyncWorker deletes itself
    return job->start();
  } catch (...) {
    auto rejected = Napi::Promise::Deferred::New(env);
    rejected.Reject(toJsError(env, std::current_exception()).Value());
    return rejected.Promise();
  }
}

// ---- the class ----

class ClassifierHandle : public Napi::ObjectWrap<ClassifierHandle> {
 public:
  static Napi::Function defineClass(Napi::Env env) {
    return DefineClass(env, "ClassifierHandle",
                       {StaticMethod<&ClassifierHandle::train>("train"),
                        StaticMethod<&ClassifierHandle::load>("load"),
                        InstanceMethod<&ClassifierHandle::predict>("predict"),
                        InstanceMethod<&ClassifierHandle::save>("save"),
                        InstanceMethod<&ClassifierHandle::config>("config"),
                        InstanceMethod<&ClassifierHandle::metadata>("metadata"),
                        InstanceMethod<&ClassifierHandle::parameterCount>("parameterCount"),
                        InstanceMethod<&ClassifierHandle::trainingSummary>("trainingSummary"),
                        InstanceMethod<&ClassifierHandle::device>("device"),
                        InstanceMethod<&ClassifierHandle::dispose>("dispose")});
  }

  explicit ClassifierHandle(const Napi::CallbackInfo& call) : Napi::ObjectWrap<ClassifierHandle>(call) {
    if (call.Length() != 1 || !call[0].IsExternal()) {
      throw makeError(call.Env(), ErrorCode::ArgType,
                      "ClassifierHandle cannot be constructed directly; use ClassifierHandle.train() or .load()");
    }
    state_ = *call[0].As<Napi::External<std::shared_ptr<ClassifierState>>>().Data();
  }

 private:
  /** The state, or E_DISPOSED after dispose(). */
  ClassifierState& live() {
    if (!state_) throw Error(ErrorCode::Disposed, "this classifier was disposed");
    return *state_;
  }

  // ClassifierHandle.train(options): `this` is the class, so the job can construct the result.
  static Napi::Value train(const Napi::CallbackInfo& call) {
    return startJob(call.Env(), [&]() -> Job* {
      if (!call.This().IsFunction()) throw Error(ErrorCode::ArgType, "call train() as ClassifierHandle.train(options)");
      if (call.Length() < 1 || !call[0].IsObject()) throw Error(ErrorCode::ArgType, "Expected object for options");
      const Napi::Object options = call[0].As<Napi::Object>();
      TrainBaton baton = readTrainBaton(options);
      return new TrainJob(call.This().As<Napi::Function>(), options, std::move(baton));
    });
  }

  // ClassifierHandle.load(path, device = "cpu") -> ClassifierHandle (synchronous).
  static Napi::Value load(const Napi::CallbackInfo& call) {
    return guarded(call, [&]() -> Napi::Value {
      if (!call.This().IsFunction()) throw Error(ErrorCode::ArgType, "call load() as ClassifierHandle.load(path)");
      if (call.Length() < 1 || !call[0].IsString()) throw Error(ErrorCode::ArgType, "Expected string for path");
      const std::string device = call.Length() > 1 && call[1].IsString() ? call[1].As<Napi::String>().Utf8Value() : "cpu";
      auto state = std::make_shared<ClassifierState>();
      state->model = tr::loadClassifier(call[0].As<Napi::String>().Utf8Value(), parseDevice(device));
      return newHandle(call.This().As<Napi::Function>(), std::move(state));
    });
  }

  Napi::Value predict(const Napi::CallbackInfo& call) {
    return startJob(call.Env(), [&]() -> Job* {
      live();
      return new PredictJob(call, state_);
    });
  }

  Napi::Value save(const Napi::CallbackInfo& call) {
    return guarded(call, [&]() -> Napi::Value {
      ClassifierState& state = live();
      if (call.Length() < 1 || !call[0].IsString()) throw Error(ErrorCode::ArgType, "Expected string for path");
      tr::saveClassifier(call[0].As<Napi::String>().Utf8Value(), state.model);
      return call.Env().Undefined();
    });
  }

  Napi::Value config(const Napi::CallbackInfo& call) {
    return guarded(call, [&]() -> Napi::Value { return Napi::String::New(call.Env(), live().model.configJson); });
  }

  Napi::Value metadata(const Napi::CallbackInfo& call) {
    return guarded(call, [&]() -> Napi::Value { return Napi::String::New(call.Env(), live().model.metadataJson); });
  }

  Napi::Value parameterCount(const Napi::CallbackInfo& call) {
    return guarded(call, [&]() -> Napi::Value {
      return Napi::Number::New(call.Env(), static_cast<double>(live().model.parameterCount()));
    });
  }

  Napi::Value trainingSummary(const Napi::CallbackInfo& call) {
    return guarded(call, [&]() -> Napi::Value { return Napi::String::New(call.Env(), live().summaryJson); });
  }

  Napi::Value device(const Napi::CallbackInfo& call) {
    return guarded(call, [&]() -> Napi::Value {
      return Napi::String::New(call.Env(), live().model.module->parameters().front().device().str());
    });
  }

  // Idempotent. A predict job still running keeps its own reference and finishes normally.
  Napi::Value dispose(const Napi::CallbackInfo& call) {
    state_.reset();
    return call.Env().Undefined();
  }

  std::shared_ptr<ClassifierState> state_;
};

}  // namespace

void registerClassifier(Napi::Env env, Napi::Object exports) {
  exports.Set("ClassifierHandle", ClassifierHandle::defineClass(env));
}

}  // namespace ecgldm::binding
