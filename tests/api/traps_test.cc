// Traps raised by wasm code: codes, the spec's messages, backtraces named from
// the name section, and recursion depth (deep recursion works, runaway
// recursion traps cleanly).
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "api_test_util.h"

namespace waspvm::api_test {
namespace {

struct TrapCase {
  const char* export_name;
  std::vector<Value> args;
  TrapCode code;
};

std::vector<TrapCase> trap_cases() {
  const float nan32 = std::numeric_limits<float>::quiet_NaN();
  return {
      {"unreachable", {}, TrapCode::Unreachable},
      {"i32_div_s", {Value::i32(1), Value::i32(0)}, TrapCode::IntegerDivideByZero},
      {"i32_rem_u", {Value::i32(1), Value::i32(0)}, TrapCode::IntegerDivideByZero},
      {"i64_div_s", {Value::i64(5), Value::i64(0)}, TrapCode::IntegerDivideByZero},
      {"i32_div_s", {Value::i32(INT32_MIN), Value::i32(-1)}, TrapCode::IntegerOverflow},
      {"i64_div_s", {Value::i64(INT64_MIN), Value::i64(-1)}, TrapCode::IntegerOverflow},
      {"i32_trunc_f32_s", {Value::f32(nan32)}, TrapCode::InvalidConversion},
      {"i32_trunc_f32_s", {Value::f32(3e9f)}, TrapCode::IntegerOverflow},
      {"i64_trunc_f64_u", {Value::f64(-1.0)}, TrapCode::IntegerOverflow},
      {"load", {Value::i32(65536)}, TrapCode::MemoryOutOfBounds},
      {"load", {Value::i32(65533)}, TrapCode::MemoryOutOfBounds},  // straddles the end
      {"store", {Value::i32(-1), Value::i32(0)}, TrapCode::MemoryOutOfBounds},
      {"call_slot", {Value::i32(9), Value::i32(0)}, TrapCode::UndefinedElement},
      {"call_slot", {Value::i32(2), Value::i32(0)}, TrapCode::UninitializedElement},
      {"call_slot", {Value::i32(1), Value::i32(0)}, TrapCode::IndirectCallTypeMismatch},
      {"table_get", {Value::i32(4)}, TrapCode::TableOutOfBounds},
      {"recurse_forever", {}, TrapCode::CallStackExhausted},
  };
}

class WasmTrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto instance = instantiate_test_module(linker_, "traps");
    ASSERT_TRUE(instance.ok()) << instance.error().message;
    instance_.emplace(std::move(instance.value()));
  }
  Engine engine_;
  Linker linker_{engine_};
  std::optional<Instance> instance_;
};

TEST_F(WasmTrapTest, EachTrapHasItsCodeAndTheSpecMessage) {
  for (const TrapCase& c : trap_cases()) {
    SCOPED_TRACE(std::string(c.export_name) + " expecting \"" + trap_message(c.code) + "\"");
    auto trap = call_trap(*instance_, c.export_name, c.args);
    ASSERT_TRUE(trap.ok()) << trap.error().message;
    EXPECT_EQ(static_cast<int>(trap->code), static_cast<int>(c.code)) << trap->message;
    // The spec's message, possibly followed by details (as the spec tests match it).
    EXPECT_TRUE(std::string_view(trap->message).starts_with(trap_message(c.code))) << trap->message;
    EXPECT_FALSE(trap->backtrace.empty());
  }
}

