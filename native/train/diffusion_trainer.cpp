#include "train/diffusion_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "core/error.h"
#include "train/checkpoint.h"
#include "train/ema.h"
#include "train/lr_schedule.h"

namespace ecgldm {
namespace train {

namespace {

// A private generator of the device's type seeded with `seed` (leaves the global RNG alone).
at::Generator seededGenerator(const at::Device& device, uint64_t seed) {
  at::Generator generator = at::globalContext().defaultGenerator(device).clone();
  generator.set_current_seed(seed);
  return generator;
}

// One well-mixed 64-bit seed per (run seed, stream, index) (splitmix64 finaliser), so the
// split, the shuffle of epoch e and the noise of step s never share a stream.
uint64_t streamSeed(uint64_t seed, uint64_t stream, uint64_t index) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream * 0x100000001B3ULL + index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
enum Stream : uint64_t { kSplit = 1, kShuffle = 2, kNoise = 3, kValidation = 4 };

}  // namespace

DiffusionTrainResult trainDiffusion(torch::nn::Module& model, const diffusion::Denoiser& denoiser,
                                    const diffusion::NoiseSchedule& schedule, const torch::Tensor& data,
                                    const torch::Tensor& labels, const DiffusionTrainerOptions& options,
                                    const at::Device& device, const DiffusionTrainerCallbacks& callbacks) {
  const DiffusionTrainerOptions& o = options;

  // ---- 1. Check the options and the data ---------------------------------------------
  check(data.dim() == 3 && data.size(0) >= 1 && data.size(1) >= 1 && data.size(2) >= 1, ErrorCode::Shape,
        "Expected training data of shape [N, C, L] but received " + c10::str(data.sizes()));
  const int64_t n = data.size(0);
  check(labels.dim() == 1 && labels.size(0) == n, ErrorCode::Shape,
        "Expected labels of shape [" + std::to_string(n) + "] but received " + c10::str(labels.sizes()));
  check(o.batchSize >= 1, ErrorCode::ArgRange, "Expected batchSize >= 1 but received " + std::to_string(o.batchSize));
  check(o.epochs >= 1, ErrorCode::ArgRange, "Expected epochs >= 1 but received " + std::to_string(o.epochs));
  check(o.valFraction >= 0 && o.valFraction < 1, ErrorCode::ArgRange,
        "Expected valFraction in [0, 1) but received " + std::to_string(o.valFraction));
  check(o.minLrFraction >= 0 && o.minLrFraction <= 1, ErrorCode::ArgRange,
        "Expected minLrFraction in [0, 1] but received " + std::to_string(o.minLrFraction));
  check(o.gradClip >= 0, ErrorCode::ArgRange, "Expected gradClip >= 0 (0 = off) but received " + std::to_string(o.gradClip));
  check(o.emaDecay >= 0 && o.emaDecay <= 1, ErrorCode::ArgRange,
        "Expected emaDecay in [0, 1] but received " + std::to_string(o.emaDecay));
  check(o.logEvery >= 1, ErrorCode::ArgRange, "Expected logEvery >= 1 but received " + std::to_string(o.logEvery));
  check(torch::isfinite(data).all().item<bool>(), ErrorCode::NonFinite, "training data contains NaN or infinite values");

  // ---- 2. Data on the device once; seeded train/validation split ---------------------
  const int64_t numVal = o.valFraction > 0 ? std::max<int64_t>(1, std::llround(o.valFraction * n)) : 0;
  const int64_t numTrain = n - numVal;
  check(numTrain >= 1, ErrorCode::ArgRange,
        "Expected at least one training sample after the validation split but " + std::to_string(n) +
            " samples with valFraction " + std::to_string(o.valFraction) + " leave none");
  at::Generator cpuGenerator = seededGenerator(torch::kCPU, streamSeed(o.seed, kSplit, 0));
  const torch::Tensor order = torch::randperm(n, cpuGenerator, torch::kLong).to(device);
  const torch::Tensor allX = data.to(device, torch::kFloat32), allY = labels.to(device, torch::kLong);
  const torch::Tensor trainX = allX.index_select(0, order.slice(0, numVal)), trainY = allY.index_select(0, order.slice(0, numVal));
  const torch::Tensor valX = allX.index_select(0, order.slice(0, 0, numVal)), valY = allY.index_select(0, order.slice(0, 0, numVal));
  const int64_t stepsPerEpoch = (numTrain + o.batchSize - 1) / o.batchSize;
  const int64_t totalSteps = stepsPerEpoch * o.epochs;

  // ---- 3. Optimizer (trainable parameters only), LR schedule, EMA ---------------------
  std::vector<torch::Tensor> trainable;
  NamedTensors namedTrainable;
  for (const auto& item : model.named_parameters(/*recurse=*/true)) {
    if (!item.value().requires_grad()) continue;  // e.g. SeedUNet's frozen time tables
    trainable.push_back(item.value());
    namedTrainable.emplace_back(item.key(), item.value());
  }
  std::unique_ptr<torch::optim::Optimizer> optimizer = makeOptimizer(trainable, o.optimizer);
  LrScheduleOptions lrOptions;
  lrOptions.peakLr = o.optimizer.lr;
  lrOptions.minLr = o.optimizer.lr * o.minLrFraction;
  lrOptions.warmupSteps = o.warmupSteps;
  lrOptions.totalSteps = totalSteps;
  const LrSchedule lrSchedule(lrOptions);
  Ema ema(model);

  // ---- 4. Resume: weights, EMA, optimizer moments, step, best loss, CPU RNG ------------
  int64_t step = 0;
  double bestLoss = std::numeric_limits<double>::infinity();
  if (!o.resumeFrom.empty()) {
    Checkpoint resumed = loadCheckpoint(o.resumeFrom);
    loadIntoModule(model, resumed.model);
    if (resumed.ema.empty()) ema = Ema(model); else ema.load(resumed.ema);
    loadOptimizerState(*optimizer, namedTrainable, resumed.optimizer);
    if (resumed.rngState.defined()) restoreCpuRngState(resumed.rngState);
    step = resumed.step;
    bestLoss = resumed.bestValLoss;
    check(step <= totalSteps, ErrorCode::ArgRange,
          "Expected a checkpoint before the end of this run (" + std::to_string(totalSteps) + " steps) but " +
              o.resumeFrom + " is at step " + std::to_string(step));
  }

  std::string lastGoodCheckpoint = o.resumeFrom;  // named in the NaN error
  auto writeCheckpoint = [&](const std::string& path) {
    if (path.empty()) return;
    Checkpoint checkpoint;
    checkpoint.modelConfigJson = o.modelConfigJson;
    checkpoint.runConfigJson = o.runConfigJson;
    checkpoint.step = step;
    checkpoint.bestValLoss = bestLoss;
    checkpoint.model = namedParametersAndBuffers(model);
    checkpoint.ema = ema.shadow();
    checkpoint.optimizer = optimizerState(*optimizer, namedTrainable);
    checkpoint.rngState = cpuRngState();
    saveCheckpoint(path, checkpoint);
    lastGoodCheckpoint = path;
  };

  // ---- 5. Validation loss: same t and noise every epoch, so epochs compare fairly -----
  diffusion::DiffusionLossOptions validationLossOptions = o.loss;
  validationLossOptions.conditionDropProb(0.0);  // judge the conditional model
  auto validationLoss = [&]() -> double {
    if (numVal == 0) return std::numeric_limits<double>::quiet_NaN();
    torch::NoGradGuard noGrad;
    model.eval();
    at::Generator generator = seededGenerator(device, streamSeed(o.seed, kValidation, 0));
    torch::Tensor sum = torch::zeros({}, allX.options());
    for (int64_t start = 0; start < numVal; start += o.batchSize) {
      const int64_t end = std::min(numVal, start + o.batchSize);
      auto batch = diffusion::makeNoisedBatch(schedule, valX.slice(0, start, end), valY.slice(0, start, end),
                                              validationLossOptions, generator);
      sum += diffusion::diffusionLoss(denoiser(batch.noisy, batch.t, batch.labels), batch.target) * (end - start);
    }
    model.train();
    return sum.item<double>() / static_cast<double>(numVal);
  };

  // ---- 6. The loop ---------------------------------------------------------------------
  DiffusionTrainResult result;
  at::Generator noiseGenerator = seededGenerator(device, 0);
  using Clock = std::chrono::steady_clock;
  auto windowStart = Clock::now();
  double windowLoss = 0;
  int64_t windowSteps = 0, windowSamples = 0;
  model.train();

  for (int64_t epoch = step / stepsPerEpoch; epoch < o.epochs; ++epoch) {
    at::Generator shuffleGenerator = seededGenerator(torch::kCPU, streamSeed(o.seed, kShuffle, static_cast<uint64_t>(epoch)));
    const torch::Tensor permutation = torch::randperm(numTrain, shuffleGenerator, torch::kLong).to(device);
    double epochLoss = 0;
    int64_t epochSteps = 0;

    for (int64_t b = step % stepsPerEpoch; b < stepsPerEpoch; ++b) {
      // 6a. Stop at a step boundary, leaving a checkpoint to resume from.
      if (callbacks.shouldStop && callbacks.shouldStop()) {
        writeCheckpoint(o.lastCheckpointPath);
        result.steps = step;
        result.bestLoss = bestLoss;
        result.stopped = true;
        return result;
      }

      // 6b. Batch and its noise (t, eps, label dropout) from this step's own seed.
      const torch::Tensor index = permutation.slice(0, b * o.batchSize, std::min(numTrain, (b + 1) * o.batchSize));
      noiseGenerator.set_current_seed(streamSeed(o.seed, kNoise, static_cast<uint64_t>(step)));
      auto batch = diffusion::makeNoisedBatch(schedule, trainX.index_select(0, index), trainY.index_select(0, index),
                                              o.loss, noiseGenerator);

      // 6c. Forward, loss, and a NaN guard before anything touches the weights.
      const double lr = lrSchedule.at(step);
      setLearningRate(*optimizer, lr);
      optimizer->zero_grad();
      torch::Tensor loss;
      {
        AutocastScope autocast(device.type(), o.precision);
        loss = diffusion::diffusionLoss(denoiser(batch.noisy, batch.t, batch.labels), batch.target);
      }
      const double lossValue = loss.item<double>();
      if (!std::isfinite(lossValue)) {
        throw Error(ErrorCode::Training,
                    "training loss became " + std::to_string(lossValue) + " at step " + std::to_string(step) +
                        " (epoch " + std::to_string(epoch) + "); lower the learning rate or check the data; " +
                        (lastGoodCheckpoint.empty() ? std::string("no checkpoint was written")
                                                    : "the last good checkpoint is " + lastGoodCheckpoint));
      }

      // 6d. Backward, clip, step, EMA.
      loss.backward();
      if (o.gradClip > 0) clipGradNorm(trainable, o.gradClip);
      optimizer->step();
      ema.update(model, o.emaDecay, step);
      ++step;

      // 6e. Progress every logEvery steps: mean loss, throughput, ETA.
      epochLoss += lossValue;
      ++epochSteps;
      windowLoss += lossValue;
      ++windowSteps;
      windowSamples += index.size(0);
      if (callbacks.onProgress && (step % o.logEvery == 0 || step == totalSteps)) {
        const double seconds = std::chrono::duration<double>(Clock::now() - windowStart).count();
        DiffusionTrainProgress progress;
        progress.step = step;
        progress.totalSteps = totalSteps;
        progress.epoch = epoch;
        progress.loss = windowLoss / static_cast<double>(windowSteps);
        progress.lr = lr;
        progress.samplesPerSecond = seconds > 0 ? static_cast<double>(windowSamples) / seconds : 0.0;
        progress.etaSeconds = seconds > 0 ? static_cast<double>(totalSteps - step) * seconds / static_cast<double>(windowSteps) : 0.0;
        callbacks.onProgress(progress);
        windowStart = Clock::now();
        windowLoss = 0;
        windowSteps = windowSamples = 0;
      }
    }

    // 6f. End of epoch: validation, best checkpoint, last checkpoint, report.
    DiffusionEpochSummary summary;
    summary.epoch = epoch;
    summary.trainLoss = epochSteps > 0 ? epochLoss / static_cast<double>(epochSteps) : std::nan("");
    summary.valLoss = validationLoss();
    check(numVal == 0 || std::isfinite(summary.valLoss), ErrorCode::Training,
          "validation loss became " + std::to_string(summary.valLoss) + " after epoch " + std::to_string(epoch));
    const double score = numVal > 0 ? summary.valLoss : summary.trainLoss;
    summary.best = score < bestLoss;
    if (summary.best) {
      bestLoss = score;
      writeCheckpoint(o.bestCheckpointPath);
    }
    writeCheckpoint(o.lastCheckpointPath);
    result.epochs.push_back(summary);
    if (callbacks.onEpoch) callbacks.onEpoch(summary);
  }

  result.steps = step;
  result.bestLoss = bestLoss;
  return result;
}

}  // namespace train
}  // namespace ecgldm
