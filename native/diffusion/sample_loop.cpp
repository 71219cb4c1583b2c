#include "diffusion/sample_loop.h"

#include <string>

#include "core/error.h"
#include "diffusion/ddim_sampler.h"
#include "diffusion/dpm_solver_pp.h"

namespace ecgldm {
namespace diffusion {

std::unique_ptr<Sampler> makeSampler(const NoiseSchedule& schedule, const SampleLoopOptions& options) {
  switch (options.sampler()) {
    case SamplerKind::Ddpm:
      return std::make_unique<DdpmSampler>(schedule, DdpmSamplerOptions()
                                                         .prediction(options.prediction())
                                                         .variance(options.ddpmVariance())
                                                         .clipX0(options.clipX0()));
    case SamplerKind::Ddim:
      return std::make_unique<DdimSampler>(
          schedule, DdimSamplerOptions().prediction(options.prediction()).eta(options.eta()).clipX0(options.clipX0()));
    case SamplerKind::DpmSolverPP:
      return std::make_unique<DpmSolverPP>(
          schedule, DpmSolverPPOptions().prediction(options.prediction()).clipX0(options.clipX0()));
  }
  throw Error(ErrorCode::ArgRange, "unknown sampler kind");
}

torch::Tensor sampleLoop(const Denoiser& model, const NoiseSchedule& schedule, std::vector<int64_t> shape,
                         const torch::Tensor& labels, const SampleLoopOptions& options, const at::Device& device,
                         const ProgressCallback& progress) {
  check(shape.size() == 3 && shape[0] > 0 && shape[1] > 0 && shape[2] > 0, ErrorCode::Shape,
        "Expected a sample shape [B, C, L] of positive sizes but received " + c10::str(c10::IntArrayRef(shape)));
  check(labels.dim() == 1 && labels.size(0) == shape[0], ErrorCode::Shape,
        "Expected labels of shape [" + std::to_string(shape[0]) + "] but received " + c10::str(labels.sizes()));
  const bool guided = options.guidanceScale() != 1.0;

  c10::InferenceMode inferenceMode;  // no autograd bookkeeping for the whole run

  // 1. Sampler and timesteps (validates steps before any work).
  std::unique_ptr<Sampler> sampler = makeSampler(schedule, options);
  sampler->setTimesteps(options.steps());
  const std::vector<int64_t>& timesteps = sampler->timesteps();
  const int total = static_cast<int>(timesteps.size());

  // 2. A private generator of the device's type, so the run is reproducible and does not
  //    disturb (or depend on) the global RNG.
  at::Generator generator = at::globalContext().defaultGenerator(device).clone();
  generator.set_current_seed(options.seed());

  // 3. Per-run tensors, made once: x_T ~ N(0, I), labels (doubled with the null label for
  //    guidance) and a timestep buffer refilled in place each step.
  const auto floatOptions = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  torch::Tensor x = torch::randn(shape, generator, floatOptions);
  torch::Tensor modelLabels = labels.to(device, torch::kLong);
  if (guided) modelLabels = labelsWithNull(modelLabels, options.nullLabel());
  torch::Tensor tBatch = torch::empty({modelLabels.size(0)}, floatOptions.dtype(torch::kLong));

  // 4. The loop: model output -> sampler step, T-1 .. 0.
  for (int i = 0; i < total; ++i) {
    const int64_t t = timesteps[static_cast<size_t>(i)];
    tBatch.fill_(t);
    torch::Tensor modelOutput =
        guided ? guidedModelOutput(model, x, tBatch, modelLabels, options.guidanceScale()) : model(x, tBatch, modelLabels);
    x = sampler->step(modelOutput, t, x, generator).prevSample;
    if (progress && !progress(i + 1, total)) {
      throw Error(ErrorCode::Cancelled,
                  "sampling cancelled after step " + std::to_string(i + 1) + " of " + std::to_string(total));
    }
  }
  return x;
}

Denoiser denoiserFor(nn::UNet1d model) {
  model->eval();
  auto module = model.ptr();  // shared_ptr: callable from the const lambda
  return [module](const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& label) {
    return module->forward(x, t, label);
  };
}

Denoiser denoiserFor(nn::SeedUNet model) {
  model->eval();
  auto module = model.ptr();  // shared_ptr: callable from the const lambda
  return [module](const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& label) {
    return module->forward(x, t, label);
  };
}

}  // namespace diffusion
}  // namespace ecgldm
