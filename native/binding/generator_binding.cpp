// N-API surface of the generator (see generator_binding.h). Each async call is one Job
// whose fields are its baton: arguments are parsed into the baton on the main thread
// BEFORE the job exists (so a bad argument never leaves a half-built job), execute()
// touches only the baton, the handle's state and native/ (worker thread), result() builds
// the JS value (main thread).
//
// Adapter notes over train/diffusion_trainer.h (which counts in epochs and keeps its EMA
// and optimizer private):
//   - `steps` is the run length: the trainer gets ceil(steps / stepsPerEpoch) epochs and
//     is stopped at a step boundary once `steps` optimizer steps are done (its progress
//     callback runs every step for that; JS sees every `progressEvery` steps);
//   - the trainer always writes a "last" checkpoint (into checkpointDir, or a temp file);
//     after the run the handle reads the EMA weights, optimizer moments, RNG state and
//     step back from it, so save() writes a checkpoint that resumes exactly;
//   - an external validation set is evaluated at each epoch end (fixed noise) and
//     reported as `validationLoss`; the trainer's own split (valFraction) still picks the
//     best checkpoint.
#include "binding/generator_binding.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "binding/errors.h"
#include "binding/job.h"
#include "binding/tensor_convert.h"
#include "core/device.h"
#include "core/error.h"
#include "diffusion/loss.h"
#include "diffusion/noise_schedule.h"
#include "diffusion/sample_loop.h"
#include "nn/seed_unet.h"
#include "nn/unet1d.h"
#include "train/checkpoint.h"
#include "train/diffusion_trainer.h"
#include "train/ema.h"
#include "train/generator_config.h"
#include "train/optimizer.h"
#include "train/strict_json.h"

namespace ecgldm::binding {
namespace {

namespace fs = std::filesystem;

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1

using train::GeneratorConfig;

// ---- the handle's state: model, schedule, EMA and what a resumable checkpoint needs ----

struct GeneratorState {
  GeneratorState(GeneratorConfig c, at::Device d) : config(std::move(c)), device(d), schedule(config.schedule) {}

  GeneratorConfig config;
  at::Device device;
  diffusion::NoiseSchedule schedule;
  nn::UNet1d unet{nullptr};
  nn::SeedUNet seed{nullptr};
  std::optional<train::Ema> ema;     // absent before any training (or in a checkpoint without EMA)
  train::NamedTensors optimizer;     // optimizer moments of the last run, for resume
  at::Tensor rngState;
  int64_t step = 0;
  double bestValLoss = std::numeric_limits<double>::infinity();
  std::string runConfigJson = "{}";
  std::atomic<bool> busy{false};

  torch::nn::Module& module() { return unet.is_empty() ? static_cast<torch::nn::Module&>(*seed) : *unet; }

  /** The network as a Denoiser, without touching its train/eval mode. */
  diffusion::Denoiser denoiser() {
    if (!unet.is_empty()) {
      auto m = unet.ptr();
      return [m](const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& l) { return m->forward(x, t, l); };
    }
    auto m = seed.ptr();
    return [m](const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& l) { return m->forward(x, t, l); };
  }

  /** A checkpoint with the configs, step and best loss filled in, and no tensors yet. */
  train::Checkpoint checkpointHeader() const {
    train::Checkpoint checkpoint;
    checkpoint.modelConfigJson = train::generatorConfigJson(config).dump();
    checkpoint.runConfigJson = runConfigJson;
    checkpoint.step = step;
    checkpoint.bestValLoss = bestValLoss;
    return checkpoint;
  }

