// Gas metering, suspension and resume, clones, host yields, interrupts,
// per-instance limits and inspection, on tests/api/wat/gas.wat.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "api_test_util.h"

namespace waspvm::api_test {
namespace {

// gas.wat's `count` costs 11n + 8 (see its comment).
uint64_t count_gas(uint64_t n) { return 11 * n + 8; }

Config metered_config() {
  Config config;
  config.metering = true;
  return config;
}

class GasTest : public ::testing::Test {
 protected:
  explicit GasTest(Config config = metered_config()) : engine_(config), linker_(engine_) {}

  void SetUp() override {
    linker_.func("host", "wait", [](Caller& caller, int32_t) -> Result<int32_t> { return caller.yield(); });
    linker_.func("host", "charge", [](Caller& caller, int64_t amount) -> Result<void> {
      return caller.charge_gas(static_cast<uint64_t>(amount));
    });
    linker_.func("host", "reenter", [this](Caller& caller, int32_t n) -> Result<int32_t> {
      reentry_gas_left_ = caller.gas_left();
      if (interrupt_in_reentry_) caller.instance().interrupt_handle().interrupt();
      Result<Outcome> inner = caller.instance().call("count", std::vector<Value>{Value::i32(n)});
      if (!inner.ok()) return inner.error();
      inner_outcome_ = *inner;
      if (!inner->returned()) return make_error("inner call: " + inner->trap().message);
      return inner->values()[0].i32();
    });
    instance_ = instantiate();
  }

  Instance instantiate(std::optional<InstanceLimits> limits = std::nullopt) {
    auto module = compile_test_module(engine_, "gas");
    EXPECT_TRUE(module.ok()) << module.error().message;
    auto instance = limits ? linker_.instantiate(*module, *limits) : linker_.instantiate(*module);
    EXPECT_TRUE(instance.ok()) << instance.error().message;
    return std::move(instance.value());
  }

  Outcome call(const std::string& name, std::vector<Value> args, CallOptions options = {}) {
    Result<Outcome> outcome = instance_->call(name, args, options);
    EXPECT_TRUE(outcome.ok()) << outcome.error().message;
    return outcome.ok() ? *outcome : Outcome::trapped(Trap{});
  }

