// Regression tests for the ways a hostile guest or a careless host function
// could break the host (issue "no host-side failure mode left"): each test is
// named after the failure it guards against. Modules: tests/api/wat/hardening.wat.
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "api_test_util.h"

namespace waspvm::api_test {
namespace {

class HardeningTest : public ::testing::Test {
 protected:
  explicit HardeningTest(Config config = {}) : engine_(config), linker_(engine_) {
    linker_.func("host", "throw", [this](int32_t how) -> int32_t {
      ++host_calls_;
      if (how == 1) throw std::runtime_error("the host gave up");
      if (how == 2) throw 42;  // not a std::exception
      return how;
    });
    linker_.func("host", "reenter", [this](Caller& caller, int32_t how) -> Result<int32_t> {
      Result<Outcome> inner = caller.instance().call("call_throw", std::vector<Value>{Value::i32(how)});
      if (!inner.ok()) return inner.error();
      inner_outcome_ = *inner;
      if (!inner->returned()) return make_error("inner call: " + inner->trap().message);
      return inner->values()[0].i32();
    });
  }

  Instance instantiate(std::optional<InstanceLimits> limits = std::nullopt) {
    auto module = compile_test_module(engine_, "hardening");
    EXPECT_TRUE(module.ok()) << module.error().message;
    auto instance = limits ? linker_.instantiate(*module, *limits) : linker_.instantiate(*module);
    EXPECT_TRUE(instance.ok()) << instance.error().message;
    return std::move(instance.value());
  }

  static Outcome call(const Instance& instance, const std::string& name, std::vector<Value> args,
                      CallOptions options = {}) {
    Result<Outcome> outcome = instance.call(name, args, options);
    EXPECT_TRUE(outcome.ok()) << outcome.error().message;
    return outcome.ok() ? *outcome : Outcome::trapped(Trap{});
  }

