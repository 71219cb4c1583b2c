#include "train/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <type_traits>
#include <unordered_map>

#include "core/error.h"
#include "train/atomic_file.h"
#include "train/strict_json.h"

namespace ecgldm::train {

namespace {

constexpr const char* kFormatName = "ecg-ldm-checkpoint";
constexpr const char* kModelPrefix = "model.";
constexpr const char* kEmaPrefix = "ema.";
constexpr const char* kOptimizerPrefix = "optim.";
constexpr const char* kRngName = "rng.cpu";

// Optimizer state fields, as suffixes of "<param>." in optimizerState() names.
constexpr const char* kStepField = "step";
constexpr const char* kExpAvgField = "exp_avg";
constexpr const char* kExpAvgSqField = "exp_avg_sq";
constexpr const char* kMaxExpAvgSqField = "max_exp_avg_sq";

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string shapeText(const at::Tensor& t) {
  std::string text = "[";
  for (int64_t i = 0; i < t.dim(); ++i) text += (i ? ", " : "") + std::to_string(t.size(i));
  return text + "]";
}

// Joins problem lines, keeping the message readable for a wholly different model.
std::string listProblems(const std::vector<std::string>& problems) {
  constexpr size_t kShown = 12;
  std::string text;
  for (size_t i = 0; i < problems.size() && i < kShown; ++i) text += (i ? "; " : "") + problems[i];
  if (problems.size() > kShown) text += "; ... and " + std::to_string(problems.size() - kShown) + " more";
  return text;
}

void addPrefixed(NamedTensors& out, const char* prefix, const NamedTensors& tensors) {
  for (const auto& [name, tensor] : tensors) out.emplace_back(prefix + name, tensor);
}

// ---------------------------------------------------------------------------------------
// Optimizer state. LibTorch keys the state map by the parameter's TensorImpl: LibTorch 1.x
// by its address printed as a string (c10::guts::to_string), 2.x by the void* itself.

template <class StateMap>
typename StateMap::key_type stateKey(const at::Tensor& parameter) {
  using Key = typename StateMap::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream address;  // exactly what c10::guts::to_string(TensorImpl*) prints
    address << static_cast<const void*>(parameter.unsafeGetTensorImpl());
    return address.str();
  } else {
    return static_cast<Key>(parameter.unsafeGetTensorImpl());
  }
}

using StateMap = std::decay_t<decltype(std::declval<torch::optim::Optimizer&>().state())>;

// The name of each optimized tensor, by identity.
std::unordered_map<const c10::TensorImpl*, std::string> namesByTensor(const NamedTensors& named) {
  std::unordered_map<const c10::TensorImpl*, std::string> names;
  for (const auto& [name, tensor] : named) names.emplace(tensor.unsafeGetTensorImpl(), name);
  return names;
}

const std::string& nameOfParameter(
    const std::unordered_map<const c10::TensorImpl*, std::string>& names, const at::Tensor& p) {
  auto it = names.find(p.unsafeGetTensorImpl());
  check(it != names.end(), ErrorCode::ArgRange,
        "the optimizer holds a tensor of shape " + shapeText(p) +
            " that is not among the named parameters, so its state cannot be named");
  return it->second;
}

// Adam and AdamW have distinct but identically shaped state and options types.
template <class ParamState>
NamedTensors adamState(const torch::optim::Optimizer& optimizer, const NamedTensors& namedParameters) {
  const auto names = namesByTensor(namedParameters);
  const StateMap& states = optimizer.state();
  NamedTensors out;
  for (const auto& group : optimizer.param_groups()) {
    for (const auto& p : group.params()) {
      auto it = states.find(stateKey<StateMap>(p));
      if (it == states.end()) continue;  // not stepped yet
      const auto& state = static_cast<const ParamState&>(*it->second);
      const std::string& name = nameOfParameter(names, p);
      out.emplace_back(name + "." + kStepField, at::scalar_tensor(state.step(), at::kLong));
      out.emplace_back(name + "." + kExpAvgField, state.exp_avg().detach());
      out.emplace_back(name + "." + kExpAvgSqField, state.exp_avg_sq().detach());
      if (state.max_exp_avg_sq().defined())
        out.emplace_back(name + "." + kMaxExpAvgSqField, state.max_exp_avg_sq().detach());
    }
  }
  return out;
}

template <class ParamState, class Options>
void loadAdamState(torch::optim::Optimizer& optimizer, const NamedTensors& namedParameters,
                   const NamedTensors& state) {
  const auto names = namesByTensor(namedParameters);
  std::map<std::string, at::Tensor> remaining(state.begin(), state.end());
  std::vector<std::string> problems;
  std::vector<std::pair<typename StateMap::key_type, std::unique_ptr<ParamState>>> restored;

  // 1. Build every parameter's state, validating against the parameter, before touching
  //    the optimizer: a bad file leaves it as it was.
  for (const auto& group : optimizer.param_groups()) {
    const bool amsgrad = static_cast<const Options&>(group.options()).amsgrad();
    for (const auto& p : group.params()) {
      const std::string& name = nameOfParameter(names, p);
      auto take = [&](const char* field) -> at::Tensor {
        auto it = remaining.find(name + "." + field);
        if (it == remaining.end()) return {};
        at::Tensor t = it->second;
        remaining.erase(it);
        return t;
      };
      at::Tensor step = take(kStepField);
      if (!step.defined()) continue;  // never stepped: stays without state
      auto moment = [&](const char* field) -> at::Tensor {
        at::Tensor t = take(field);
        const std::string fullName = std::string(kOptimizerPrefix) + name + "." + field;
        if (!t.defined()) {
          problems.push_back("missing " + fullName);
        } else if (!t.sizes().equals(p.sizes()) || t.scalar_type() != p.scalar_type()) {
          problems.push_back("shape/dtype mismatch for " + fullName + ": checkpoint " +
                             shapeText(t) + " " + c10::toString(t.scalar_type()) + ", parameter " +
                             shapeText(p) + " " + c10::toString(p.scalar_type()));
          t = at::Tensor();
        }
        // A private copy on the parameter's device: Adam updates its state in place.
        return t.defined() ? t.to(p.device(), /*non_blocking=*/false, /*copy=*/true) : t;
      };
      auto entry = std::make_unique<ParamState>();
      if (step.scalar_type() != at::kLong || step.numel() != 1) {
        problems.push_back(std::string(kOptimizerPrefix) + name + ".step is not an I64 scalar");
        continue;
      }
      entry->step(step.item<int64_t>());
      entry->exp_avg(moment(kExpAvgField));
      entry->exp_avg_sq(moment(kExpAvgSqField));
      if (amsgrad) entry->max_exp_avg_sq(moment(kMaxExpAvgSqField));
      restored.emplace_back(stateKey<StateMap>(p), std::move(entry));
    }
  }
  for (const auto& [name, tensor] : remaining)
    problems.push_back("unexpected " + std::string(kOptimizerPrefix) + name);
  check(problems.empty(), ErrorCode::Format,
        "optimizer state does not match this model and optimizer: " + listProblems(problems));

  // 2. Replace the state wholesale, so parameters absent from the checkpoint start fresh
  //    exactly as they did in the original run.
  StateMap& states = optimizer.state();
  states.clear();
  for (auto& [key, entry] : restored) states[key] = std::move(entry);
}

// Metadata values are strings; these parse them strictly, naming file and key.
int64_t parseIntegerField(const std::string& path, const SafetensorsMetadata& metadata,
                          const std::string& key) {
  auto it = metadata.find(key);
  check(it != metadata.end(), ErrorCode::Format, path + ": checkpoint metadata lacks " + key);
  return jsonInt64(parseJson(it->second, path + " metadata " + key), path + " metadata " + key);
}

double parseDoubleField(const std::string& path, const SafetensorsMetadata& metadata,
                        const std::string& key) {
  auto it = metadata.find(key);
  check(it != metadata.end(), ErrorCode::Format, path + ": checkpoint metadata lacks " + key);
  const char* begin = it->second.c_str();
  char* end = nullptr;
  double value = std::strtod(begin, &end);  // accepts "inf", unlike JSON
  check(!it->second.empty() && end == begin + it->second.size(), ErrorCode::Format,
        path + ": checkpoint metadata " + key + " is not a number: " + jsonQuote(it->second));
  return value;
}

std::string formatDouble(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);  // exact round trip through strtod
  return buffer;
}

}  // namespace

