#include "train/strict_json.h"

#include <unordered_set>
#include <vector>

namespace ecgldm::train {

namespace {

// Deep enough for any config we write, shallow enough for nlohmann's recursive dump().
constexpr size_t kMaxDepth = 64;

// A SAX pass that builds nothing: nlohmann's grammar checks plus ours (duplicate keys,
// depth), so that the DOM parse that follows cannot silently drop a duplicate.
class Validator final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit Validator(const std::string& source) : source_(source) {}

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }

  bool start_object(std::size_t) override {
    value();
    ++depth_;
    keys_.emplace_back();
    return true;
  }
  bool key(string_t& key) override {
    if (!keys_.back().insert(key).second) fail("duplicate key " + jsonQuote(key));
    return true;
  }
  bool end_object() override {
    keys_.pop_back();
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    value();
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::json::exception& e) override {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
    std::string why = e.what();
    const size_t tag = why.find("] ");
    if (why.compare(0, 1, "[") == 0 && tag != std::string::npos) why.erase(0, tag + 2);
    fail(why);
  }

 private:
  // A value (container or not) nested in more than kMaxDepth containers.
  bool value() {
    if (depth_ > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth));
    return true;
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(ErrorCode::Format, source_ + ": invalid JSON: " + why);
  }

  const std::string& source_;
  size_t depth_ = 0;
  std::vector<std::unordered_set<std::string>> keys_;  // one set per open object
};

}  // namespace

void validateJson(const std::string& text, const std::string& source) {
  // nlohmann skips a leading UTF-8 byte-order mark; JSON text must not have one (RFC 8259 8.1).
  check(text.compare(0, 3, "\xEF\xBB\xBF") != 0, ErrorCode::Format,
        source + ": invalid JSON: starts with a byte-order mark");
  Validator validator(source);
  nlohmann::json::sax_parse(text, &validator);
}

std::string jsonQuote(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ecgldm::train