  /** Takes EMA, optimizer, RNG, step and best loss from a checkpoint (weights are loaded separately). */
  void adopt(const train::Checkpoint& checkpoint) {
    if (checkpoint.ema.empty()) {
      ema.reset();
    } else {
      ema.emplace(module());
      ema->load(checkpoint.ema);
    }
    optimizer = checkpoint.optimizer;
    rngState = checkpoint.rngState;
    step = checkpoint.step;
    bestValLoss = checkpoint.bestValLoss;
    runConfigJson = checkpoint.runConfigJson;
  }
};

using StatePtr = std::shared_ptr<GeneratorState>;

/** Builds the network on `device`; `initSeed` seeds its random initialisation. */
StatePtr buildState(const GeneratorConfig& config, const at::Device& device, std::optional<uint64_t> initSeed) {
  auto state = std::make_shared<GeneratorState>(config, device);
  // Module constructors draw from the global CPU generator: seed it for this construction
  // only, and put its state back so the caller's stream is undisturbed.
  at::Tensor saved;
  if (initSeed) {
    saved = train::cpuRngState();
    torch::manual_seed(*initSeed);
  }
  try {
    if (config.isSeed()) {
      state->seed = nn::SeedUNet(config.seedUNetOptions());
    } else {
      state->unet = nn::UNet1d(config.unet);
    }
  } catch (...) {
    if (saved.defined()) train::restoreCpuRngState(saved);
    throw;
  }
  if (saved.defined()) train::restoreCpuRngState(saved);
  state->module().to(device);
  return state;
}

/** Holds the handle's busy flag for one job; released when the job is destroyed, right after
 *  its Promise settles and before any continuation of it runs. */
class BusyLease {
 public:
  BusyLease(StatePtr state, const char* what) {
    if (state->busy.exchange(true))
      throw Error(ErrorCode::Busy, std::string("the generator is busy with another job; await it before calling ") + what + "()");
    state_ = std::move(state);
  }
  BusyLease(BusyLease&& other) noexcept : state_(std::move(other.state_)) {}
  BusyLease(const BusyLease&) = delete;
  BusyLease& operator=(const BusyLease&) = delete;
  BusyLease& operator=(BusyLease&&) = delete;
  ~BusyLease() {
    if (state_) state_->busy.store(false);
  }

 private:
  StatePtr state_;
};

// ---- JS option readers (the TS layer validated already; these keep C++ safe on its own) ----

double numberOption(const Napi::Object& o, const char* name, double fallback, double min, double max) {
  Napi::Value v = o.Get(name);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsNumber()) throw Error(ErrorCode::ArgType, std::string("Expected number for options.") + name);
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= min && d <= max))
    throw Error(ErrorCode::ArgRange, std::string("Expected number between ") + std::to_string(min) + " and " +
                                         std::to_string(max) + " for options." + name + " but received " + std::to_string(d));
  return d;
}

int64_t intOption(const Napi::Object& o, const char* name, int64_t fallback, int64_t min, double max = kMaxSafeInteger) {
  const double d = numberOption(o, name, static_cast<double>(fallback), static_cast<double>(min), max);
  if (d != std::floor(d)) throw Error(ErrorCode::ArgRange, std::string("Expected integer for options.") + name);
  return static_cast<int64_t>(d);
}

std::string stringOption(const Napi::Object& o, const char* name, const std::string& fallback) {
  Napi::Value v = o.Get(name);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsString()) throw Error(ErrorCode::ArgType, std::string("Expected string for options.") + name);
  return v.As<Napi::String>().Utf8Value();
}

bool boolOption(const Napi::Object& o, const char* name, bool fallback) {
  Napi::Value v = o.Get(name);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsBoolean()) throw Error(ErrorCode::ArgType, std::string("Expected boolean for options.") + name);
  return v.As<Napi::Boolean>().Value();
}

Napi::Object optionsArg(const Napi::CallbackInfo& call, size_t index) {
  if (call.Length() <= index || call[index].IsUndefined()) return Napi::Object::New(call.Env());
  if (!call[index].IsObject()) throw Error(ErrorCode::ArgType, "Expected object for options");
  return call[index].As<Napi::Object>();
}

/** Labels as int64 [n]; every one must be a class of the model. */
at::Tensor labelsArg(const Napi::Value& value, int64_t n, const GeneratorConfig& config, const char* name) {
  at::Tensor labels = tensorFromArray(value, {n}, name, {at::kInt, at::kLong, at::kDouble}).to(at::kLong);
  if (n > 0) {
    const int64_t lo = labels.min().item<int64_t>(), hi = labels.max().item<int64_t>();
    if (lo < 0 || hi >= config.numClasses) {
      const int64_t bad = lo < 0 ? lo : hi;
      throw Error(ErrorCode::ArgRange, std::string("Expected ") + name + " in 0.." + std::to_string(config.numClasses - 1) +
                                           " (the model's classes) but received " + std::to_string(bad));
    }
  }
  return labels;
}