// ---------------------------------------------------------------------------------------

namespace {

// Exported weights (exportWeights) may be stored as float16 / bfloat16; they load into a
// float32 module exactly (every half value is a float). Narrowing is refused.
bool widens(at::ScalarType from, at::ScalarType to) {
  return to == at::kFloat && (from == at::kHalf || from == at::kBFloat16);
}

}  // namespace

NamedTensors namedParametersAndBuffers(const torch::nn::Module& module) {
  NamedTensors named;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) named.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers(/*recurse=*/true)) named.emplace_back(item.key(), item.value());
  return named;
}

void copyMatchingTensors(const NamedTensors& destination, const NamedTensors& source,
                         const std::string& namePrefix) {
  std::map<std::string, const at::Tensor*> sources;
  for (const auto& [name, tensor] : source) sources.emplace(name, &tensor);
  std::vector<std::string> problems;
  std::set<std::string> matched;
  for (const auto& [name, target] : destination) {
    auto it = sources.find(name);
    if (it == sources.end()) {
      problems.push_back("missing " + namePrefix + name);
      continue;
    }
    matched.insert(name);
    const at::Tensor& value = *it->second;
    if (!value.sizes().equals(target.sizes()))
      problems.push_back("shape mismatch for " + namePrefix + name + ": checkpoint " +
                         shapeText(value) + ", module " + shapeText(target));
    else if (value.scalar_type() != target.scalar_type() && !widens(value.scalar_type(), target.scalar_type()))
      problems.push_back("dtype mismatch for " + namePrefix + name + ": checkpoint " +
                         c10::toString(value.scalar_type()) + ", module " +
                         c10::toString(target.scalar_type()));
  }
  for (const auto& [name, tensor] : source)
    if (!matched.count(name)) problems.push_back("unexpected " + namePrefix + name);
  check(problems.empty(), ErrorCode::Format,
        "checkpoint was written for a different architecture: " + listProblems(problems));

  torch::NoGradGuard noGrad;  // parameters are leaves that require grad
  for (const auto& [name, target] : destination) target.copy_(*sources.at(name));
}

