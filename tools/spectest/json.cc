#include "spectest/json.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace waspvm::json {

Value Value::boolean(bool b) {
  Value v(Kind::Bool);
  v.bool_ = b;
  return v;
}

Value Value::number(std::string text) {
  Value v(Kind::Number);
  v.text_ = std::move(text);
  return v;
}

Value Value::string(std::string text) {
  Value v(Kind::String);
  v.text_ = std::move(text);
  return v;
}

Value Value::array(std::vector<Value> items) {
  Value v(Kind::Array);
  v.items_ = std::move(items);
  return v;
}

Value Value::object(std::vector<Member> members) {
  Value v(Kind::Object);
  v.members_ = std::move(members);
  return v;
}

const Value* Value::find(std::string_view key) const {
  for (const Member& m : members_) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

std::optional<std::string> Value::get_string(std::string_view key) const {
  const Value* v = find(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->text();
}

std::optional<int64_t> Value::get_int(std::string_view key) const {
  const Value* v = find(key);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  int64_t out = 0;
  const std::string& t = v->text();
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return out;
}

namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The length of the well-formed UTF-8 sequence at the start of `s`, or 0.
size_t utf8_sequence_length(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  auto cont = [&](size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  uint8_t b0 = byte(0);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    uint8_t b1 = byte(1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;   // overlong
    if (b0 == 0xED && b1 >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    uint8_t b1 = byte(1);
    if (b0 == 0xF0 && b1 < 0x90) return 0;   // overlong
    if (b0 == 0xF4 && b1 >= 0x90) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Value> parse_document() {
    skip_whitespace();
    auto v = parse_value(0);
    if (!v.ok()) return v;
    skip_whitespace();
    if (pos_ != text_.size()) return error("unexpected text after the JSON value");
    return v;
  }

 private:
  Error error(std::string what) const {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return make_error("JSON " + std::to_string(line) + ":" + std::to_string(column) + ": " + what);
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  void skip_whitespace() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++pos_;
  }

  bool consume_literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Result<Value> parse_value(int depth) {
    if (depth >= kMaxDepth) return error("nesting deeper than " + std::to_string(kMaxDepth));
    if (at_end()) return error("unexpected end of input, expected a value");
    char c = peek();
    switch (c) {
      case '{': return parse_object(depth);
      case '[': return parse_array(depth);
      case '"': {
        auto s = parse_string();
        if (!s.ok()) return s.error();
        return Value::string(std::move(s.value()));
      }
      case 't':
        if (consume_literal("true")) return Value::boolean(true);
        return error("invalid literal");
      case 'f':
        if (consume_literal("false")) return Value::boolean(false);
        return error("invalid literal");
      case 'n':
        if (consume_literal("null")) return Value::null();
        return error("invalid literal");
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
        return error(std::string("unexpected character '") + c + "'");
    }
  }

  Result<Value> parse_object(int depth) {
    ++pos_;  // '{'
    std::vector<Value::Member> members;
    skip_whitespace();
    if (peek() == '}') {
      ++pos_;
      return Value::object(std::move(members));
    }
    while (true) {
      skip_whitespace();
      if (peek() != '"') return error("expected a string key");
      auto key = parse_string();
      if (!key.ok()) return key.error();
      skip_whitespace();
      if (peek() != ':') return error("expected ':'");
      ++pos_;
      skip_whitespace();
      auto value = parse_value(depth + 1);
      if (!value.ok()) return value;
      members.emplace_back(std::move(key.value()), std::move(value.value()));
      skip_whitespace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return Value::object(std::move(members));
      }
      return error("expected ',' or '}'");
    }
  }

  Result<Value> parse_array(int depth) {
    ++pos_;  // '['
    std::vector<Value> items;
    skip_whitespace();
    if (peek() == ']') {
      ++pos_;
      return Value::array(std::move(items));
    }
    while (true) {
      skip_whitespace();
      auto value = parse_value(depth + 1);
      if (!value.ok()) return value;
      items.push_back(std::move(value.value()));
      skip_whitespace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return Value::array(std::move(items));
      }
      return error("expected ',' or ']'");
    }
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  Result<Value> parse_number() {
    size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
      if (is_digit(peek())) return error("leading zero in a number");
    } else if (is_digit(peek())) {
      while (is_digit(peek())) ++pos_;
    } else {
      return error("expected a digit");
    }
    if (peek() == '.') {
      ++pos_;
      if (!is_digit(peek())) return error("expected a digit after '.'");
      while (is_digit(peek())) ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!is_digit(peek())) return error("expected a digit in the exponent");
      while (is_digit(peek())) ++pos_;
    }
    return Value::number(std::string(text_.substr(start, pos_ - start)));
  }

  Result<uint32_t> parse_hex4() {
    if (text_.size() - pos_ < 4) return error("truncated \\u escape");
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      uint32_t digit;
      if (c >= '0' && c <= '9')
        digit = static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        digit = static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        digit = static_cast<uint32_t>(c - 'A' + 10);
      else
        return error("invalid hex digit in \\u escape");
      value = value * 16 + digit;
    }
    return value;
  }

  // After "\u": one code point, joining a surrogate pair.
  Result<uint32_t> parse_unicode_escape() {
    auto first = parse_hex4();
    if (!first.ok()) return first;
    uint32_t cp = first.value();
    if (cp >= 0xDC00 && cp <= 0xDFFF) return error("unpaired low surrogate in \\u escape");
    if (cp < 0xD800 || cp > 0xDBFF) return cp;
    if (text_.substr(pos_, 2) != "\\u") return error("unpaired high surrogate in \\u escape");
    pos_ += 2;
    auto second = parse_hex4();
    if (!second.ok()) return second;
    uint32_t low = second.value();
    if (low < 0xDC00 || low > 0xDFFF) return error("high surrogate not followed by a low surrogate");
    return 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }

  Result<std::string> parse_string() {
    ++pos_;  // '"'
    std::string out;
    while (true) {
      if (at_end()) return error("unterminated string");
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (static_cast<uint8_t>(c) < 0x20) return error("control character in a string");
      if (c != '\\') {
        size_t n = utf8_sequence_length(text_.substr(pos_));
        if (n == 0) return error("invalid UTF-8 in a string");
        out.append(text_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      ++pos_;
      if (at_end()) return error("unterminated escape");
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
          auto cp = parse_unicode_escape();
          if (!cp.ok()) return cp.error();
          append_utf8(out, cp.value());
          break;
        }
        default: --pos_; return error(std::string("invalid escape '\\") + e + "'");
      }
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<Value> parse(std::string_view text) { return Parser(text).parse_document(); }

Result<Value> parse_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot open " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return make_error("cannot read " + path);
  auto v = parse(buffer.str());
  if (!v.ok()) return make_error(path + ": " + v.error().message);
  return v;
}

}  // namespace waspvm::json
