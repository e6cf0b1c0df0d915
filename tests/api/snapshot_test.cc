// Snapshots: an instance, idle or suspended mid-call, to bytes and back, in
// a fresh engine (as another process would); refusals; and corrupted or
// truncated snapshots, which must be errors, never crashes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench_programs.h"

namespace waspvm::api_test {
namespace {

Config metered_config() {
  Config config;
  config.metering = true;
  return config;
}

// gas.wat, linked with host functions that yield (wait), charge, re-enter.
struct GasVm {
  explicit GasVm(Config config = metered_config()) : engine(config), linker(engine) {
    linker.func("host", "wait", [](Caller& caller, int32_t) -> Result<int32_t> { return caller.yield(); });
    linker.func("host", "charge", [](Caller& caller, int64_t n) -> Result<void> {
      return caller.charge_gas(static_cast<uint64_t>(n));
    });
    linker.func("host", "reenter", [](int32_t n) { return n; });
    auto compiled = compile_test_module(engine, "gas");
    EXPECT_TRUE(compiled.ok());
    module.emplace(std::move(*compiled));
  }
  Instance instantiate() { return std::move(linker.instantiate(*module).value()); }
  Result<Instance> restore(std::span<const uint8_t> bytes) { return linker.restore(*module, bytes); }