  Engine engine_;
  Linker linker_;
  std::optional<Instance> instance_;
  uint64_t reentry_gas_left_ = 0;
  bool interrupt_in_reentry_ = false;
  std::optional<Outcome> inner_outcome_;
};

CallOptions budget(uint64_t gas, OutOfGas mode = OutOfGas::Trap) {
  CallOptions options;
  options.gas_limit = gas;
  options.on_out_of_gas = mode;
  return options;
}

ResumeOptions more(uint64_t gas) {
  ResumeOptions options;
  options.gas_limit = gas;
  return options;
}

TEST_F(GasTest, StraightLineCodeCostsOnePerInstruction) {
  Outcome out = call("add", {Value::i32(2), Value::i32(3)});
  ASSERT_TRUE(out.returned());
  EXPECT_EQ(out.values()[0].i32(), 5);
  EXPECT_EQ(out.gas_used(), 4u);
  EXPECT_EQ(out.total_gas_used(), 4u);
}

TEST_F(GasTest, LoopsCostTheirBlocksPerIteration) {
  for (uint64_t n : {0u, 1u, 10u, 1000u}) {
    Outcome out = call("count", {Value::i32(static_cast<int32_t>(n))});
    ASSERT_TRUE(out.returned());
    EXPECT_EQ(out.gas_used(), count_gas(n)) << "n = " << n;
  }
}

TEST(GasCostTable, SetsCostsByInstructionName) {
  Config config = metered_config();
  ASSERT_TRUE(config.gas_costs.set("i32.add", 10).ok());
  EXPECT_EQ(config.gas_costs.get("i32.add").value(), 10u);
  EXPECT_EQ(config.gas_costs.get("i32.sub").value(), 1u);
  EXPECT_FALSE(config.gas_costs.set("i32.frobnicate", 1).ok());
  Engine engine(config);
  Linker linker(engine);
  auto add = Module::compile(engine, read_test_wasm("gas"));
  ASSERT_TRUE(add.ok());
  linker.func("host", "wait", [](int32_t x) { return x; });
  linker.func("host", "charge", [](int64_t) {});
  linker.func("host", "reenter", [](int32_t x) { return x; });
  auto instance = linker.instantiate(*add);
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  Result<Outcome> out = instance->call("add", std::vector<Value>{Value::i32(1), Value::i32(2)});
  ASSERT_TRUE(out.ok() && out->returned());
  EXPECT_EQ(out->gas_used(), 13u);
}

TEST(GasMeteringOff, ChargesNothing) {
  Engine engine;
  Linker linker(engine);
  linker.func("host", "wait", [](int32_t x) { return x; });
  linker.func("host", "charge", [](int64_t) {});
  linker.func("host", "reenter", [](int32_t x) { return x; });
  auto module = compile_test_module(engine, "gas");
  ASSERT_TRUE(module.ok());
  auto instance = linker.instantiate(*module);
  ASSERT_TRUE(instance.ok());
  CallOptions tiny = budget(1);
  Result<Outcome> out = instance->call("count", std::vector<Value>{Value::i32(100)}, tiny);
  ASSERT_TRUE(out.ok() && out->returned()) << "a budget means nothing without metering";
  EXPECT_EQ(out->values()[0].i32(), 100);
  EXPECT_EQ(out->gas_used(), 0u);
}

TEST_F(GasTest, OutOfGasTrapsBeforeTheBlockItCannotPay) {
  // Blocks of count(1000): 2, then 4 and 7 in turn. With 100: 2 + 11*8 = 90,
  // then the header's 4 -> 94; the body's 7 does not fit.
  Outcome out = call("count", {Value::i32(1000)}, budget(100));
  ASSERT_TRUE(out.trapped());
  EXPECT_EQ(out.trap().code, TrapCode::OutOfGas);
  EXPECT_EQ(out.trap().message, "out of gas");
  EXPECT_EQ(out.gas_used(), 94u);
  ASSERT_FALSE(out.trap().backtrace.empty());
  EXPECT_EQ(out.trap().backtrace[0].func_name, "count");
  EXPECT_FALSE(instance_->suspended());
  // Exactly enough: no trap.
  Outcome exact = call("count", {Value::i32(10)}, budget(count_gas(10)));
  ASSERT_TRUE(exact.returned());
  Outcome short_by_one = call("count", {Value::i32(10)}, budget(count_gas(10) - 1));
  EXPECT_TRUE(short_by_one.trapped());
}

// Runs count(n) from a suspended start in slices of `slice` gas; returns the
// result, checking every slice's accounting on the way.
int32_t finish_in_slices(Instance& instance, Outcome out, const std::function<uint64_t()>& slice,
                         uint64_t* total) {
  uint64_t sum = out.gas_used();
  while (out.suspended()) {
    EXPECT_EQ(out.suspend_reason(), SuspendReason::OutOfGas);
    Result<Outcome> next = instance.resume(more(slice()));
    EXPECT_TRUE(next.ok()) << next.error().message;
    if (!next.ok()) return -1;
    out = *next;
    sum += out.gas_used();
    EXPECT_EQ(out.total_gas_used(), sum);
  }
  EXPECT_TRUE(out.returned());
  *total = sum;
  return out.returned() ? out.values()[0].i32() : -1;
}

TEST_F(GasTest, SuspendedCallsResumeToTheSameResultAndGasInAnySlices) {
  const int32_t n = 300;
  std::mt19937_64 rng(42);
  std::vector<std::function<uint64_t()>> slicings = {[] { return 1; }, [] { return 7; }, [] { return 1000; },
                                                     [&] { return 1 + rng() % 50; }};
  for (auto& slice : slicings) {
    Outcome first = call("count", {Value::i32(n)}, budget(slice(), OutOfGas::Suspend));
    ASSERT_TRUE(first.suspended());
    EXPECT_TRUE(instance_->suspended());
    uint64_t total = 0;
    EXPECT_EQ(finish_in_slices(*instance_, first, slice, &total), n);
    EXPECT_EQ(total, count_gas(n));
    EXPECT_EQ(instance_->global("counter")->get().i32(), n);
    EXPECT_FALSE(instance_->suspended());
  }
}

TEST_F(GasTest, ACallCannotStartWhileAnotherIsSuspended) {
  Outcome out = call("count", {Value::i32(100)}, budget(50, OutOfGas::Suspend));
  ASSERT_TRUE(out.suspended());
  Result<Outcome> second = instance_->call("add", std::vector<Value>{Value::i32(1), Value::i32(2)});
  EXPECT_FALSE(second.ok());
  EXPECT_FALSE(instance_->resume(more(10), std::vector<Value>{Value::i32(1)}).ok())
      << "results for a call that did not stop in a host function";
  instance_->cancel();
  EXPECT_FALSE(instance_->suspended());
  EXPECT_FALSE(instance_->resume(more(10)).ok()) << "nothing to resume";
  Outcome again = call("add", {Value::i32(1), Value::i32(2)});
  EXPECT_TRUE(again.returned());
}

TEST_F(GasTest, TheOutOfGasBehaviourCanChangeOnResume) {
  Outcome out = call("count", {Value::i32(100)}, budget(50, OutOfGas::Suspend));
  ASSERT_TRUE(out.suspended());
  ResumeOptions trap_now = more(10);
  trap_now.on_out_of_gas = OutOfGas::Trap;
  Result<Outcome> next = instance_->resume(trap_now);
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->trapped());
  EXPECT_EQ(next->trap().code, TrapCode::OutOfGas);
  EXPECT_FALSE(instance_->suspended());
}

TEST_F(GasTest, ClonesOfASuspendedCallResumeIndependently) {
  Outcome out = call("count", {Value::i32(500)}, budget(2000, OutOfGas::Suspend));
  ASSERT_TRUE(out.suspended());
  const int32_t counter_at_stop = instance_->global("counter")->get().i32();
  auto a = instance_->clone();
  auto b = instance_->clone();
  ASSERT_TRUE(a.ok() && b.ok());
  for (Instance* copy : {&a.value(), &b.value(), &instance_.value()}) {
    EXPECT_TRUE(copy->suspended());
    EXPECT_EQ(copy->global("counter")->get().i32(), counter_at_stop);
    Result<Outcome> done = copy->resume(more(kUnlimitedGas));
    ASSERT_TRUE(done.ok() && done->returned());
    EXPECT_EQ(done->values()[0].i32(), 500);
    EXPECT_EQ(done->total_gas_used(), count_gas(500));
    EXPECT_EQ(copy->global("counter")->get().i32(), 500);
  }
  // Each copy's state is its own: a clone of the finished original is idle.
  auto idle = instance_->clone();
  ASSERT_TRUE(idle.ok());
  EXPECT_FALSE(idle->suspended());
  ASSERT_TRUE(idle->global("counter")->set(Value::i32(-1)).ok());
  EXPECT_EQ(instance_->global("counter")->get().i32(), 500);
}

TEST_F(GasTest, ACloneResumedTwiceFromOneContinuationGivesTheSameResults) {
  Outcome out = call("count", {Value::i32(200)}, budget(777, OutOfGas::Suspend));
  ASSERT_TRUE(out.suspended());
  std::vector<std::pair<int32_t, uint64_t>> results;
  for (int run = 0; run < 2; ++run) {
    auto copy = instance_->clone();
    ASSERT_TRUE(copy.ok());
    uint64_t total = 0;
    int32_t value = finish_in_slices(
        *copy, out, [] { return 13; }, &total);
    results.emplace_back(value, total);
    EXPECT_TRUE(instance_->suspended()) << "the original continuation is untouched";
  }
  EXPECT_EQ(results[0], results[1]);
  EXPECT_EQ(results[0].first, 200);
}

TEST_F(GasTest, AClonesStackKeepsEveryFramesSlots) {
  // big_caller's frame reaches past count's, which is on top when it stops;
  // after count returns, big_caller computes in its high slots, calling
  // nothing that would grow the stack first.
  Outcome out = call("big_caller", {Value::i32(100)}, budget(500, OutOfGas::Suspend));
  ASSERT_TRUE(out.suspended());
  auto copy = instance_->clone();
  ASSERT_TRUE(copy.ok());
  ResumeOptions rest;
  rest.gas_limit = kUnlimitedGas;
  // count(100) + 100 * 36.
  for (Instance* run : {&copy.value(), &instance_.value()}) {
    Result<Outcome> done = run->resume(rest);
    ASSERT_TRUE(done.ok() && done->returned());
    EXPECT_EQ(done->values()[0].i32(), 100 + 3600);
  }
}

TEST_F(GasTest, ClonesCopyMemoryAndRemapTheirOwnFunctionsInTables) {
  auto copy = instance_->clone();
  ASSERT_TRUE(copy.ok());
  ASSERT_TRUE(copy->memory("memory")->write(0, std::vector<uint8_t>{42}).ok());
  EXPECT_EQ(instance_->memory("memory")->read(0, 1).value()[0], 0);
  // Table slot 0 holds `add`: the clone's own, not the original's.
  Value ref = copy->table("table")->get(0).value();
  Value original_ref = instance_->table("table")->get(0).value();
  EXPECT_NE(ref.bits(), original_ref.bits());
  Result<Outcome> out = copy->call("call_slot", std::vector<Value>{Value::i32(0)});
  ASSERT_TRUE(out.ok() && out->returned());
  EXPECT_EQ(out->values()[0].i32(), 5);
}

TEST_F(GasTest, AHostFunctionCanYieldAndResumeSuppliesItsResults) {
  Outcome out = call("two_waits", {Value::i32(1)});
  ASSERT_TRUE(out.suspended());
  EXPECT_EQ(out.suspend_reason(), SuspendReason::HostYield);
  // A result of the wrong type or count is refused, and the call stays suspended.
  EXPECT_FALSE(instance_->resume({}, std::vector<Value>{Value::i64(5)}).ok());
  EXPECT_FALSE(instance_->resume({}).ok());
  Result<Outcome> second = instance_->resume({}, std::vector<Value>{Value::i32(5)});
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(second->suspended());
  EXPECT_EQ(second->suspend_reason(), SuspendReason::HostYield);
  Result<Outcome> done = instance_->resume({}, std::vector<Value>{Value::i32(7)});
  ASSERT_TRUE(done.ok() && done->returned());
  EXPECT_EQ(done->values()[0].i32(), 7005);
}

TEST_F(GasTest, AYieldInATailCallReturnsItsResultsFromTheCaller) {
  Outcome out = call("tail_wait", {Value::i32(1)});
  ASSERT_TRUE(out.suspended());
  Result<Outcome> done = instance_->resume({}, std::vector<Value>{Value::i32(99)});
  ASSERT_TRUE(done.ok() && done->returned());
  EXPECT_EQ(done->values()[0].i32(), 99);
}

TEST_F(GasTest, HostFunctionsChargeGasThroughTheirCaller) {
  Outcome out = call("host_charge", {Value::i64(50)});
  ASSERT_TRUE(out.returned());
  // local.get, call, i32.const, end: 4, plus the host's 50.
  EXPECT_EQ(out.gas_used(), 54u);
  Outcome poor = call("host_charge", {Value::i64(50)}, budget(20));
  ASSERT_TRUE(poor.trapped());
  EXPECT_EQ(poor.trap().code, TrapCode::OutOfGas);
}

TEST_F(GasTest, ANestedCallSpendsTheOuterBudgetAndCannotSuspend) {
  Outcome out = call("reenter", {Value::i32(10)}, budget(1000));
  ASSERT_TRUE(out.returned());
  EXPECT_EQ(out.values()[0].i32(), 10);
  // reenter: local.get, call, end = 3, and the inner count(10).
  EXPECT_EQ(out.gas_used(), 3 + count_gas(10));
  EXPECT_EQ(reentry_gas_left_, 1000u - 3);
  // Out of gas inside the nested call traps there, even in suspend mode.
  Outcome poor = call("reenter", {Value::i32(1000)}, budget(500, OutOfGas::Suspend));
  ASSERT_TRUE(inner_outcome_.has_value());
  EXPECT_TRUE(inner_outcome_->trapped());
  EXPECT_TRUE(poor.trapped());
}

TEST_F(GasTest, BulkOperationsAndGrowChargePerUnitWhenTheyRun) {
  // fill: local.get, i32.const, i32.const, memory.fill, end = 5, plus n bytes.
  Outcome fill = call("fill", {Value::i32(1000)});
  ASSERT_TRUE(fill.returned());
  EXPECT_EQ(fill.gas_used(), 5u + 1000u);
  Outcome grow = call("grow", {Value::i32(3)});
  ASSERT_TRUE(grow.returned());
  EXPECT_EQ(grow.gas_used(), 3u + 3u);
  // Suspended before a fill it cannot pay; resumed, it runs whole.
  Outcome stopped = call("fill", {Value::i32(1000)}, budget(500, OutOfGas::Suspend));
  ASSERT_TRUE(stopped.suspended());
  EXPECT_EQ(stopped.gas_used(), 5u);
  Result<Outcome> done = instance_->resume(more(1000));
  ASSERT_TRUE(done.ok() && done->returned());
  EXPECT_EQ(done->total_gas_used(), 1005u);
}

TEST_F(GasTest, InspectionShowsTheSuspendedFrames) {
  Outcome out = call("count", {Value::i32(100)}, budget(500, OutOfGas::Suspend));
  ASSERT_TRUE(out.suspended());
  InstanceView view = instance_->inspect();
  EXPECT_EQ(view.state, InstanceView::State::Suspended);
  EXPECT_EQ(view.reason, SuspendReason::OutOfGas);
  EXPECT_EQ(view.total_gas_used, out.gas_used());
  ASSERT_EQ(view.frames.size(), 1u);
  EXPECT_EQ(view.frames[0].func_name, "count");
  ASSERT_EQ(view.frames[0].locals.size(), 2u);
  EXPECT_EQ(view.frames[0].locals[0].i32(), 100);
  EXPECT_EQ(view.frames[0].locals[1].i32(), view.globals[0].i32()) << "i and the counter move together";
  ASSERT_EQ(view.memory_pages.size(), 1u);
  EXPECT_EQ(view.memory_pages[0], 1u);
  EXPECT_NE(view.to_string().find("count"), std::string::npos);
  instance_->cancel();
  EXPECT_EQ(instance_->inspect().state, InstanceView::State::Idle);
}

TEST_F(GasTest, InspectionShowsTheTrappedFramesUntilTheNextCall) {
  Outcome out = call("recurse", {Value::i32(5)}, budget(40));
  ASSERT_TRUE(out.trapped());
  InstanceView view = instance_->inspect();
  EXPECT_EQ(view.state, InstanceView::State::Trapped);
  ASSERT_TRUE(view.trap.has_value());
  EXPECT_EQ(view.trap->code, TrapCode::OutOfGas);
  EXPECT_EQ(view.frames.size(), out.trap().backtrace.size());
  EXPECT_GT(view.frames.size(), 1u);
  call("add", {Value::i32(1), Value::i32(1)});
  EXPECT_EQ(instance_->inspect().state, InstanceView::State::Idle);
}

class InterruptTest : public GasTest {
 protected:
  InterruptTest() : GasTest(Config{}) {}  // metering off: only an interrupt can stop a loop
};

// Interrupts `handle` from another thread after a short delay.
std::thread interrupt_later(InterruptHandle handle) {
  return std::thread([handle] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    handle.interrupt();
  });
}

