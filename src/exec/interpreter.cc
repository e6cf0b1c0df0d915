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
#include <cstring>

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

struct TrapState {
  TrapCode code = TrapCode::Unreachable;
  std::string message;    // empty: the code's message
  int32_t exit_code = 0;  // code == Exit
};

const Config& config_of(const InstanceImpl* inst) { return inst->module->engine->config; }

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
  TrapState* trap;
  const Config* config;
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
  m->frames_limit = m->frames + std::min<size_t>(st.frames.size(), m->config->max_call_depth);
  m->slots = st.slots.data();
  m->slots_end = m->slots + st.slots.size();
}

void sync_depth(Machine* m) { m->st->depth = static_cast<size_t>(m->frame - m->frames) + 1; }

// Makes room for `frames` frames and a frame of `slots_needed` slots from the
// bottom, within the limits of Config. Pointers into the stacks move.
bool reserve_stacks(ExecStack& st, size_t frames, uint64_t slots_needed, const Config& config,
                    TrapState& trap) {
  if (frames > config.max_call_depth || slots_needed > config.max_value_stack_slots) {
    trap.code = TrapCode::CallStackExhausted;
    return false;
  }
  if (frames > st.frames.size()) {
    size_t grown = std::max<size_t>({frames, st.frames.size() * 2, 64});
    st.frames.resize(std::min<size_t>(grown, config.max_call_depth));
  }
  if (slots_needed > st.slots.size() || st.slots.empty()) {  // (never empty: fp is never null)
    uint64_t grown = std::max<uint64_t>({slots_needed, st.slots.size() * 2, 1024});
    st.slots.resize(std::min<uint64_t>(grown, config.max_value_stack_slots));
  }
  return true;
}

// Pushes a frame of wasm function `func` at slot `base` and zeroes its
// declared locals; the caller has set the arguments.
bool push_frame(ExecStack& st, const FuncInst* func, uint64_t base, const Config& config, TrapState& trap) {
  const CompiledFunc& code = *func->code;
  if (!reserve_stacks(st, st.depth + 1, base + code.frame_slots, config, trap)) return false;
  uint64_t* fp = st.slots.data() + base;
  std::fill(fp + code.num_params, fp + code.num_locals, 0);
  st.frames[st.depth++] = Frame{func, code.code.data(), base};
  return true;
}

// Calls a host function whose arguments are in slots [base, base + params);
// its results are written to [base, base + results).
bool call_host(ExecStack& st, const FuncInst* func, uint64_t base, InstanceImpl* caller_inst,
               const Config& config, TrapState& trap) {
  if (t_host_depth >= config.max_host_reentry) {
    trap.code = TrapCode::CallStackExhausted;
    return false;
  }
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
  Caller caller(caller_inst);
  ++t_host_depth;
  Result<void> r = func->host(caller, args, results);
  --t_host_depth;
  if (!r.ok()) {
    trap.code = caller.exit_requested() ? TrapCode::Exit : TrapCode::HostTrap;
    trap.exit_code = caller.exit_requested().value_or(0);
    trap.message = r.error().message;
    return false;
  }
  for (size_t i = 0; i < results.size(); ++i) {
    uint64_t bits = results[i].bits();
    if (type.results[i] == ValType::I32 || type.results[i] == ValType::F32)
      bits = static_cast<uint32_t>(bits);
    st.slots[base + i] = bits;
  }
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
    bool ok = call_host(st, callee, base, m->inst, *m->config, *m->trap);
    attach_stacks(m);
    refresh_memory(m);  // the host may have grown it
    return ok;
  }
  bool ok = push_frame(st, callee, base, *m->config, *m->trap);
  attach_stacks(m);
  if (ok) enter_instance(m, callee->instance);
  return ok;
}

