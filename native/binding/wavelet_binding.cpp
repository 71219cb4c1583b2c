// N-API surface of native/wavelet. Each async call is one Job whose fields are its baton:
// the constructor copies the arguments (main thread), execute() touches only the baton
// and native/wavelet (worker thread), result() builds the JS value (main thread).
#include "binding/wavelet_binding.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "binding/errors.h"
#include "binding/job.h"
#include "binding/tensor_convert.h"
#include "core/device.h"
#include "core/error.h"
#include "wavelet/denoise.h"
#include "wavelet/filter_bank.h"
#include "wavelet/mode.h"
#include "wavelet/threshold.h"
#include "wavelet/wavedec.h"

namespace ecgldm::binding {
namespace {

namespace wv = ecgldm::wavelet;

// ---- option readers (the TS layer validated already; these keep C++ safe on its own) ----

Napi::Object optionsArg(const Napi::CallbackInfo& call, size_t index) {
  if (call.Length() <= index || call[index].IsUndefined()) return Napi::Object::New(call.Env());
  if (!call[index].IsObject()) throw Error(ErrorCode::ArgType, "Expected object for options");
  return call[index].As<Napi::Object>();
}

std::string stringOption(const Napi::Object& options, const char* name, const std::string& fallback) {
  Napi::Value value = options.Get(name);
  if (value.IsUndefined()) return fallback;
  if (!value.IsString()) throw Error(ErrorCode::ArgType, std::string("Expected string for options.") + name);
  return value.As<Napi::String>().Utf8Value();
}

int intOption(const Napi::Object& options, const char* name, int fallback) {
  Napi::Value value = options.Get(name);
  if (value.IsUndefined()) return fallback;
  if (!value.IsNumber()) throw Error(ErrorCode::ArgType, std::string("Expected integer for options.") + name);
  const double d = value.As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int>(d)))
    throw Error(ErrorCode::ArgRange, std::string("Expected integer for options.") + name);
  return static_cast<int>(d);
}

/** `backend`: "auto" (default), "loops" or "aten" — the last forces the ATen-op path, for tests. */
wv::Backend backendOption(const Napi::Object& options) {
  const std::string name = stringOption(options, "backend", "auto");
  if (name == "auto") return wv::Backend::Auto;
  if (name == "loops") return wv::Backend::Loops;
  if (name == "aten") return wv::Backend::AtenOps;
  throw Error(ErrorCode::ArgRange, "Expected one of auto, loops, aten for options.backend but received \"" + name + "\"");
}

/** The wavelet settings every call shares, read once into the baton. */
struct WaveletSettings {
  const wv::FilterBank* bank = nullptr;
  wv::Mode mode = wv::Mode::Symmetric;
  at::Device device = at::kCPU;
  wv::Backend backend = wv::Backend::Auto;

  WaveletSettings(const Napi::Object& options, const std::string& defaultWavelet)
      : bank(&wv::filterBank(stringOption(options, "wavelet", defaultWavelet))),
        mode(wv::parseMode(stringOption(options, "mode", "symmetric"))),
        device(parseDevice(stringOption(options, "device", "cpu"))),
        backend(backendOption(options)) {}
};

/**
 * The signal as a tensor this job owns, like tensorFromArray (which checks type and shape
 * and is used for small inputs), but large batches are copied into memory advised for
 * transparent huge pages: a fresh 80 MB batch costs 20,000 page faults in 4 KiB pages and
 * 40 in 2 MiB ones. Measured on a loaded VM (10,000 x 2,048 float32): system time of a
 * first denoise call fell from ~190 ms to ~10 ms; later calls gain less when the kernel
 * has to compact memory for huge pages. The job's result is written back into this same
 * tensor (denoise runs in place on its own copy).
 */
at::Tensor ownedSignal(const Napi::Value& value, const std::vector<int64_t>& shape, const char* argName) {
  constexpr size_t kHugePage = size_t{2} << 20;
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().ByteLength() < 4 * kHugePage)
    return tensorFromArray(value, shape, argName);
  // Any array tensorFromArray would refuse goes to it, for its typed error.
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  const at::ScalarType type = array.TypedArrayType() == napi_float32_array   ? at::kFloat
                              : array.TypedArrayType() == napi_float64_array ? at::kDouble
                                                                             : at::kByte;
  if (type == at::kByte) return tensorFromArray(value, shape, argName);  // the typed error
  int64_t expected = 1;
  for (int64_t d : shape) expected *= d;
  if (expected != static_cast<int64_t>(array.ElementLength())) return tensorFromArray(value, shape, argName);
  const size_t bytes = array.ByteLength();
  void* memory = nullptr;
  if (posix_memalign(&memory, kHugePage, bytes) != 0) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  madvise(memory, (bytes + kHugePage - 1) / kHugePage * kHugePage, MADV_HUGEPAGE);
