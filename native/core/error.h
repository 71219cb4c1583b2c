// The one exception type native code throws on purpose. Its code is one of the strings
// of ts/errors.ts (E_ARG_RANGE, E_SHAPE, ...); native/binding/ maps it to that JS class.
// Anything else that escapes (c10::Error, std::exception) becomes E_TORCH / E_NATIVE.
#pragma once

#include <stdexcept>
#include <string>

namespace ecgldm {

enum class ErrorCode {
  Native,
  ArgType,
  ArgRange,
  Shape,
  DType,
  NonFinite,
  Device,
  Disposed,
  Cancelled,
  Busy,
  Torch,
  Format,
  Io,
  Training,
};

/** The JS-facing code string of an ErrorCode ("E_SHAPE", ...). */
const char* errorCodeName(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

/** Throws Error(code, message) when `condition` is false. */
inline void check(bool condition, ErrorCode code, const std::string& message) {
  if (!condition) throw Error(code, message);
}

}  // namespace ecgldm
