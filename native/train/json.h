// A small dependency-free JSON value, parser and writer: enough for safetensors headers,
// checkpoint metadata and model/run configs. The parser treats its input as hostile (the
// header of a downloaded checkpoint is): bounded nesting depth, strict grammar, no
// allocation larger than the input, and every failure is Error(Format) naming the source.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ecgldm::train::json {

enum class Type { Null, Bool, Number, String, Array, Object };

/**
 * One JSON value. Numbers keep their source text so that 64-bit integers (safetensors
 * byte offsets) round-trip exactly; `asInt64()` parses it strictly. Objects keep key
 * order (the writer reproduces it) and never hold duplicate keys.
 */
class Value {
 public:
  using Members = std::vector<std::pair<std::string, Value>>;

  Value() = default;  // null
  static Value boolean(bool b);
  static Value number(double d);  // throws Error(Format) for NaN / infinity (not JSON)
  static Value integer(int64_t i);
  static Value string(std::string s);
  static Value array(std::vector<Value> items = {});
  static Value object(Members members = {});

  Type type() const { return type_; }
  bool isNull() const { return type_ == Type::Null; }
  bool isNumber() const { return type_ == Type::Number; }
  bool isString() const { return type_ == Type::String; }
  bool isArray() const { return type_ == Type::Array; }
  bool isObject() const { return type_ == Type::Object; }

  // Accessors throw Error(Format) on a type mismatch; `what` names the value in the message.
  bool asBool(const std::string& what = "value") const;
  double asDouble(const std::string& what = "value") const;
  /** The number as an exact integer; rejects fractions, exponents and out-of-range values. */
  int64_t asInt64(const std::string& what = "value") const;
  const std::string& asString(const std::string& what = "value") const;
  const std::vector<Value>& asArray(const std::string& what = "value") const;
  const Members& asObject(const std::string& what = "value") const;

  /** Member lookup on an object; nullptr when absent (or when this is not an object). */
  const Value* find(const std::string& key) const;
  /** Appends a member to an object; throws Error(Format) on a duplicate key. */
  void set(std::string key, Value value);
  /** Appends an item to an array. */
  void push(Value item);

  /** Compact JSON text (no whitespace), members in insertion order. */
  std::string dump() const;

 private:
  friend class Parser;
  void dumpTo(std::string& out) const;

  Type type_ = Type::Null;
  bool bool_ = false;
  std::string text_;  // string contents, or the number's literal text
  std::vector<Value> items_;
  Members members_;
};

/**
 * Parses one JSON document (surrounding whitespace allowed, nothing else after it).
 * `source` names the file or field for error messages: "<source>: invalid JSON at byte N: ...".
 */
Value parse(const std::string& text, const std::string& source);

/** `s` as a JSON string literal, with quotes and escapes (control characters as \u00XX). */
std::string quote(const std::string& s);

}  // namespace ecgldm::train::json
