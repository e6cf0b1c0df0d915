// Host functions: every value type across the boundary, multi-value results,
// and host errors that trap the wasm caller.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "api_test_util.h"

namespace waspvm::api_test {
namespace {

// Instantiates host_values.wat with typed host functions and raw reference-typed ones.
class HostValuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    linker_.func("host", "add_i32", [this](uint32_t a, uint32_t b) {
      ++host_calls_;
      return a + b;
    });
    linker_.func("host", "mul_i64", [](int64_t a, int64_t b) { return a * b; });
    linker_.func("host", "neg_f32", [](float x) { return -x; });
    linker_.func("host", "half_f64", [](double x) { return x / 2; });

    FuncType externref_to_externref{{ValType::ExternRef}, {ValType::ExternRef}};
    linker_.define("host", "next_externref",
                   Extern::of(Func::create(
                       engine_, externref_to_externref,
                       [](Caller&, std::span<const Value> args, std::span<Value> results) -> Result<void> {
                         if (args[0].type() != ValType::ExternRef) return make_error("expected an externref");
                         // null -> 1, n -> n + 1
                         results[0] = Value::externref(args[0].bits() + 1);
                         return {};
                       })));

    // Returns the wasm function it is given, or a host function that triples.
    Func triple = make_func(engine_, [](int32_t x) { return x * 3; });
    FuncType funcref_to_funcref{{ValType::FuncRef}, {ValType::FuncRef}};
    linker_.define("host", "swap_funcref",
                   Extern::of(Func::create(engine_, funcref_to_funcref,
                                           [this, triple](Caller&, std::span<const Value> args,
                                                          std::span<Value> results) -> Result<void> {
                                             if (args[0].type() != ValType::FuncRef || args[0].is_null())
                                               return make_error("expected a non-null funcref");
                                             results[0] = give_back_own_ ? args[0] : Value::funcref(triple);
                                             return {};
                                           })));
  }

  Engine engine_;
  Linker linker_{engine_};
  int host_calls_ = 0;
  bool give_back_own_ = true;
};