void loadIntoModule(torch::nn::Module& module, const NamedTensors& tensors, const std::string& prefix) {
  NamedTensors selected;
  for (const auto& [name, tensor] : tensors)
    if (startsWith(name, prefix)) selected.emplace_back(name.substr(prefix.size()), tensor);
  copyMatchingTensors(namedParametersAndBuffers(module), selected, prefix);
}

NamedTensors optimizerState(const torch::optim::Optimizer& optimizer, const NamedTensors& namedParameters) {
  if (dynamic_cast<const torch::optim::Adam*>(&optimizer))
    return adamState<torch::optim::AdamParamState>(optimizer, namedParameters);
  if (dynamic_cast<const torch::optim::AdamW*>(&optimizer))
    return adamState<torch::optim::AdamWParamState>(optimizer, namedParameters);
  throw Error(ErrorCode::ArgRange, "optimizer state can be saved for Adam and AdamW only");
}

void loadOptimizerState(torch::optim::Optimizer& optimizer, const NamedTensors& namedParameters,
                        const NamedTensors& state) {
  if (dynamic_cast<torch::optim::Adam*>(&optimizer))
    return loadAdamState<torch::optim::AdamParamState, torch::optim::AdamOptions>(
        optimizer, namedParameters, state);
  if (dynamic_cast<torch::optim::AdamW*>(&optimizer))
    return loadAdamState<torch::optim::AdamWParamState, torch::optim::AdamWOptions>(
        optimizer, namedParameters, state);
  throw Error(ErrorCode::ArgRange, "optimizer state can be restored for Adam and AdamW only");
}