// return_call: the arguments are at slot 0 of the current frame, which the
// callee replaces. Returns false on a trap; *done when the tail call was to a
// host function from the entry frame (execute() ends).
[[gnu::noinline]] bool tail_call_slow(Machine* m, const FuncInst* callee, const CodeWord* pc, bool* done) {
  ExecStack& st = *m->st;
  uint64_t base = m->frame->base;
  if (callee->is_host()) {
    m->frame->pc = pc + 1;
    sync_depth(m);
    bool ok = call_host(st, callee, base, m->inst, *m->config, *m->trap);
    attach_stacks(m);
    refresh_memory(m);
    if (!ok) return false;
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
  if (!push_frame(st, callee, base, *m->config, *m->trap)) {
    // Leave the caller's frame in place for the backtrace.
    st.frames[st.depth++] = Frame{caller_frame.func, pc + 1, base};
    attach_stacks(m);
    return false;
  }
  attach_stacks(m);
  enter_instance(m, callee->instance);
  return true;
}

// A trap (m->trap already says which) at the instruction `pc` of the running
// frame.
[[gnu::noinline]] bool raise(Machine* m, const CodeWord* pc) {
  m->frame->pc = pc + 1;
  sync_depth(m);
  return false;
}

// A trap already recorded by a slow path; the frames are in place.
[[gnu::noinline]] bool raised(Machine* m) {
  sync_depth(m);
  return false;
}

std::vector<FrameInfo> backtrace(const ExecStack& st, size_t entry_depth) {
  std::vector<FrameInfo> out;
  for (size_t i = st.depth; i-- > entry_depth;) {
    const Frame& f = st.frames[i];
    const CodeWord* code = f.func->code->code.data();
    FrameInfo info;
    info.func_index = f.func->func_index;
    info.func_name = f.func->instance->module->desc.func_name(f.func->func_index);
    info.wasm_offset = f.func->code->wasm_offset_at(f.pc > code ? static_cast<uint32_t>(f.pc - code - 1) : 0);
    out.push_back(std::move(info));
  }
  return out;
}

// The callee of call_indirect / return_call_indirect: the element `index`
// of `table` if it is a function of canonical type `type_id`, else null.
WASP_ALWAYS_INLINE const FuncInst* indirect_callee(const TableInst* table, uint32_t index, uint32_t type_id) {
  if (index >= table->elems.size()) return nullptr;
  auto* callee = reinterpret_cast<const FuncInst*>(static_cast<uintptr_t>(table->elems[index]));
  return callee != nullptr && callee->type_id == type_id ? callee : nullptr;
}

// Records why indirect_callee gave null.
[[gnu::noinline]] void indirect_call_trap(const TableInst* table, uint32_t index, TrapState& trap) {
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

#define TRAP(c)          \
  do {                   \
    m->trap->code = (c); \
    SLOW_PATH(SlowTrap); \
  } while (0)
#define RELOAD_REGISTERS()          \
  do {                              \
    pc = m->frame->pc;              \
    fp = m->slots + m->frame->base; \
    mem = m->mem_base;              \
    mem_size = m->mem_bytes;        \
  } while (0)

#if WASP_DISPATCH_TAIL

using Handler = bool (*)(const CodeWord* pc, uint64_t* fp, uint8_t* mem, uint64_t mem_size, Machine* m);
// Each handler on a cache line of its own: handlers sharing lines made the
// branch predictor of the AMD EPYC machines here slower by up to 2x.
#define HANDLER(name)                                                                                    \
  [[gnu::aligned(64)]] bool h_##name([[maybe_unused]] const CodeWord* pc, [[maybe_unused]] uint64_t* fp, \
                                     [[maybe_unused]] uint8_t* mem, [[maybe_unused]] uint64_t mem_size,  \
                                     [[maybe_unused]] Machine* m)
#define HANDLER_INVALID HANDLER(Invalid)
#define SLOW_HANDLER(name) [[gnu::noinline]] HANDLER(name)
#define NEXT() [[clang::musttail]] return kHandlers[*pc](pc, fp, mem, mem_size, m)
#define SLOW_PATH(name) [[clang::musttail]] return h_##name(pc, fp, mem, mem_size, m)

#define ENTRY(name) HANDLER(name);
#include "exec/handler_list.inc"
HANDLER(Invalid);
HANDLER(SlowTrap);
HANDLER(SlowCall);
HANDLER(SlowIndirectCallTrap);
HANDLER(SlowReturnToInstance);
HANDLER(SlowReturnMany);
#undef ENTRY

#define ENTRY(name) &h_##name,
const Handler kHandlers[] = {
#include "exec/handler_list.inc"
};
#undef ENTRY
static_assert(sizeof(kHandlers) / sizeof(kHandlers[0]) == static_cast<size_t>(IOp::Count));

#include "exec/handlers.inc"
#endif

bool run(Machine* m) {
  const CodeWord* pc;
  uint64_t* fp;
  uint8_t* mem;
  uint64_t mem_size;
  RELOAD_REGISTERS();
#if WASP_DISPATCH_TAIL
  return kHandlers[*pc](pc, fp, mem, mem_size, m);
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
#define HANDLER(name) L_##name:
#define HANDLER_INVALID HANDLER(Invalid)
#define NEXT() goto* kLabels[*pc]
  NEXT();
#include "exec/handlers.inc"
#else
#define HANDLER(name) case IOp::name:
#define HANDLER_INVALID default:
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
#undef SLOW_HANDLER
#undef SLOW_PATH
#undef NEXT
#undef TRAP
#undef RELOAD_REGISTERS

// Runs until the frame at `entry_depth` (the top one) returns (true) or a
// trap (false; the frames above entry_depth are left in place for the
// backtrace, st.depth counting them).
bool execute(ExecStack& st, size_t entry_depth, TrapState& trap) {
  Machine machine;
  machine.st = &st;
  machine.entry_depth = entry_depth;
  machine.trap = &trap;
  const FuncInst* func = st.frames[st.depth - 1].func;
  machine.config = &config_of(func->instance);
  attach_stacks(&machine);
  enter_instance(&machine, func->instance);
  return run(&machine);
}

Outcome make_trap(ExecStack* st, size_t entry_depth, const TrapState& trap) {
  Trap t;
  t.code = trap.code;
  t.message = trap.message.empty() ? trap_message(trap.code) : trap.message;
  t.exit_code = trap.exit_code;
  if (st) {
    t.backtrace = backtrace(*st, entry_depth);
    st->depth = entry_depth;
  }
  return Outcome::trapped(std::move(t));
}

Outcome invoke_host(const FuncInst* func, std::span<const Value> args) {
  std::vector<Value> results(func->type.results.size());
  for (size_t i = 0; i < results.size(); ++i) results[i] = Value::null(func->type.results[i]);
  Caller caller(nullptr);
  Result<void> r = func->host(caller, args, results);
  if (!r.ok()) {
    TrapState trap;
    trap.code = caller.exit_requested() ? TrapCode::Exit : TrapCode::HostTrap;
    trap.exit_code = caller.exit_requested().value_or(0);
    trap.message = r.error().message;
    return make_trap(nullptr, 0, trap);
  }
  return Outcome::returned(std::move(results));
}

}  // namespace

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

Outcome invoke(const FuncInst* func, std::span<const Value> args) {
  if (func->is_host()) return invoke_host(func, args);
  InstanceImpl* inst = func->instance;
  if (!inst->stack) inst->stack = std::make_unique<ExecStack>();
  ExecStack& st = *inst->stack;
  const Config& config = config_of(inst);
  uint64_t base = 0;
  if (st.depth > 0) {
    const Frame& top = st.frames[st.depth - 1];
    base = top.base + top.func->code->frame_slots;
  }
  size_t entry_depth = st.depth;
  TrapState trap;
  if (!push_frame(st, func, base, config, trap)) return make_trap(&st, entry_depth, trap);
  for (size_t i = 0; i < args.size(); ++i) st.slots[base + i] = args[i].bits();
  if (!execute(st, entry_depth, trap)) return make_trap(&st, entry_depth, trap);
  std::vector<Value> results(func->type.results.size());
  for (size_t i = 0; i < results.size(); ++i)
    results[i] = Value::from_bits(func->type.results[i], st.slots[base + i]);
  return Outcome::returned(std::move(results));
}

}  // namespace waspvm