/** data [N, C, L] checked against the model: C leads, L samples. */
at::Tensor dataArg(const Napi::Value& data, const Napi::Value& shape, const GeneratorConfig& config, const char* name) {
  const std::vector<int64_t> dims = shapeFromArray(shape, (std::string(name) + "Shape").c_str());
  if (dims.size() != 3)
    throw Error(ErrorCode::Shape, std::string("Expected ") + name + " of shape [N, C, L] but received " +
                                      std::to_string(dims.size()) + " dimensions");
  if (dims[1] != config.channels || dims[2] != config.length)
    throw Error(ErrorCode::Shape, std::string("Expected ") + name + " of shape [N, " + std::to_string(config.channels) + ", " +
                                      std::to_string(config.length) + "] (the model's channels and length) but received [" +
                                      std::to_string(dims[0]) + ", " + std::to_string(dims[1]) + ", " + std::to_string(dims[2]) + "]");
  return tensorFromArray(data, dims, name).to(at::kFloat);
}

std::string tempCheckpointPath() {
  static std::atomic<uint64_t> counter{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return (fs::temp_directory_path() / ("ecg-ldm-generator-" + std::to_string(now) + "-" +
                                       std::to_string(counter.fetch_add(1)) + ".safetensors"))
      .string();
}

void removeCheckpointFiles(const std::string& path) {
  std::error_code ignored;
  fs::remove(path, ignored);
  fs::remove(train::checkpointSidecarPath(path), ignored);
}

// ---- train ----

struct TrainBaton {
  at::Tensor data, labels;
  at::Tensor valData, valLabels;  // optional external validation set
  int64_t steps = 1000;
  int64_t progressEvery = 10;
  std::string checkpointDir;
  train::DiffusionTrainerOptions trainer;
};

TrainBaton parseTrainBaton(const Napi::CallbackInfo& call, const GeneratorState& state, const Napi::Object& o) {
  const GeneratorConfig& config = state.config;
  TrainBaton b;
  b.data = dataArg(call[0], call[1], config, "data");
  b.labels = labelsArg(call[2], b.data.size(0), config, "labels");
  Napi::Value validation = o.Get("validation");
  if (validation.IsObject()) {
    Napi::Object v = validation.As<Napi::Object>();
    b.valData = dataArg(v.Get("data"), v.Get("shape"), config, "validation.data");
    b.valLabels = labelsArg(v.Get("labels"), b.valData.size(0), config, "validation.labels");
    if (!torch::isfinite(b.valData).all().item<bool>())
      throw Error(ErrorCode::NonFinite, "validation data contains NaN or infinite values");
  }
  b.steps = intOption(o, "steps", b.steps, 1);
  b.progressEvery = intOption(o, "progressEvery", b.progressEvery, 1);
  b.checkpointDir = stringOption(o, "checkpointDir", "");

  train::DiffusionTrainerOptions& t = b.trainer;
  t.batchSize = intOption(o, "batchSize", t.batchSize, 1);
  t.valFraction = numberOption(o, "valFraction", t.valFraction, 0, 0.99);
  t.seed = static_cast<uint64_t>(intOption(o, "seed", 0, 0));
  t.optimizer.kind = train::parseOptimizerKind(stringOption(o, "optimizer", "adam"));
  t.optimizer.lr = numberOption(o, "lr", t.optimizer.lr, 1e-12, 10);
  t.optimizer.weightDecay = numberOption(o, "weightDecay", t.optimizer.weightDecay, 0, 10);
  t.warmupSteps = intOption(o, "warmupSteps", t.warmupSteps, 0);
  t.minLrFraction = numberOption(o, "minLrFraction", t.minLrFraction, 0, 1);
  t.gradClip = numberOption(o, "gradClip", t.gradClip, 0, 1e12);
  t.emaDecay = numberOption(o, "emaDecay", t.emaDecay, 0, 1);
  t.precision = train::parsePrecision(stringOption(o, "precision", "float32"));
  t.loss.prediction(config.prediction).conditionDropProb(config.conditionDropProb).nullLabel(config.nullLabel());
  t.resumeFrom = stringOption(o, "resumeFrom", "");
  t.modelConfigJson = train::generatorConfigJson(config).dump();
  const std::string run = stringOption(o, "runConfig", "{}");
  train::validateJson(run, "options.runConfig");  // fail now, not at the first checkpoint
  t.runConfigJson = run;
  t.logEvery = 1;  // the adapter needs every step (see the file comment)

  // The trainer counts in epochs: enough of them to hold `steps` (same split as the trainer).
  const int64_t n = b.data.size(0);
  const int64_t numVal = t.valFraction > 0 ? std::max<int64_t>(1, std::llround(t.valFraction * static_cast<double>(n))) : 0;
  const int64_t numTrain = n - numVal;
  if (numTrain < 1)
    throw Error(ErrorCode::ArgRange, "Expected at least one training sample after the validation split but " +
                                         std::to_string(n) + " samples with options.valFraction " +
                                         std::to_string(t.valFraction) + " leave none");
  const int64_t stepsPerEpoch = (numTrain + t.batchSize - 1) / t.batchSize;
  t.epochs = std::max<int64_t>(1, (b.steps + stepsPerEpoch - 1) / stepsPerEpoch);
  return b;
}

/** A job on one generator handle: the handle's state, the job's baton, and the busy lease. */
template <typename Baton>
class GeneratorJob : public Job {
 public:
  GeneratorJob(Napi::Env env, const char* name, const Napi::Object& options, StatePtr state, Baton baton,
               BusyLease lease)
      : Job(env, name, options), state_(std::move(state)), b_(std::move(baton)), lease_(std::move(lease)) {}

 protected:
  StatePtr state_;
  Baton b_;

 private:
  BusyLease lease_;
};

class TrainJob final : public GeneratorJob<TrainBaton> {
 public:
  TrainJob(Napi::Env env, const Napi::Object& options, StatePtr state, TrainBaton baton, BusyLease lease)
      : GeneratorJob(env, "ecgldm.generator.train", options, std::move(state), std::move(baton), std::move(lease)) {}

 protected:
  void execute() override {
    GeneratorState& s = *state_;
    train::DiffusionTrainerOptions t = b_.trainer;

    // 1. Checkpoint paths: the caller's folder, or a temp file read back and removed.
    const bool keep = !b_.checkpointDir.empty();
    if (keep) {
      std::error_code error;
      fs::create_directories(b_.checkpointDir, error);
      if (error) throw Error(ErrorCode::Io, "cannot create checkpointDir " + b_.checkpointDir + ": " + error.message());
      t.bestCheckpointPath = (fs::path(b_.checkpointDir) / "best.safetensors").string();
      t.lastCheckpointPath = (fs::path(b_.checkpointDir) / "last.safetensors").string();
    } else {
      t.lastCheckpointPath = tempCheckpointPath();
    }
    struct TempCleanup {
      std::string path;
      ~TempCleanup() {
        if (!path.empty()) removeCheckpointFiles(path);
      }
    } cleanup{keep ? std::string() : t.lastCheckpointPath};

    // 2. Callbacks: stop at `steps` or on abort; forward every progressEvery steps.
    int64_t step = 0;
    double windowLoss = 0;
    int64_t windowSteps = 0;
    bool reachedSteps = false;
    train::DiffusionTrainerCallbacks callbacks;
    callbacks.shouldStop = [&]() { return reachedSteps || cancelled(); };
    callbacks.onProgress = [&](const train::DiffusionTrainProgress& p) {
      step = p.step;
      losses_.push_back(p.loss);
      windowLoss += p.loss;
      ++windowSteps;
      if (p.step >= b_.steps) reachedSteps = true;
      if (p.step % b_.progressEvery == 0 || reachedSteps) {
        const double perStep = p.samplesPerSecond > 0 ? static_cast<double>(t.batchSize) / p.samplesPerSecond : 0.0;
        report({"train",
                {{"step", static_cast<double>(p.step)},
                 {"totalSteps", static_cast<double>(b_.steps)},
                 {"epoch", static_cast<double>(p.epoch)},
                 {"loss", windowLoss / static_cast<double>(windowSteps)},
                 {"lr", p.lr},
                 {"samplesPerSecond", p.samplesPerSecond},
                 {"etaSeconds", static_cast<double>(std::max<int64_t>(0, b_.steps - p.step)) * perStep}}});
        windowLoss = 0;
        windowSteps = 0;
      }
    };
    callbacks.onEpoch = [&](const train::DiffusionEpochSummary& e) {
      const double validation = externalValidationLoss();
      epochs_.push_back({e.epoch, e.trainLoss, e.valLoss, validation, e.best});
      report({"epoch",
              {{"epoch", static_cast<double>(e.epoch)},
               {"step", static_cast<double>(step)},
               {"trainLoss", e.trainLoss},
               {"valLoss", e.valLoss},
               {"validationLoss", validation},
               {"best", e.best ? 1.0 : 0.0}}});
    };

    // 3. The run.
    const train::DiffusionTrainResult result =
        train::trainDiffusion(s.module(), s.denoiser(), s.schedule, b_.data, b_.labels, t, s.device, callbacks);
    steps_ = result.steps;
    bestLoss_ = result.bestLoss;

    // 4. EMA, optimizer moments, RNG and step back from the last checkpoint.
    if (fs::exists(t.lastCheckpointPath)) s.adopt(train::loadCheckpoint(t.lastCheckpointPath));
    s.step = result.steps;
    if (result.stopped && !reachedSteps) {
      throw Error(ErrorCode::Cancelled,
                  "training cancelled at step " + std::to_string(result.steps) +
                      (keep ? "; resume from " + t.lastCheckpointPath
                            : "; no checkpointDir was given, so no checkpoint was kept"));
    }
    lastCheckpoint_ = keep ? t.lastCheckpointPath : "";
    bestCheckpoint_ = keep && fs::exists(t.bestCheckpointPath) ? t.bestCheckpointPath : "";
  }

  Napi::Value result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("steps", Napi::Number::New(env, static_cast<double>(steps_)));
    out.Set("bestLoss", Napi::Number::New(env, bestLoss_));
    Napi::Float64Array losses = Napi::Float64Array::New(env, losses_.size());
    std::copy(losses_.begin(), losses_.end(), losses.Data());
    out.Set("losses", losses);
    Napi::Array epochs = Napi::Array::New(env, epochs_.size());
    for (size_t i = 0; i < epochs_.size(); ++i) {
      Napi::Object e = Napi::Object::New(env);
      e.Set("epoch", Napi::Number::New(env, static_cast<double>(epochs_[i].epoch)));
      e.Set("trainLoss", Napi::Number::New(env, epochs_[i].trainLoss));
      e.Set("valLoss", Napi::Number::New(env, epochs_[i].valLoss));
      e.Set("validationLoss", Napi::Number::New(env, epochs_[i].validationLoss));
      e.Set("best", Napi::Boolean::New(env, epochs_[i].best));
      epochs.Set(static_cast<uint32_t>(i), e);
    }
    out.Set("epochs", epochs);
    out.Set("lastCheckpoint", lastCheckpoint_.empty() ? env.Null() : Napi::String::New(env, lastCheckpoint_));
    out.Set("bestCheckpoint", bestCheckpoint_.empty() ? env.Null() : Napi::String::New(env, bestCheckpoint_));
    return out;
  }

 private:
  struct EpochRecord {
    int64_t epoch;
    double trainLoss, valLoss, validationLoss;
    bool best;
  };

  /** Loss on the external validation set, with the same t and noise every epoch. */
  double externalValidationLoss() {
    if (!b_.valData.defined()) return std::numeric_limits<double>::quiet_NaN();
    GeneratorState& s = *state_;
    torch::NoGradGuard noGrad;
    s.module().eval();
    at::Generator generator = at::globalContext().defaultGenerator(s.device).clone();
    generator.set_current_seed(b_.trainer.seed ^ 0x5EEDFACEULL);
    diffusion::DiffusionLossOptions lossOptions = b_.trainer.loss;
    lossOptions.conditionDropProb(0.0);
    const at::Tensor x = b_.valData.to(s.device), y = b_.valLabels.to(s.device);
    const int64_t n = x.size(0), batch = b_.trainer.batchSize;
    double sum = 0;
    const auto denoiser = s.denoiser();
    for (int64_t start = 0; start < n; start += batch) {
      const int64_t end = std::min(n, start + batch);
      auto noised = diffusion::makeNoisedBatch(s.schedule, x.slice(0, start, end), y.slice(0, start, end), lossOptions, generator);
      sum += diffusion::diffusionLoss(denoiser(noised.noisy, noised.t, noised.labels), noised.target).item<double>() *
             static_cast<double>(end - start);
    }
    s.module().train();
    return sum / static_cast<double>(n);
  }

  std::vector<double> losses_;
  std::vector<EpochRecord> epochs_;
  int64_t steps_ = 0;
  double bestLoss_ = 0;
  std::string lastCheckpoint_, bestCheckpoint_;
};

