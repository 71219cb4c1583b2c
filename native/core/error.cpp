#include "core/error.h"

namespace ecgldm {

const char* errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::ArgType: return "E_ARG_TYPE";
    case ErrorCode::ArgRange: return "E_ARG_RANGE";
    case ErrorCode::Shape: return "E_SHAPE";
    case ErrorCode::DType: return "E_DTYPE";
    case ErrorCode::NonFinite: return "E_NONFINITE";
    case ErrorCode::Device: return "E_DEVICE";
    case ErrorCode::Disposed: return "E_DISPOSED";
    case ErrorCode::Cancelled: return "E_CANCELLED";
    case ErrorCode::Busy: return "E_BUSY";
    case ErrorCode::Torch: return "E_TORCH";
    case ErrorCode::Format: return "E_FORMAT";
    case ErrorCode::Io: return "E_IO";
    case ErrorCode::Training: return "E_TRAINING";
    case ErrorCode::Native: break;
  }
  return "E_NATIVE";
}

}  // namespace ecgldm
