// Training checkpoints: everything needed to resume a run exactly, in ONE safetensors file
// (nanoGPT's checkpoint dict, in a format Python and numpy can read), plus a JSON sidecar
// holding the model config so a model can be rebuilt without opening the weights.
//
// Tensor names in `<name>.safetensors` (see also docs/checkpoint.md):
//
//   model.<param or buffer>              model weights, names as module.named_parameters()
//                                        / named_buffers() give them ("down.0.conv.weight")
//   ema.<param or buffer>                EMA shadow weights, same names and shapes as model.*
//   optim.<param>.step                   Adam/AdamW per-parameter step count, I64 scalar
//   optim.<param>.exp_avg                first moment, same shape and dtype as the parameter
//   optim.<param>.exp_avg_sq             second moment
//   optim.<param>.max_exp_avg_sq         only with amsgrad
//   rng.cpu                              CPU generator state, U8 [N] (opaque bytes)
//
// A parameter the optimizer has not stepped yet has no optim.* entries. Learning rates are
// not stored: the schedule recomputes them from `step`.
//
// `__metadata__` (all values strings, as the format requires):
//
//   format          "ecg-ldm-checkpoint"
//   format_version  "1"
//   step            decimal integer, optimizer steps taken
//   best_val_loss   %.17g (exact round trip; "inf" before the first evaluation)
//   model_config    JSON text; on resume the architecture is built from this
//   run_config      JSON text (training options of the run)
//
// `<name>.json` (the sidecar: "<name>.safetensors" -> "<name>.json", else "<path>.json")
// holds model_config as JSON. Both files are written atomically, weights first.
#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <limits>
#include <string>

#include "train/safetensors.h"

namespace ecgldm::train {

/** Bumped when the layout above changes incompatibly; loading a newer one fails. */
constexpr int kCheckpointFormatVersion = 1;

struct Checkpoint {
  std::string modelConfigJson = "{}";
  std::string runConfigJson = "{}";
  int64_t step = 0;
  double bestValLoss = std::numeric_limits<double>::infinity();
  NamedTensors model;      // names without the "model." prefix
  NamedTensors ema;        // names without "ema."; may be empty (no EMA in this run)
  NamedTensors optimizer;  // names without "optim.", as optimizerState() returns them
  at::Tensor rngState;     // U8 CPU generator state (cpuRngState()); may be undefined
};

/**
 * Writes `<path>` (safetensors) and its JSON sidecar, each atomically. Throws
 * Error(Format) when a config is not valid JSON, Error(Io) when a file cannot be written.
 */
void saveCheckpoint(const std::string& path, const Checkpoint& checkpoint);

/** Reads a checkpoint written by saveCheckpoint; Error(Format)/Error(Io) naming the file. */
Checkpoint loadCheckpoint(const std::string& path);

/** The JSON sidecar's path: "run/best.safetensors" -> "run/best.json". */
std::string checkpointSidecarPath(const std::string& path);

/** Parameters then buffers, recursively, with their dotted names; the tensors alias the module's. */
NamedTensors namedParametersAndBuffers(const torch::nn::Module& module);

/**
 * Copies `source` tensors into `destination` tensors of the same names (values, onto each
 * destination's device). Every name, shape and dtype is checked first, and any difference
 * throws Error(Format, "checkpoint was written for a different architecture: ...") listing
 * missing/unexpected names and shape mismatches, shown with `namePrefix`; nothing is
 * copied then. A float16 or bfloat16 source loads into a float32 destination (exported
 * weights); any other dtype difference is a mismatch.
 */
void copyMatchingTensors(const NamedTensors& destination, const NamedTensors& source,
                         const std::string& namePrefix = "");

/**
 * Loads the entries of `tensors` whose names start with `prefix` (stripped) into the
 * module's parameters and buffers; see copyMatchingTensors for the checks.
 * A checkpoint written on CUDA loads into a CPU module and vice versa.
 */
void loadIntoModule(torch::nn::Module& module, const NamedTensors& tensors,
                    const std::string& prefix = "");

/**
 * The per-parameter state of an Adam or AdamW optimizer, named after `namedParameters`
 * ("<param>.step", "<param>.exp_avg", ...; see the table above). Throws Error(ArgRange)
 * for another optimizer type or for an optimized tensor missing from `namedParameters`.
 */
NamedTensors optimizerState(const torch::optim::Optimizer& optimizer,
                            const NamedTensors& namedParameters);

/**
 * Replaces the optimizer's state with `state` (as optimizerState() returns it), so that
 * the next step() is bit-identical to the uninterrupted run. Throws Error(Format) for
 * unknown names, missing moments, or shapes/dtypes that differ from the parameters.
 */
void loadOptimizerState(torch::optim::Optimizer& optimizer, const NamedTensors& namedParameters,
                        const NamedTensors& state);

/** A copy of the default CPU generator's state (U8 tensor). */
at::Tensor cpuRngState();

/** Restores the default CPU generator; Error(Format) if `state` is not such a tensor. */
void restoreCpuRngState(const at::Tensor& state);

}  // namespace ecgldm::train