#endif
  std::memcpy(memory, static_cast<const uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset(), bytes);
  return at::from_blob(memory, shape, [](void* p) { std::free(p); }, at::TensorOptions().dtype(type));
}

Napi::Array stringsToArray(Napi::Env env, const std::vector<std::string>& strings) {
  Napi::Array array = Napi::Array::New(env, strings.size());
  for (size_t i = 0; i < strings.size(); ++i) array.Set(static_cast<uint32_t>(i), strings[i]);
  return array;
}

// ---- async jobs ----

/** wavedec(signal, shape, options) -> {coeffs, shapes, warnings}. */
class WavedecJob final : public Job {
 public:
  WavedecJob(const Napi::CallbackInfo& call, const Napi::Object& options)
      : Job(call.Env(), "ecgldm.wavelet.wavedec", options),
        signal_(tensorFromArray(call[0], shapeFromArray(call[1], "shape"), "signal")),
        settings_(options, "sym8"),
        level_(intOption(options, "level", wv::dwtMaxLevel(signal_.size(-1), settings_.bank->length()))) {}

 protected:
  void execute() override {
    coeffs_ = wv::wavedec(signal_.to(settings_.device), *settings_.bank, settings_.mode, level_, &warnings_,
                          settings_.backend);
    for (at::Tensor& c : coeffs_) c = c.cpu();
  }
  Napi::Value result(Napi::Env env) override {
    Napi::Array coeffs = Napi::Array::New(env, coeffs_.size());
    Napi::Array shapes = Napi::Array::New(env, coeffs_.size());
    for (size_t j = 0; j < coeffs_.size(); ++j) {
      coeffs.Set(static_cast<uint32_t>(j), arrayFromTensor(env, coeffs_[j]));
      shapes.Set(static_cast<uint32_t>(j), shapeToArray(env, coeffs_[j]));
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("coeffs", coeffs);
    out.Set("shapes", shapes);
    out.Set("warnings", stringsToArray(env, warnings_));
    return out;
  }

 private:
  at::Tensor signal_;
  WaveletSettings settings_;
  int level_;
  std::vector<at::Tensor> coeffs_;
  std::vector<std::string> warnings_;
};

/** waverec(coeffs[], shapes[], options) -> {signal, shape}. */
class WaverecJob final : public Job {
 public:
  WaverecJob(const Napi::CallbackInfo& call, const Napi::Object& options)
      : Job(call.Env(), "ecgldm.wavelet.waverec", options), settings_(options, "sym8") {
    if (!call[0].IsArray() || !call[1].IsArray())
      throw Error(ErrorCode::ArgType, "Expected arrays for coeffs and shapes");
    Napi::Array arrays = call[0].As<Napi::Array>();
    Napi::Array shapes = call[1].As<Napi::Array>();
    if (arrays.Length() != shapes.Length())
      throw Error(ErrorCode::Shape, "coeffs and shapes differ in length");
    for (uint32_t j = 0; j < arrays.Length(); ++j) {
      const std::string name = "coeffs[" + std::to_string(j) + "]";
      coeffs_.push_back(tensorFromArray(arrays.Get(j), shapeFromArray(shapes.Get(j), "shapes[j]"), name.c_str()));
    }
  }

 protected:
  void execute() override {
    std::vector<at::Tensor> onDevice;
    for (const at::Tensor& c : coeffs_) onDevice.push_back(c.to(settings_.device));
    signal_ = wv::waverec(onDevice, *settings_.bank, settings_.mode, settings_.backend).cpu();
  }
  Napi::Value result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("signal", arrayFromTensor(env, signal_));
    out.Set("shape", shapeToArray(env, signal_));
    return out;
  }

 private:
  WaveletSettings settings_;
  std::vector<at::Tensor> coeffs_;
  at::Tensor signal_;
};

/** denoise(signal, shape, options) -> {signal, thresholds, warnings}. */
class DenoiseJob final : public Job {
 public:
  DenoiseJob(const Napi::CallbackInfo& call, const Napi::Object& options)
      : Job(call.Env(), "ecgldm.wavelet.denoise", options),
        signal_(ownedSignal(call[0], shapeFromArray(call[1], "shape"), "signal")),
        settings_(options, "sym8") {
    options_.wavelet = settings_.bank->name;
    options_.mode = settings_.mode;
    options_.level = intOption(options, "level", options_.level);
  }