TEST_F(InterruptTest, AnotherThreadStopsAnInfiniteLoopAndItResumes) {
  for (const char* name : {"spin", "spin_calls"}) {
    SCOPED_TRACE(name);
    std::thread t = interrupt_later(instance_->interrupt_handle());
    Outcome out = call(name, {});
    t.join();
    ASSERT_TRUE(out.suspended());
    EXPECT_EQ(out.suspend_reason(), SuspendReason::Interrupted);
    // Resumable like any suspension, and interruptible again.
    std::thread again = interrupt_later(instance_->interrupt_handle());
    Result<Outcome> next = instance_->resume();
    again.join();
    ASSERT_TRUE(next.ok());
    EXPECT_TRUE(next->suspended());
    instance_->cancel();
  }
}

TEST_F(InterruptTest, ARequestWithNoCallRunningStopsTheNextCall) {
  instance_->interrupt_handle().interrupt();
  Outcome out = call("count", {Value::i32(10)});
  ASSERT_TRUE(out.suspended());
  EXPECT_EQ(out.suspend_reason(), SuspendReason::Interrupted);
  Result<Outcome> done = instance_->resume();
  ASSERT_TRUE(done.ok() && done->returned()) << "the request was consumed";
  EXPECT_EQ(done->values()[0].i32(), 10);
}