  Engine engine_;
  Linker linker_;
  int host_calls_ = 0;
  std::optional<Outcome> inner_outcome_;
};

// ---------------------------------------------------------------- host exceptions

TEST_F(HardeningTest, AHostFunctionThatThrowsTrapsTheCallAndLeavesTheThreadUsable) {
  Instance instance = instantiate();
  Outcome out = call(instance, "call_throw", {Value::i32(1)});
  ASSERT_TRUE(out.trapped());
  EXPECT_EQ(out.trap().code, TrapCode::HostTrap);
  EXPECT_NE(out.trap().message.find("the host gave up"), std::string::npos) << out.trap().message;
  ASSERT_FALSE(out.trap().backtrace.empty());
  EXPECT_EQ(out.trap().backtrace[0].func_name, "call_throw");

  // The same instance, and a fresh one on the same thread, run normally.
  Outcome again = call(instance, "call_throw", {Value::i32(5)});
  ASSERT_TRUE(again.returned());
  EXPECT_EQ(again.values()[0].i32(), 6);
  Instance fresh = instantiate();
  Outcome counted = call(fresh, "count", {Value::i32(1000)});
  ASSERT_TRUE(counted.returned());
  EXPECT_EQ(counted.values()[0].i32(), 1000);
  // The interrupt registration of the run that threw is gone: a request
  // now waits for the next call and stops it (not a dead run's flag).
  fresh.interrupt_handle().interrupt();
  Outcome stopped = call(fresh, "count", {Value::i32(1000)});
  ASSERT_TRUE(stopped.suspended());
  EXPECT_EQ(stopped.suspend_reason(), SuspendReason::Interrupted);
  fresh.cancel();
}

TEST_F(HardeningTest, AHostFunctionThatThrowsANonStandardExceptionTraps) {
  Instance instance = instantiate();
  Outcome out = call(instance, "call_throw", {Value::i32(2)});
  ASSERT_TRUE(out.trapped());
  EXPECT_EQ(out.trap().code, TrapCode::HostTrap);
  EXPECT_NE(out.trap().message.find("not a std::exception"), std::string::npos) << out.trap().message;
  EXPECT_TRUE(call(instance, "add", {Value::i32(2), Value::i32(3)}).returned());
}

TEST_F(HardeningTest, AHostFunctionThatThrowsInANestedCallTrapsOnlyThatCall) {
  Instance instance = instantiate();
  Outcome out = call(instance, "reenter", {Value::i32(1)});
  ASSERT_TRUE(inner_outcome_.has_value());
  ASSERT_TRUE(inner_outcome_->trapped());
  EXPECT_EQ(inner_outcome_->trap().code, TrapCode::HostTrap);
  EXPECT_NE(inner_outcome_->trap().message.find("the host gave up"), std::string::npos);
  ASSERT_TRUE(out.trapped()) << "the outer host function passed the inner trap on";
  // Nesting depth was restored: many more nested calls still fit.
  for (int i = 0; i < 200; ++i) {
    Outcome ok = call(instance, "reenter", {Value::i32(4)});
    ASSERT_TRUE(ok.returned()) << "call " << i;
    EXPECT_EQ(ok.values()[0].i32(), 5);
  }
}

TEST_F(HardeningTest, AHostFunctionThatThrowsCalledDirectlyTraps) {
  Func f = make_func(engine_, [](int32_t) -> int32_t { throw std::logic_error("direct"); });
  std::vector<Value> args{Value::i32(0)};
  Result<Outcome> out = f.call(args);
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_TRUE(out->trapped());
  EXPECT_EQ(out->trap().code, TrapCode::HostTrap);
  EXPECT_NE(out->trap().message.find("direct"), std::string::npos);
}

// ---------------------------------------------------------------- stale interrupts

TEST_F(HardeningTest, AStaleInterruptIsConsumedByACallThatReturnsWithoutASafePoint) {
  Instance instance = instantiate();
  InterruptHandle handle = instance.interrupt_handle();
  handle.interrupt();
  EXPECT_TRUE(handle.pending());
  // `add` meets no safe point: it returns, and the request ends with it.
  Outcome added = call(instance, "add", {Value::i32(2), Value::i32(3)});
  ASSERT_TRUE(added.returned());
  EXPECT_FALSE(handle.pending());
  // An unrelated later call is not stopped.
  Outcome counted = call(instance, "count", {Value::i32(100)});
  ASSERT_TRUE(counted.returned());
  EXPECT_EQ(counted.values()[0].i32(), 100);
}

TEST_F(HardeningTest, AStaleInterruptIsConsumedByACallThatTraps) {
  Instance instance = instantiate();
  instance.interrupt_handle().interrupt();
  // Traps before any safe point after the request.
  Outcome trapped = call(instance, "trap_now", {});
  ASSERT_TRUE(trapped.trapped());
  EXPECT_FALSE(instance.interrupt_handle().pending());
  EXPECT_TRUE(call(instance, "count", {Value::i32(10)}).returned());
}

TEST_F(HardeningTest, ClearWithdrawsAPendingInterrupt) {
  Instance instance = instantiate();
  InterruptHandle handle = instance.interrupt_handle();
  handle.interrupt();
  handle.clear();
  EXPECT_FALSE(handle.pending());
  Outcome counted = call(instance, "count", {Value::i32(100)});
  ASSERT_TRUE(counted.returned());
  // clear() with nothing pending changes nothing.
  handle.clear();
  EXPECT_FALSE(handle.pending());
}

class MeteredHardeningTest : public HardeningTest {
 protected:
  static Config metered() {
    Config config;
    config.metering = true;
    return config;
  }
  MeteredHardeningTest() : HardeningTest(metered()) {}
};

TEST_F(MeteredHardeningTest, AnInterruptPendingWhenACallRunsOutOfGasStopsItsResume) {
  Instance instance = instantiate();
  CallOptions options;
  options.gas_limit = 20;
  options.on_out_of_gas = OutOfGas::Suspend;
  Outcome first = call(instance, "count", {Value::i32(100)}, options);
  ASSERT_TRUE(first.suspended());
  ASSERT_EQ(first.suspend_reason(), SuspendReason::OutOfGas);
  instance.interrupt_handle().interrupt();
  // The suspended call is the one the request targets: its resume stops.
  Result<Outcome> resumed = instance.resume(ResumeOptions{.gas_limit = 1000, .on_out_of_gas = std::nullopt});
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  ASSERT_TRUE(resumed->suspended());
  EXPECT_EQ(resumed->suspend_reason(), SuspendReason::Interrupted);
  EXPECT_FALSE(instance.interrupt_handle().pending());
  Result<Outcome> done = instance.resume(ResumeOptions{.gas_limit = 1000, .on_out_of_gas = std::nullopt});
  ASSERT_TRUE(done.ok() && done->returned());
  EXPECT_EQ(done->values()[0].i32(), 100);
}

// ---------------------------------------------------------------- bounded reports

class DeepTrapTest : public HardeningTest {
 protected:
  static Config small_reports() {
    Config config;
    config.max_report_frames = 10;
    return config;
  }
  DeepTrapTest() : HardeningTest(small_reports()) {}
};

TEST_F(DeepTrapTest, ATrapDeepInARecursionKeepsABoundedBacktrace) {
  Instance instance = instantiate();
  Outcome out = call(instance, "dive", {Value::i32(5000)});
  ASSERT_TRUE(out.trapped());
  const Trap& trap = out.trap();
  EXPECT_EQ(trap.code, TrapCode::Unreachable);
  ASSERT_EQ(trap.backtrace.size(), 10u);
  EXPECT_EQ(trap.omitted_frames, 5001u - 10u) << "5001 frames: dive 5000 .. dive 0";
  EXPECT_EQ(trap.omitted_at, 5u);
  for (const FrameInfo& f : trap.backtrace) EXPECT_EQ(f.func_name, "dive");
  // The innermost frame is where it trapped; the outermost the entry call.
  EXPECT_NE(trap.backtrace.front().wasm_offset, trap.backtrace.back().wasm_offset);

  InstanceView view = instance.inspect();
  ASSERT_EQ(view.state, InstanceView::State::Trapped);
  ASSERT_EQ(view.frames.size(), 10u);
  EXPECT_EQ(view.omitted_frames, 4991u);
  EXPECT_EQ(view.omitted_at, 5u);
  EXPECT_EQ(view.frames.back().locals[0].i32(), 5000) << "the outermost frame is the entry call";
  EXPECT_EQ(view.frames.front().locals[0].i32(), 0) << "the innermost frame trapped";
  const std::string text = view.to_string();
  EXPECT_NE(text.find("4991 frames omitted"), std::string::npos);
  EXPECT_NE(text.find("#5000 "), std::string::npos) << "outer frames keep their true numbers";
}

TEST_F(DeepTrapTest, AShallowTrapKeepsEveryFrame) {
  Instance instance = instantiate();
  Outcome out = call(instance, "dive", {Value::i32(3)});
  ASSERT_TRUE(out.trapped());
  EXPECT_EQ(out.trap().backtrace.size(), 4u);
  EXPECT_EQ(out.trap().omitted_frames, 0u);
}

TEST_F(HardeningTest, ARunawayRecursionAtTheDepthLimitCostsTheHostABoundedReport) {
  InstanceLimits limits;
  limits.max_call_depth = 2'000'000;
  Instance instance = instantiate(limits);
  Outcome out = call(instance, "runaway", {Value::i32(0)});
  ASSERT_TRUE(out.trapped());
  EXPECT_EQ(out.trap().code, TrapCode::CallStackExhausted);
  EXPECT_EQ(out.trap().backtrace.size(), Config{}.max_report_frames);
  EXPECT_EQ(out.trap().backtrace.size() + out.trap().omitted_frames, 2'000'000u);
  InstanceView view = instance.inspect();
  EXPECT_EQ(view.frames.size(), Config{}.max_report_frames);
  EXPECT_EQ(view.frames.size() + view.omitted_frames, 2'000'000u);
}

// ---------------------------------------------------------------- locals

// A 39-byte module (the had a name section too): one function "f" declaring 0xFFFFFFFE i32 and 1 i64
// locals.
std::vector<uint8_t> four_billion_locals() {
  return {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,         // header
          0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                     // type 0: [] -> []
          0x03, 0x02, 0x01, 0x00,                                 // func 0: type 0
          0x07, 0x05, 0x01, 0x01, 'f',  0x00, 0x00,               // export "f" = func 0
          0x0a, 0x0c, 0x01, 0x0a, 0x02,                           // code: 1 body of 10 bytes, 2 runs
          0xfe, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x01, 0x7e, 0x0b};  // 0xFFFFFFFE i32, 1 i64, end
}

// A module whose function "f" declares `locals` i32 locals and returns.
std::vector<uint8_t> function_with_locals(uint32_t locals) {
  std::vector<uint8_t> body = {0x01};  // one run
  for (uint32_t v = locals;; v >>= 7) {
    body.push_back(static_cast<uint8_t>((v & 0x7f) | (v >= 0x80 ? 0x80 : 0)));
    if (v < 0x80) break;
  }
  body.push_back(0x7f);
  body.push_back(0x0b);
  std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00,
                            0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 'f',  0x00, 0x00, 0x0a};
  m.push_back(static_cast<uint8_t>(body.size() + 2));
  m.push_back(0x01);
  m.push_back(static_cast<uint8_t>(body.size()));
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

uint64_t peak_rss_kib() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss);
}

