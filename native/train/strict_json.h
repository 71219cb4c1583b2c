// Strict JSON parsing on top of nlohmann/json (vendored in native/third_party/nlohmann).
// Input is treated as hostile (the header of a downloaded checkpoint is): besides
// RFC 8259, a document must not hold a key twice in one object (nlohmann would keep the
// last) nor nest deeper than 64 (nlohmann's recursive dump() would overflow the stack),
// and must not start with a byte-order mark. Every failure is Error(Format) naming the
// source. Writing is nlohmann's own dump(): compact, and doubles in the shortest text
// that reads back as the same double.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"

namespace ecgldm::train {

/**
 * Throws Error(Format, "<source>: invalid JSON: ...") unless `text` is exactly one JSON
 * document (whitespace around it allowed) with unique keys in every object, nested at
 * most 64 levels deep.
 */
void validateJson(const std::string& text, const std::string& source);

/**
 * validateJson(), then the document. The default, nlohmann::ordered_json, keeps the key
 * order of objects (configs and metadata are written back as they came); nlohmann::json
 * sorts keys and looks them up in O(log n), for large documents such as safetensors
 * headers.
 */
template <class Json = nlohmann::ordered_json>
Json parseJson(const std::string& text, const std::string& source) {
  validateJson(text, source);
  return Json::parse(text);
}

/**
 * `value` as an exact int64; throws Error(Format) naming `what` for anything else (a
 * non-number, a fraction or exponent form, a value outside int64).
 */
template <class Json>
int64_t jsonInt64(const Json& value, const std::string& what) {
  check(value.is_number(), ErrorCode::Format,
        "expected number for " + what + " but found " + value.type_name());
  const bool fits = value.is_number_integer() &&
                    (!value.is_number_unsigned() ||
                     value.template get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
  check(fits, ErrorCode::Format, "expected an integer in int64 range for " + what + " but found " + value.dump());
  return value.template get<int64_t>();
}

/** `s` as a JSON string literal, for messages (bytes that are not UTF-8 become U+FFFD). */
std::string jsonQuote(const std::string& s);

}  // namespace ecgldm::train