// ---- sample ----

struct SampleBaton {
  at::Tensor labels;
  diffusion::SampleLoopOptions loop;
  bool useEma = true;
};

SampleBaton parseSampleBaton(const Napi::CallbackInfo& call, const GeneratorState& state, const Napi::Object& o) {
  const GeneratorConfig& config = state.config;
  SampleBaton b;
  if (!call[0].IsTypedArray()) throw Error(ErrorCode::ArgType, "Expected Int32Array for labels");
  const int64_t count = static_cast<int64_t>(call[0].As<Napi::TypedArray>().ElementLength());
  if (count < 1) throw Error(ErrorCode::Shape, "Expected at least one label for labels");
  b.labels = labelsArg(call[0], count, config, "labels");
  const std::string sampler = stringOption(o, "sampler", "dpmpp");
  diffusion::SamplerKind kind;
  if (sampler == "ddpm") kind = diffusion::SamplerKind::Ddpm;
  else if (sampler == "ddim") kind = diffusion::SamplerKind::Ddim;
  else if (sampler == "dpmpp") kind = diffusion::SamplerKind::DpmSolverPP;
  else throw Error(ErrorCode::ArgRange, "Expected one of ddpm, ddim, dpmpp for options.sampler but received \"" + sampler + "\"");
  const double guidance = numberOption(o, "guidance", 1.0, -100, 100);
  if (guidance != 1.0 && config.nullLabel() < 0)
    throw Error(ErrorCode::ArgRange, "Expected options.guidance 1 for the seed U-Net (it has no unconditional class) but received " +
                                         std::to_string(guidance));
  const std::string variance = stringOption(o, "ddpmVariance", "posterior");
  if (variance != "posterior" && variance != "seed")
    throw Error(ErrorCode::ArgRange, "Expected one of posterior, seed for options.ddpmVariance but received \"" + variance + "\"");
  b.loop.sampler(kind)
      .steps(intOption(o, "steps", 25, 1, static_cast<double>(config.schedule.numTrainSteps())))
      .prediction(config.prediction)
      .eta(numberOption(o, "eta", 0.0, 0, 1))
      .ddpmVariance(variance == "seed" ? diffusion::DdpmVariance::SeedVariance : diffusion::DdpmVariance::Posterior)
      .clipX0(numberOption(o, "clipX0", 0.0, 0, 1e6))
      .guidanceScale(guidance)
      .nullLabel(config.nullLabel())
      .seed(static_cast<uint64_t>(intOption(o, "seed", 0, 0)));
  b.useEma = boolOption(o, "useEma", true);
  return b;
}

