// The generator half of a fusion classifier (nn/fusion_classifier.h): the U-Net that a
// generator config describes, built either from a generator checkpoint (its architecture
// and its weights) or from the config a fusion classifier's checkpoint recorded (the
// architecture only: the classifier checkpoint then supplies every weight, so it loads
// without the generator checkpoint).
#pragma once

#include <string>

#include "nn/fusion_classifier.h"
#include "train/generator_config.h"

namespace ecgldm::train {

struct FusionGenerator {
  GeneratorConfig config;
  /** The U-Net, ready for nn::FusionClassifier (its output head not yet replaced). */
  nn::FusionUNet unet;
};

/** The U-Net of `config` with freshly initialised weights (global CPU generator). */
FusionGenerator buildFusionGenerator(const GeneratorConfig& config);

/**
 * The U-Net of the generator checkpoint at `path`, with its EMA weights when the
 * checkpoint has them (a trained generator's; the ones it samples with) and its raw
 * weights otherwise. Throws Error(Io) for an unreadable file and Error(Format) for a
 * corrupt file or one that is not a generator checkpoint.
 */
FusionGenerator loadFusionGenerator(const std::string& path);

}  // namespace ecgldm::train
