#include "train/generator_config.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"
#include "train/strict_json.h"

namespace ecgldm::train {

namespace {

using Json = nlohmann::ordered_json;

// The member `key` of `object`; nullptr when absent or null.
const Json* field(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

int64_t intField(const Json& object, const std::string& path, const char* key, int64_t fallback, int64_t min,
                 int64_t max = std::numeric_limits<int32_t>::max()) {
  const Json* v = field(object, key);
  if (v == nullptr) return fallback;
  const std::string name = path + "." + key;
  if (!v->is_number()) throw Error(ErrorCode::ArgType, "Expected integer for " + name);
  const double d = v->get<double>();
  if (d != std::floor(d) || d < static_cast<double>(min) || d > static_cast<double>(max))
    throw Error(ErrorCode::ArgRange, "Expected integer between " + std::to_string(min) + " and " +
                                         std::to_string(max) + " for " + name + " but received " + std::to_string(d));
  return static_cast<int64_t>(d);
}

double numberField(const Json& object, const std::string& path, const char* key, double fallback, double min,
                   double max) {
  const Json* v = field(object, key);
  if (v == nullptr) return fallback;
  const std::string name = path + "." + key;
  if (!v->is_number()) throw Error(ErrorCode::ArgType, "Expected number for " + name);
  const double d = v->get<double>();
  if (!(d >= min && d <= max))
    throw Error(ErrorCode::ArgRange, "Expected number between " + std::to_string(min) + " and " + std::to_string(max) +
                                         " for " + name + " but received " + std::to_string(d));
  return d;
}

std::string oneOfField(const Json& object, const std::string& path, const char* key, const std::string& fallback,
                       const std::vector<std::string>& allowed) {
  const Json* v = field(object, key);
  if (v == nullptr) return fallback;
  const std::string name = path + "." + key;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  if (!v->is_string()) throw Error(ErrorCode::ArgType, "Expected one of " + list + " for " + name);
  const std::string& s = v->get_ref<const std::string&>();
  if (std::find(allowed.begin(), allowed.end(), s) == allowed.end())
    throw Error(ErrorCode::ArgRange, "Expected one of " + list + " for " + name + " but received \"" + s + "\"");
  return s;
}

std::vector<int64_t> intListField(const Json& object, const std::string& path, const char* key,
                                  const std::vector<int64_t>& fallback, int64_t min) {
  const Json* v = field(object, key);
  if (v == nullptr) return fallback;
  const std::string name = path + "." + key;
  if (!v->is_array()) throw Error(ErrorCode::ArgType, "Expected array of integers for " + name);
  std::vector<int64_t> out;
  for (const Json& item : *v) {
    const double d = item.is_number() ? item.get<double>() : -1e300;
    if (d != std::floor(d) || d < static_cast<double>(min) || d > 1e6)
      throw Error(ErrorCode::ArgRange, "Expected integers >= " + std::to_string(min) + " in " + name);
    out.push_back(static_cast<int64_t>(d));
  }
  return out;
}

}  // namespace

nn::SeedUNetOptions GeneratorConfig::seedUNetOptions() const {
  return nn::SeedUNetOptions()
      .numDiffusionSteps(schedule.numTrainSteps())
      .kernelSize(kernelSize)
      .nChannels(channels)
      .resolution(length);
}

GeneratorConfig parseGeneratorConfig(const std::string& text) {
  const Json root = parseJson(text, "generator config");
  if (!root.is_object()) throw Error(ErrorCode::ArgType, "Expected an object for the generator config");
  static const Json empty = Json::object();
  const Json* m = field(root, "model");
  const Json* d = field(root, "diffusion");
  if (m != nullptr && !m->is_object()) throw Error(ErrorCode::ArgType, "Expected object for config.model");
  if (d != nullptr && !d->is_object()) throw Error(ErrorCode::ArgType, "Expected object for config.diffusion");
  const Json& model = m ? *m : empty;
  const Json& diff = d ? *d : empty;

  GeneratorConfig c;
  c.kind = oneOfField(model, "model", "kind", c.kind, {"unet1d", "seed"});
  c.channels = intField(model, "model", "channels", c.channels, 1, 64);
  c.length = intField(model, "model", "length", c.length, 1, 1 << 20);
  c.numClasses = intField(model, "model", "numClasses", c.numClasses, 1, 1 << 16);
  if (c.isSeed()) {
    c.kernelSize = intField(model, "model", "kernelSize", c.kernelSize, 1, 63);
    if (c.kernelSize % 2 == 0)
      throw Error(ErrorCode::ArgRange, "Expected an odd model.kernelSize but received " + std::to_string(c.kernelSize));
    if (c.length % 4 != 0)
      throw Error(ErrorCode::ArgRange, "Expected model.length divisible by 4 (the seed U-Net halves it twice) but received " +
                                           std::to_string(c.length));
  } else {
    nn::UNet1dOptions& u = c.unet;
    u.inChannels(c.channels).numClasses(c.numClasses);
    u.baseChannels(intField(model, "model", "baseChannels", u.baseChannels(), 1, 4096));
    u.channelMults(intListField(model, "model", "channelMults", u.channelMults(), 1));
    if (u.channelMults().empty()) throw Error(ErrorCode::ArgRange, "Expected at least one level in model.channelMults");
    u.numResBlocks(intField(model, "model", "numResBlocks", u.numResBlocks(), 1, 16));
    std::vector<int64_t> attention = intListField(model, "model", "attentionLevels",
                                                  {static_cast<int64_t>(u.channelMults().size()) - 1}, 0);
    for (int64_t level : attention)
      if (level >= static_cast<int64_t>(u.channelMults().size()))
        throw Error(ErrorCode::ArgRange, "Expected model.attentionLevels below the number of levels (" +
                                             std::to_string(u.channelMults().size()) + ") but received " +
                                             std::to_string(level));
    u.attentionLevels(attention);
    u.dropout(numberField(model, "model", "dropout", u.dropout(), 0, 0.99));
    u.numHeads(intField(model, "model", "numHeads", u.numHeads(), 1, 64));
    u.normGroups(intField(model, "model", "normGroups", u.normGroups(), 1, 256));
    u.patchSize(intField(model, "model", "patchSize", u.patchSize(), 1, 64));
    const int64_t factor = u.patchSize() << (u.channelMults().size() - 1);
    if (c.length % factor != 0)
      throw Error(ErrorCode::ArgRange, "Expected model.length divisible by " + std::to_string(factor) +
                                           " (patchSize * 2^(levels-1) of the U-Net) but received " + std::to_string(c.length));
  }

  const std::string schedule = oneOfField(diff, "diffusion", "schedule", "linear", {"linear", "cosine"});
  c.schedule.schedule(schedule == "cosine" ? diffusion::BetaSchedule::Cosine : diffusion::BetaSchedule::Linear);
  c.schedule.numTrainSteps(intField(diff, "diffusion", "numTrainSteps", c.schedule.numTrainSteps(), 2, 100000));
  c.schedule.betaStart(numberField(diff, "diffusion", "betaStart", c.schedule.betaStart(), 1e-8, 0.5));
  c.schedule.betaEnd(numberField(diff, "diffusion", "betaEnd", c.schedule.betaEnd(), 1e-8, 0.999));
  c.schedule.cosineOffset(numberField(diff, "diffusion", "cosineOffset", c.schedule.cosineOffset(), 0, 1));
  const std::string prediction = oneOfField(diff, "diffusion", "prediction", "epsilon", {"epsilon", "v"});
  c.prediction = prediction == "v" ? diffusion::PredictionType::V : diffusion::PredictionType::Epsilon;
  c.conditionDropProb = numberField(diff, "diffusion", "conditionDropProb", c.conditionDropProb, 0, 1);
  if (c.isSeed() && c.conditionDropProb > 0)
    throw Error(ErrorCode::ArgRange, "Expected diffusion.conditionDropProb 0 for the seed U-Net (it has no unconditional class)");
  return c;
}

Json generatorConfigJson(const GeneratorConfig& c) {
  Json model = Json::object();
  model["kind"] = c.kind;
  model["channels"] = c.channels;
  model["length"] = c.length;
  model["numClasses"] = c.numClasses;
  if (c.isSeed()) {
    model["kernelSize"] = c.kernelSize;
  } else {
    model["baseChannels"] = c.unet.baseChannels();
    model["channelMults"] = c.unet.channelMults();
    model["numResBlocks"] = c.unet.numResBlocks();
    model["attentionLevels"] = c.unet.attentionLevels();
    model["dropout"] = c.unet.dropout();
    model["numHeads"] = c.unet.numHeads();
    model["normGroups"] = c.unet.normGroups();
    model["patchSize"] = c.unet.patchSize();
  }
  Json diff = Json::object();
  diff["schedule"] = c.schedule.schedule() == diffusion::BetaSchedule::Cosine ? "cosine" : "linear";
  diff["numTrainSteps"] = c.schedule.numTrainSteps();
  diff["betaStart"] = c.schedule.betaStart();
  diff["betaEnd"] = c.schedule.betaEnd();
  diff["cosineOffset"] = c.schedule.cosineOffset();
  diff["prediction"] = c.prediction == diffusion::PredictionType::V ? "v" : "epsilon";
  diff["conditionDropProb"] = c.conditionDropProb;
  return Json{{"model", std::move(model)}, {"diffusion", std::move(diff)}};
}

GeneratorConfig checkpointGeneratorConfig(const Checkpoint& checkpoint, const std::string& path) {
  // Every generator checkpoint records both sections (generatorConfigJson writes them);
  // without this check a classifier's config would parse as an all-defaults generator.
  const Json root = parseJson(checkpoint.modelConfigJson, path + " model_config");
  const auto model = root.find("model");
  check(root.contains("diffusion") && model != root.end() && model->contains("kind"), ErrorCode::Format,
        path + ": not a generator checkpoint (its model config has no model.kind and diffusion sections)");
  try {
    return parseGeneratorConfig(checkpoint.modelConfigJson);
  } catch (const Error& e) {
    throw Error(ErrorCode::Format, path + ": the model config is not a generator's: " + e.what());
  }
}

}  // namespace ecgldm::train
