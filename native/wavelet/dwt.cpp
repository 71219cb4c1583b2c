#include "wavelet/dwt.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <string>

#include "core/error.h"
#include "wavelet/dwt_kernels.h"

namespace ecgldm::wavelet {

bool usesAtenOps(Backend backend, const at::Device& device) {
  if (backend == Backend::Auto) return !device.is_cpu();
  return backend == Backend::AtenOps;
}

int64_t dwtCoeffLength(int64_t signalLength, int64_t filterLength, Mode mode) {
  if (mode == Mode::Periodization) return (signalLength + 1) / 2;
  return (signalLength + filterLength - 1) / 2;
}

int64_t idwtOutputLength(int64_t coeffLength, int64_t filterLength, Mode mode) {
  const int64_t length = mode == Mode::Periodization ? 2 * coeffLength : 2 * coeffLength - filterLength + 2;
  check(length > 0, ErrorCode::ArgRange,
        "Invalid coefficient arrays length for specified wavelet: " + std::to_string(coeffLength) +
            " coefficients cannot be reconstructed with a filter of length " + std::to_string(filterLength));
  return length;
}

DwtPlan planDwt(int64_t inputLength, int64_t filterLength, Mode mode) {
  DwtPlan plan;
  plan.inputLength = inputLength;
  plan.coeffLength = dwtCoeffLength(inputLength, filterLength, mode);
  plan.repeatLast = mode == Mode::Periodization && inputLength % 2 == 1;
  const int64_t padded = inputLength + (plan.repeatLast ? 1 : 0);
  // pywt's downsampling convolution takes output o from input index 2o + 1 (step - 1) and
  // looks F - 1 samples back; periodization starts F/2 - 1 samples earlier instead
  // (checked against pywt.dwt for every mode and lengths 1..44).
  const int64_t left = mode == Mode::Periodization ? filterLength / 2 - 1 : filterLength - 2;
  const int64_t right = 2 * (plan.coeffLength - 1) + filterLength - left - padded;
  plan.extension = planExtension(padded, left, right, mode);
  return plan;
}

IdwtPlan planIdwt(int64_t coeffLength, int64_t filterLength, Mode mode) {
  IdwtPlan plan;
  plan.coeffLength = coeffLength;
  plan.outputLength = idwtOutputLength(coeffLength, filterLength, mode);
  plan.periodic = mode == Mode::Periodization;
  if (plan.periodic) {
    // Circular reconstruction y[(2k + j - (F/2 - 1)) mod 2L] += c[k] * rec[j] equals the
    // valid reconstruction of the coefficients extended periodically by h = F/2 - 1 on the
    // left, read from valid output h on (right extension: enough for 2L outputs).
    const int64_t h = filterLength / 2 - 1;
    plan.skip = h;
    plan.extension = planExtension(coeffLength, h, (h + 1) / 2, Mode::Periodic);
  }
  return plan;
}

at::Tensor extendWithOps(const at::Tensor& x, const ExtensionPlan& plan) {
  const int64_t total = plan.extendedLength();
  std::vector<int64_t> index(total), slopeFrom(total, 0), slopeTo(total, 0);
  std::vector<double> weight(total, 1.0), slopeSteps(total, 0.0);
  bool hasSlope = false;
  auto place = [&](int64_t at, const ExtendedSample& s) {
    index[at] = s.index;
    weight[at] = s.weight;
    slopeFrom[at] = s.slopeFrom;
    slopeTo[at] = s.slopeTo;
    slopeSteps[at] = s.slopeSteps;
    hasSlope = hasSlope || s.slopeSteps != 0;
  };
  for (int64_t k = 0; k < plan.left; ++k) place(k, plan.leftSamples[k]);
  for (int64_t i = 0; i < plan.length; ++i) index[plan.left + i] = i;
  for (int64_t k = 0; k < plan.right; ++k) place(plan.left + plan.length + k, plan.rightSamples[k]);

  auto indexOptions = at::TensorOptions().dtype(at::kLong);
  auto toDevice = [&](std::vector<int64_t>& v) { return at::tensor(v, indexOptions).to(x.device()); };
  auto asValues = [&](std::vector<double>& v) { return at::tensor(v, at::kDouble).to(x.options()); };
  at::Tensor extended = x.index_select(1, toDevice(index)) * asValues(weight);
  if (hasSlope) {
    at::Tensor slope = x.index_select(1, toDevice(slopeFrom)) - x.index_select(1, toDevice(slopeTo));
    extended = extended + asValues(slopeSteps) * slope;
  }
  return extended;
}

namespace {

at::Tensor filterPair(const std::vector<double>& first, const std::vector<double>& second, bool reversed,
                      const at::Tensor& like) {
  at::Tensor pair = at::stack({at::tensor(first, at::kDouble), at::tensor(second, at::kDouble)}).unsqueeze(1);
  if (reversed) pair = pair.flip({2});
  return pair.to(like.options());  // [2, 1, F]
}

std::pair<at::Tensor, at::Tensor> dwtWithOps(const at::Tensor& x, const FilterBank& bank, const DwtPlan& plan) {
  at::Tensor input = plan.repeatLast ? at::cat({x, x.narrow(1, x.size(1) - 1, 1)}, 1) : x;
  at::Tensor extended = extendWithOps(input, plan.extension).unsqueeze(1);  // [R, 1, E]
  // conv1d correlates, so the reversed decomposition filters give pywt's convolution.
  at::Tensor both = at::conv1d(extended, filterPair(bank.decLo, bank.decHi, true, x), {}, 2);  // [R, 2, L]
  return {both.select(1, 0).contiguous(), both.select(1, 1).contiguous()};
}

at::Tensor idwtWithOps(const at::Tensor& cA, const at::Tensor& cD, const FilterBank& bank, const IdwtPlan& plan) {
  const int64_t F = bank.length();
  at::Tensor a = plan.periodic ? extendWithOps(cA, plan.extension) : cA;
  at::Tensor d = plan.periodic ? extendWithOps(cD, plan.extension) : cD;
  // conv_transpose1d with stride 2 is the full convolution of the upsampled coefficients,
  // summed over the two input channels (cA with rec_lo, cD with rec_hi).
  at::Tensor full = at::conv_transpose1d(at::stack({a, d}, 1), filterPair(bank.recLo, bank.recHi, false, cA), {}, 2);
  return full.select(1, 0).narrow(1, F - 2 + plan.skip, plan.outputLength).contiguous();
}

std::pair<at::Tensor, at::Tensor> dwtWithLoops(const at::Tensor& x, const FilterBank& bank, const DwtPlan& plan) {
  at::Tensor input = x.contiguous();
  const int64_t rows = input.size(0);
  at::Tensor cA = at::empty({rows, plan.coeffLength}, input.options());
  at::Tensor cD = at::empty({rows, plan.coeffLength}, input.options());
  AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "wavelet::dwt", [&] {
    const PolyphaseBank<scalar_t> filters(bank);
    const scalar_t* in = input.data_ptr<scalar_t>();
    scalar_t* a = cA.data_ptr<scalar_t>();
    scalar_t* d = cD.data_ptr<scalar_t>();
    at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
      RowScratch<scalar_t> scratch;
      for (int64_t r = begin; r < end; ++r)
        dwtRow(in + r * plan.inputLength, plan, filters, scratch, a + r * plan.coeffLength, d + r * plan.coeffLength);
    });
  });
  return {cA, cD};
}

