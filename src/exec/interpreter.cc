// The interpreter loop. Handler bodies are written once (exec/handlers.inc)
// and dispatched three ways, chosen at compile time:
//   tail     each handler is a function that ends in a guaranteed tail call
//            ([[clang::musttail]]) to the next one: Clang's default;
//   goto     one function with a label per handler, computed goto (GCC);
//   switch   a portable loop around a switch (-DWASP_SWITCH_DISPATCH).
// The hot state (pc, fp, memory base and size) is in local variables or,
// with tail calls, in the handlers' arguments, so in registers either way;
// the rest is in a Machine.
#include "exec/interpreter.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <new>

#include "exec/execute.h"
#include "exec/slots.h"
#include "numeric/numeric.h"

#if defined(WASP_SWITCH_DISPATCH)
#define WASP_DISPATCH_SWITCH 1
#elif defined(__clang__) && defined(__has_cpp_attribute) && !defined(WASP_NO_TAIL_CALLS)
#if __has_cpp_attribute(clang::musttail)
#define WASP_DISPATCH_TAIL 1
#else
#define WASP_DISPATCH_GOTO 1
#endif
#elif defined(__GNUC__)
#define WASP_DISPATCH_GOTO 1
#else
#define WASP_DISPATCH_SWITCH 1
#endif

