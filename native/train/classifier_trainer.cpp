#include "train/classifier_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>

#include "core/error.h"
#include "nn/cnn1d.h"
#include "nn/cnn_lstm.h"
#include "nn/ecgnet.h"
#include "nn/fusion_classifier.h"
#include "nn/resnet1d.h"
#include "train/checkpoint.h"
#include "train/fusion_generator.h"
#include "train/strict_json.h"

namespace ecgldm {
namespace train {

namespace {

// ---- model configs -------------------------------------------------------------------

using Json = nlohmann::ordered_json;

// The member `name` of `object`; nullptr when absent (or when `object` is not an object).
const Json* member(const Json& object, const char* name) {
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

/**
 * Reads the kind-specific options of a model config, each with its default, and records
 * the value used in `resolved` so the stored config spells every option out. finish()
 * rejects names no reader asked for (a typo must not silently fall back to a default).
 */
class OptionReader {
 public:
  OptionReader(const Json* options, std::string kind) : options_(options), kind_(std::move(kind)) {
    check(options_ == nullptr || options_->is_object(), ErrorCode::ArgRange,
          "Expected an object for the model config's options");
  }

  int64_t integer(const char* name, int64_t fallback, int64_t min = 1) {
    const Json* v = lookup(name);
    int64_t value = fallback;
    if (v != nullptr) {
      check(v->is_number(), ErrorCode::ArgRange, expected("integer", name));
      const double d = v->get<double>();
      check(std::floor(d) == d && std::fabs(d) < 9.0e15, ErrorCode::ArgRange, expected("integer", name));
      value = static_cast<int64_t>(d);
    }
    check(value >= min, ErrorCode::ArgRange,
          expected("integer >= " + std::to_string(min), name) + " but received " + std::to_string(value));
    resolved_[name] = value;
    return value;
  }

  double number(const char* name, double fallback) {
    const Json* v = lookup(name);
    double value = fallback;
    if (v != nullptr) {
      check(v->is_number(), ErrorCode::ArgRange, expected("number", name));
      value = v->get<double>();
    }
    check(std::isfinite(value), ErrorCode::ArgRange, expected("finite number", name));
    resolved_[name] = value;  // dump() writes the shortest text that reads back as `value`
    return value;
  }

  bool boolean(const char* name, bool fallback) {
    const Json* v = lookup(name);
    bool value = fallback;
    if (v != nullptr) {
      check(v->is_boolean(), ErrorCode::ArgRange, expected("boolean", name));
      value = v->get<bool>();
    }
    resolved_[name] = value;
    return value;
  }

  std::vector<int64_t> integers(const char* name, const std::vector<int64_t>& fallback) {
    const Json* v = lookup(name);
    std::vector<int64_t> value = fallback;
    if (v != nullptr) {
      check(v->is_array() && !v->empty(), ErrorCode::ArgRange, expected("non-empty array of positive integers", name));
      value.clear();
      for (const Json& item : *v) {
        const double d = item.is_number() ? item.get<double>() : 0;
        check(item.is_number() && std::floor(d) == d && d >= 1 && d < 1e9, ErrorCode::ArgRange,
              expected("non-empty array of positive integers", name));
        value.push_back(static_cast<int64_t>(d));
      }
    }
    resolved_[name] = value;
    return value;
  }

  /** A string option, or nullptr when absent; not recorded (the caller records what it resolves to). */
  const std::string* string(const char* name) {
    const Json* v = lookup(name);
    if (v == nullptr) return nullptr;
    check(v->is_string() && !v->get_ref<const std::string&>().empty(), ErrorCode::ArgRange,
          expected("non-empty string", name));
    return &v->get_ref<const std::string&>();
  }

  /** A nested options object, or nullptr when absent; the caller records its resolved form with set(). */
  const Json* object(const char* name) {
    const Json* v = lookup(name);
    check(v == nullptr || v->is_object(), ErrorCode::ArgRange, expected("object", name));
    return v;
  }

  /** Records a resolved value that the typed readers above do not produce. */
  void set(const char* name, Json value) { resolved_[name] = std::move(value); }

  /** Throws for option names no reader consumed; returns the resolved options. */
  Json finish() {
    if (options_ != nullptr) {
      for (const auto& option : options_->items()) {
        const std::string& name = option.key();
        if (used_.count(name) == 0) {
          std::string valid;
          for (const auto& n : usedOrder_) valid += (valid.empty() ? "" : ", ") + n;
          throw Error(ErrorCode::ArgRange, "Unknown option \"" + name + "\" for model kind " + kind_ +
                                               " (valid options: " + valid + ")");
        }
      }
    }
    return resolved_;
  }

 private:
  const Json* lookup(const char* name) {
    used_.insert(name);
    usedOrder_.emplace_back(name);
    return options_ == nullptr ? nullptr : member(*options_, name);
  }
  std::string expected(const std::string& what, const char* name) const {
    return "Expected " + what + " for " + kind_ + " option " + name;
  }

  const Json* options_;
  std::string kind_;
  std::set<std::string> used_;
  std::vector<std::string> usedOrder_;
  Json resolved_ = Json::object();
};

int64_t topLevelInteger(const Json& config, const char* name, int64_t min) {
  const Json* v = member(config, name);
  const double d = v != nullptr && v->is_number() ? v->get<double>() : 0;
  check(v != nullptr && v->is_number() && std::floor(d) == d && d >= min && d < 1e12, ErrorCode::ArgRange,
        std::string("Expected integer >= ") + std::to_string(min) + " for model config field " + name);
  return static_cast<int64_t>(d);
}

// ECGNet's options (all but numClasses / leads / samples), `opts` holding the defaults.
nn::ECGNetOptions ecgnetOptions(OptionReader& o, nn::ECGNetOptions opts) {
  opts.dropout(o.number("dropout", opts.dropout()));
  opts.classifierDropout(o.number("classifierDropout", opts.classifierDropout()));
  opts.kernelLength(o.integer("kernelLength", opts.kernelLength()));
  opts.kernelLength2(o.integer("kernelLength2", opts.kernelLength2()));
  opts.f1(o.integer("f1", opts.f1()));
  opts.d(o.integer("d", opts.d()));
  opts.f2(o.integer("f2", opts.f2()));
  opts.hidden(o.integer("hidden", opts.hidden()));
  opts.maxNorm(o.number("maxNorm", opts.maxNorm()));
  return opts;
}

// The fusion classifier's generator U-Net: from a generator checkpoint (a new model, the
// checkpoint's weights) or from the architecture a fusion checkpoint recorded; either way
// `generator` is recorded, so a saved fusion classifier rebuilds without the checkpoint.
FusionGenerator fusionGenerator(OptionReader& o, const ClassifierModel& model) {
  const std::string* path = o.string("generatorCheckpoint");
  const Json* recorded = o.object("generator");
  check((path == nullptr) != (recorded == nullptr), ErrorCode::ArgRange,
        "Expected exactly one of the fusion options generatorCheckpoint (a generator checkpoint to start from) and "
        "generator (the architecture a fusion checkpoint records)");
  FusionGenerator generator =
      path != nullptr ? loadFusionGenerator(*path) : buildFusionGenerator(parseGeneratorConfig(recorded->dump()));
  const GeneratorConfig& g = generator.config;
  const std::string source =
      path != nullptr ? "the generator checkpoint " + *path : std::string("the fusion model's U-Net");
  check(g.channels == model.leads && g.length == model.samples, ErrorCode::Shape,
        source + " was built for segments of " + std::to_string(g.length) + " samples x " + std::to_string(g.channels) +
            " leads, but the classifier's data has " + std::to_string(model.samples) + " samples x " +
            std::to_string(model.leads) + " leads; train the generator on segments like these");
  o.set("generator", generatorConfigJson(g));
  return generator;
}

// ---- seeded streams ------------------------------------------------------------------

// A private CPU generator seeded with `seed` (leaves the global RNG alone).
at::Generator seededCpuGenerator(uint64_t seed) {
  at::Generator generator = at::globalContext().defaultGenerator(torch::kCPU).clone();
  generator.set_current_seed(seed);
  return generator;
}

// One well-mixed 64-bit seed per (run seed, epoch) (splitmix64 finaliser).
uint64_t shuffleSeed(uint64_t seed, uint64_t epoch) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (epoch + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

NamedTensors cloneTensors(const NamedTensors& tensors) {
  NamedTensors copy;
  copy.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) copy.emplace_back(name, tensor.detach().clone());
  return copy;
}

std::string shapeText(const torch::Tensor& t) { return c10::str(t.sizes()); }

void checkSet(const torch::Tensor& x, const torch::Tensor& y, const std::string& name) {
  check(x.dim() == 3, ErrorCode::Shape,
        "Expected " + name + " data of shape [N, leads, samples] but received " + shapeText(x));
  check(x.size(0) >= 1 && x.size(1) >= 1 && x.size(2) >= 1, ErrorCode::Shape,
        "Expected a non-empty " + name + " set but received data of shape " + shapeText(x));
  check(y.dim() == 1 && y.size(0) == x.size(0), ErrorCode::Shape,
        "Expected " + name + " labels of shape [" + std::to_string(x.size(0)) + "] but received " + shapeText(y));
  check(torch::isfinite(x).all().item<bool>(), ErrorCode::NonFinite, name + " data contains NaN or infinite values");
}

}  // namespace

// ---- the model -------------------------------------------------------------------------

int64_t ClassifierModel::parameterCount() const {
  int64_t count = 0;
  for (const auto& p : module->parameters())
    if (p.requires_grad()) count += p.numel();
  return count;
}

ClassifierModel buildClassifier(const std::string& modelConfigJson, const at::Device& device) {
  const Json config = parseJson(modelConfigJson, "model config");
  check(config.is_object(), ErrorCode::ArgRange, "Expected the model config to be a JSON object");
  static const std::set<std::string> kTopLevel{"kind", "numClasses", "leads", "samples", "options"};
  for (const auto& field : config.items()) {
    check(kTopLevel.count(field.key()) == 1, ErrorCode::ArgRange,
          "Unknown model config field \"" + field.key() + "\" (valid fields: kind, numClasses, leads, samples, options)");
  }
  const Json* kindValue = member(config, "kind");
  check(kindValue != nullptr && kindValue->is_string(), ErrorCode::ArgRange,
        "Expected one of ecgnet, cnn, cnnlstm, resnet1d, fusion for model config field kind");

  ClassifierModel model;
  model.kind = kindValue->get<std::string>();
  model.numClasses = topLevelInteger(config, "numClasses", 2);
  model.leads = topLevelInteger(config, "leads", 1);
  model.samples = topLevelInteger(config, "samples", 1);
  OptionReader o(member(config, "options"), model.kind);

  if (model.kind == "ecgnet") {
    const nn::ECGNetOptions opts =
        ecgnetOptions(o, nn::ECGNetOptions().numClasses(model.numClasses).leads(model.leads).samples(model.samples));
    auto net = std::make_shared<nn::ECGNetImpl>(opts);
    model.module = net;
    model.forward = [net](const torch::Tensor& x) { return net->forward(x); };
    model.afterStep = [net]() { net->applyMaxNorm(); };
    model.fixedLength = true;
  } else if (model.kind == "cnn") {
    nn::Cnn1dOptions d;
    nn::Cnn1dOptions opts;
    opts.leads(model.leads).numClasses(model.numClasses);
    opts.channels(o.integers("channels", d.channels()));
    opts.kernelSize(o.integer("kernelSize", d.kernelSize()));
    opts.pool(o.integer("pool", d.pool()));
    opts.dropout(o.number("dropout", d.dropout()));
    auto net = std::make_shared<nn::Cnn1dImpl>(opts);
    model.module = net;
    model.forward = [net](const torch::Tensor& x) { return net->forward(x); };
  } else if (model.kind == "cnnlstm") {
    nn::CnnLstmOptions d;
    nn::CnnLstmOptions opts;
    opts.leads(model.leads).numClasses(model.numClasses);
    opts.channels(o.integers("channels", d.channels()));
    opts.kernelSize(o.integer("kernelSize", d.kernelSize()));
    opts.pool(o.integer("pool", d.pool()));
    opts.hidden(o.integer("hidden", d.hidden()));
    opts.layers(o.integer("layers", d.layers()));
    opts.bidirectional(o.boolean("bidirectional", d.bidirectional()));
    opts.dropout(o.number("dropout", d.dropout()));
    auto net = std::make_shared<nn::CnnLstmImpl>(opts);
    model.module = net;
    model.forward = [net](const torch::Tensor& x) { return net->forward(x); };
  } else if (model.kind == "resnet1d") {
    nn::ResNet1dOptions d;
    nn::ResNet1dOptions opts;
    opts.leads(model.leads).numClasses(model.numClasses);
    opts.stemChannels(o.integers("stemChannels", d.stemChannels()));
    opts.stemKernel(o.integer("stemKernel", d.stemKernel()));
    opts.stageChannels(o.integers("stageChannels", d.stageChannels()));
    opts.blocks(o.integers("blocks", d.blocks()));
    opts.kernelSize(o.integer("kernelSize", d.kernelSize()));
    opts.headHidden(o.integer("headHidden", d.headHidden()));
    opts.dropout(o.number("dropout", d.dropout()));
    auto net = std::make_shared<nn::ResNet1dImpl>(opts);
    model.module = net;
    model.forward = [net](const torch::Tensor& x) { return net->forward(x); };
  } else if (model.kind == "fusion") {
    const nn::FusionClassifierOptions d;
    nn::FusionClassifierOptions opts;
    OptionReader ecgnet(o.object("ecgnet"), "fusion.ecgnet");
    nn::ECGNetOptions ecgnetDefaults = d.ecgnet();
    ecgnetDefaults.numClasses(model.numClasses).leads(model.leads).samples(model.samples);
    opts.ecgnet(ecgnetOptions(ecgnet, ecgnetDefaults));
    o.set("ecgnet", ecgnet.finish());
    opts.headHidden(o.integer("headHidden", d.headHidden()));
    opts.diffusionStep(o.integer("diffusionStep", d.diffusionStep(), 0));
    opts.freezeDownBlocks(o.boolean("freezeDownBlocks", d.freezeDownBlocks()));
    FusionGenerator generator = fusionGenerator(o, model);
    const int64_t steps = generator.config.schedule.numTrainSteps();
    check(opts.diffusionStep() < steps, ErrorCode::ArgRange,
          "Expected fusion option diffusionStep below the generator's " + std::to_string(steps) +
              " diffusion steps but received " + std::to_string(opts.diffusionStep()));
    auto net = std::make_shared<nn::FusionClassifierImpl>(std::move(generator.unet), opts);
    model.module = net;
    model.forward = [net](const torch::Tensor& x) { return net->forward(x); };
    model.afterStep = [net]() { net->applyMaxNorm(); };
    model.fixedLength = true;
  } else {
    throw Error(ErrorCode::ArgRange, "Expected one of ecgnet, cnn, cnnlstm, resnet1d, fusion for model config field kind but received \"" +
                                         model.kind + "\"");
  }

  // The normalised config: every option spelled out, so a checkpoint rebuilds exactly.
  const Json normalised = {{"kind", model.kind},
                           {"numClasses", model.numClasses},
                           {"leads", model.leads},
                           {"samples", model.samples},
                           {"options", o.finish()}};
  model.configJson = normalised.dump();
  model.module->to(device);
  return model;
}

ClassifierModel loadClassifier(const std::string& path, const at::Device& device) {
  Checkpoint checkpoint = loadCheckpoint(path);
  ClassifierModel model = buildClassifier(checkpoint.modelConfigJson, device);
  loadIntoModule(*model.module, checkpoint.model);
  model.module->eval();
  // Checkpoints from before metadata existed have none: {}.
  const Json run = parseJson(checkpoint.runConfigJson, path + " run_config");
  const Json* metadata = member(run, "metadata");
  if (metadata != nullptr && metadata->is_object()) model.metadataJson = metadata->dump();
  return model;
}

void saveClassifier(const std::string& path, const ClassifierModel& model) {
  Checkpoint checkpoint;
  checkpoint.modelConfigJson = model.configJson;
  const Json run = {{"metadata", parseJson(model.metadataJson, "metadata")}};
  checkpoint.runConfigJson = run.dump();
  checkpoint.model = namedParametersAndBuffers(*model.module);
  saveCheckpoint(path, checkpoint);
}

torch::Tensor predictClassifier(const ClassifierModel& model, const torch::Tensor& data, int64_t batchSize) {
  check(data.dim() == 3 && data.size(0) >= 1 && data.size(1) == model.leads && data.size(2) >= 1, ErrorCode::Shape,
        "Expected data of shape [N, " + std::to_string(model.leads) + " leads, " + std::to_string(model.samples) +
            " samples] but received " + shapeText(data));
  check(!model.fixedLength || data.size(2) == model.samples, ErrorCode::Shape,
        "Expected segments of " + std::to_string(model.samples) + " samples (the model's input length) but received " +
            std::to_string(data.size(2)));
  check(torch::isfinite(data).all().item<bool>(), ErrorCode::NonFinite, "data contains NaN or infinite values");
  c10::InferenceMode inference;
  model.module->eval();
  const at::Device device = model.module->parameters().front().device();
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < data.size(0); start += batchSize) {
    const torch::Tensor batch = data.slice(0, start, std::min(data.size(0), start + batchSize)).to(device, torch::kFloat32);
    parts.push_back(torch::softmax(model.forward(batch), 1).to(torch::kCPU));
  }
  return torch::cat(parts, 0);
}

// ---- the training loop -------------------------------------------------------------------

ClassifierTrainResult trainClassifier(const std::string& modelConfigJson, const torch::Tensor& trainX,
                                      const torch::Tensor& trainY, const torch::Tensor& valX,
                                      const torch::Tensor& valY, const ClassifierTrainerOptions& options,
                                      const at::Device& device, JobContext& ctx) {
  const ClassifierTrainerOptions& o = options;
  namespace F = torch::nn::functional;

  // ---- 1. Check the options and the data ------------------------------------------------
  check(o.epochs >= 1, ErrorCode::ArgRange, "Expected epochs >= 1 but received " + std::to_string(o.epochs));
  check(o.batchSize >= 1, ErrorCode::ArgRange, "Expected batchSize >= 1 but received " + std::to_string(o.batchSize));
  check(o.patience >= 0, ErrorCode::ArgRange, "Expected patience >= 0 (0 = off) but received " + std::to_string(o.patience));
  check(o.progressEvery >= 1, ErrorCode::ArgRange,
        "Expected progressEvery >= 1 but received " + std::to_string(o.progressEvery));
  checkSet(trainX, trainY, "training");
  checkSet(valX, valY, "validation");
  check(valX.size(1) == trainX.size(1) && valX.size(2) == trainX.size(2), ErrorCode::Shape,
        "Expected validation segments shaped like the training ones ([*, " + std::to_string(trainX.size(1)) +
            " leads, " + std::to_string(trainX.size(2)) + " samples]) but received " + shapeText(valX));

  // ---- 2. The model: from the checkpoint when resuming (nanoGPT), else fresh and seeded ---
  const bool resuming = !o.resumeFrom.empty();
  Checkpoint resumed;
  if (resuming) resumed = loadCheckpoint(o.resumeFrom);
  torch::manual_seed(o.seed);  // initial weights and dropout masks (resume restores the state below)
  ClassifierModel model = buildClassifier(resuming ? resumed.modelConfigJson : modelConfigJson, device);
  check(model.leads == trainX.size(1), ErrorCode::Shape,
        "The model expects " + std::to_string(model.leads) + " leads but the data has " + std::to_string(trainX.size(1)));
  check(!model.fixedLength || model.samples == trainX.size(2), ErrorCode::Shape,
        "The model expects segments of " + std::to_string(model.samples) + " samples but the data has " +
            std::to_string(trainX.size(2)));
  const int64_t k = model.numClasses;

  // ---- 3. Labels: in range, at least two classes to learn from ---------------------------
  auto checkLabels = [k](const torch::Tensor& y, const std::string& name) {
    const int64_t lo = y.min().item<int64_t>(), hi = y.max().item<int64_t>();
    check(lo >= 0 && hi < k, ErrorCode::ArgRange,
          "Expected " + name + " labels in [0, " + std::to_string(k - 1) + "] but received labels from " +
              std::to_string(lo) + " to " + std::to_string(hi));
  };
  const torch::Tensor trainLabels = trainY.to(torch::kCPU, torch::kLong), valLabels = valY.to(torch::kCPU, torch::kLong);
  checkLabels(trainLabels, "training");
  checkLabels(valLabels, "validation");
  const torch::Tensor counts = torch::bincount(trainLabels, {}, k).to(torch::kDouble);
  const int64_t presentClasses = (counts > 0).sum().item<int64_t>();
  check(presentClasses >= 2, ErrorCode::ArgRange,
        "Expected a training set with at least two classes but every segment has label " +
            std::to_string(trainLabels[0].item<int64_t>()));

  // ---- 4. Data on the device once; class weights (inverse frequency) ----------------------
  const torch::Tensor xTrain = trainX.to(device, torch::kFloat32), yTrain = trainLabels.to(device);
  const torch::Tensor xVal = valX.to(device, torch::kFloat32), yVal = valLabels.to(device);
  const int64_t numTrain = xTrain.size(0), numVal = xVal.size(0);
  torch::Tensor classWeights;  // undefined = unweighted
  if (o.classWeighting) {
    // w_c = N / (classes present * n_c): a balanced set gets 1 everywhere; absent classes 0.
    classWeights = torch::where(counts > 0, static_cast<double>(numTrain) / (static_cast<double>(presentClasses) * counts),
                                torch::zeros_like(counts))
                       .to(device, torch::kFloat32);
  }
  auto lossOf = [&](const torch::Tensor& logits, const torch::Tensor& y, torch::nn::functional::CrossEntropyFuncOptions::reduction_t reduction) {
    return F::cross_entropy(logits, y, F::CrossEntropyFuncOptions().weight(classWeights).reduction(reduction));
  };
  const int64_t stepsPerEpoch = (numTrain + o.batchSize - 1) / o.batchSize;
  const int64_t totalSteps = stepsPerEpoch * o.epochs;

  // ---- 5. Optimizer --------------------------------------------------------------------
  std::vector<torch::Tensor> parameters;
  NamedTensors namedParameters;
  for (const auto& item : model.module->named_parameters(/*recurse=*/true)) {
    if (!item.value().requires_grad()) continue;  // frozen (the fusion model's down path)
    parameters.push_back(item.value());
    namedParameters.emplace_back(item.key(), item.value());
  }
  std::unique_ptr<torch::optim::Optimizer> optimizer = makeOptimizer(parameters, o.optimizer);

  // ---- 6. Resume: weights, optimizer moments, step, best loss, early-stop state, RNG ------
  int64_t step = 0, bestEpoch = -1, badEpochs = 0;
  double bestValLoss = std::numeric_limits<double>::infinity();
  const std::string bestPath = o.checkpointDir.empty() ? "" : o.checkpointDir + "/best.safetensors";
  const std::string lastPath = o.checkpointDir.empty() ? "" : o.checkpointDir + "/last.safetensors";
  if (resuming) {
    loadIntoModule(*model.module, resumed.model);
    loadOptimizerState(*optimizer, namedParameters, resumed.optimizer);
    if (resumed.rngState.defined()) restoreCpuRngState(resumed.rngState);
    step = resumed.step;
    bestValLoss = resumed.bestValLoss;
    const Json run = parseJson(resumed.runConfigJson, o.resumeFrom + " run_config");
    if (const Json* trainer = member(run, "trainer")) {
      if (const Json* v = member(*trainer, "bestEpoch")) bestEpoch = jsonInt64(*v, "bestEpoch");
      if (const Json* v = member(*trainer, "badEpochs")) badEpochs = jsonInt64(*v, "badEpochs");
    }
    check(step <= totalSteps, ErrorCode::ArgRange,
          "Expected a checkpoint before the end of this run (" + std::to_string(totalSteps) + " steps) but " +
              o.resumeFrom + " is at step " + std::to_string(step));
  }
  // The best epoch's weights, kept in memory so the result holds them even without files.
  NamedTensors bestWeights = cloneTensors(namedParametersAndBuffers(*model.module));
  if (resuming && !bestPath.empty() && std::filesystem::exists(bestPath)) {
    bestWeights = cloneTensors(loadCheckpoint(bestPath).model);
  }
  if (!o.checkpointDir.empty()) {
    std::error_code error;
    std::filesystem::create_directories(o.checkpointDir, error);
    check(!error, ErrorCode::Io, "cannot create the checkpoint folder " + o.checkpointDir + ": " + error.message());
  }
  const Json callerRunConfig = parseJson(o.runConfigJson, "run config");
  const Json metadata = parseJson(o.metadataJson, "metadata");
  check(metadata.is_object(), ErrorCode::ArgRange, "Expected a JSON object for metadata");
  model.metadataJson = metadata.dump();

  auto writeCheckpoint = [&](const std::string& path) {
    if (path.empty()) return;
    const Json run = {{"run", callerRunConfig},
                      {"trainer", {{"bestEpoch", bestEpoch}, {"badEpochs", badEpochs}}},
                      {"metadata", metadata}};
    Checkpoint checkpoint;
    checkpoint.modelConfigJson = model.configJson;
    checkpoint.runConfigJson = run.dump();
    checkpoint.step = step;
    checkpoint.bestValLoss = bestValLoss;
    checkpoint.model = namedParametersAndBuffers(*model.module);
    checkpoint.optimizer = optimizerState(*optimizer, namedParameters);
    checkpoint.rngState = cpuRngState();
    saveCheckpoint(path, checkpoint);
  };

  // ---- 7. Validation: weighted mean cross-entropy (as in training) and accuracy ----------
  auto evaluate = [&]() -> std::pair<double, double> {
    torch::NoGradGuard noGrad;
    model.module->eval();
    double lossSum = 0, weightSum = 0;
    int64_t correct = 0;
    for (int64_t start = 0; start < numVal; start += o.batchSize) {
      const int64_t end = std::min(numVal, start + o.batchSize);
      const torch::Tensor logits = model.forward(xVal.slice(0, start, end));
      const torch::Tensor y = yVal.slice(0, start, end);
      lossSum += lossOf(logits, y, torch::kSum).item<double>();
      weightSum += classWeights.defined() ? classWeights.index_select(0, y).sum().item<double>() : static_cast<double>(end - start);
      correct += (logits.argmax(1) == y).sum().item<int64_t>();
    }
    model.module->train();
    return {weightSum > 0 ? lossSum / weightSum : std::numeric_limits<double>::quiet_NaN(),
            static_cast<double>(correct) / static_cast<double>(numVal)};
  };

  // ---- 8. The loop ---------------------------------------------------------------------
  ClassifierTrainResult result;
  using Clock = std::chrono::steady_clock;
  double windowSeconds = 0;  // training time only: validation and checkpoint writes excluded
  double windowLoss = 0, lastValLoss = std::nan(""), lastValAccuracy = std::nan("");
  int64_t windowSteps = 0, windowSamples = 0;
  bool stoppedEarly = false;
  model.module->train();

  for (int64_t epoch = step / stepsPerEpoch; epoch < o.epochs && !stoppedEarly; ++epoch) {
    at::Generator shuffleGenerator = seededCpuGenerator(shuffleSeed(o.seed, static_cast<uint64_t>(epoch)));
    const torch::Tensor permutation = torch::randperm(numTrain, shuffleGenerator, torch::kLong).to(device);
    double epochLoss = 0;
    int64_t epochSteps = 0;

    for (int64_t b = step % stepsPerEpoch; b < stepsPerEpoch; ++b) {
      // 8a. Stop at a step boundary, leaving a checkpoint to resume from.
      if (ctx.cancelled()) {
        writeCheckpoint(lastPath);
        throw Error(ErrorCode::Cancelled, "training was cancelled at step " + std::to_string(step) +
                                              (lastPath.empty() ? std::string(" (no checkpointDir: nothing was saved)")
                                                                : "; resume from " + lastPath));
      }

      // 8b. Forward and loss; a NaN guard before anything touches the weights.
      const auto stepStart = Clock::now();
      const torch::Tensor index = permutation.slice(0, b * o.batchSize, std::min(numTrain, (b + 1) * o.batchSize));
      optimizer->zero_grad();
      torch::Tensor loss = lossOf(model.forward(xTrain.index_select(0, index)), yTrain.index_select(0, index), torch::kMean);
      const double lossValue = loss.item<double>();
      if (!std::isfinite(lossValue)) {
        const bool saved = !lastPath.empty() && std::filesystem::exists(lastPath);
        throw Error(ErrorCode::Training,
                    "training loss became " + std::to_string(lossValue) + " at step " + std::to_string(step) + " (epoch " +
                        std::to_string(epoch) + "); lower the learning rate or check the data. " +
                        (saved ? "The last good checkpoint is " + lastPath : std::string("No checkpoint was written")));
      }

      // 8c. Backward, step, weight constraint (ECGNet's max-norm).
      loss.backward();
      optimizer->step();
      if (model.afterStep) model.afterStep();
      ++step;
      windowSeconds += std::chrono::duration<double>(Clock::now() - stepStart).count();

      // 8d. Progress every progressEvery steps.
      epochLoss += lossValue;
      ++epochSteps;
      windowLoss += lossValue;
      ++windowSteps;
      windowSamples += index.size(0);
      if (step % o.progressEvery == 0) {
        const double seconds = windowSeconds;
        Progress progress{"train", {{"epoch", static_cast<double>(epoch)},
                                    {"step", static_cast<double>(step)},
                                    {"totalSteps", static_cast<double>(totalSteps)},
                                    {"loss", windowLoss / static_cast<double>(windowSteps)},
                                    {"samplesPerSecond", seconds > 0 ? static_cast<double>(windowSamples) / seconds : 0.0}}};
        if (std::isfinite(lastValLoss)) {
          progress.values.emplace_back("valLoss", lastValLoss);
          progress.values.emplace_back("valAccuracy", lastValAccuracy);
        }
        ctx.report(progress);
        windowSeconds = 0;
        windowLoss = 0;
        windowSteps = windowSamples = 0;
      }
    }

    // 8e. End of epoch: validation, best weights + checkpoint, early stopping, last checkpoint.
    ClassifierEpochSummary summary;
    summary.epoch = epoch;
    summary.trainLoss = epochSteps > 0 ? epochLoss / static_cast<double>(epochSteps) : std::nan("");
    std::tie(summary.valLoss, summary.valAccuracy) = evaluate();
    check(std::isfinite(summary.valLoss), ErrorCode::Training,
          "validation loss became " + std::to_string(summary.valLoss) + " after epoch " + std::to_string(epoch));
    lastValLoss = summary.valLoss;
    lastValAccuracy = summary.valAccuracy;
    summary.best = summary.valLoss < bestValLoss;
    if (summary.best) {
      bestValLoss = summary.valLoss;
      bestEpoch = epoch;
      badEpochs = 0;
      bestWeights = cloneTensors(namedParametersAndBuffers(*model.module));
      writeCheckpoint(bestPath);
    } else {
      ++badEpochs;
      stoppedEarly = o.patience > 0 && badEpochs >= o.patience && epoch + 1 < o.epochs;
    }
    writeCheckpoint(lastPath);
    result.epochs.push_back(summary);
    ctx.report(Progress{"epoch", {{"epoch", static_cast<double>(epoch)},
                                  {"step", static_cast<double>(step)},
                                  {"trainLoss", summary.trainLoss},
                                  {"valLoss", summary.valLoss},
                                  {"valAccuracy", summary.valAccuracy},
                                  {"best", summary.best ? 1.0 : 0.0}}});
  }

  // ---- 9. The result holds the best epoch's weights -----------------------------------------
  copyMatchingTensors(namedParametersAndBuffers(*model.module), bestWeights);
  model.module->eval();
  result.model = std::move(model);
  result.steps = step;
  result.bestEpoch = bestEpoch;
  result.bestValLoss = bestValLoss;
  result.stoppedEarly = stoppedEarly;
  return result;
}

}  // namespace train
}  // namespace ecgldm
