#include "train/generator_config.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"

namespace ecgldm::train {

namespace {

const json::Value* field(const json::Value& object, const char* key) {
  const json::Value* v = object.find(key);
  return v == nullptr || v->isNull() ? nullptr : v;
}

int64_t intField(const json::Value& object, const std::string& path, const char* key, int64_t fallback, int64_t min,
                 int64_t max = std::numeric_limits<int32_t>::max()) {
  const json::Value* v = field(object, key);
  if (v == nullptr) return fallback;
  const std::string name = path + "." + key;
  if (!v->isNumber()) throw Error(ErrorCode::ArgType, "Expected integer for " + name);
  const double d = v->asDouble(name);
  if (d != std::floor(d) || d < static_cast<double>(min) || d > static_cast<double>(max))
    throw Error(ErrorCode::ArgRange, "Expected integer between " + std::to_string(min) + " and " +
                                         std::to_string(max) + " for " + name + " but received " + std::to_string(d));
  return static_cast<int64_t>(d);
}

double numberField(const json::Value& object, const std::string& path, const char* key, double fallback, double min,
                   double max) {
  const json::Value* v = field(object, key);
  if (v == nullptr) return fallback;
  const std::string name = path + "." + key;
  if (!v->isNumber()) throw Error(ErrorCode::ArgType, "Expected number for " + name);
  const double d = v->asDouble(name);
  if (!(d >= min && d <= max))
    throw Error(ErrorCode::ArgRange, "Expected number between " + std::to_string(min) + " and " + std::to_string(max) +
                                         " for " + name + " but received " + std::to_string(d));
  return d;
}

std::string oneOfField(const json::Value& object, const std::string& path, const char* key, const std::string& fallback,
                       const std::vector<std::string>& allowed) {
  const json::Value* v = field(object, key);
  if (v == nullptr) return fallback;
  const std::string name = path + "." + key;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  if (!v->isString()) throw Error(ErrorCode::ArgType, "Expected one of " + list + " for " + name);
  const std::string& s = v->asString(name);
  if (std::find(allowed.begin(), allowed.end(), s) == allowed.end())
    throw Error(ErrorCode::ArgRange, "Expected one of " + list + " for " + name + " but received \"" + s + "\"");
  return s;
}

std::vector<int64_t> intListField(const json::Value& object, const std::string& path, const char* key,
                                  const std::vector<int64_t>& fallback, int64_t min) {
  const json::Value* v = field(object, key);
  if (v == nullptr) return fallback;
  const std::string name = path + "." + key;
  if (!v->isArray()) throw Error(ErrorCode::ArgType, "Expected array of integers for " + name);
  std::vector<int64_t> out;
  for (const json::Value& item : v->asArray(name)) {
    const double d = item.isNumber() ? item.asDouble(name) : -1e300;
    if (d != std::floor(d) || d < static_cast<double>(min) || d > 1e6)
      throw Error(ErrorCode::ArgRange, "Expected integers >= " + std::to_string(min) + " in " + name);
    out.push_back(static_cast<int64_t>(d));
  }
  return out;
}

json::Value intArray(const std::vector<int64_t>& values) {
  json::Value out = json::Value::array();
  for (int64_t v : values) out.push(json::Value::integer(v));
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
  const json::Value root = json::parse(text, "generator config");
  if (!root.isObject()) throw Error(ErrorCode::ArgType, "Expected an object for the generator config");
  static const json::Value empty = json::Value::object();
  const json::Value* m = field(root, "model");
  const json::Value* d = field(root, "diffusion");
  if (m != nullptr && !m->isObject()) throw Error(ErrorCode::ArgType, "Expected object for config.model");
  if (d != nullptr && !d->isObject()) throw Error(ErrorCode::ArgType, "Expected object for config.diffusion");
  const json::Value& model = m ? *m : empty;
  const json::Value& diff = d ? *d : empty;

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

json::Value generatorConfigJson(const GeneratorConfig& c) {
  json::Value model = json::Value::object();
  model.set("kind", json::Value::string(c.kind));
  model.set("channels", json::Value::integer(c.channels));
  model.set("length", json::Value::integer(c.length));
  model.set("numClasses", json::Value::integer(c.numClasses));
  if (c.isSeed()) {
    model.set("kernelSize", json::Value::integer(c.kernelSize));
  } else {
    model.set("baseChannels", json::Value::integer(c.unet.baseChannels()));
    model.set("channelMults", intArray(c.unet.channelMults()));
    model.set("numResBlocks", json::Value::integer(c.unet.numResBlocks()));
    model.set("attentionLevels", intArray(c.unet.attentionLevels()));
    model.set("dropout", json::Value::number(c.unet.dropout()));
    model.set("numHeads", json::Value::integer(c.unet.numHeads()));
    model.set("normGroups", json::Value::integer(c.unet.normGroups()));
    model.set("patchSize", json::Value::integer(c.unet.patchSize()));
  }
  json::Value diff = json::Value::object();
  diff.set("schedule", json::Value::string(c.schedule.schedule() == diffusion::BetaSchedule::Cosine ? "cosine" : "linear"));
  diff.set("numTrainSteps", json::Value::integer(c.schedule.numTrainSteps()));
  diff.set("betaStart", json::Value::number(c.schedule.betaStart()));
  diff.set("betaEnd", json::Value::number(c.schedule.betaEnd()));
  diff.set("cosineOffset", json::Value::number(c.schedule.cosineOffset()));
  diff.set("prediction", json::Value::string(c.prediction == diffusion::PredictionType::V ? "v" : "epsilon"));
  diff.set("conditionDropProb", json::Value::number(c.conditionDropProb));
  json::Value root = json::Value::object();
  root.set("model", std::move(model));
  root.set("diffusion", std::move(diff));
  return root;
}

GeneratorConfig checkpointGeneratorConfig(const Checkpoint& checkpoint, const std::string& path) {
  // Every generator checkpoint records both sections (generatorConfigJson writes them);
  // without this check a classifier's config would parse as an all-defaults generator.
  const json::Value root = json::parse(checkpoint.modelConfigJson, path + " model_config");
  const json::Value* model = root.find("model");
  check(root.find("diffusion") != nullptr && model != nullptr && model->find("kind") != nullptr, ErrorCode::Format,
        path + ": not a generator checkpoint (its model config has no model.kind and diffusion sections)");
  try {
    return parseGeneratorConfig(checkpoint.modelConfigJson);
  } catch (const Error& e) {
    throw Error(ErrorCode::Format, path + ": the model config is not a generator's: " + e.what());
  }
}

}  // namespace ecgldm::train