namespace waspvm {

namespace {

// Nesting of host -> wasm calls on this thread (each nests the native stack).
thread_local uint32_t t_host_depth = 0;
// The innermost call running on this thread (for host functions: its gas).
thread_local RunContext* t_running = nullptr;

// One more level of host -> wasm nesting while a host function runs; undone
// however the host function ends.
struct HostDepthScope {
  HostDepthScope() { ++t_host_depth; }
  ~HostDepthScope() { --t_host_depth; }
  HostDepthScope(const HostDepthScope&) = delete;
  HostDepthScope& operator=(const HostDepthScope&) = delete;
};

// What handlers need besides the registers. Pointers into the stacks are
// recomputed whenever the stacks may have moved (growth, host calls).
struct Machine {
  ExecStack* st;
  Frame* frames;        // st->frames.data()
  Frame* frame;         // the running function's frame
  Frame* frames_limit;  // a call whose frame would be here takes the slow path
  size_t entry_depth;   // returning from frames[entry_depth] ends execute()
  Frame* entry_frame;   // frames + entry_depth
  uint64_t* slots;      // st->slots.data()
  uint64_t* slots_end;
  InstanceImpl* inst;  // the running function's instance
  FuncInst* const* funcs;
  GlobalInst* const* globals;
  const uint32_t* type_ids;  // canonical ids of the module's types
  // Memory 0's base and size (which memory.grow changes), or kNoMemory's;
  // and their values, kept current (refresh_memory) where they can change:
  // memory.grow, host calls, another instance.
  uint8_t* const* memory_data;
  const uint64_t* memory_size;
  uint8_t* mem_base;
  uint64_t mem_bytes;
  std::atomic<bool> interrupt;  // set from other threads (InterruptState::running)
  RunContext* run;
  const FuncInst* callee;  // for the slow path of a call
};

struct NoMemory {
  uint8_t* data = nullptr;
  uint64_t size = 0;
};
constinit NoMemory kNoMemory;

void refresh_memory(Machine* m) {
  m->mem_base = *m->memory_data;
  m->mem_bytes = *m->memory_size;
}

void enter_instance(Machine* m, InstanceImpl* inst) {
  m->inst = inst;
  m->funcs = inst->funcs.data();
  m->globals = inst->globals.data();
  m->type_ids = inst->module->type_ids.data();
  if (inst->memories.empty()) {
    m->memory_data = &kNoMemory.data;
    m->memory_size = &kNoMemory.size;
  } else {
    m->memory_data = &inst->memories[0]->data;
    m->memory_size = &inst->memories[0]->size;
  }
  refresh_memory(m);
}

// Recomputes the pointers into the stacks from st->depth (after growth, or a
// host call that may have re-entered and grown them).
void attach_stacks(Machine* m) {
  ExecStack& st = *m->st;
  m->frames = st.frames.data();
  m->frame = m->frames + st.depth - 1;
  m->entry_frame = m->frames + m->entry_depth;
  m->frames_limit = m->frames + std::min<size_t>(st.frames.size(), m->run->limits->max_call_depth);
  m->slots = st.slots.data();
  m->slots_end = m->slots + st.slots.size();
}

void sync_depth(Machine* m) { m->st->depth = static_cast<size_t>(m->frame - m->frames) + 1; }

// Makes room for `frames` frames and a frame of `slots_needed` slots from the
// bottom, within the limits. Pointers into the stacks move.
bool reserve_stacks(ExecStack& st, size_t frames, uint64_t slots_needed, const InstanceLimits& limits,
                    StopState& stop) {
  if (frames > limits.max_call_depth) {
    stop.code = TrapCode::CallStackExhausted;
    return false;
  }
  if (slots_needed > limits.max_value_stack_slots) {
    stop.code = TrapCode::ValueStackExhausted;
    return false;
  }
  try {
    // Small first stacks (16 frames, 128 slots: 1.4 KiB), doubled as calls
    // need: most instances of a service make shallow calls, and first stacks
    // of 9.5 KiB (fresh heap pages) cost more than instantiating did
    // (docs/architecture.md, "Startup and teardown costs").
    if (frames > st.frames.size()) {
      size_t grown = std::max<size_t>({frames, st.frames.size() * 2, 16});
      st.frames.resize(std::min<size_t>(grown, limits.max_call_depth));
    }
    if (slots_needed > st.slots.size() || st.slots.empty()) {  // (never empty: fp is never null)
      uint64_t grown = std::max<uint64_t>({slots_needed, st.slots.size() * 2, 128});
      st.slots.resize(std::min<uint64_t>(grown, limits.max_value_stack_slots));
    }
  } catch (const std::bad_alloc&) {
    // The stacks keep their contents (resize gives the strong guarantee).
    stop.code = TrapCode::CallStackExhausted;
    stop.message = "call stack exhausted (out of host memory)";
    return false;
  }
  return true;
}

// Calls a host function whose arguments are in slots [base, base + params);
// its results are written to [base, base + results). A yield (when the call
// can suspend) stops with m->run->stop.suspended set; the results come with resume.
bool call_host(Machine* m, const FuncInst* func, uint64_t base) {
  StopState& stop = m->run->stop;
  if (t_host_depth >= m->run->limits->max_host_reentry) {
    stop.code = TrapCode::CallStackExhausted;
    stop.message = "call stack exhausted (host re-entry limit)";
    return false;
  }
  ExecStack& st = *m->st;
  const FuncType& type = func->type;
  // Arguments and results on the native stack when they fit (every WASI
  // function does): no allocation per host call.
  constexpr size_t kInline = 8;
  Value inline_args[kInline];
  Value inline_results[kInline];
  std::vector<Value> heap_args, heap_results;
  std::span<Value> args(inline_args, type.params.size());
  std::span<Value> results(inline_results, type.results.size());
  if (type.params.size() > kInline) {
    heap_args.resize(type.params.size());
    args = heap_args;
  }
  if (type.results.size() > kInline) {
    heap_results.resize(type.results.size());
    results = heap_results;
  }
  for (size_t i = 0; i < args.size(); ++i) args[i] = Value::from_bits(type.params[i], st.slots[base + i]);
  for (size_t i = 0; i < results.size(); ++i) results[i] = Value::null(type.results[i]);
  Caller caller(m->inst);
  RunContext& run = *m->run;
  run.host_out_of_gas = false;
  bool threw = false;
  Result<void> r = Error{};
  {
    HostDepthScope nested;
    r = call_host_function(*func, caller, args, results, threw);
  }
  if (threw) {
    stop.code = TrapCode::HostTrap;
    stop.message = r.error().message;
    return false;
  }
  if (!r.ok()) {
    if (caller.yield_requested() && run.can_suspend) {
      stop.suspended = true;
      stop.reason = SuspendReason::HostYield;
      stop.yield.host = func;
      stop.yield.results_base = base;
      return false;
    }
    stop.code = caller.exit_requested()    ? TrapCode::Exit
                : caller.yield_requested() ? TrapCode::YieldNotAllowed
                : run.host_out_of_gas      ? TrapCode::OutOfGas
                                           : TrapCode::HostTrap;
    stop.exit_code = caller.exit_requested().value_or(0);
    stop.message = stop.code == TrapCode::HostTrap ? r.error().message : "";
    return false;
  }
  for (size_t i = 0; i < results.size(); ++i)
    st.slots[base + i] = slot_of(type.results[i], results[i].bits());
  return true;
}

// A call the inline path does not take: a host function, another instance,
// or stacks that must grow (or are at their limit). The caller's frame holds
// its return pc. On success m->frame is the frame to run next (the callee,
// or the caller again after a host function).
[[gnu::noinline]] bool call_slow(Machine* m, const FuncInst* callee, uint64_t base) {
  ExecStack& st = *m->st;
  sync_depth(m);
  if (callee->is_host()) {
    bool ok = call_host(m, callee, base);
    attach_stacks(m);
    refresh_memory(m);  // the host may have grown it
    return ok;
  }
  bool ok = push_frame(st, callee, base, *m->run->limits, m->run->stop);
  attach_stacks(m);
  if (ok) enter_instance(m, callee->instance);
  return ok;
}

// return_call: the arguments are at slot 0 of the current frame, which the
// callee replaces. Returns false on a trap or suspension; *done when the tail
// call was to a host function from the entry frame (execute() ends).
[[gnu::noinline]] bool tail_call_slow(Machine* m, const FuncInst* callee, const CodeWord* pc, bool* done) {
  ExecStack& st = *m->st;
  uint64_t base = m->frame->base;
  if (callee->is_host()) {
    m->frame->pc = pc + 1;
    sync_depth(m);
    bool ok = call_host(m, callee, base);
    attach_stacks(m);
    refresh_memory(m);
    if (!ok) {
      m->run->stop.yield.after_tail_call = m->run->stop.suspended;
      return false;
    }
    // Return from the current frame with the host function's results.
    if (m->frame == m->entry_frame) {
      st.depth = m->entry_depth;
      *done = true;
      return true;
    }
    --m->frame;
    enter_instance(m, m->frame->func->instance);
    return true;
  }
  sync_depth(m);
  const Frame caller_frame = *m->frame;
  --st.depth;
  if (!push_frame(st, callee, base, *m->run->limits, m->run->stop)) {
    // Leave the caller's frame in place for the backtrace.
    st.frames[st.depth++] = Frame{caller_frame.func, pc + 1, base};
    attach_stacks(m);
    return false;
  }
  attach_stacks(m);
  enter_instance(m, callee->instance);
  return true;
}

// A trap (m->run->stop already says which) at the instruction `pc` of the running
// frame.
[[gnu::noinline]] bool raise(Machine* m, const CodeWord* pc) {
  m->frame->pc = pc + 1;
  sync_depth(m);
  return false;
}

// A trap or suspension already recorded by a slow path; the frames are in place.
[[gnu::noinline]] bool raised(Machine* m) {
  sync_depth(m);
  return false;
}

// Stops before the instruction at `pc`, which runs first when the call resumes.
[[gnu::noinline]] bool suspend(Machine* m, const CodeWord* pc, SuspendReason reason) {
  m->run->stop.suspended = true;
  m->run->stop.reason = reason;
  m->frame->pc = pc;
  sync_depth(m);
  return false;
}

// The budget cannot pay for the instruction at pc (a block's charge, or the
// per-unit charge of a bulk operation): suspend before it, or trap.
[[gnu::noinline]] bool out_of_gas(Machine* m, const CodeWord* pc) {
  if (m->run->on_out_of_gas == OutOfGas::Suspend && m->run->can_suspend)
    return suspend(m, pc, SuspendReason::OutOfGas);
  m->run->stop.code = TrapCode::OutOfGas;
  return raise(m, pc);
}

// An interrupt request met at the safe point at pc: consume it and suspend
// (or trap, in a call that cannot suspend).
// A nested call leaves the request for the call it is nested in.
[[gnu::noinline]] bool interrupted(Machine* m, const CodeWord* pc) {
  if (m->run->can_suspend) {
    std::lock_guard<std::mutex> lock(m->run->interrupt->mutex);
    m->run->interrupt->requested = false;
    m->interrupt.store(false, std::memory_order_relaxed);
    return suspend(m, pc, SuspendReason::Interrupted);
  }
  m->run->stop.code = TrapCode::Interrupted;
  return raise(m, pc);
}

WASP_ALWAYS_INLINE bool interrupt_pending(const Machine* m) {
  return m->interrupt.load(std::memory_order_relaxed);
}

// `units` at `per_unit` gas each, saturating.
uint64_t units_cost(uint64_t units, uint64_t per_unit) {
  uint64_t cost;
  return __builtin_mul_overflow(units, per_unit, &cost) ? UINT64_MAX : cost;
}

// Charges the per-unit gas of a bulk operation; false if the budget cannot pay.
WASP_ALWAYS_INLINE bool charge_units(Machine* m, uint64_t units, uint32_t GasCosts::*per_unit,
                                     uint64_t& gas) {
  if (!m->run->metering) return true;
  uint64_t cost = units_cost(units, m->run->costs->*per_unit);
  if (cost > gas) return false;
  gas -= cost;
  return true;
}

// The callee of call_indirect / return_call_indirect: the element `index`
// of `table` if it is a function of canonical type `type_id`, else null.
WASP_ALWAYS_INLINE const FuncInst* indirect_callee(const TableInst* table, uint32_t index, uint32_t type_id) {
  if (index >= table->elems.size()) return nullptr;
  auto* callee = reinterpret_cast<const FuncInst*>(static_cast<uintptr_t>(table->elems[index]));
  return callee != nullptr && callee->type_id == type_id ? callee : nullptr;
}

// Records why indirect_callee gave null.
[[gnu::noinline]] void indirect_call_trap(const TableInst* table, uint32_t index, StopState& trap) {
  if (index >= table->elems.size())
    trap.code = TrapCode::UndefinedElement;
  else if (table->elems[index] == 0)
    trap.code = TrapCode::UninitializedElement;
  else
    trap.code = TrapCode::IndirectCallTypeMismatch;
  // The spec's messages for element traps name the element index.
  if (trap.code != TrapCode::IndirectCallTypeMismatch)
    trap.message = std::string(trap_message(trap.code)) + " " + std::to_string(index);
}

// Zeroes [p, end) with a plain loop, not memset: functions have few locals,
// and a library call would make the call handler save registers. (The empty
// asm hides the loop from the compiler's memset idiom recognition.)
WASP_ALWAYS_INLINE void zero_slots(uint64_t* p, uint64_t* end) {
  while (p < end) {
    *p++ = 0;
#if defined(__GNUC__)
    __asm__("" : "+r"(p));
#endif
  }
}

inline bool in_bounds(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

// ---- Dispatch ------------------------------------------------------------------
// Handlers see pc, fp, mem, mem_size and m, and end with NEXT() (run the
// instruction at pc), TRAP(code), SLOW_PATH(name) (continue in the slow
// handler `name`, which reads its inputs from the registers and m), or
// `return true` (execute() is done). Slow paths keep the rare work out of the
// hot handlers: with tail calls, a handler that makes no call needs no stack
// frame and saves no registers.

#define TRAP(c)              \
  do {                       \
    m->run->stop.code = (c); \
    SLOW_PATH(SlowTrap);     \
  } while (0)
// At a safe point (iop_is_safe_point): an interrupt request stops the call
// before the instruction does anything.
#define SAFE_POINT_CHECK(name)                          \
  if constexpr (iop_is_safe_point(IOp::name)) {         \
    if (interrupt_pending(m)) SLOW_PATH(SlowInterrupt); \
  }
#define RELOAD_REGISTERS()          \
  do {                              \
    pc = m->frame->pc;              \
    fp = m->slots + m->frame->base; \
    mem = m->mem_base;              \
    mem_size = m->mem_bytes;        \
  } while (0)

#if WASP_DISPATCH_TAIL

using Handler = bool (*)(const CodeWord* pc, uint64_t* fp, uint8_t* mem, uint64_t mem_size, Machine* m,
                         uint64_t gas);
// Each handler on a cache line of its own: handlers sharing lines made the
// branch predictor of the AMD EPYC machines here slower by up to 2x.
#define HANDLER_PARAMETERS                                                                           \
  [[maybe_unused]] const CodeWord *pc, [[maybe_unused]] uint64_t *fp, [[maybe_unused]] uint8_t *mem, \
      [[maybe_unused]] uint64_t mem_size, [[maybe_unused]] Machine *m, [[maybe_unused]] uint64_t gas
#define DECLARE_HANDLER(name) [[gnu::aligned(64)]] bool h_##name(HANDLER_PARAMETERS)
// The handler proper checks for an interrupt at a safe point, then runs the
// body (inlined: the same code as a handler written in one piece).
#define HANDLER(name)                                                      \
  WASP_ALWAYS_INLINE bool body_##name(HANDLER_PARAMETERS);                 \
  DECLARE_HANDLER(name) {                                                  \
    SAFE_POINT_CHECK(name)                                                 \
    [[clang::musttail]] return body_##name(pc, fp, mem, mem_size, m, gas); \
  }                                                                        \
  WASP_ALWAYS_INLINE bool body_##name(HANDLER_PARAMETERS)
#define HANDLER_INVALID DECLARE_HANDLER(Invalid)
#define SLOW_HANDLER(name) [[gnu::noinline]] DECLARE_HANDLER(name)
#define NEXT() [[clang::musttail]] return kHandlers[*pc](pc, fp, mem, mem_size, m, gas)
#define SLOW_PATH(name) [[clang::musttail]] return h_##name(pc, fp, mem, mem_size, m, gas)

#define ENTRY(name) DECLARE_HANDLER(name);
#include "exec/handler_list.inc"
DECLARE_HANDLER(Invalid);
DECLARE_HANDLER(SlowTrap);
DECLARE_HANDLER(SlowCall);
DECLARE_HANDLER(SlowIndirectCallTrap);
DECLARE_HANDLER(SlowReturnToInstance);
DECLARE_HANDLER(SlowReturnMany);
DECLARE_HANDLER(SlowOutOfGas);
DECLARE_HANDLER(SlowInterrupt);
#undef ENTRY

#define ENTRY(name) &h_##name,
const Handler kHandlers[] = {
#include "exec/handler_list.inc"
};
#undef ENTRY
static_assert(sizeof(kHandlers) / sizeof(kHandlers[0]) == static_cast<size_t>(IOp::Count));

#include "exec/handlers.inc"
#endif

bool run_loop(Machine* m) {
  const CodeWord* pc;
  uint64_t* fp;
  uint8_t* mem;
  uint64_t mem_size;
  uint64_t gas = m->run->gas_left;
  RELOAD_REGISTERS();
#if WASP_DISPATCH_TAIL
  return kHandlers[*pc](pc, fp, mem, mem_size, m, gas);
#else  // goto or switch: the handlers are in this function
#define SLOW_HANDLER(name) L_##name:
#define SLOW_PATH(name) goto L_##name
#if WASP_DISPATCH_GOTO
#define ENTRY(name) &&L_##name,
  static const void* const kLabels[] = {
#include "exec/handler_list.inc"
  };
#undef ENTRY
  static_assert(sizeof(kLabels) / sizeof(kLabels[0]) == static_cast<size_t>(IOp::Count));
// clang-format off
#define HANDLER(name) L_##name: SAFE_POINT_CHECK(name)
#define HANDLER_INVALID L_Invalid:
// clang-format on
#define NEXT() goto* kLabels[*pc]
  NEXT();
#include "exec/handlers.inc"
#else
// clang-format off
#define HANDLER(name) case IOp::name: SAFE_POINT_CHECK(name)
#define HANDLER_INVALID default:
// clang-format on
#define NEXT() continue
  for (;;) {
    switch (static_cast<IOp>(*pc)) {
#include "exec/handlers.inc"
    }
  }
#endif
#endif
}

#undef HANDLER
#undef HANDLER_INVALID
#undef SAFE_POINT_CHECK
#undef SLOW_HANDLER
#undef SLOW_PATH
#undef NEXT
#undef TRAP
#undef RELOAD_REGISTERS

}  // namespace

bool push_frame(ExecStack& st, const FuncInst* func, uint64_t base, const InstanceLimits& limits,
                StopState& stop) {
  const CompiledFunc& code = *func->code;
  if (!reserve_stacks(st, st.depth + 1, base + code.frame_slots, limits, stop)) return false;
  uint64_t* fp = st.slots.data() + base;
  std::fill(fp + code.num_params, fp + code.num_locals, 0);
  st.frames[st.depth++] = Frame{func, code.code.data(), base};
  return true;
}

RunContext* running_call() { return t_running; }

namespace {

// While a run goes on: it is this thread's running call, and its Machine's
// flag receives the instance's interrupt requests. Undone however the run
// ends (an exception from the host's allocator included), so no thread-local
// or interrupt state outlives it.
class RunScope {
 public:
  RunScope(Machine& machine, RunContext& run) : machine_(machine), run_(run), outer_run_(t_running) {
    InterruptState& interrupts = *run.interrupt;
    std::lock_guard<std::mutex> lock(interrupts.mutex);
    machine.interrupt.store(interrupts.requested, std::memory_order_relaxed);
    outer_flag_ = interrupts.running;
    interrupts.running = &machine.interrupt;
    t_running = &run;
  }
  ~RunScope() {
    t_running = outer_run_;
    InterruptState& interrupts = *run_.interrupt;
    std::lock_guard<std::mutex> lock(interrupts.mutex);
    interrupts.running = outer_flag_;
    if (outer_flag_ != nullptr) {
      // A nested run leaves a request it did not consume to the run it is nested in.
      if (machine_.interrupt.load(std::memory_order_relaxed)) {
        interrupts.requested = true;
        outer_flag_->store(true, std::memory_order_relaxed);
      }
    } else if (run_.stop.suspended) {
      // The call goes on later: a request not yet met stops its resume.
      interrupts.requested = interrupts.requested || machine_.interrupt.load(std::memory_order_relaxed);
    } else {
      // The call ended (returned or trapped): it consumed any request.
      interrupts.requested = false;
    }
  }
  RunScope(const RunScope&) = delete;
  RunScope& operator=(const RunScope&) = delete;