TEST_F(InterruptTest, ANestedCallTrapsAndTheOuterCallsEndConsumesTheRequest) {
  interrupt_in_reentry_ = true;
  Outcome out = call("reenter", {Value::i32(1000)});
  ASSERT_TRUE(inner_outcome_.has_value());
  ASSERT_TRUE(inner_outcome_->trapped());
  EXPECT_EQ(inner_outcome_->trap().code, TrapCode::Interrupted);
  EXPECT_TRUE(out.trapped()) << "the host function passed the inner trap on";
  // The request targeted the outer call, which has ended: the next call runs.
  interrupt_in_reentry_ = false;
  EXPECT_FALSE(instance_->interrupt_handle().pending());
  Outcome next = call("count", {Value::i32(3)});
  ASSERT_TRUE(next.returned());
  EXPECT_EQ(next.values()[0].i32(), 3);
}

TEST_F(GasTest, LimitsCanChangeBetweenCalls) {
  InstanceLimits limits = instance_->limits();
  limits.gas = 50;
  limits.max_memory_pages = 1;  // (fixed at instantiation: ignored)
  instance_->set_limits(limits);
  EXPECT_EQ(instance_->limits().gas, 50u);
  EXPECT_EQ(instance_->limits().max_memory_pages, kMaxPages);
  Outcome poor = call("count", {Value::i32(100)});
  ASSERT_TRUE(poor.trapped());
  EXPECT_EQ(poor.trap().code, TrapCode::OutOfGas);
  EXPECT_EQ(call("grow", {Value::i32(1)}).values()[0].i32(), 1);
}