  Engine engine;
  Linker linker;
  std::optional<Module> module;
};

CallOptions suspend_after(uint64_t gas) {
  CallOptions options;
  options.gas_limit = gas;
  options.on_out_of_gas = OutOfGas::Suspend;
  return options;
}

// Calls `name` in a fresh instance (interrupted at once if `interrupt`), which
// must suspend; snapshots it and restores it in `elsewhere`.
std::optional<Instance> moved_call(GasVm& elsewhere, const char* name, int32_t arg, CallOptions options = {},
                                   bool interrupt = false) {
  GasVm vm;
  Instance instance = vm.instantiate();
  if (interrupt) instance.interrupt_handle().interrupt();
  Result<Outcome> first = instance.call(name, std::vector<Value>{Value::i32(arg)}, options);
  EXPECT_TRUE(first.ok() && first->suspended());
  auto bytes = instance.snapshot();
  EXPECT_TRUE(bytes.ok()) << bytes.error().message;
  if (!bytes.ok()) return std::nullopt;
  auto restored = elsewhere.restore(*bytes);
  EXPECT_TRUE(restored.ok()) << restored.error().message;
  if (!restored.ok()) return std::nullopt;
  return std::move(*restored);
}

TEST(Snapshot, AnIdleInstanceComesBackWithItsMemoryAndGlobals) {
  GasVm vm;
  Instance instance = vm.instantiate();
  ASSERT_TRUE(instance.call("count", std::vector<Value>{Value::i32(5)})->returned());
  ASSERT_EQ(instance.call("grow", std::vector<Value>{Value::i32(2)})->values()[0].i32(), 1);
  ASSERT_TRUE(instance.memory("memory")->write(70000, std::vector<uint8_t>{1, 2, 3}).ok());
  auto bytes = instance.snapshot();
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;

  GasVm elsewhere;  // a fresh engine and linker: what another process has
  auto restored = elsewhere.restore(*bytes);
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_FALSE(restored->suspended());
  EXPECT_EQ(restored->global("counter")->get().i32(), 5);
  EXPECT_EQ(restored->memory("memory")->pages(), 3u);
  EXPECT_EQ(restored->memory("memory")->read(70000, 3).value(), (std::vector<uint8_t>{1, 2, 3}));
  // Its table holds its own functions.
  Result<Outcome> out = restored->call("call_slot", std::vector<Value>{Value::i32(0)});
  ASSERT_TRUE(out.ok() && out->returned());
  EXPECT_EQ(out->values()[0].i32(), 5);
  // A mostly empty memory stays small: 3 pages (192 KiB) in well under 1 KiB.
  EXPECT_LT(bytes->size(), 1024u);
}

TEST(Snapshot, ASuspendedCallResumesInTheRestoredInstance) {
  GasVm elsewhere;  // a fresh engine and linker: what another process has
  std::optional<Instance> restored = moved_call(elsewhere, "count", 300, suspend_after(500));
  ASSERT_TRUE(restored.has_value());
  ASSERT_TRUE(restored->suspended());
  EXPECT_EQ(restored->inspect().frames.size(), 1u);
  EXPECT_EQ(restored->inspect().frames[0].func_name, "count");
  ResumeOptions more;
  more.gas_limit = kUnlimitedGas;
  Result<Outcome> done = restored->resume(more);
  ASSERT_TRUE(done.ok() && done->returned());
  EXPECT_EQ(done->values()[0].i32(), 300);
  EXPECT_EQ(done->total_gas_used(), 11u * 300 + 8);
  EXPECT_EQ(restored->global("counter")->get().i32(), 300);
}

TEST(Snapshot, AHostYieldResumesWithTheHostFunctionRebound) {
  GasVm elsewhere;
  std::optional<Instance> restored = moved_call(elsewhere, "two_waits", 1);
  ASSERT_TRUE(restored.has_value());
  Result<Outcome> second = restored->resume({}, std::vector<Value>{Value::i32(5)});
  ASSERT_TRUE(second.ok() && second->suspended());
  // Snapshot again mid-way, restore again, finish.
  auto again = restored->snapshot();
  ASSERT_TRUE(again.ok()) << again.error().message;
  GasVm third;
  auto last = third.restore(*again);
  ASSERT_TRUE(last.ok()) << last.error().message;
  Result<Outcome> done = last->resume({}, std::vector<Value>{Value::i32(7)});
  ASSERT_TRUE(done.ok() && done->returned());
  EXPECT_EQ(done->values()[0].i32(), 7005);
}

TEST(Snapshot, WhatCannotBeCapturedIsRefused) {
  GasVm vm;
  // Another module.
  Instance instance = vm.instantiate();
  auto bytes = instance.snapshot();
  ASSERT_TRUE(bytes.ok());
  auto other = compile_test_module(vm.engine, "calls");
  ASSERT_TRUE(other.ok());
  auto wrong_module = vm.linker.restore(*other, *bytes);
  ASSERT_FALSE(wrong_module.ok());
  EXPECT_NE(wrong_module.error().message.find("another module"), std::string::npos);
  // The same module compiled without metering: other internal code.
  GasVm unmetered{Config{}};
  auto wrong_engine = unmetered.restore(*bytes);
  ASSERT_FALSE(wrong_engine.ok());
  EXPECT_NE(wrong_engine.error().message.find("compiled differently"), std::string::npos);
}

// A frame of a function that uses reference types: table_grow (ref.null),
// stopped before the per-element charge of its table.grow (4 + 8 gas), with
// the null reference it grows the table with live on its stack.
TEST(Snapshot, AFrameStoppedAtATableGrowResumesInTheRestoredInstance) {
  GasVm elsewhere;
  std::optional<Instance> restored = moved_call(elsewhere, "table_grow", 8, suspend_after(5));
  ASSERT_TRUE(restored.has_value());
  ResumeOptions more;
  more.gas_limit = kUnlimitedGas;
  Result<Outcome> done = restored->resume(more);
  ASSERT_TRUE(done.ok() && done->returned());
  EXPECT_EQ(done->total_gas_used(), 4u + 8u);
}

TEST(Snapshot, ASnapshotCannotRaiseLimitsOrGrantItselfGas) {
  GasVm vm;
  InstanceLimits raised;
  raised.max_call_depth = 5'000'000;
  raised.gas = 1'000'000'000;
  Instance instance = std::move(vm.linker.instantiate(*vm.module, raised).value());
  // 5003 gas: 2 + 11 * 454 + 4 = 5000 charged, 3 left over (the next block costs 7).
  ASSERT_TRUE(instance.call("count", std::vector<Value>{Value::i32(1000)}, suspend_after(5003))->suspended());
  ASSERT_EQ(instance.inspect().gas_left, 3u);
  auto bytes = instance.snapshot();
  ASSERT_TRUE(bytes.ok());
  GasVm elsewhere;  // the engine's limits: the defaults
  auto capped = elsewhere.restore(*bytes);
  ASSERT_TRUE(capped.ok()) << capped.error().message;
  EXPECT_EQ(capped->limits().max_call_depth, Config{}.limits.max_call_depth);
  EXPECT_EQ(capped->inspect().gas_left, 3u);
  RestoreOptions strict;
  strict.limits = InstanceLimits{};
  strict.limits->gas = 1;
  auto tight = elsewhere.linker.restore(*elsewhere.module, *bytes, strict);
  ASSERT_TRUE(tight.ok()) << tight.error().message;
  EXPECT_EQ(tight->limits().gas, 1u);
  EXPECT_EQ(tight->inspect().gas_left, 1u) << "the carried-over gas is capped at limits.gas";
}

TEST(Snapshot, AnInstanceCannotBeSavedWhileACallRunsInIt) {
  Engine engine(metered_config());
  Linker linker(engine);
  std::string refusal;
  linker.func("host", "wait", [](int32_t x) { return x; });
  linker.func("host", "charge", [](int64_t) {});
  linker.func("host", "reenter", [&](Caller& caller, int32_t n) -> int32_t {
    auto bytes = caller.instance().snapshot();  // the wasm frames below are live
    refusal = bytes.ok() ? "" : bytes.error().message;
    return n;
  });
  Instance instance = std::move(instantiate_test_module(linker, "gas").value());
  ASSERT_TRUE(instance.call("reenter", std::vector<Value>{Value::i32(1)})->returned());
  EXPECT_NE(refusal.find("a call is running"), std::string::npos) << refusal;
}

TEST(Snapshot, AnInterruptedCallResumesInTheRestoredInstance) {
  GasVm elsewhere;  // interrupted at once: stopped at the call's first safe point
  std::optional<Instance> restored = moved_call(elsewhere, "count", 40, {}, true);
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(restored->inspect().reason, SuspendReason::Interrupted);
  Result<Outcome> done = restored->resume();
  ASSERT_TRUE(done.ok() && done->returned());
  EXPECT_EQ(done->values()[0].i32(), 40);
  EXPECT_EQ(done->total_gas_used(), 11u * 40 + 8);
}

TEST(Snapshot, ExternrefsNeedTheHostsEncodingAndFunctionReferencesAreRemapped) {
  Engine engine;
  Linker linker(engine);
  auto module = compile_test_module(engine, "refs");
  ASSERT_TRUE(module.ok());
  Instance instance = std::move(linker.instantiate(*module).value());
  ASSERT_TRUE(instance.call("publish", {})->returned());
  ASSERT_TRUE(instance.call("hold", std::vector<Value>{Value::externref(0x1234)})->returned());
  auto refused = instance.snapshot();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("encode_externref"), std::string::npos);
  SnapshotOptions save;
  save.encode_externref = [](uint64_t host) -> Result<uint64_t> { return host ^ 0xFF; };
  auto bytes = instance.snapshot(save);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_FALSE(linker.restore(*module, *bytes).ok()) << "no decode_externref";
  RestoreOptions load;
  load.decode_externref = [](uint64_t token) -> Result<uint64_t> { return token ^ 0xFF; };
  auto restored = linker.restore(*module, *bytes, load);
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(restored->global("held")->get().bits(), 0x1234u);
  // The table's function reference is the restored instance's own function.
  Result<Outcome> out = restored->call("call_1", {});
  ASSERT_TRUE(out.ok() && out->returned());
  EXPECT_EQ(out->values()[0].i32(), 7);
  EXPECT_NE(restored->table("table")->get(1)->bits(), instance.table("table")->get(1)->bits());
}

TEST(Snapshot, AnImportedMemoryMustBeAsItWas) {
  Engine engine;
  Linker linker(engine);
  Instance owner = std::move(instantiate_test_module(linker, "exporter").value());
  linker.define_instance("env", owner);
  Instance user = std::move(instantiate_test_module(linker, "shared_reader").value());
  ASSERT_TRUE(owner.call("store", std::vector<Value>{Value::i32(8), Value::i32(99)})->returned());
  auto bytes = user.snapshot();
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  auto module = compile_test_module(engine, "shared_reader");
  auto restored = linker.restore(*module, *bytes);
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(restored->call("load", std::vector<Value>{Value::i32(8)})->values()[0].i32(), 99);
  // The shared memory is the owner's: changed since, it no longer matches.
  ASSERT_TRUE(owner.call("store", std::vector<Value>{Value::i32(8), Value::i32(100)})->returned());
  auto stale = linker.restore(*module, *bytes);
  ASSERT_FALSE(stale.ok());
  EXPECT_NE(stale.error().message.find("imported memory"), std::string::npos);
}

TEST(Snapshot, EveryCorruptionOrTruncationIsAnError) {
  // A set: idle, out of gas mid-loop, deep in a recursion, at a host yield,
  // in a frame with slot maps (a reference on its stack).
  GasVm vm;
  std::vector<std::vector<uint8_t>> set;
  auto take = [&](const char* name, int32_t arg, CallOptions options) {
    Instance instance = vm.instantiate();
    if (name != nullptr) (void)instance.call(name, std::vector<Value>{Value::i32(arg)}, options);
    set.push_back(instance.snapshot().value());
  };
  take(nullptr, 0, {});
  take("count", 50, suspend_after(200));
  take("recurse", 30, suspend_after(150));
  take("two_waits", 1, {});
  take("table_grow", 8, suspend_after(5));
  GasVm elsewhere;
  for (const std::vector<uint8_t>& bytes : set) {
    ASSERT_TRUE(elsewhere.restore(bytes).ok());
    for (size_t i = 0; i < bytes.size(); ++i) {
      std::vector<uint8_t> corrupt = bytes;
      corrupt[i] ^= static_cast<uint8_t>(1 + i % 255);
      EXPECT_FALSE(elsewhere.restore(corrupt).ok()) << "byte " << i << " changed";
    }
    for (size_t n = 0; n < bytes.size(); ++n)
      EXPECT_FALSE(elsewhere.restore(std::span<const uint8_t>(bytes.data(), n)).ok()) << "cut at " << n;
    std::vector<uint8_t> longer = bytes;
    longer.push_back(0);
    EXPECT_FALSE(elsewhere.restore(longer).ok());
  }
}

// Every benchmark program, stopped at 20 or more points: each time the
// instance is snapshotted, dropped, and restored in a fresh engine, which
// runs on. Output, memory and total gas equal the uninterrupted run's.
TEST(Snapshot, BenchmarkProgramsRunOnAcrossRestores) {
  for (const Program& program : bench_programs()) {
    SCOPED_TRACE(program.name);
    RunResult whole;
    uint64_t total_gas = 0;
    {
      ProgramVm vm(program);
      std::optional<Instance> instance = vm.instantiate();
      ASSERT_TRUE(instance.has_value());
      whole = finished_run(instance->call("_start", {}), *instance, *vm.output, 1);
      total_gas = whole.gas;
    }
    const uint64_t slice = total_gas / 23 + 1;
    ProgramVm first(program);
    std::optional<Instance> instance = first.instantiate();
    ASSERT_TRUE(instance.has_value());
    Result<Outcome> out = instance->call("_start", {}, suspend_after(slice));
    std::vector<std::unique_ptr<ProgramVm>> vms;
    std::string output;
    uint64_t restores = 0;
    while (out.ok() && out->suspended()) {
      auto bytes = instance->snapshot();
      ASSERT_TRUE(bytes.ok()) << bytes.error().message;
      output = *(vms.empty() ? first.output : vms.back()->output);
      vms.push_back(std::make_unique<ProgramVm>(program));
      *vms.back()->output = output;  // (what the program printed before)
      auto restored = vms.back()->linker.restore(*vms.back()->module, *bytes);
      ASSERT_TRUE(restored.ok()) << restored.error().message;
      instance = *restored;
      ++restores;
      ResumeOptions more;
      more.gas_limit = slice;
      out = instance->resume(more);
    }
    RunResult result =
        finished_run(out, *instance, *(vms.empty() ? first.output : vms.back()->output), restores);
    EXPECT_EQ(result, whole);
    EXPECT_GE(restores, 20u);
  }
}

}  // namespace
}  // namespace waspvm::api_test