 private:
  Machine& machine_;
  RunContext& run_;
  RunContext* outer_run_;
  std::atomic<bool>* outer_flag_ = nullptr;
};

}  // namespace

bool execute(ExecStack& st, RunContext& run) {
  Machine machine;
  machine.st = &st;
  machine.entry_depth = run.entry_depth;
  machine.run = &run;
  const FuncInst* func = st.frames[st.depth - 1].func;
  attach_stacks(&machine);
  enter_instance(&machine, func->instance);
  RunScope scope(machine, run);
  return run_loop(&machine);
}

const char* build_info() {
#define WASP_STRING(x) #x
#define WASP_NUMBER(x) WASP_STRING(x)
#if defined(__clang__)
#define WASP_COMPILER \
  "Clang " WASP_NUMBER(__clang_major__) "." WASP_NUMBER(__clang_minor__) "." WASP_NUMBER(__clang_patchlevel__)
#elif defined(__GNUC__)
#define WASP_COMPILER "GCC " __VERSION__
#else
#define WASP_COMPILER "an unknown compiler"
#endif
#if WASP_DISPATCH_TAIL
  return "built with " WASP_COMPILER ", tail-call dispatch";
#elif WASP_DISPATCH_GOTO
  return "built with " WASP_COMPILER ", computed-goto dispatch";
#else
  return "built with " WASP_COMPILER ", switch dispatch";
#endif
#undef WASP_COMPILER
#undef WASP_NUMBER
#undef WASP_STRING
}

}  // namespace waspvm