TEST(Locals, AFunctionDeclaringFourBillionLocalsIsRefusedByTheLocalsLimit) {
  std::vector<uint8_t> bytes = four_billion_locals();
  ASSERT_EQ(bytes.size(), 39u);
  Engine engine;
  Result<Module> module = Module::compile(engine, bytes);
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.error().kind, ErrorKind::Limit);
  EXPECT_NE(module.error().message.find("4294967295 locals"), std::string::npos) << module.error().message;
  EXPECT_NE(module.error().message.find("Config::max_function_locals"), std::string::npos);
}

TEST(Locals, TheLimitIsExactAndConfigurable) {
  Engine engine;
  EXPECT_TRUE(Module::compile(engine, function_with_locals(50'000)).ok());
  Result<Module> over = Module::compile(engine, function_with_locals(50'001));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().kind, ErrorKind::Limit);
  Config few;
  few.max_function_locals = 10;
  Engine strict(few);
  EXPECT_TRUE(Module::compile(strict, function_with_locals(10)).ok());
  EXPECT_FALSE(Module::compile(strict, function_with_locals(11)).ok());
}

TEST(Locals, WithTheLimitRaisedFourBillionLocalsCompileCheaplyAndTheCallTrapsCleanly) {
  Config config;
  config.max_function_locals = UINT32_MAX;
  Engine engine(config);
  const uint64_t peak_before = peak_rss_kib();
  Result<Module> module = Module::compile(engine, four_billion_locals());
  ASSERT_TRUE(module.ok()) << module.error().message;
  // Bookkeeping per run of locals, not per local (it was a byte per local: 4 GiB).
  EXPECT_LT(peak_rss_kib(), peak_before + 64 * 1024) << "compiling grew the peak by over 64 MiB";
  Linker linker(engine);
  Result<Instance> instance = linker.instantiate(*module);
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  // The frame (2^32 - 1 slots, 32 GiB) is beyond the value stack limit.
  Result<Outcome> out = instance->call("f", {});
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_TRUE(out->trapped());
  EXPECT_EQ(out->trap().code, TrapCode::ValueStackExhausted);
  EXPECT_LT(peak_rss_kib(), peak_before + 64 * 1024) << "the call grew the peak by over 64 MiB";
}

// ---------------------------------------------------------------- clear errors

TEST(ClearErrors, RestoringASnapshotDeeperThanTheLimitNamesTheLimitAndTheDepthNeeded) {
  Config deep;
  deep.metering = true;
  deep.limits.max_call_depth = 1'000'000;
  Engine engine(deep);
  Linker linker(engine);
  linker.func("host", "throw", [](int32_t how) { return how; });
  linker.func("host", "reenter", [](int32_t how) { return how; });
  Result<Module> module = compile_test_module(engine, "hardening");
  ASSERT_TRUE(module.ok()) << module.error().message;
  Result<Instance> instance = linker.instantiate(*module);
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  CallOptions options;
  options.gas_limit = 4'000'000;  // runs out about 360,000 frames deep
  options.on_out_of_gas = OutOfGas::Suspend;
  Result<Outcome> out = instance->call("dive", std::vector<Value>{Value::i32(900'000)}, options);
  ASSERT_TRUE(out.ok() && out->suspended());
  const uint64_t depth = instance->inspect().frames.size() + instance->inspect().omitted_frames;
  ASSERT_GT(depth, 250'000u) << "deeper than the default limit";
  Result<std::vector<uint8_t>> bytes = instance->snapshot();
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;

  Config defaults;
  defaults.metering = true;
  Engine other(defaults);
  Linker other_linker(other);
  other_linker.func("host", "throw", [](int32_t how) { return how; });
  other_linker.func("host", "reenter", [](int32_t how) { return how; });
  Result<Module> other_module = compile_test_module(other, "hardening");
  ASSERT_TRUE(other_module.ok());
  Result<Instance> refused = other_linker.restore(*other_module, *bytes);
  ASSERT_FALSE(refused.ok());
  const std::string& message = refused.error().message;
  EXPECT_NE(message.find("max_call_depth = 250000"), std::string::npos) << message;
  EXPECT_NE(message.find("at least " + std::to_string(depth)), std::string::npos) << message;

  // With the limit it names, the same snapshot restores and finishes.
  RestoreOptions raised;
  raised.limits = defaults.limits;
  raised.limits->max_call_depth = 1'000'000;
  Result<Instance> restored = other_linker.restore(*other_module, *bytes, raised);
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  Result<Outcome> rest =
      restored->resume(ResumeOptions{.gas_limit = 100'000'000, .on_out_of_gas = std::nullopt});
  ASSERT_TRUE(rest.ok()) << rest.error().message;
  ASSERT_TRUE(rest->trapped()) << "dive reaches the bottom and traps";
  EXPECT_EQ(rest->trap().code, TrapCode::Unreachable);
  EXPECT_EQ(rest->trap().backtrace.size() + rest->trap().omitted_frames, 900'001u);
}

TEST(ClearErrors, ResultValueOnAnErrorThrowsWithTheErrorsMessage) {
  Result<int> failed = make_error("the file is not there");
  try {
    (void)failed.value();
    FAIL() << "value() on an error must throw";
  } catch (const BadResultAccess& e) {
    EXPECT_NE(std::string(e.what()).find("the file is not there"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)*failed, BadResultAccess);
  Result<int> fine = 7;
  EXPECT_EQ(fine.value(), 7);
  EXPECT_THROW((void)fine.error(), BadResultAccess);
}

}  // namespace
}  // namespace waspvm::api_test