 protected:
  void execute() override {
    // signal_ is this job's own copy: on CPU the result overwrites it, row by row.
    const bool onCpu = settings_.device.is_cpu();
    result_ = wv::denoise(signal_.to(settings_.device), options_, &warnings_, settings_.backend,
                          onCpu ? signal_ : at::Tensor());
    result_.signal = result_.signal.cpu();
    result_.threshold = result_.threshold.cpu();
  }
  Napi::Value result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("signal", arrayFromTensor(env, result_.signal));
    out.Set("thresholds", arrayFromTensor(env, result_.threshold));
    out.Set("warnings", stringsToArray(env, warnings_));
    return out;
  }

 private:
  at::Tensor signal_;
  WaveletSettings settings_;
  wv::DenoiseOptions options_;
  wv::DenoiseResult result_;
  std::vector<std::string> warnings_;
};

// Every async call takes (data, shape(s), options).
constexpr size_t kOptionsIndex = 2;

template <typename JobType>
Napi::Value startJob(const Napi::CallbackInfo& call) {
  // An async call never throws: bad arguments reject its Promise like any later failure.
  try {
    auto* job = new JobType(call, optionsArg(call, kOptionsIndex));  // AsyncWorker deletes itself
    return job->start();
  } catch (...) {
    auto rejected = Napi::Promise::Deferred::New(call.Env());
    rejected.Reject(toJsError(call.Env(), std::current_exception()).Value());
    return rejected.Promise();
  }
}

// ---- sync calls ----

Napi::Value threshold(const Napi::CallbackInfo& call) {
  return guarded(call, [&]() -> Napi::Value {
    if (!call[0].IsTypedArray()) throw Error(ErrorCode::DType, "Expected Float32Array or Float64Array for data");
    const auto count = static_cast<int64_t>(call[0].As<Napi::TypedArray>().ElementLength());
    at::Tensor data = tensorFromArray(call[0], {count}, "data");
    const double value = call[1].As<Napi::Number>().DoubleValue();
    const wv::ThresholdMode mode = wv::parseThresholdMode(call[2].As<Napi::String>().Utf8Value());
    const double substitute = call[3].As<Napi::Number>().DoubleValue();
    return arrayFromTensor(call.Env(), wv::threshold(data, value, mode, substitute));
  });
}

Napi::Value maxLevel(const Napi::CallbackInfo& call) {
  return guarded(call, [&]() -> Napi::Value {
    const auto length = static_cast<int64_t>(call[0].As<Napi::Number>().DoubleValue());
    const wv::FilterBank& bank = wv::filterBank(call[1].As<Napi::String>().Utf8Value());
    return Napi::Number::New(call.Env(), wv::dwtMaxLevel(length, bank.length()));
  });
}

Napi::Value names(const Napi::CallbackInfo& call) {
  return guarded(call, [&]() -> Napi::Value { return stringsToArray(call.Env(), wv::waveletNames()); });
}

Napi::Value modes(const Napi::CallbackInfo& call) {
  return guarded(call, [&]() -> Napi::Value { return stringsToArray(call.Env(), wv::modeNames()); });
}

Napi::Value filterBank(const Napi::CallbackInfo& call) {
  return guarded(call, [&]() -> Napi::Value {
    Napi::Env env = call.Env();
    const wv::FilterBank& bank = wv::filterBank(call[0].As<Napi::String>().Utf8Value());
    auto taps = [&](const std::vector<double>& filter) {
      Napi::Float64Array array = Napi::Float64Array::New(env, filter.size());
      for (size_t i = 0; i < filter.size(); ++i) array[i] = filter[i];
      return array;
    };
    Napi::Object out = Napi::Object::New(env);
    out.Set("name", bank.name);
    out.Set("decLo", taps(bank.decLo));
    out.Set("decHi", taps(bank.decHi));
    out.Set("recLo", taps(bank.recLo));
    out.Set("recHi", taps(bank.recHi));
    return out;
  });
}

}  // namespace

void registerWavelet(Napi::Env env, Napi::Object exports) {
  Napi::Object wavelet = Napi::Object::New(env);
  wavelet.Set("wavedec", Napi::Function::New(env, startJob<WavedecJob>, "wavedec"));  // (signal, shape, options)
  wavelet.Set("waverec", Napi::Function::New(env, startJob<WaverecJob>, "waverec"));  // (coeffs, shapes, options)
  wavelet.Set("denoise", Napi::Function::New(env, startJob<DenoiseJob>, "denoise"));  // (signal, shape, options)
  wavelet.Set("threshold", Napi::Function::New(env, threshold, "threshold"));  // (data, value, mode, substitute)
  wavelet.Set("maxLevel", Napi::Function::New(env, maxLevel, "maxLevel"));     // (length, wavelet)
  wavelet.Set("names", Napi::Function::New(env, names, "names"));
  wavelet.Set("modes", Napi::Function::New(env, modes, "modes"));
  wavelet.Set("filterBank", Napi::Function::New(env, filterBank, "filterBank"));  // (name)
  exports.Set("wavelet", wavelet);
}

}  // namespace ecgldm::binding
