#include "wavelet/denoise.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "wavelet/multilevel_kernels.h"
#include "wavelet/signal_checks.h"
#include "wavelet/threshold.h"
#include "wavelet/wavedec.h"

namespace ecgldm::wavelet {
namespace {

// numpy.median: the mean of the two middle values for an even count.
template <typename T>
double medianOfMagnitudes(const T* values, int64_t count, std::vector<T>& scratch) {
  scratch.resize(count);
  for (int64_t i = 0; i < count; ++i) scratch[i] = std::abs(values[i]);
  auto middle = scratch.begin() + count / 2;
  std::nth_element(scratch.begin(), middle, scratch.end());
  double upper = static_cast<double>(*middle);
  if (count % 2 == 1) return upper;
  double lower = static_cast<double>(*std::max_element(scratch.begin(), middle));
  return (lower + upper) / 2;
}

double universalThreshold(double medianAbsDetail, int64_t detailLength) {
  return medianAbsDetail / kMadToSigma * std::sqrt(2.0 * std::log(static_cast<double>(detailLength)));
}

// kFlatSignal: a row whose |cD1| has median 0 (e.g. a flat line) gets threshold 0, and
// pywt.threshold(0, 0, 'soft') is 0 * (1 - 0/0) = NaN. Deliberate deviation: a zero
// threshold leaves the coefficients unchanged (the limit of soft thresholding as t -> 0).

// Step 4's rule for coefficient array j of [cA_n, cD_n, ..., cD_1]: the last two are zeroed.
bool zeroedCoefficient(size_t j, size_t count) { return j + 2 >= count && j >= 1; }

DenoiseResult denoiseWithLoops(const at::Tensor& rows, const FilterBank& bank, const std::vector<DwtPlan>& dwtPlans,
                               const std::vector<IdwtPlan>& idwtPlans, const std::vector<int64_t>& coeffLengths,
                               at::Tensor output) {
  const int64_t count = rows.size(0), length = rows.size(1);
  at::Tensor thresholds = at::empty({count}, rows.options().dtype(at::kDouble));
  AT_DISPATCH_FLOATING_TYPES(rows.scalar_type(), "wavelet::denoise", [&] {
    const PolyphaseBank<scalar_t> filters(bank);
    const scalar_t* in = rows.data_ptr<scalar_t>();
    scalar_t* out = output.data_ptr<scalar_t>();
    double* thr = thresholds.data_ptr<double>();
    at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
      MultilevelScratch<scalar_t> scratch;
      std::vector<std::vector<scalar_t>> coeffs(coeffLengths.size());
      std::vector<scalar_t*> pointers(coeffs.size());
      for (size_t j = 0; j < coeffs.size(); ++j) {
        coeffs[j].resize(coeffLengths[j]);
        pointers[j] = coeffs[j].data();
      }
      std::vector<scalar_t> magnitudes, reconstructed(idwtPlans.back().outputLength);
      for (int64_t r = begin; r < end; ++r) {
        wavedecRow(in + r * length, dwtPlans, filters, scratch, pointers.data());
        const std::vector<scalar_t>& finest = coeffs.back();
        const int64_t finestLength = static_cast<int64_t>(finest.size());
        thr[r] = universalThreshold(medianOfMagnitudes(finest.data(), finestLength, magnitudes), finestLength);
        const auto t = static_cast<scalar_t>(thr[r]);
        for (size_t j = 0; j < coeffs.size(); ++j) {
          std::vector<scalar_t>& c = coeffs[j];
          if (zeroedCoefficient(j, coeffs.size())) {
            std::fill(c.begin(), c.end(), scalar_t(0));
          } else if (t > scalar_t(0)) {  // see kFlatSignal
            for (scalar_t& v : c) v = thresholdOne(v, t, ThresholdMode::Soft, scalar_t(0));
          }
        }
        waverecRow(const_cast<const scalar_t* const*>(pointers.data()), idwtPlans, filters, scratch,
                   reconstructed.data());
        std::copy(reconstructed.begin(), reconstructed.begin() + length, out + r * length);
      }
    });
  });
  return {output, thresholds};
}

DenoiseResult denoiseWithOps(const at::Tensor& rows, const FilterBank& bank, const DenoiseOptions& options) {
  std::vector<at::Tensor> coeffs = wavedec(rows, bank, options.mode, options.level, nullptr, Backend::AtenOps);
  const at::Tensor& finest = coeffs.back();
  // numpy.median of an even count averages the two middle values (at::median keeps the lower).
  at::Tensor sorted = std::get<0>(finest.abs().to(at::kDouble).sort(1));
  const int64_t m = finest.size(1);
  at::Tensor median = (sorted.select(1, (m - 1) / 2) + sorted.select(1, m / 2)) / 2;
  at::Tensor thresholds = median / kMadToSigma * std::sqrt(2.0 * std::log(static_cast<double>(m)));
  at::Tensor t = thresholds.to(rows.scalar_type()).unsqueeze(1);
  for (size_t j = 0; j < coeffs.size(); ++j) {
    if (zeroedCoefficient(j, coeffs.size())) {
      coeffs[j] = at::zeros_like(coeffs[j]);
    } else {
      at::Tensor factor = 1 - t / coeffs[j].abs();  // pywt soft threshold, per-row t
      coeffs[j] = at::where(t > 0, coeffs[j] * factor.clamp_min(0), coeffs[j]);  // see kFlatSignal
    }
  }
  at::Tensor y = waverec(coeffs, bank, options.mode, Backend::AtenOps);
  return {y.narrow(1, 0, rows.size(1)).contiguous(), thresholds};
}

}  // namespace

DenoiseResult denoise(const at::Tensor& x, const DenoiseOptions& options, std::vector<std::string>* warnings,
                      Backend backend, const at::Tensor& output) {
  checkSignal(x, "signal");
  const FilterBank& bank = filterBank(options.wavelet);
  const int64_t length = x.size(-1);
  checkLevel(length, bank.length(), options.level, warnings);
  check(options.level >= 1, ErrorCode::ArgRange, "denoise needs level >= 1 (it thresholds cD1)");
  at::Tensor rows = x.reshape({-1, length}).contiguous();

  DenoiseResult result;
  if (usesAtenOps(backend, x.device())) {
    result = denoiseWithOps(rows, bank, options);
  } else {
    const std::vector<DwtPlan> dwtPlans = planWavedec(length, bank.length(), options.mode, options.level);
    std::vector<int64_t> coeffLengths{dwtPlans.back().coeffLength};
    for (auto plan = dwtPlans.rbegin(); plan != dwtPlans.rend(); ++plan) coeffLengths.push_back(plan->coeffLength);
    const std::vector<IdwtPlan> idwtPlans = planWaverec(coeffLengths, bank.length(), options.mode);
    if (output.defined()) {
      check(output.sizes() == x.sizes() && output.scalar_type() == x.scalar_type() && output.is_contiguous() &&
                output.device().is_cpu(),
            ErrorCode::Shape, "denoise output must be a contiguous CPU tensor of the input's shape and dtype");
    }
    at::Tensor out = output.defined() ? output.view({-1, length}) : at::empty_like(rows);
    result = denoiseWithLoops(rows, bank, dwtPlans, idwtPlans, coeffLengths, out);
  }
  std::vector<int64_t> leading(x.sizes().begin(), x.sizes().end() - 1);
  result.signal = result.signal.reshape(x.sizes());
  result.threshold = result.threshold.reshape(leading);
  return result;
}

}  // namespace ecgldm::wavelet
