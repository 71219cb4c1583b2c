#include "train/fusion_generator.h"

#include "train/checkpoint.h"

namespace ecgldm::train {

FusionGenerator buildFusionGenerator(const GeneratorConfig& config) {
  FusionGenerator out;
  out.config = config;
  out.unet = config.isSeed() ? nn::fusionUNet(nn::SeedUNet(config.seedUNetOptions()))
                             : nn::fusionUNet(nn::UNet1d(config.unet));
  return out;
}

FusionGenerator loadFusionGenerator(const std::string& path) {
  const Checkpoint checkpoint = loadCheckpoint(path);
  FusionGenerator out = buildFusionGenerator(checkpointGeneratorConfig(checkpoint, path));
  // Before FusionClassifier replaces the head, while the names still match the file's.
  loadIntoModule(*out.unet.module, checkpoint.ema.empty() ? checkpoint.model : checkpoint.ema);
  return out;
}

}  // namespace ecgldm::train