TEST_F(HostValuesTest, I32ArgumentsAndResultsWrapAsUnsigned) {
  auto instance = instantiate_test_module(linker_, "host_values");
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  auto r = call_values(*instance, "call_add_i32", {Value::i32(40), Value::i32(2)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].type(), ValType::I32);
  EXPECT_EQ((*r)[0].i32(), 42);
  // uint32_t parameters see -1 as 0xFFFFFFFF; the sum wraps to 1.
  r = call_values(*instance, "call_add_i32", {Value::i32(-1), Value::i32(2)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 1);
  EXPECT_EQ(host_calls_, 2);
}

TEST_F(HostValuesTest, I64) {
  auto instance = instantiate_test_module(linker_, "host_values");
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  auto r = call_values(*instance, "call_mul_i64", {Value::i64(3'000'000'000), Value::i64(-7)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].type(), ValType::I64);
  EXPECT_EQ((*r)[0].i64(), -21'000'000'000);
}

TEST_F(HostValuesTest, F32AndF64) {
  auto instance = instantiate_test_module(linker_, "host_values");
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  auto r = call_values(*instance, "call_neg_f32", {Value::f32(1.5f)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].type(), ValType::F32);
  EXPECT_EQ((*r)[0].f32(), -1.5f);

  r = call_values(*instance, "call_half_f64", {Value::f64(5.0)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].type(), ValType::F64);
  EXPECT_EQ((*r)[0].f64(), 2.5);

  // NaN bits survive the trip through the host (negation only flips the sign bit).
  r = call_values(*instance, "call_neg_f32", {Value::f32_bits(0x7fc00001)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].bits() & 0xffffffffu, 0xffc00001u);
}

TEST_F(HostValuesTest, ExternRef) {
  auto instance = instantiate_test_module(linker_, "host_values");
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  auto r = call_values(*instance, "call_next_externref", {Value::externref(0x1234)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].type(), ValType::ExternRef);
  EXPECT_EQ((*r)[0].bits(), 0x1235u);

  r = call_values(*instance, "call_next_externref", {Value::null(ValType::ExternRef)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].bits(), 1u);
  EXPECT_FALSE((*r)[0].is_null());

  r = call_values(*instance, "externref_is_null", {Value::null(ValType::ExternRef)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 1);
  r = call_values(*instance, "externref_is_null", {Value::externref(99)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 0);
}

TEST_F(HostValuesTest, FuncRefFromWasmAndFromHost) {
  auto instance = instantiate_test_module(linker_, "host_values");
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  // The host hands back wasm's own $double ...
  auto r = call_values(*instance, "call_swapped", {Value::i32(7)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].i32(), 14);
  // ... or a host function, which wasm then calls through its table.
  give_back_own_ = false;
  r = call_values(*instance, "call_swapped", {Value::i32(7)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), 21);
}

TEST(HostFunctionTypes, DerivedFromCxxSignature) {
  Engine engine;
  Func f = make_func(engine, [](int32_t a, int64_t b, float c, double d) { return a + b + c + d; });
  FuncType expected{{ValType::I32, ValType::I64, ValType::F32, ValType::F64}, {ValType::F64}};
  EXPECT_TRUE(f.type() == expected) << to_string(f.type());

  Func with_caller = make_func(engine, [](Caller&, uint64_t x) -> std::tuple<uint32_t, float> {
    return {static_cast<uint32_t>(x), 0.5f};
  });
  FuncType expected_multi{{ValType::I64}, {ValType::I32, ValType::F32}};
  EXPECT_TRUE(with_caller.type() == expected_multi) << to_string(with_caller.type());

  Func nothing = make_func(engine, [] {});
  EXPECT_TRUE(nothing.type() == FuncType{}) << to_string(nothing.type());
}

TEST(HostFunctionTypes, CallHostFunctionDirectly) {
  Engine engine;
  Func f = make_func(engine, [](int32_t a, int64_t b, float c, double d) { return a + b + c + d; });
  std::vector<Value> args{Value::i32(1), Value::i64(2), Value::f32(0.5f), Value::f64(0.25)};
  auto outcome = f.call(args);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  ASSERT_TRUE(outcome->returned());
  ASSERT_EQ(outcome->values().size(), 1u);
  EXPECT_EQ(outcome->values()[0].f64(), 3.75);

  std::vector<Value> wrong{Value::i32(1)};
  EXPECT_FALSE(f.call(wrong).ok());
}

TEST(MultiValue, WasmFunctionReturnsThreeValues) {
  Engine engine;
  Linker linker(engine);
  linker.func("host", "split", [](int32_t x) { return std::tuple<int32_t, int64_t, float>{x, x, 0.5f}; });
  auto instance = instantiate_test_module(linker, "multi_value");
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  auto r = call_values(*instance, "rotate3", {Value::i32(1), Value::i64(-2), Value::f64(3.5)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].type(), ValType::F64);
  EXPECT_EQ((*r)[0].f64(), 3.5);
  EXPECT_EQ((*r)[1].type(), ValType::I32);
  EXPECT_EQ((*r)[1].i32(), 1);
  EXPECT_EQ((*r)[2].type(), ValType::I64);
  EXPECT_EQ((*r)[2].i64(), -2);
}

TEST(MultiValue, HostFunctionReturnsTuple) {
  Engine engine;
  Linker linker(engine);
  linker.func("host", "split", [](int32_t x) {
    return std::tuple<int32_t, int64_t, float>{x, int64_t{x} * 1'000'000'000'000,
                                               static_cast<float>(x) + 0.5f};
  });
  auto instance = instantiate_test_module(linker, "multi_value");
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  auto r = call_values(*instance, "call_split", {Value::i32(7)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].i32(), 7);
  EXPECT_EQ((*r)[1].i64(), 7'000'000'000'000);
  EXPECT_EQ((*r)[2].f32(), 7.5f);
  // Wasm consumes the three results from its stack in order.
  r = call_values(*instance, "sum_split", {Value::i32(2)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].f64(), 2'000'000'000'004.5);
}

TEST(MultiValue, HostFunctionWithManyArgumentsAndResults) {
  Engine engine;
  Linker linker(engine);
  FuncType type{std::vector<ValType>(10, ValType::I32), std::vector<ValType>(9, ValType::I32)};
  linker.define(
      "host", "pairs",
      Extern::of(Func::create(
          engine, type, [](Caller&, std::span<const Value> args, std::span<Value> results) -> Result<void> {
            for (size_t i = 0; i < results.size(); ++i)
              results[i] = Value::i32(args[i].i32() + args[i + 1].i32());
            return {};
          })));
  auto instance = instantiate_test_module(linker, "many_values");
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  auto r = call_values(*instance, "call_pairs", {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 9u);
  for (int i = 0; i < 9; ++i) EXPECT_EQ((*r)[i].i32(), 2 * i + 3) << i;  // (i + 1) + (i + 2)
}

// host_trap.wat: "fail" always errors, "checked_div" errors on a zero divisor.
class HostTrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    linker_.func("host", "fail", [](int32_t code) -> Result<void> {
      return make_error("host failed with code " + std::to_string(code));
    });
    linker_.func("host", "checked_div", [](int32_t a, int32_t b) -> Result<int32_t> {
      if (b == 0) return make_error("the host refuses to divide by zero");
      return a / b;
    });
  }
  Engine engine_;
  Linker linker_{engine_};
};

TEST_F(HostTrapTest, HostErrorTrapsTheWasmCallerWithTheHostsMessage) {
  auto instance = instantiate_test_module(linker_, "host_trap");
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  auto trap = call_trap(*instance, "calls_failing_host", {Value::i32(7)});
  ASSERT_TRUE(trap.ok()) << trap.error().message;
  EXPECT_EQ(trap->code, TrapCode::HostTrap);
  EXPECT_EQ(trap->message, "host failed with code 7");
  bool names_wasm_caller = false;
  for (const FrameInfo& frame : trap->backtrace) names_wasm_caller |= frame.func_name == "calls_failing_host";
  EXPECT_TRUE(names_wasm_caller) << "the backtrace should include the wasm caller";
  // The instruction after the host call never ran.
  auto after = instance->global("after_fail");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->get().i32(), 0);
}

TEST_F(HostTrapTest, ResultReturningHostFunctionSucceedsOrTraps) {
  auto instance = instantiate_test_module(linker_, "host_trap");
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  auto r = call_values(*instance, "divide", {Value::i32(10), Value::i32(3)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].i32(), 3);

  auto trap = call_trap(*instance, "divide", {Value::i32(10), Value::i32(0)});
  ASSERT_TRUE(trap.ok()) << trap.error().message;
  EXPECT_EQ(trap->code, TrapCode::HostTrap);
  EXPECT_EQ(trap->message, "the host refuses to divide by zero");

  // A trap leaves the instance usable.
  r = call_values(*instance, "divide", {Value::i32(-9), Value::i32(3)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].i32(), -3);
}

TEST(HostTrap, RawHostFunctionErrorCalledDirectly) {
  Engine engine;
  Func f = Func::create(engine, FuncType{{ValType::I32}, {}},
                        [](Caller&, std::span<const Value> args, std::span<Value>) -> Result<void> {
                          return make_error("raw failure " + std::to_string(args[0].i32()));
                        });
  std::vector<Value> args{Value::i32(5)};
  auto outcome = f.call(args);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  ASSERT_TRUE(outcome->trapped());
  EXPECT_EQ(outcome->trap().code, TrapCode::HostTrap);
  EXPECT_EQ(outcome->trap().message, "raw failure 5");
}

}  // namespace
}  // namespace waspvm::api_test
