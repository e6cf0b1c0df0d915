// Between the interpreter loop (interpreter.cc) and the calls that drive it
// (calls.cc): one run of the interpreter over an instance's stacks.
#pragma once
#include <cstddef>
#include <vector>

#include "exec/interpreter.h"

namespace waspvm {

// One run: its budget, limits and how it may stop.
struct RunContext {
  size_t entry_depth = 0;  // the run ends when frames[entry_depth] returns
  const InstanceLimits* limits = nullptr;
  bool metering = false;
  const GasCosts* costs = nullptr;  // per-unit costs (metering)
  // In and out; while the handlers run, they keep it in a register and store
  // it here before code outside them (host calls, stops) runs.
  uint64_t gas_left = kUnlimitedGas;
  OutOfGas on_out_of_gas = OutOfGas::Trap;
  bool can_suspend = false;             // a call made by the embedder, not nested
  InterruptState* interrupt = nullptr;  // the entry instance's
  bool host_out_of_gas = false;         // Caller::charge_gas failed
  StopState stop;
};

// Runs the frames above run.entry_depth until the entry frame returns (true),
// or a trap or suspension (false: run.stop says which; the frames stay in
// place, st.depth counting them).
bool execute(ExecStack& st, RunContext& run);

// Pushes a frame of wasm function `func` at slot `base` and zeroes its
// declared locals; the caller has set the arguments. False (stop.code set)
// beyond the limits.
bool push_frame(ExecStack& st, const FuncInst* func, uint64_t base, const InstanceLimits& limits,
                StopState& stop);

// The innermost run on this thread, while a host function it called runs.
RunContext* running_call();

// Runs a host function's body. A C++ exception it throws does not leave it:
// `threw` is set and the error names the exception (the call then traps with
// TrapCode::HostTrap), so no interpreter state is left half undone.
Result<void> call_host_function(const FuncInst& func, Caller& caller, std::span<const Value> args,
                                std::span<Value> results, bool& threw);

}  // namespace waspvm
