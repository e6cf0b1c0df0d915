// A small, strict JSON reader for the spec-test runner (wast2json output).
//
// Numbers are kept as their source text (wast2json writes wasm values as
// strings anyway, and "line" fits any integer parse). Strings are decoded to
// UTF-8, including \uXXXX escapes and surrogate pairs. Bad input is an error
// value, never a crash: nesting depth is bounded.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "waspvm/result.h"

namespace waspvm::json {

class Value {
 public:
  enum class Kind { Null, Bool, Number, String, Array, Object };
  using Member = std::pair<std::string, Value>;

  static Value null() { return Value(Kind::Null); }
  static Value boolean(bool b);
  static Value number(std::string text);
  static Value string(std::string text);
  static Value array(std::vector<Value> items);
  static Value object(std::vector<Member> members);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  bool is_number() const { return kind_ == Kind::Number; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_array() const { return kind_ == Kind::Array; }
  bool is_object() const { return kind_ == Kind::Object; }

  bool as_bool() const { return bool_; }
  // The number's source text, or the decoded string (UTF-8).
  const std::string& text() const { return text_; }
  const std::vector<Value>& items() const { return items_; }
  const std::vector<Member>& members() const { return members_; }

  // The member named `key` of an object (the first one if repeated), or null.
  const Value* find(std::string_view key) const;
  // The member `key` if it is a string; nullopt otherwise.
  std::optional<std::string> get_string(std::string_view key) const;
  // The member `key` if it is a number that fits in an int64; nullopt otherwise.
  std::optional<int64_t> get_int(std::string_view key) const;

 private:
  explicit Value(Kind kind) : kind_(kind) {}
  Kind kind_ = Kind::Null;
  bool bool_ = false;
  std::string text_;
  std::vector<Value> items_;
  std::vector<Member> members_;
};

constexpr int kMaxDepth = 256;

// Parses a complete JSON document (surrounding whitespace allowed). Errors name
// the line and column.
Result<Value> parse(std::string_view text);

// Reads and parses a file.
Result<Value> parse_file(const std::string& path);

}  // namespace waspvm::json
