#include "train/json.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_set>

#include "core/error.h"

namespace ecgldm::train::json {

namespace {

// Deep enough for any config we write, shallow enough that a hostile "[[[[..." header
// cannot overflow the stack of the recursive-descent parser.
constexpr int kMaxDepth = 64;

const char* typeName(Type type) {
  switch (type) {
    case Type::Null: return "null";
    case Type::Bool: return "boolean";
    case Type::Number: return "number";
    case Type::String: return "string";
    case Type::Array: return "array";
    case Type::Object: return "object";
  }
  return "unknown";
}

void appendUtf8(std::string& out, uint32_t codePoint) {
  if (codePoint < 0x80) {
    out += static_cast<char>(codePoint);
  } else if (codePoint < 0x800) {
    out += static_cast<char>(0xC0 | (codePoint >> 6));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  } else if (codePoint < 0x10000) {
    out += static_cast<char>(0xE0 | (codePoint >> 12));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (codePoint >> 18));
    out += static_cast<char>(0x80 | ((codePoint >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Value

Value Value::boolean(bool b) {
  Value v;
  v.type_ = Type::Bool;
  v.bool_ = b;
  return v;
}

Value Value::number(double d) {
  check(std::isfinite(d), ErrorCode::Format, "JSON cannot represent the non-finite number " +
                                                 std::to_string(d));
  // %.17g round-trips every double exactly.
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", d);
  Value v;
  v.type_ = Type::Number;
  v.text_ = buffer;
  return v;
}

Value Value::integer(int64_t i) {
  Value v;
  v.type_ = Type::Number;
  v.text_ = std::to_string(i);
  return v;
}

Value Value::string(std::string s) {
  Value v;
  v.type_ = Type::String;
  v.text_ = std::move(s);
  return v;
}

Value Value::array(std::vector<Value> items) {
  Value v;
  v.type_ = Type::Array;
  v.items_ = std::move(items);
  return v;
}

Value Value::object(Members members) {
  Value v;
  v.type_ = Type::Object;
  for (auto& [key, member] : members) v.set(std::move(key), std::move(member));
  return v;
}

namespace {
void expectType(Type actual, Type expected, const std::string& what) {
  check(actual == expected, ErrorCode::Format,
        "expected " + std::string(typeName(expected)) + " for " + what + " but found " +
            typeName(actual));
}
}  // namespace

bool Value::asBool(const std::string& what) const {
  expectType(type_, Type::Bool, what);
  return bool_;
}

double Value::asDouble(const std::string& what) const {
  expectType(type_, Type::Number, what);
  return std::strtod(text_.c_str(), nullptr);
}

int64_t Value::asInt64(const std::string& what) const {
  expectType(type_, Type::Number, what);
  // The grammar already guarantees a well-formed literal; an integer is one without '.',
  // 'e' or 'E', and it must fit int64 (strtoll reports ERANGE otherwise).
  bool integral = text_.find_first_of(".eE") == std::string::npos;
  errno = 0;
  long long parsed = integral ? std::strtoll(text_.c_str(), nullptr, 10) : 0;
  check(integral && errno == 0, ErrorCode::Format,
        "expected an integer in int64 range for " + what + " but found " + text_);
  return static_cast<int64_t>(parsed);
}

const std::string& Value::asString(const std::string& what) const {
  expectType(type_, Type::String, what);
  return text_;
}

const std::vector<Value>& Value::asArray(const std::string& what) const {
  expectType(type_, Type::Array, what);
  return items_;
}

const Value::Members& Value::asObject(const std::string& what) const {
  expectType(type_, Type::Object, what);
  return members_;
}

const Value* Value::find(const std::string& key) const {
  for (const auto& [name, member] : members_)
    if (name == key) return &member;
  return nullptr;
}

void Value::set(std::string key, Value value) {
  expectType(type_, Type::Object, "set(\"" + key + "\")");
  check(find(key) == nullptr, ErrorCode::Format, "duplicate JSON key " + quote(key));
  members_.emplace_back(std::move(key), std::move(value));
}

void Value::push(Value item) {
  expectType(type_, Type::Array, "push()");
  items_.push_back(std::move(item));
}

std::string Value::dump() const {
  std::string out;
  dumpTo(out);
  return out;
}

void Value::dumpTo(std::string& out) const {
  switch (type_) {
    case Type::Null: out += "null"; return;
    case Type::Bool: out += bool_ ? "true" : "false"; return;
    case Type::Number: out += text_; return;  // a valid literal, kept verbatim
    case Type::String: out += quote(text_); return;
    case Type::Array: {
      out += '[';
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i > 0) out += ',';
        items_[i].dumpTo(out);
      }
      out += ']';
      return;
    }
    case Type::Object: {
      out += '{';
      for (size_t i = 0; i < members_.size(); ++i) {
        if (i > 0) out += ',';
        out += quote(members_[i].first);
        out += ':';
        members_[i].second.dumpTo(out);
      }
      out += '}';
      return;
    }
  }
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", c);
          out += escape;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

// ---------------------------------------------------------------------------------------
// Parser: recursive descent over RFC 8259, failing on the first deviation.

class Parser {
 public:
  Parser(const std::string& text, const std::string& source) : text_(text), source_(source) {}

  Value parseDocument() {
    skipWhitespace();
    Value value = parseValue(0);
    skipWhitespace();
    if (pos_ != text_.size()) fail("unexpected trailing characters");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(ErrorCode::Format,
                source_ + ": invalid JSON at byte " + std::to_string(pos_) + ": " + why);
  }

  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[pos_]; }

  void expect(char c) {
    if (atEnd()) fail(std::string("unexpected end of input, expected '") + c + "'");
    if (text_[pos_] != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  void skipWhitespace() {
    while (!atEnd() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                        text_[pos_] == '\r'))
      ++pos_;
  }

  void expectLiteral(const char* literal) {
    for (const char* c = literal; *c; ++c) {
      if (atEnd() || text_[pos_] != *c) fail(std::string("invalid literal, expected ") + literal);
      ++pos_;
    }
  }

  Value parseValue(int depth) {
    if (depth > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth));
    if (atEnd()) fail("unexpected end of input");
    switch (peek()) {
      case '{': return parseObject(depth);
      case '[': return parseArray(depth);
      case '"': return Value::string(parseString());
      case 't': expectLiteral("true"); return Value::boolean(true);
      case 'f': expectLiteral("false"); return Value::boolean(false);
      case 'n': expectLiteral("null"); return Value();
      default: return parseNumber();
    }
  }

  Value parseObject(int depth) {
    expect('{');
    Value object = Value::object();
    std::unordered_set<std::string> seen;  // keeps duplicate detection linear in the input
    skipWhitespace();
    if (peek() == '}') {
      ++pos_;
      return object;
    }
    for (;;) {
      skipWhitespace();
      if (peek() != '"') fail(atEnd() ? "unexpected end of input" : "expected a string key");
      size_t keyAt = pos_;
      std::string key = parseString();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      Value member = parseValue(depth + 1);
      if (!seen.insert(key).second) {
        pos_ = keyAt;
        fail("duplicate key " + quote(key));
      }
      object.members_.emplace_back(std::move(key), std::move(member));
      skipWhitespace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect('}');
      return object;
    }
  }

  Value parseArray(int depth) {
    expect('[');
    Value array = Value::array();
    skipWhitespace();
    if (peek() == ']') {
      ++pos_;
      return array;
    }
    for (;;) {
      skipWhitespace();
      array.items_.push_back(parseValue(depth + 1));
      skipWhitespace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect(']');
      return array;
    }
  }

  uint32_t parseHex4() {
    if (text_.size() - pos_ < 4) fail("truncated \\u escape");
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      value <<= 4;
      if (c >= '0' && c <= '9') value |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') value |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') value |= static_cast<uint32_t>(c - 'A' + 10);
      else fail("invalid hex digit in \\u escape");
    }
    return value;
  }

  std::string parseString() {
    expect('"');
    std::string out;
    for (;;) {
      if (atEnd()) fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(text_[pos_++]);
      if (c == '"') return out;
      if (c < 0x20) fail("unescaped control character in string");
      if (c != '\\') {
        out += static_cast<char>(c);
        continue;
      }
      if (atEnd()) fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t codePoint = parseHex4();
          if (codePoint >= 0xD800 && codePoint <= 0xDBFF) {  // high surrogate: needs a low one
            if (text_.compare(pos_, 2, "\\u") != 0) fail("unpaired UTF-16 surrogate");
            pos_ += 2;
            uint32_t low = parseHex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("invalid UTF-16 low surrogate");
            codePoint = 0x10000 + ((codePoint - 0xD800) << 10) + (low - 0xDC00);
          } else if (codePoint >= 0xDC00 && codePoint <= 0xDFFF) {
            fail("unpaired UTF-16 surrogate");
          }
          appendUtf8(out, codePoint);
          break;
        }
        default: fail(std::string("invalid escape \\") + e);
      }
    }
  }

  bool isDigit(char c) const { return c >= '0' && c <= '9'; }

  Value parseNumber() {
    size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (!isDigit(peek())) fail("unexpected character");
    if (peek() == '0') {
      ++pos_;
    } else {
      while (isDigit(peek())) ++pos_;
    }
    if (peek() == '.') {
      ++pos_;
      if (!isDigit(peek())) fail("expected a digit after '.'");
      while (isDigit(peek())) ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!isDigit(peek())) fail("expected a digit in the exponent");
      while (isDigit(peek())) ++pos_;
    }
    Value number;
    number.type_ = Type::Number;
    number.text_ = text_.substr(start, pos_ - start);
    return number;
  }

  const std::string& text_;
  const std::string& source_;
  size_t pos_ = 0;
};

Value parse(const std::string& text, const std::string& source) {
  return Parser(text, source).parseDocument();
}

}  // namespace ecgldm::train::json