at::Tensor idwtWithLoops(const at::Tensor& cA, const at::Tensor& cD, const FilterBank& bank, const IdwtPlan& plan) {
  at::Tensor a = cA.contiguous(), d = cD.contiguous();
  const int64_t rows = a.size(0);
  at::Tensor y = at::empty({rows, plan.outputLength}, a.options());
  AT_DISPATCH_FLOATING_TYPES(a.scalar_type(), "wavelet::idwt", [&] {
    const PolyphaseBank<scalar_t> filters(bank);
    const scalar_t* ap = a.data_ptr<scalar_t>();
    const scalar_t* dp = d.data_ptr<scalar_t>();
    scalar_t* out = y.data_ptr<scalar_t>();
    at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
      RowScratch<scalar_t> scratch;
      for (int64_t r = begin; r < end; ++r)
        idwtRow(ap + r * plan.coeffLength, dp + r * plan.coeffLength, plan, filters, scratch,
                out + r * plan.outputLength);
    });
  });
  return y;
}

}  // namespace

std::pair<at::Tensor, at::Tensor> dwt(const at::Tensor& x, const FilterBank& bank, Mode mode, Backend backend) {
  check(x.dim() == 2 && x.size(1) > 0, ErrorCode::Shape, "dwt expects rows [R, n] with n > 0");
  const DwtPlan plan = planDwt(x.size(1), bank.length(), mode);
  return usesAtenOps(backend, x.device()) ? dwtWithOps(x, bank, plan) : dwtWithLoops(x, bank, plan);
}

at::Tensor idwt(const at::Tensor& cA, const at::Tensor& cD, const FilterBank& bank, Mode mode, Backend backend) {
  check(cA.dim() == 2 && cA.sizes() == cD.sizes(), ErrorCode::Shape,
        "idwt expects cA and cD of equal shape [R, L], received " + c10::str(cA.sizes()) + " and " +
            c10::str(cD.sizes()));
  const IdwtPlan plan = planIdwt(cA.size(1), bank.length(), mode);
  return usesAtenOps(backend, cA.device()) ? idwtWithOps(cA, cD, bank, plan) : idwtWithLoops(cA, cD, bank, plan);
}

}  // namespace ecgldm::wavelet
