// Snapshots and clones of calls stopped in frames that hold references
// (ref_frames.wat): function references and externrefs on the operand stack
// and in locals, at gas stops, interrupts, host yields and per-element
// charges. Moved at every stop into a fresh engine (as another process
// would) or into a clone, each call must end as it does when left alone.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "api_test_util.h"

namespace waspvm::api_test {
namespace {

constexpr uint64_t kPlenty = uint64_t{1} << 50;
constexpr uint64_t kExternToken = 0x5a5a'5a5a;  // tokens differ from the host values

// What the host answers to every yield of `wait`.
const std::vector<Value> kWaitResult = {Value::i32(5)};

struct RefVm {
  RefVm() : engine(config()), linker(engine) {
    linker.func("host", "wait", [](Caller& caller, int32_t) -> Result<int32_t> { return caller.yield(); });
    auto compiled = compile_test_module(engine, "ref_frames");
    EXPECT_TRUE(compiled.ok()) << compiled.error().message;
    module.emplace(std::move(*compiled));
  }
  static Config config() {
    Config c;
    c.metering = true;
    return c;
  }
  Engine engine;
  Linker linker;
  std::optional<Module> module;
};

SnapshotOptions encoding() {
  SnapshotOptions options;
  options.encode_externref = [](uint64_t value) -> Result<uint64_t> { return value ^ kExternToken; };
  return options;
}

RestoreOptions decoding() {
  RestoreOptions options;
  options.decode_externref = [](uint64_t token) -> Result<uint64_t> { return token ^ kExternToken; };
  return options;
}

enum class Move { Stay, Snapshot, Clone };

struct CallEnd {
  std::vector<Value> values;
  uint64_t total_gas = 0;
  std::vector<uint8_t> state;  // an idle snapshot after the call
  uint64_t out_of_gas = 0, interrupted = 0, yields = 0;
};

// Runs `name`: left alone (one budget, yields answered), or stopping at
// every block's charge and, alternately, at the next safe point, moving the
// call at each stop into a restored snapshot or a clone.
CallEnd run_call(const char* name, const std::vector<Value>& args, Move move) {
  std::vector<std::unique_ptr<RefVm>> vms;
  vms.push_back(std::make_unique<RefVm>());
  std::optional<Instance> instance = vms.back()->linker.instantiate(*vms.back()->module).value();
  CallEnd end;
  CallOptions first;
  first.gas_limit = move == Move::Stay ? kPlenty : 1;
  first.on_out_of_gas = OutOfGas::Suspend;
  Result<Outcome> out = instance->call(name, args, first);
  for (uint64_t stop = 1; out.ok() && out->suspended(); ++stop) {
    SuspendReason reason = out->suspend_reason();
    ++(reason == SuspendReason::OutOfGas      ? end.out_of_gas
       : reason == SuspendReason::Interrupted ? end.interrupted
                                              : end.yields);
    if (move == Move::Snapshot) {
      auto bytes = instance->snapshot(encoding());
      EXPECT_TRUE(bytes.ok()) << "stop " << stop << ": " << bytes.error().message;
      if (!bytes.ok()) return end;
      vms.push_back(std::make_unique<RefVm>());
      auto restored = vms.back()->linker.restore(*vms.back()->module, *bytes, decoding());
      EXPECT_TRUE(restored.ok()) << "stop " << stop << ": " << restored.error().message;
      if (!restored.ok()) return end;
      instance = *restored;  // the original is dropped
    } else if (move == Move::Clone) {
      auto clone = instance->clone();
      EXPECT_TRUE(clone.ok()) << clone.error().message;
      if (!clone.ok()) return end;
      instance->cancel();
      instance = *clone;
    }
    std::span<const Value> host_results;
    if (reason == SuspendReason::HostYield) host_results = kWaitResult;
    ResumeOptions more;
    more.gas_limit = move == Move::Stay ? kPlenty : 1;
    if (move != Move::Stay && stop % 2 == 1) {
      instance->interrupt_handle().interrupt();
      more.gas_limit = 3;
    }
    out = instance->resume(more, host_results);
  }
  EXPECT_TRUE(out.ok() && out->returned()) << (out.ok() ? "it did not return" : out.error().message);
  if (!out.ok() || !out->returned()) return end;
  end.values = out->values();
  end.total_gas = out->total_gas_used();
  end.state = instance->snapshot(encoding()).value();
  return end;
}

void expect_same_end(const CallEnd& moved, const CallEnd& alone) {
  ASSERT_EQ(moved.values.size(), alone.values.size());
  for (size_t i = 0; i < alone.values.size(); ++i) {
    EXPECT_EQ(moved.values[i].type(), alone.values[i].type());
    EXPECT_EQ(moved.values[i].bits(), alone.values[i].bits()) << "result " << i;
  }
  EXPECT_EQ(moved.total_gas, alone.total_gas);
  EXPECT_EQ(moved.state, alone.state) << "memory, tables and globals after the call";
}

TEST(SnapshotRefs, FunctionReferencesOnTheStackSurviveEveryStop) {
  const std::vector<Value> args = {Value::i32(12)};
  for (const char* name : {"funcs", "branches"}) {
    SCOPED_TRACE(name);
    CallEnd alone = run_call(name, args, Move::Stay);
    ASSERT_EQ(alone.values.size(), 1u);
    for (Move move : {Move::Snapshot, Move::Clone}) {
      CallEnd moved = run_call(name, args, move);
      expect_same_end(moved, alone);
      EXPECT_GE(moved.out_of_gas, 50u);
      EXPECT_GE(moved.interrupted, 50u);
    }
  }
}

TEST(SnapshotRefs, YieldsAndTableGrowKeepTheirReferences) {
  const uint64_t host_value = 0x1234'5678'9abc;
  const std::vector<Value> args = {Value::i32(9), Value::externref(host_value)};
  CallEnd alone = run_call("yields", args, Move::Stay);
  ASSERT_EQ(alone.values.size(), 2u);
  EXPECT_EQ(alone.values[1].bits(), host_value);
  EXPECT_EQ(alone.yields, 2u);
  for (Move move : {Move::Snapshot, Move::Clone}) {
    CallEnd moved = run_call("yields", args, move);
    expect_same_end(moved, alone);
    EXPECT_EQ(moved.yields, 2u);
    EXPECT_GE(moved.out_of_gas, 20u);
  }
}

// Slots that hold no live value keep whatever was there before (a callee's
// function reference left above its caller's operands, a value a branch
// copied down). They are written as 0, and references by index, so two
// engines (where functions sit at other addresses) stopped at the same
// points write the same bytes.
TEST(SnapshotRefs, TwoEnginesWriteTheSameBytesAtEveryStop) {
  for (const char* name : {"funcs", "branches"}) {
    SCOPED_TRACE(name);
    RefVm one, two;
    Instance a = one.linker.instantiate(*one.module).value();
    Instance b = two.linker.instantiate(*two.module).value();
    const std::vector<Value> args = {Value::i32(6)};
    CallOptions first;
    first.gas_limit = 1;
    first.on_out_of_gas = OutOfGas::Suspend;
    Result<Outcome> out_a = a.call(name, args, first), out_b = b.call(name, args, first);
    uint64_t stops = 0;
    for (; out_a.ok() && out_a->suspended(); ++stops) {
      ASSERT_TRUE(out_b.ok() && out_b->suspended());
      auto bytes_a = a.snapshot(encoding()), bytes_b = b.snapshot(encoding());
      ASSERT_TRUE(bytes_a.ok() && bytes_b.ok());
      ASSERT_EQ(*bytes_a, *bytes_b) << "stop " << stops;
      ResumeOptions more;  // alternately: one unit of gas, or the next safe point
      more.gas_limit = 1;
      if (stops % 2 == 1) {
        a.interrupt_handle().interrupt();
        b.interrupt_handle().interrupt();
        more.gas_limit = 3;
      }
      out_a = a.resume(more);
      out_b = b.resume(more);
    }
    EXPECT_GE(stops, 100u);
  }
}

// An externref on the stack without an encoding hook is refused, clearly.
TEST(SnapshotRefs, AnExternrefOnTheStackNeedsTheEncodingHook) {
  RefVm vm;
  Instance instance = vm.linker.instantiate(*vm.module).value();
  Result<Outcome> out = instance.call("yields", std::vector<Value>{Value::i32(2), Value::externref(77)});
  ASSERT_TRUE(out.ok() && out->suspended());
  ASSERT_TRUE(
      instance.resume({}, kWaitResult)->suspended());  // the second yield: the externref is on the stack
  auto refused = instance.snapshot();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("encode_externref"), std::string::npos) << refused.error().message;
  auto bytes = instance.snapshot(encoding());
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  RefVm elsewhere;
  auto without_hook = elsewhere.linker.restore(*elsewhere.module, *bytes);
  ASSERT_FALSE(without_hook.ok());
  EXPECT_NE(without_hook.error().message.find("decode_externref"), std::string::npos);
  auto restored = elsewhere.linker.restore(*elsewhere.module, *bytes, decoding());
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  Result<Outcome> done = restored->resume({}, kWaitResult);
  ASSERT_TRUE(done.ok() && done->returned());
  EXPECT_EQ(done->values()[1].bits(), 77u);
}

}  // namespace
}  // namespace waspvm::api_test
