// The interpreter: runs internal code with explicit frame and value stacks.
// wasm->wasm calls never recurse natively; host->wasm re-entry nests once per
// host call (bounded by InstanceLimits::max_host_reentry).
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "exec/isa.h"
#include "runtime/objects.h"

namespace waspvm {

struct Frame {
  const FuncInst* func;  // a wasm function
  // Where the function continues: for a caller, the instruction after its
  // call; for the top frame of a suspended call, the instruction to run next;
  // for a trapped frame, one word past the start of the trapping instruction.
  // Points into func->code->code, which never moves.
  const CodeWord* pc;
  uint64_t base;  // index of slot 0 of this frame in ExecStack::slots
};

// Where a host function that yielded left its call: its results go to
// slots [results_base, ...); after a tail call to it, they also return from
// the frame that made the tail call.
struct HostYield {
  const FuncInst* host = nullptr;
  uint64_t results_base = 0;
  bool after_tail_call = false;
};

// A call that stopped at a safe point and can continue (Instance::resume).
struct Suspension {
  const FuncInst* func = nullptr;  // the function the call entered: its results
  SuspendReason reason = SuspendReason::OutOfGas;
  OutOfGas on_out_of_gas = OutOfGas::Trap;
  uint64_t gas_left = 0;        // the unspent budget, carried into the resume
  uint64_t total_gas_used = 0;  // since the call began
  HostYield yield;              // reason == HostYield
};

// The stacks of one instance's calls. `frames` is storage: the live frames are
// frames[0, depth); the interpreter grows both vectors (and checks the limits)
// only when a call does not fit.
struct ExecStack {
  std::vector<uint64_t> slots;
  std::vector<Frame> frames;
  size_t depth = 0;
  std::optional<Suspension> suspension;  // the suspended call, if any
  // After a trap: the trapped frames stay in frames[0, trapped_depth) until
  // the next call, for Instance::inspect.
  size_t trapped_depth = 0;
  std::optional<Trap> last_trap;
};

// An instance's interrupt requests (InterruptHandle::interrupt, any thread).
// The interpreter checks a flag inside its own state (one load at a safe
// point); while a run goes on, `running` points at that flag, and a request
// sets it directly. A request no run has consumed stays in `requested`.
struct InterruptState {
  std::mutex mutex;
  bool requested = false;                // guarded by mutex
  std::atomic<bool>* running = nullptr;  // the innermost run's flag; guarded by mutex
};

// Why a run of the interpreter stopped early: a trap, or a suspension.
struct StopState {
  bool suspended = false;
  SuspendReason reason = SuspendReason::OutOfGas;
  TrapCode code = TrapCode::Unreachable;
  std::string message;    // empty: the code's message
  int32_t exit_code = 0;  // code == Exit
  HostYield yield;        // reason == HostYield
};

// Calls `func` (wasm or host) with `args` (already checked against its type).
// A call made while a host function runs (re-entry) shares the running
// call's gas and cannot suspend.
Outcome invoke(const FuncInst* func, std::span<const Value> args, const CallOptions& options = {});
// Continues the suspended call of `inst`; results of a yielding host function
// are already checked against its type.
Result<Outcome> resume_call(InstanceImpl* inst, const ResumeOptions& options,
                            std::span<const Value> host_results);
// The wasm byte offset of the instruction a frame is at. `stopped_before`:
// its pc is the instruction it stopped before (the top frame of a suspended
// call); otherwise the pc is one word past a trapping instruction or a
// return address, and one word back is inside the instruction.
uint32_t frame_wasm_offset(const Frame& frame, bool stopped_before);
// The slots the live frames use: up to the end of the frame that reaches
// highest (a caller's frame can reach past its callee's).
uint64_t slots_in_use(const ExecStack& st);
// What each of the first `used` (slots_in_use) slots of a suspended call's
// stack holds, from the slot maps of its frames' functions: a frame owns the
// slots from its base to its callee's base. When no frame's function may
// hold references, every slot is a number (as before slot maps). An error when such a
// frame stands where its function has no slot map (a corrupt snapshot).
Result<std::vector<SlotKind>> suspended_slot_kinds(const ExecStack& st, uint64_t used);
// Which of `total` frames, innermost first, a report (a trap's backtrace,
// an inspection) keeps when it may keep `limit`: the first `head` and the
// last `tail`; the `omitted` ones between them are only counted.
struct FrameWindow {
  size_t head = 0, tail = 0, omitted = 0;
  size_t omitted_at() const { return omitted > 0 ? head : 0; }  // where the omitted ones would come
  // Calls f(k) for each frame kept, k = 0 the innermost, in order.
  template <class F>
  void for_each_kept(size_t total, F&& f) const {
    for (size_t k = 0; k < head; ++k) f(k);
    for (size_t k = total - tail; k < total; ++k) f(k);
  }
};
FrameWindow frame_window(size_t total, size_t limit);
// The value types of a wasm function's locals: parameters, then declared.
std::vector<ValType> local_types(const FuncInst& func);

}  // namespace waspvm
