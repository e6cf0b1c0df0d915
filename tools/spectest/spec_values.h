// Wasm values as wast2json writes them: {"type": "i32", "value": "123"}.
//
// Numbers are the decimal text of the value's bits (floats included); expected
// floats may be "nan:canonical" or "nan:arithmetic"; references are "null" or a
// number. An externref N is Value::externref(N + 1), so that externref 0 is not
// the null reference.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "spectest/json.h"
#include "waspvm/waspvm.h"

namespace waspvm::spectest {

// What an assert_return accepts for one result.
struct ExpectedValue {
  enum class Kind { Exact, CanonicalNan, ArithmeticNan, AnyNonNullRef };
  ValType type = ValType::I32;
  Kind kind = Kind::Exact;
  uint64_t bits = 0;  // for Exact, in Value::bits() form
};

// True if the JSON value (an argument or an expected result) is a v128.
bool is_v128(const json::Value& value);

// An argument of an action.
Result<Value> parse_argument(const json::Value& value);
// An expected result of an assert_return.
Result<ExpectedValue> parse_expected(const json::Value& value);

bool matches(const ExpectedValue& expected, const Value& actual);

// Human-readable forms for failure messages, e.g. "f32:1.5 (0x3fc00000)".
std::string describe(const Value& value);
std::string describe(const ExpectedValue& expected);
std::string describe(std::span<const Value> values);
std::string describe(std::span<const ExpectedValue> expected);

}  // namespace waspvm::spectest