class SampleJob final : public GeneratorJob<SampleBaton> {
 public:
  SampleJob(Napi::Env env, const Napi::Object& options, StatePtr state, SampleBaton baton, BusyLease lease)
      : GeneratorJob(env, "ecgldm.generator.sample", options, std::move(state), std::move(baton), std::move(lease)) {}

 protected:
  void execute() override {
    GeneratorState& s = *state_;
    s.module().eval();
    std::optional<train::EmaWeightsScope> emaWeights;
    if (b_.useEma && s.ema) emaWeights.emplace(*s.ema, s.module());
    const int64_t count = b_.labels.size(0);
    samples_ = diffusion::sampleLoop(s.denoiser(), s.schedule, {count, s.config.channels, s.config.length}, b_.labels,
                                     b_.loop, s.device, [this](int step, int total) {
                                       report({"sample", {{"step", static_cast<double>(step)}, {"total", static_cast<double>(total)}}});
                                       return !cancelled();
                                     });
    samples_ = samples_.to(at::kCPU).contiguous();
  }

  Napi::Value result(Napi::Env env) override { return arrayFromTensor(env, samples_); }

 private:
  at::Tensor samples_;
};

// ---- the class ----

class GeneratorHandle : public Napi::ObjectWrap<GeneratorHandle> {
 public:
  static Napi::Function define(Napi::Env env, Napi::FunctionReference* constructor) {
    return DefineClass(env, "GeneratorHandle",
                       {StaticMethod("create", &GeneratorHandle::create, napi_default, constructor),
                        StaticMethod("load", &GeneratorHandle::load, napi_default, constructor),
                        InstanceMethod("train", &GeneratorHandle::train),
                        InstanceMethod("sample", &GeneratorHandle::sample),
                        InstanceMethod("save", &GeneratorHandle::save),
                        InstanceMethod("exportWeights", &GeneratorHandle::exportWeights),
                        InstanceMethod("config", &GeneratorHandle::config),
                        InstanceMethod("dispose", &GeneratorHandle::dispose),
                        InstanceAccessor("disposed", &GeneratorHandle::disposed, nullptr),
                        InstanceAccessor("busy", &GeneratorHandle::busy, nullptr)});
  }