at::Tensor cpuRngState() {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

void restoreCpuRngState(const at::Tensor& state) {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  // Validated here so that a foreign tensor is a format error, not a c10::Error.
  const int64_t expectedBytes = generator.get_state().numel();
  check(state.defined() && state.scalar_type() == at::kByte && state.dim() == 1 &&
            state.numel() == expectedBytes,
        ErrorCode::Format,
        "CPU RNG state must be a U8 tensor of " + std::to_string(expectedBytes) + " bytes");
  generator.set_state(state.to(at::kCPU).contiguous());
}

std::string checkpointSidecarPath(const std::string& path) {
  const std::string extension = ".safetensors";
  if (path.size() > extension.size() &&
      path.compare(path.size() - extension.size(), extension.size(), extension) == 0)
    return path.substr(0, path.size() - extension.size()) + ".json";
  return path + ".json";
}

void saveCheckpoint(const std::string& path, const Checkpoint& checkpoint) {
  // Configs are stored as text; parsing them first keeps a broken one out of the file.
  validateJson(checkpoint.modelConfigJson, "model config of checkpoint " + path);
  validateJson(checkpoint.runConfigJson, "run config of checkpoint " + path);

  NamedTensors tensors;
  addPrefixed(tensors, kModelPrefix, checkpoint.model);
  addPrefixed(tensors, kEmaPrefix, checkpoint.ema);
  addPrefixed(tensors, kOptimizerPrefix, checkpoint.optimizer);
  if (checkpoint.rngState.defined()) tensors.emplace_back(kRngName, checkpoint.rngState);

  SafetensorsMetadata metadata = {
      {"format", kFormatName},
      {"format_version", std::to_string(kCheckpointFormatVersion)},
      {"step", std::to_string(checkpoint.step)},
      {"best_val_loss", formatDouble(checkpoint.bestValLoss)},
      {"model_config", checkpoint.modelConfigJson},
      {"run_config", checkpoint.runConfigJson},
  };
  // Weights first: a sidecar never describes weights that are not there yet.
  writeSafetensors(path, tensors, metadata);
  writeFileAtomically(checkpointSidecarPath(path), checkpoint.modelConfigJson + "\n");
}

Checkpoint loadCheckpoint(const std::string& path) {
  SafetensorsContents contents = readSafetensors(path);
  const SafetensorsMetadata& metadata = contents.metadata;

  auto format = metadata.find("format");
  check(format != metadata.end() && format->second == kFormatName, ErrorCode::Format,
        path + ": not an ecg-ldm checkpoint (metadata \"format\" is not \"" + kFormatName + "\")");
  const int64_t version = parseIntegerField(path, metadata, "format_version");
  check(version >= 1 && version <= kCheckpointFormatVersion, ErrorCode::Format,
        path + ": checkpoint format version " + std::to_string(version) +
            " is not supported by this ecg-ldm (supports up to " +
            std::to_string(kCheckpointFormatVersion) + ")");

  Checkpoint checkpoint;
  checkpoint.step = parseIntegerField(path, metadata, "step");
  checkpoint.bestValLoss = parseDoubleField(path, metadata, "best_val_loss");
  for (const char* key : {"model_config", "run_config"}) {
    auto it = metadata.find(key);
    check(it != metadata.end(), ErrorCode::Format, path + ": checkpoint metadata lacks " + key);
    validateJson(it->second, path + " metadata " + key);
  }
  checkpoint.modelConfigJson = metadata.at("model_config");
  checkpoint.runConfigJson = metadata.at("run_config");

  for (auto& [name, tensor] : contents.tensors) {
    if (startsWith(name, kModelPrefix)) {
      checkpoint.model.emplace_back(name.substr(std::strlen(kModelPrefix)), std::move(tensor));
    } else if (startsWith(name, kEmaPrefix)) {
      checkpoint.ema.emplace_back(name.substr(std::strlen(kEmaPrefix)), std::move(tensor));
    } else if (startsWith(name, kOptimizerPrefix)) {
      checkpoint.optimizer.emplace_back(name.substr(std::strlen(kOptimizerPrefix)), std::move(tensor));
    } else if (name == kRngName) {
      checkpoint.rngState = std::move(tensor);
    } else {
      throw Error(ErrorCode::Format, path + ": unexpected tensor " + jsonQuote(name) +
                                         " (expected model.*, ema.*, optim.* or rng.cpu)");
    }
  }
  return checkpoint;
}

}  // namespace ecgldm::train