TEST_F(WasmTrapTest, SameExportsWorkWithValidArguments) {
  auto r = call_values(*instance_, "i32_div_s", {Value::i32(-7), Value::i32(2)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), -3);
  r = call_values(*instance_, "i32_trunc_f32_s", {Value::f32(-2.75f)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), -2);
  r = call_values(*instance_, "load", {Value::i32(65532)});  // the last full word
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 0);
  r = call_values(*instance_, "call_slot", {Value::i32(0), Value::i32(41)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 42);
  r = call_values(*instance_, "table_get", {Value::i32(3)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE((*r)[0].is_null());
}

TEST_F(WasmTrapTest, BacktraceNamesFunctionsInnermostFirst) {
  auto trap = call_trap(*instance_, "unreachable", {});
  ASSERT_TRUE(trap.ok()) << trap.error().message;
  ASSERT_GE(trap->backtrace.size(), 3u);
  const std::vector<FrameInfo>& bt = trap->backtrace;
  EXPECT_EQ(bt[0].func_name, "inner_unreachable");
  EXPECT_EQ(bt[1].func_name, "middle_unreachable");
  EXPECT_EQ(bt[2].func_name, "outer_unreachable");
  // Function indices in traps.wat: $inc 0, $nop 1, then the three above.
  EXPECT_EQ(bt[0].func_index, 2u);
  EXPECT_EQ(bt[1].func_index, 3u);
  EXPECT_EQ(bt[2].func_index, 4u);
  // Offsets are positions in the module's bytes: inside the code section, in order.
  EXPECT_GT(bt[0].wasm_offset, 0u);
  EXPECT_LT(bt[0].wasm_offset, bt[1].wasm_offset);
  EXPECT_LT(bt[1].wasm_offset, bt[2].wasm_offset);
  EXPECT_TRUE(contains(bt[0].to_string(), "inner_unreachable")) << bt[0].to_string();
}

TEST_F(WasmTrapTest, BacktraceOfIndirectCallTrap) {
  auto trap = call_trap(*instance_, "call_slot", {Value::i32(1), Value::i32(0)});
  ASSERT_TRUE(trap.ok()) << trap.error().message;
  ASSERT_FALSE(trap->backtrace.empty());
  EXPECT_EQ(trap->backtrace[0].func_name, "call_slot");
  EXPECT_EQ(trap->backtrace[0].func_index, 12u);
}

TEST_F(WasmTrapTest, InstanceStaysUsableAfterTraps) {
  for (const TrapCase& c : trap_cases()) ASSERT_TRUE(call_trap(*instance_, c.export_name, c.args).ok());
  auto r = call_values(*instance_, "depth", {Value::i32(10)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 10);
}

TEST_F(WasmTrapTest, HundredThousandDeepRecursionCompletesWithDefaultConfig) {
  auto r = call_values(*instance_, "depth", {Value::i32(100'000)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].i32(), 100'000);
}

TEST_F(WasmTrapTest, UnboundedRecursionTrapsCleanly) {
  auto trap = call_trap(*instance_, "recurse_forever", {});
  ASSERT_TRUE(trap.ok()) << trap.error().message;
  EXPECT_EQ(trap->code, TrapCode::CallStackExhausted);
  EXPECT_TRUE(std::string_view(trap->message).starts_with("call stack exhausted")) << trap->message;
  ASSERT_FALSE(trap->backtrace.empty());
  EXPECT_EQ(trap->backtrace[0].func_name, "recurse_forever");
  // And again: the exhausted stack was fully unwound the first time.
  auto again = call_trap(*instance_, "recurse_forever", {});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->code, TrapCode::CallStackExhausted);
}

TEST(CallDepthLimit, ConfiguredLimitIsEnforced) {
  Config config;
  config.limits.max_call_depth = 1000;
  Engine engine(config);
  EXPECT_EQ(engine.config().limits.max_call_depth, 1000u);
  Linker linker(engine);
  auto instance = instantiate_test_module(linker, "traps");
  ASSERT_TRUE(instance.ok()) << instance.error().message;

  auto r = call_values(*instance, "depth", {Value::i32(900)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 900);

  auto trap = call_trap(*instance, "depth", {Value::i32(2000)});
  ASSERT_TRUE(trap.ok()) << trap.error().message;
  EXPECT_EQ(trap->code, TrapCode::CallStackExhausted);
  EXPECT_TRUE(std::string_view(trap->message).starts_with("call stack exhausted")) << trap->message;
}

TEST(TrapMessages, TableHasTheSpecWording) {
  EXPECT_STREQ(trap_message(TrapCode::Unreachable), "unreachable");
  EXPECT_STREQ(trap_message(TrapCode::IntegerDivideByZero), "integer divide by zero");
  EXPECT_STREQ(trap_message(TrapCode::IndirectCallTypeMismatch), "indirect call type mismatch");
  EXPECT_STREQ(trap_message(TrapCode::CallStackExhausted), "call stack exhausted");
}

}  // namespace
}  // namespace waspvm::api_test