  explicit GeneratorHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GeneratorHandle>(info) {
    if (info.Length() < 1 || !info[0].IsExternal())
      throw makeError(info.Env(), ErrorCode::ArgType,
                      "GeneratorHandle is made by GeneratorHandle.create() or GeneratorHandle.load()");
    state_ = *info[0].As<Napi::External<StatePtr>>().Data();
  }

 private:
  static Napi::Value wrap(const Napi::CallbackInfo& info, StatePtr state) {
    auto* constructor = static_cast<Napi::FunctionReference*>(info.Data());
    return constructor->New({Napi::External<StatePtr>::New(info.Env(), &state)});
  }

  /** create(configJson, device = "cpu", initSeed?) -> handle with a freshly initialised model. */
  static Napi::Value create(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      if (info.Length() < 1 || !info[0].IsString()) throw Error(ErrorCode::ArgType, "Expected JSON string for config");
      const GeneratorConfig config = train::parseGeneratorConfig(info[0].As<Napi::String>().Utf8Value());
      const std::string device = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "cpu";
      std::optional<uint64_t> seed;
      if (info.Length() > 2 && info[2].IsNumber()) {
        const double d = info[2].As<Napi::Number>().DoubleValue();
        if (!(d >= 0 && d <= kMaxSafeInteger) || d != std::floor(d))
          throw Error(ErrorCode::ArgRange, "Expected non-negative integer for seed but received " + std::to_string(d));
        seed = static_cast<uint64_t>(d);
      }
      return wrap(info, buildState(config, parseDevice(device), seed));
    });
  }

  /** load(path, device = "cpu") -> handle with the checkpoint's architecture, weights, EMA, optimizer. */
  static Napi::Value load(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      if (info.Length() < 1 || !info[0].IsString()) throw Error(ErrorCode::ArgType, "Expected string for path");
      const std::string path = info[0].As<Napi::String>().Utf8Value();
      const std::string deviceName = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "cpu";
      const at::Device device = parseDevice(deviceName);
      const train::Checkpoint checkpoint = train::loadCheckpoint(path);
      const GeneratorConfig config = train::checkpointGeneratorConfig(checkpoint, path);
      StatePtr state = buildState(config, device, std::nullopt);
      train::loadIntoModule(state->module(), checkpoint.model);  // a CUDA checkpoint loads on CPU
      state->adopt(checkpoint);
      return wrap(info, state);
    });
  }

  StatePtr live(const char* method) const {
    if (!state_) throw Error(ErrorCode::Disposed, std::string("the generator was disposed; cannot call ") + method + "()");
    return state_;
  }

  /** Starts a job; a bad argument, a disposed or busy handle reject the Promise. */
  template <typename Start>
  Napi::Value startJob(const Napi::CallbackInfo& info, Start&& start) {
    try {
      return start();
    } catch (...) {
      auto rejected = Napi::Promise::Deferred::New(info.Env());
      rejected.Reject(toJsError(info.Env(), std::current_exception()).Value());
      return rejected.Promise();
    }
  }

  /** train(data, shape, labels, options) -> Promise<summary>; options also hold onProgress/signal. */
  Napi::Value train(const Napi::CallbackInfo& info) {
    return startJob(info, [&]() -> Napi::Value {
      StatePtr state = live("train");
      const Napi::Object options = optionsArg(info, 3);
      TrainBaton baton = parseTrainBaton(info, *state, options);
      BusyLease lease(state, "train");
      auto* job = new TrainJob(info.Env(), options, state, std::move(baton), std::move(lease));  // deletes itself
      return job->start();
    });
  }

  /** sample(labels Int32Array, options) -> Promise<Float32Array [B, C, L]>. */
  Napi::Value sample(const Napi::CallbackInfo& info) {
    return startJob(info, [&]() -> Napi::Value {
      StatePtr state = live("sample");
      const Napi::Object options = optionsArg(info, 1);
      SampleBaton baton = parseSampleBaton(info, *state, options);
      BusyLease lease(state, "sample");
      auto* job = new SampleJob(info.Env(), options, state, std::move(baton), std::move(lease));
      return job->start();
    });
  }

  /** save(path): weights, EMA, optimizer moments, step and config, atomically. */
  Napi::Value save(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      StatePtr state = live("save");
      if (info.Length() < 1 || !info[0].IsString()) throw Error(ErrorCode::ArgType, "Expected string for path");
      BusyLease lease(state, "save");
      train::Checkpoint checkpoint = state->checkpointHeader();
      checkpoint.model = train::namedParametersAndBuffers(state->module());
      if (state->ema) checkpoint.ema = state->ema->shadow();
      checkpoint.optimizer = state->optimizer;
      checkpoint.rngState = state->rngState;
      train::saveCheckpoint(info[0].As<Napi::String>().Utf8Value(), checkpoint);
      return info.Env().Undefined();
    });
  }

  /**
   * exportWeights(path, dtype = "float32"): a weights-only checkpoint for sampling and sharing:
   * model.* holds the EMA weights (the raw ones when there is no EMA), floating tensors cast
   * to dtype ("float32", "float16" or "bfloat16"); no EMA, optimizer or RNG state, so it
   * loads (as float32) and samples but does not resume the run.
   */
  Napi::Value exportWeights(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      StatePtr state = live("exportWeights");
      if (info.Length() < 1 || !info[0].IsString()) throw Error(ErrorCode::ArgType, "Expected string for path");
      const std::string dtypeName = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "float32";
      const std::map<std::string, at::ScalarType> dtypes = {
          {"float32", at::kFloat}, {"float16", at::kHalf}, {"bfloat16", at::kBFloat16}};
      const auto dtype = dtypes.find(dtypeName);
      if (dtype == dtypes.end())
        throw Error(ErrorCode::ArgRange, "Expected one of float32, float16, bfloat16 for dtype but received " + dtypeName);
      BusyLease lease(state, "exportWeights");
      train::Checkpoint checkpoint = state->checkpointHeader();
      const train::NamedTensors& weights = state->ema ? state->ema->shadow() : train::namedParametersAndBuffers(state->module());
      for (const auto& [name, tensor] : weights)
        checkpoint.model.emplace_back(name, tensor.is_floating_point() ? tensor.detach().to(at::kCPU, dtype->second) : tensor.detach().cpu());
      train::saveCheckpoint(info[0].As<Napi::String>().Utf8Value(), checkpoint);
      return info.Env().Undefined();
    });
  }

  /** config() -> JSON text: {model, diffusion, parameterCount, trainableParameterCount, step, device, hasEma}. */
  Napi::Value config(const Napi::CallbackInfo& info) {
    return guarded(info, [&]() -> Napi::Value {
      StatePtr state = live("config");
      int64_t total = 0, trainable = 0;
      for (const at::Tensor& p : state->module().parameters()) {
        total += p.numel();
        if (p.requires_grad()) trainable += p.numel();
      }
      nlohmann::ordered_json out = train::generatorConfigJson(state->config);
      out["parameterCount"] = total;
      out["trainableParameterCount"] = trainable;
      out["step"] = state->step;
      out["device"] = state->device.str();
      out["hasEma"] = state->ema.has_value();
      // JSON has no infinity: before the first evaluation the loss is null.
      out["bestValLoss"] = std::isfinite(state->bestValLoss) ? nlohmann::ordered_json(state->bestValLoss) : nullptr;
      return Napi::String::New(info.Env(), out.dump());
    });
  }

  /** dispose(): frees the model now (a running job keeps it until it ends); idempotent. */
  Napi::Value dispose(const Napi::CallbackInfo& info) {
    state_.reset();
    return info.Env().Undefined();
  }

  Napi::Value disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !state_); }
  Napi::Value busy(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), state_ && state_->busy.load());
  }

  StatePtr state_;
};

}  // namespace

void registerGenerator(Napi::Env env, Napi::Object exports) {
  auto* constructor = new Napi::FunctionReference();
  Napi::Function cls = GeneratorHandle::define(env, constructor);
  *constructor = Napi::Persistent(cls);
  env.AddCleanupHook([constructor]() { delete constructor; });
  exports.Set("GeneratorHandle", cls);
}

}  // namespace ecgldm::binding
