// The classifier's training loop, nanoGPT style: one function that reads top to bottom
// (check -> data on the device -> model / optimizer / resume -> one loop over epochs).
//
//   model      built from a JSON model config {"kind", "numClasses", "leads", "samples",
//              "options"}: ECGNet, Cnn1d, CnnLstm, ResNet1d or the fusion model
//              (buildClassifier); on resume the architecture is taken from the
//              checkpoint, never from the caller
//   data       train [N, C, L] + labels [N] and a separate validation set, given once and
//              moved to the device once; a seeded shuffle per epoch
//   step       batch -> logits -> cross-entropy (optionally class-weighted by inverse
//              frequency) -> backward -> Adam/AdamW over the trainable parameters (frozen
//              ones stay as loaded) -> ECGNet's max-norm constraint
//   epoch end  validation loss + accuracy; the best epoch's weights are kept (in memory,
//              and as <checkpointDir>/best.safetensors), <checkpointDir>/last.safetensors
//              is written for resume; early stopping after `patience` epochs without a
//              better validation loss
//   cancel     ctx.cancelled() is checked at every step boundary: last.safetensors is
//              written, then Error(Cancelled) is thrown
//   NaN        a non-finite loss throws Error(Training) before the weights are touched;
//              checkpoints already written stay as they were
//
// Determinism: the shuffle of epoch e comes from a private generator seeded with
// (seed, e); weight initialisation and dropout use LibTorch's global CPU generator,
// which the trainer seeds with `seed` (fresh run) or restores from the checkpoint
// (resume). On CPU the same seed, data and thread count give bit-equal weights. Two
// trainings running at the same time in one process share that global generator and
// are then not reproducible; run them one after the other when that matters. The
// thread count is left as it is (at::set_num_threads is not called): the CPU kernels
// these networks use give identical results run after run for a fixed thread count.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/job_context.h"
#include "train/optimizer.h"

namespace ecgldm {
namespace train {

/** A classifier network with the config it was built from. */
struct ClassifierModel {
  /** Normalised model config (every option spelled out), JSON text. */
  std::string configJson;
  std::string kind;  // "ecgnet" | "cnn" | "cnnlstm" | "resnet1d" | "fusion"
  int64_t numClasses = 0, leads = 0, samples = 0;
  std::shared_ptr<torch::nn::Module> module;
  /** x [B, leads, samples] -> logits [B, numClasses]. */
  std::function<torch::Tensor(const torch::Tensor&)> forward;
  /** Weight constraint to apply after each optimizer step (ECGNet's max-norm); may be empty. */
  std::function<void()> afterStep;
  /** The network takes segments of exactly `samples` samples (ECGNet, fusion). */
  bool fixedLength = false;
  /** The caller's own facts about the model (a JSON object: preprocessing, sampling rate...),
   *  kept in every checkpoint as run_config "metadata". */
  std::string metadataJson = "{}";

  /** Trainable parameters (frozen ones, such as the fusion model's down path, excluded). */
  int64_t parameterCount() const;
};

/**
 * Builds the network of a model config:
 *   {"kind": "ecgnet"|"cnn"|"cnnlstm"|"resnet1d"|"fusion", "numClasses": 2, "leads": 1,
 *    "samples": 2048, "options": {kind-specific, e.g. "dropout": 0.2}}
 * Unknown kinds or option names, and values of the wrong type, throw Error(ArgRange)
 * naming the field. Uses the global CPU generator for the initial weights.
 *
 * fusion options: "generatorCheckpoint" (path: the U-Net's architecture and weights
 * come from that generator checkpoint, see loadFusionGenerator) or "generator" (the
 * generator config a fusion checkpoint records: architecture only), "headHidden",
 * "diffusionStep", "freezeDownBlocks", and "ecgnet" (ECGNet's options). The normalised
 * config records "generator", never the path. A generator built for other segments than
 * leads x samples throws Error(Shape); the generator checkpoint's errors are Io/Format.
 */
ClassifierModel buildClassifier(const std::string& modelConfigJson, const at::Device& device);

/** Loads a checkpoint written by trainClassifier / saveClassifier onto `device`. */
ClassifierModel loadClassifier(const std::string& path, const at::Device& device);

/** Writes the model's weights and config as a checkpoint (no optimizer state). */
void saveClassifier(const std::string& path, const ClassifierModel& model);

/** Class probabilities [N, numClasses] (softmax) of data [N, leads, samples]; eval + inference mode. */
torch::Tensor predictClassifier(const ClassifierModel& model, const torch::Tensor& data, int64_t batchSize = 256);

struct ClassifierTrainerOptions {
  int64_t epochs = 30;
  int64_t batchSize = 32;
  OptimizerOptions optimizer{OptimizerKind::Adam, 1e-3, 0.9, 0.999, 1e-8, 0.0, false};
  bool classWeighting = false;  // inverse-frequency class weights in the cross-entropy
  int64_t patience = 10;        // epochs without a better val loss before stopping; 0 = never
  uint64_t seed = 0;
  int64_t progressEvery = 10;   // ctx.report every N optimizer steps (and at every epoch end)
  std::string checkpointDir;    // best.safetensors / last.safetensors; empty = none written
  std::string resumeFrom;       // a checkpoint written by this trainer (architecture from it)
  std::string runConfigJson = "{}";  // the caller's run config, stored in checkpoints
  std::string metadataJson = "{}";   // a JSON object, see ClassifierModel::metadataJson
};

struct ClassifierEpochSummary {
  int64_t epoch = 0;
  double trainLoss = 0;
  double valLoss = 0;
  double valAccuracy = 0;
  bool best = false;
};

struct ClassifierTrainResult {
  ClassifierModel model;  // holds the BEST epoch's weights (lowest validation loss)
  int64_t steps = 0;
  int64_t bestEpoch = -1;
  double bestValLoss = std::numeric_limits<double>::infinity();
  bool stoppedEarly = false;  // early stopping ended the run before `epochs`
  std::vector<ClassifierEpochSummary> epochs;
};

/**
 * Trains a classifier from `modelConfigJson` (ignored when resuming) on trainX [N, C, L]
 * / trainY [N] (int64) with validation set valX [M, C, L] / valY [M]. Throws
 * Error(Shape) for empty sets or mismatched shapes, Error(ArgRange) for invalid options,
 * labels outside [0, numClasses) or a single-class training set, Error(NonFinite) for
 * NaN/Inf data, Error(Training) on a non-finite loss, Error(Cancelled) when ctx is
 * cancelled (after writing last.safetensors), and the checkpoint errors (Io/Format).
 */
ClassifierTrainResult trainClassifier(const std::string& modelConfigJson, const torch::Tensor& trainX,
                                      const torch::Tensor& trainY, const torch::Tensor& valX,
                                      const torch::Tensor& valY, const ClassifierTrainerOptions& options,
                                      const at::Device& device, JobContext& ctx);

}  // namespace train
}  // namespace ecgldm
