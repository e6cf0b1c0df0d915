#include "spectest/spec_values.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <limits>

namespace waspvm::spectest {
namespace {

constexpr uint32_t kF32QuietBit = 0x00400000;
constexpr uint32_t kF32ExponentMask = 0x7F800000;
constexpr uint64_t kF64QuietBit = 0x0008000000000000;
constexpr uint64_t kF64ExponentMask = 0x7FF0000000000000;

Result<uint64_t> parse_unsigned(const std::string& text, uint64_t max, const char* type) {
  uint64_t out = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || out > max) {
    return make_error(std::string("bad ") + type + " value \"" + text + "\"");
  }
  return out;
}

Result<ValType> parse_type(const json::Value& value) {
  if (!value.is_object()) return make_error("a value is not a JSON object");
  auto type = value.get_string("type");
  if (!type) return make_error("a value has no \"type\"");
  if (*type == "i32") return ValType::I32;
  if (*type == "i64") return ValType::I64;
  if (*type == "f32") return ValType::F32;
  if (*type == "f64") return ValType::F64;
  if (*type == "funcref") return ValType::FuncRef;
  if (*type == "externref") return ValType::ExternRef;
  if (*type == "v128") return ValType::V128;
  return make_error("unknown value type \"" + *type + "\"");
}

uint64_t max_bits(ValType type) {
  return (type == ValType::I32 || type == ValType::F32) ? std::numeric_limits<uint32_t>::max()
                                                        : std::numeric_limits<uint64_t>::max();
}

template <class Float>
std::string shortest(Float f) {
  if (std::isnan(f)) return std::signbit(f) ? "-nan" : "nan";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, f);
  if (ec != std::errc()) return "?";
  return std::string(buffer, end);
}

std::string hex(uint64_t bits) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, bits, 16);
  (void)ec;  // 32 characters always hold a 64-bit number
  return "0x" + std::string(buffer, end);
}

const char* type_name(ValType type) { return to_string(type); }

std::string describe_bits(ValType type, uint64_t bits) {
  std::string out = std::string(type_name(type)) + ":";
  switch (type) {
    case ValType::I32: return out + std::to_string(static_cast<uint32_t>(bits));
    case ValType::I64: return out + std::to_string(bits);
    case ValType::F32: {
      uint32_t b = static_cast<uint32_t>(bits);
      return out + shortest(std::bit_cast<float>(b)) + " (" + hex(b) + ")";
    }
    case ValType::F64: return out + shortest(std::bit_cast<double>(bits)) + " (" + hex(bits) + ")";
    case ValType::FuncRef: return out + (bits == 0 ? "null" : "non-null");
    case ValType::ExternRef: return out + (bits == 0 ? "null" : std::to_string(bits - 1));
    case ValType::V128: return out + "?";
  }
  return out;
}

}  // namespace

bool is_v128(const json::Value& value) {
  return value.is_object() && value.get_string("type") == std::optional<std::string>("v128");
}

Result<Value> parse_argument(const json::Value& value) {
  auto type = parse_type(value);
  if (!type.ok()) return type.error();
  ValType t = type.value();
  if (t == ValType::V128) return make_error("v128 values are not supported");
  auto text = value.get_string("value");
  if (!text) return make_error(std::string("a ") + type_name(t) + " argument has no value");
  if (is_ref(t)) {
    if (*text == "null") return Value::null(t);
    if (t == ValType::FuncRef) return make_error("a non-null funcref argument cannot be made");
    auto n = parse_unsigned(*text, std::numeric_limits<uint64_t>::max() - 1, "externref");
    if (!n.ok()) return n.error();
    return Value::externref(n.value() + 1);
  }
  auto bits = parse_unsigned(*text, max_bits(t), type_name(t));
  if (!bits.ok()) return bits.error();
  return Value::from_bits(t, bits.value());
}

Result<ExpectedValue> parse_expected(const json::Value& value) {
  auto type = parse_type(value);
  if (!type.ok()) return type.error();
  ExpectedValue out;
  out.type = type.value();
  if (out.type == ValType::V128) return make_error("v128 values are not supported");
  auto text = value.get_string("value");
  if (is_ref(out.type)) {
    // No value means "any reference of this type that is not null", as does a funcref index.
    if (!text || out.type == ValType::FuncRef) {
      if (text && *text == "null") return out;  // Exact null
      out.kind = ExpectedValue::Kind::AnyNonNullRef;
      return out;
    }
    if (*text == "null") return out;
    auto n = parse_unsigned(*text, std::numeric_limits<uint64_t>::max() - 1, "externref");
    if (!n.ok()) return n.error();
    out.bits = n.value() + 1;
    return out;
  }
  if (!text) return make_error(std::string("an expected ") + type_name(out.type) + " has no value");
  bool is_float = out.type == ValType::F32 || out.type == ValType::F64;
  if (is_float && *text == "nan:canonical") {
    out.kind = ExpectedValue::Kind::CanonicalNan;
    return out;
  }
  if (is_float && *text == "nan:arithmetic") {
    out.kind = ExpectedValue::Kind::ArithmeticNan;
    return out;
  }
  auto bits = parse_unsigned(*text, max_bits(out.type), type_name(out.type));
  if (!bits.ok()) return bits.error();
  out.bits = bits.value();
  return out;
}

bool matches(const ExpectedValue& expected, const Value& actual) {
  if (expected.type != actual.type()) return false;
  uint64_t bits = actual.bits();
  switch (expected.kind) {
    case ExpectedValue::Kind::Exact:
      if (expected.type == ValType::I32 || expected.type == ValType::F32) {
        return static_cast<uint32_t>(bits) == static_cast<uint32_t>(expected.bits);
      }
      return bits == expected.bits;
    case ExpectedValue::Kind::AnyNonNullRef: return bits != 0;
    case ExpectedValue::Kind::CanonicalNan:
      if (expected.type == ValType::F32) {
        return (static_cast<uint32_t>(bits) & 0x7FFFFFFF) == (kF32ExponentMask | kF32QuietBit);
      }
      return (bits & 0x7FFFFFFFFFFFFFFF) == (kF64ExponentMask | kF64QuietBit);
    case ExpectedValue::Kind::ArithmeticNan: {
      if (expected.type == ValType::F32) {
        uint32_t mask = kF32ExponentMask | kF32QuietBit;
        return (static_cast<uint32_t>(bits) & mask) == mask;
      }
      uint64_t mask = kF64ExponentMask | kF64QuietBit;
      return (bits & mask) == mask;
    }
  }
  return false;
}

std::string describe(const Value& value) { return describe_bits(value.type(), value.bits()); }

std::string describe(const ExpectedValue& expected) {
  std::string name = type_name(expected.type);
  switch (expected.kind) {
    case ExpectedValue::Kind::Exact: return describe_bits(expected.type, expected.bits);
    case ExpectedValue::Kind::CanonicalNan: return name + ":nan:canonical";
    case ExpectedValue::Kind::ArithmeticNan: return name + ":nan:arithmetic";
    case ExpectedValue::Kind::AnyNonNullRef: return name + ":non-null";
  }
  return name;
}

std::string describe(std::span<const Value> values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + describe(values[i]);
  return out + ")";
}

std::string describe(std::span<const ExpectedValue> expected) {
  std::string out = "(";
  for (size_t i = 0; i < expected.size(); ++i) out += (i ? ", " : "") + describe(expected[i]);
  return out + ")";
}

}  // namespace waspvm::spectest
