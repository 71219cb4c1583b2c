#include "wavelet/wavedec.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include "core/error.h"
#include "wavelet/multilevel_kernels.h"
#include "wavelet/signal_checks.h"

namespace ecgldm::wavelet {

int dwtMaxLevel(int64_t length, int64_t filterLength) {
  if (filterLength < 2 || length < filterLength - 1) return 0;
  int level = 0;
  for (int64_t ratio = length / (filterLength - 1); ratio > 1; ratio /= 2) ++level;
  return level;
}

void checkLevel(int64_t length, int64_t filterLength, int level, std::vector<std::string>* warnings) {
  check(level >= 0, ErrorCode::ArgRange,
        "Level value of " + std::to_string(level) + " is too low . Minimum level is 0.");
  if (level > dwtMaxLevel(length, filterLength) && warnings != nullptr) {
    warnings->push_back("Level value of " + std::to_string(level) +
                        " is too high: all coefficients will experience boundary effects.");
  }
}

std::vector<DwtPlan> planWavedec(int64_t length, int64_t filterLength, Mode mode, int level) {
  std::vector<DwtPlan> plans;
  for (int i = 0; i < level; ++i) {
    plans.push_back(planDwt(length, filterLength, mode));
    length = plans.back().coeffLength;
  }
  return plans;
}

std::vector<IdwtPlan> planWaverec(const std::vector<int64_t>& coeffLengths, int64_t filterLength, Mode mode) {
  std::vector<IdwtPlan> plans;
  int64_t approx = coeffLengths.at(0);
  for (size_t j = 1; j < coeffLengths.size(); ++j) {
    const int64_t detail = coeffLengths[j];
    check(approx == detail || approx == detail + 1, ErrorCode::Shape,
          "coefficient shape mismatch: an approximation of " + std::to_string(approx) +
              " samples cannot be combined with coeffs[" + std::to_string(j) + "] of " + std::to_string(detail));
    plans.push_back(planIdwt(detail, filterLength, mode));
    approx = plans.back().outputLength;
  }
  return plans;
}

namespace {

std::vector<int64_t> leadingShapeWith(const at::Tensor& x, int64_t last) {
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end() - 1);
  shape.push_back(last);
  return shape;
}

std::vector<at::Tensor> wavedecWithLoops(const at::Tensor& rows, const FilterBank& bank,
                                         const std::vector<DwtPlan>& plans) {
  const int64_t count = rows.size(0);
  const int64_t levels = static_cast<int64_t>(plans.size());
  std::vector<at::Tensor> coeffs;
  coeffs.push_back(at::empty({count, plans.back().coeffLength}, rows.options()));
  for (int64_t j = 1; j <= levels; ++j) coeffs.push_back(at::empty({count, plans[levels - j].coeffLength}, rows.options()));
  AT_DISPATCH_FLOATING_TYPES(rows.scalar_type(), "wavelet::wavedec", [&] {
    const PolyphaseBank<scalar_t> filters(bank);
    const scalar_t* in = rows.data_ptr<scalar_t>();
    at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
      MultilevelScratch<scalar_t> scratch;
      std::vector<scalar_t*> out(coeffs.size());
      for (int64_t r = begin; r < end; ++r) {
        for (size_t j = 0; j < coeffs.size(); ++j) out[j] = coeffs[j].data_ptr<scalar_t>() + r * coeffs[j].size(1);
        wavedecRow(in + r * rows.size(1), plans, filters, scratch, out.data());
      }
    });
  });
  return coeffs;
}

at::Tensor waverecWithLoops(const std::vector<at::Tensor>& coeffs, const FilterBank& bank,
                            const std::vector<IdwtPlan>& plans) {
  const int64_t count = coeffs[0].size(0);
  at::Tensor y = at::empty({count, plans.back().outputLength}, coeffs[0].options());
  AT_DISPATCH_FLOATING_TYPES(y.scalar_type(), "wavelet::waverec", [&] {
    const PolyphaseBank<scalar_t> filters(bank);
    at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
      MultilevelScratch<scalar_t> scratch;
      std::vector<const scalar_t*> in(coeffs.size());
      for (int64_t r = begin; r < end; ++r) {
        for (size_t j = 0; j < coeffs.size(); ++j) in[j] = coeffs[j].data_ptr<scalar_t>() + r * coeffs[j].size(1);
        waverecRow(in.data(), plans, filters, scratch, y.data_ptr<scalar_t>() + r * y.size(1));
      }
    });
  });
  return y;
}

}  // namespace

std::vector<at::Tensor> wavedec(const at::Tensor& x, const FilterBank& bank, Mode mode, int level,
                                std::vector<std::string>* warnings, Backend backend) {
  checkSignal(x, "signal");
  const int64_t length = x.size(-1);
  checkLevel(length, bank.length(), level, warnings);
  if (level == 0) return {x.clone()};  // pywt: a level-0 decomposition is the signal itself
  const std::vector<DwtPlan> plans = planWavedec(length, bank.length(), mode, level);
  at::Tensor rows = x.reshape({-1, length}).contiguous();
  std::vector<at::Tensor> coeffs;
  if (usesAtenOps(backend, x.device())) {
    std::vector<at::Tensor> details;
    at::Tensor approx = rows;
    for (int i = 0; i < level; ++i) {
      auto [cA, cD] = dwt(approx, bank, mode, Backend::AtenOps);
      details.push_back(cD);
      approx = cA;
    }
    coeffs.push_back(approx);
    coeffs.insert(coeffs.end(), details.rbegin(), details.rend());
  } else {
    coeffs = wavedecWithLoops(rows, bank, plans);
  }
  for (at::Tensor& c : coeffs) c = c.reshape(leadingShapeWith(x, c.size(1)));
  return coeffs;
}

at::Tensor waverec(const std::vector<at::Tensor>& coeffs, const FilterBank& bank, Mode mode, Backend backend) {
  check(!coeffs.empty(), ErrorCode::ArgRange, "Coefficient list too short (minimum 1 arrays required).");
  std::vector<at::Tensor> rows;
  std::vector<int64_t> lengths;
  for (size_t j = 0; j < coeffs.size(); ++j) {
    const at::Tensor& c = coeffs[j];
    checkSignal(c, ("coeffs[" + std::to_string(j) + "]").c_str());
    check(c.scalar_type() == coeffs[0].scalar_type() && c.dim() == coeffs[0].dim() &&
              c.sizes().slice(0, c.dim() - 1) == coeffs[0].sizes().slice(0, c.dim() - 1),
          ErrorCode::Shape,
          "coeffs[" + std::to_string(j) + "] has shape " + c10::str(c.sizes()) + " and dtype " +
              std::string(c10::toString(c.scalar_type())) + "; every coefficient array needs the leading dims and dtype of coeffs[0] " +
              c10::str(coeffs[0].sizes()));
    rows.push_back(c.reshape({-1, c.size(-1)}).contiguous());
    lengths.push_back(c.size(-1));
  }
  if (coeffs.size() == 1) return coeffs[0].clone();  // pywt: level-0 reconstruction
  const std::vector<IdwtPlan> plans = planWaverec(lengths, bank.length(), mode);
  at::Tensor y;
  if (usesAtenOps(backend, coeffs[0].device())) {
    y = rows[0];
    for (size_t j = 1; j < rows.size(); ++j)
      y = idwt(y.narrow(1, 0, rows[j].size(1)), rows[j], bank, mode, Backend::AtenOps);
  } else {
    y = waverecWithLoops(rows, bank, plans);
  }
  return y.reshape(leadingShapeWith(coeffs[0], y.size(1)));
}

}  // namespace ecgldm::wavelet
