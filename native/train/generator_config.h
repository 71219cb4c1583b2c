// The generator's config: which U-Net (seed U-Net or UNet1d) with which options, and the
// diffusion process it was trained for. JSON in, JSON out: the normalised JSON (every
// field filled) is what checkpoints store, and parsing it rebuilds the same network.
// Shared by the generator binding and by the fusion classifier, which rebuilds a
// generator's U-Net from the config recorded in a checkpoint.
//
//   {"model": {"kind": "unet1d" | "seed", "channels", "length", "numClasses",
//              seed: "kernelSize"; unet1d: "baseChannels", "channelMults", "numResBlocks",
//              "attentionLevels", "dropout", "numHeads", "normGroups", "patchSize"},
//    "diffusion": {"schedule", "numTrainSteps", "betaStart", "betaEnd", "cosineOffset",
//                  "prediction", "conditionDropProb"}}
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "diffusion/loss.h"
#include "diffusion/noise_schedule.h"
#include "nn/seed_unet.h"
#include "nn/unet1d.h"
#include "train/checkpoint.h"

namespace ecgldm::train {

struct GeneratorConfig {
  // model
  std::string kind = "unet1d";  // "unet1d" | "seed"
  int64_t channels = 1;
  int64_t length = 2048;
  int64_t numClasses = 2;
  nn::UNet1dOptions unet;
  int64_t kernelSize = 5;  // seed U-Net only
  // diffusion
  diffusion::NoiseScheduleOptions schedule;
  diffusion::PredictionType prediction = diffusion::PredictionType::Epsilon;
  double conditionDropProb = 0.0;

  bool isSeed() const { return kind == "seed"; }
  /** The unconditional class used for guidance; -1 when the model has none. */
  int64_t nullLabel() const { return isSeed() ? -1 : numClasses; }
  /** The seed U-Net's options (meaningful when isSeed()). */
  nn::SeedUNetOptions seedUNetOptions() const;
};

/**
 * Parses a generator config (absent fields take their defaults). Throws Error(ArgType)
 * or Error(ArgRange) naming the field ("model.length") for a wrong type or value.
 */
GeneratorConfig parseGeneratorConfig(const std::string& text);

/** The normalised config (every field filled), as stored in checkpoints. */
nlohmann::ordered_json generatorConfigJson(const GeneratorConfig& config);

/**
 * The generator config a checkpoint at `path` records. A checkpoint whose config is not
 * a generator's (a classifier's, say) or does not parse throws Error(Format) naming `path`.
 */
GeneratorConfig checkpointGeneratorConfig(const Checkpoint& checkpoint, const std::string& path);

}  // namespace ecgldm::train