TEST_F(GasTest, EachLimitTrapsOrFailsCleanly) {
  InstanceLimits limits;
  limits.max_call_depth = 100;
  Instance shallow = instantiate(limits);
  Result<Outcome> deep = shallow.call("recurse", std::vector<Value>{Value::i32(1000)});
  ASSERT_TRUE(deep.ok() && deep->trapped());
  EXPECT_EQ(deep->trap().code, TrapCode::CallStackExhausted);
  EXPECT_TRUE(shallow.call("recurse", std::vector<Value>{Value::i32(90)})->returned());

  limits = {};
  limits.max_value_stack_slots = 2000;
  Instance narrow = instantiate(limits);
  Result<Outcome> wide = narrow.call("wide", std::vector<Value>{Value::i32(1000)});
  ASSERT_TRUE(wide.ok() && wide->trapped());
  EXPECT_EQ(wide->trap().code, TrapCode::ValueStackExhausted);

  limits = {};
  limits.max_memory_pages = 3;
  Instance small = instantiate(limits);
  EXPECT_EQ(small.call("grow", std::vector<Value>{Value::i32(2)})->values()[0].i32(), 1);
  EXPECT_EQ(small.call("grow", std::vector<Value>{Value::i32(1)})->values()[0].i32(), -1);
  EXPECT_EQ(small.memory("memory")->pages(), 3u);
  EXPECT_FALSE(small.memory("memory")->grow(1).ok()) << "the host's grow obeys the limit too";
  limits.max_memory_pages = 0;
  auto module = compile_test_module(engine_, "gas");
  EXPECT_FALSE(linker_.instantiate(*module, limits).ok()) << "a minimum above the limit";

  limits = {};
  limits.max_table_elements = 10;
  Instance few = instantiate(limits);
  EXPECT_EQ(few.call("table_grow", std::vector<Value>{Value::i32(8)})->values()[0].i32(), 2);
  EXPECT_EQ(few.call("table_grow", std::vector<Value>{Value::i32(1)})->values()[0].i32(), -1);

  limits = {};
  limits.gas = 100;
  Instance thrifty = instantiate(limits);
  Result<Outcome> poor = thrifty.call("count", std::vector<Value>{Value::i32(1000)});
  ASSERT_TRUE(poor.ok() && poor->trapped()) << "the instance's default budget";
  EXPECT_EQ(poor->trap().code, TrapCode::OutOfGas);

  limits = {};
  limits.max_host_reentry = 0;
  Instance no_reentry = instantiate(limits);
  Result<Outcome> reenter = no_reentry.call("reenter", std::vector<Value>{Value::i32(3)});
  ASSERT_TRUE(reenter.ok() && reenter->trapped());
  EXPECT_EQ(reenter->trap().code, TrapCode::CallStackExhausted);
}

TEST_F(GasTest, RecursionAMillionFramesDeepWorksWithTheLimitsRaised) {
  InstanceLimits limits;
  limits.max_call_depth = 1'100'000;
  limits.max_value_stack_slots = 64u << 20;
  Instance deep = instantiate(limits);
  Result<Outcome> out = deep.call("recurse", std::vector<Value>{Value::i32(1'000'000)});
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->returned()) << out->trap().message;
  EXPECT_EQ(out->values()[0].i32(), 1'000'000);
  // The same depth under the default limits traps cleanly.
  Result<Outcome> capped = instance_->call("recurse", std::vector<Value>{Value::i32(1'000'000)});
  ASSERT_TRUE(capped.ok() && capped->trapped());
  EXPECT_EQ(capped->trap().code, TrapCode::CallStackExhausted);
}

}  // namespace
}  // namespace waspvm::api_test
