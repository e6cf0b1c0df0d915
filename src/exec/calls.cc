// Calls into wasm and their continuations: budgets, suspension, resume, and
// what host functions can do to the call that runs them (gas, yield).
#include <algorithm>
#include <exception>
#include <new>

#include "base/host_memory.h"
#include "exec/execute.h"
#include "exec/slots.h"
#include "runtime/runtime_internal.h"

namespace waspvm {

namespace {

uint64_t saturating_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

// Frames [entry_depth, st.depth), innermost first, at most `limit` of them
// (frame_window): the trap says how many were left out, and where.
void fill_backtrace(Trap& trap, const ExecStack& st, size_t entry_depth, size_t limit) {
  const size_t total = st.depth - entry_depth;
  const FrameWindow window = frame_window(total, limit);
  trap.backtrace.reserve(window.head + window.tail);
  window.for_each_kept(total, [&](size_t k) {
    const Frame& f = st.frames[st.depth - 1 - k];
    FrameInfo info;
    info.func_index = f.func->func_index;
    info.func_name = f.func->instance->module->desc.func_name(f.func->func_index);
    info.wasm_offset = frame_wasm_offset(f, false);
    trap.backtrace.push_back(std::move(info));
  });
  trap.omitted_frames = window.omitted;
  trap.omitted_at = window.omitted_at();
}

Trap make_trap(const StopState& stop) {
  Trap t;
  t.code = stop.code;
  t.message = stop.message.empty() ? trap_message(stop.code) : stop.message;
  t.exit_code = stop.exit_code;
  return t;
}

// The trap of a run: its backtrace; a call made by the embedder keeps the
// trapped frames for Instance::inspect until its next call.
Outcome trap_outcome(ExecStack& st, const RunContext& run) {
  Trap t = make_trap(run.stop);
  // The engine's report limit, from the entry frame's module (none: no frames).
  const size_t limit =
      st.depth > run.entry_depth
          ? st.frames[run.entry_depth].func->instance->module->engine->config.max_report_frames
          : 0;
  fill_backtrace(t, st, run.entry_depth, limit);
  if (run.can_suspend) {
    st.trapped_depth = st.depth;
    st.last_trap = t;
  }
  st.depth = run.entry_depth;
  return Outcome::trapped(std::move(t));
}

// A host function called by the embedder directly: no wasm frames, no gas.
Outcome invoke_host(const FuncInst* func, std::span<const Value> args) {
  std::vector<Value> results(func->type.results.size());
  for (size_t i = 0; i < results.size(); ++i) results[i] = Value::null(func->type.results[i]);
  Caller caller(nullptr);
  bool threw = false;
  Result<void> r = call_host_function(*func, caller, args, results, threw);
  if (!r.ok()) {
    StopState stop;
    stop.code = threw                      ? TrapCode::HostTrap
                : caller.exit_requested()  ? TrapCode::Exit
                : caller.yield_requested() ? TrapCode::YieldNotAllowed
                                           : TrapCode::HostTrap;
    stop.exit_code = caller.exit_requested().value_or(0);
    if (stop.code == TrapCode::HostTrap) stop.message = r.error().message;
    return Outcome::trapped(make_trap(stop));
  }
  return Outcome::returned(std::move(results));
}

// A run over `inst`'s stacks for a call of `func` (results at slot `base`).
RunContext make_run(InstanceImpl* inst, RunContext* outer) {
  const Config& config = inst->module->engine->config;
  RunContext run;
  run.limits = &inst->limits;
  run.metering = config.metering;
  run.costs = &config.gas_costs;
  run.can_suspend = outer == nullptr;
  // A nested call belongs to the outer one: an interrupt stops both.
  run.interrupt = outer != nullptr ? outer->interrupt : inst->interrupt.get();
  return run;
}

// Runs, then turns how the run ended into an Outcome: results, a trap, or a
// suspension recorded in the stack for resume.
Outcome run_call(ExecStack& st, RunContext& run, const FuncInst* func, uint64_t base, uint64_t gas_before) {
  const uint64_t gas_at_start = run.gas_left;
  const bool done = execute(st, run);
  const uint64_t used = run.metering ? gas_at_start - run.gas_left : 0;
  Outcome out;
  if (done) {
    std::vector<Value> results(func->type.results.size());
    for (size_t i = 0; i < results.size(); ++i)
      results[i] = Value::from_bits(func->type.results[i], st.slots[base + i]);
    out = Outcome::returned(std::move(results));
  } else if (run.stop.suspended) {
    Suspension s;
    s.func = func;
    s.reason = run.stop.reason;
    s.on_out_of_gas = run.on_out_of_gas;
    s.gas_left = run.gas_left;
    s.total_gas_used = gas_before + used;
    s.yield = run.stop.yield;
    st.suspension = s;
    out = Outcome::suspended(s.reason);
  } else {
    out = trap_outcome(st, run);
  }
  out.set_gas(used, gas_before + used);
  return out;
}

ExecStack& stack_of(InstanceImpl* inst) {
  if (!inst->stack) inst->stack = std::make_unique<ExecStack>();
  return *inst->stack;
}

}  // namespace

Result<void> call_host_function(const FuncInst& func, Caller& caller, std::span<const Value> args,
                                std::span<Value> results, bool& threw) {
  threw = true;
  try {
    Result<void> r = func.host(caller, args, results);
    threw = false;
    return r;
  } catch (const std::bad_alloc&) {
    throw;  // the host is out of memory: the whole call fails (guard_host_memory)
  } catch (const std::exception& e) {
    return Error{std::string("host function threw an exception: ") + e.what()};
  } catch (...) {
    return Error{"host function threw an exception that is not a std::exception"};
  }
}

Outcome invoke(const FuncInst* func, std::span<const Value> args, const CallOptions& options) {
  if (func->is_host()) return invoke_host(func, args);
  InstanceImpl* inst = func->instance;
  ExecStack& st = stack_of(inst);
  RunContext* outer = running_call();
  RunContext run = make_run(inst, outer);
  run.gas_left = options.gas_limit.value_or(inst->limits.gas);
  // A nested call spends from the budget of the call it is nested in.
  if (outer != nullptr && outer->metering) run.gas_left = std::min(run.gas_left, outer->gas_left);
  run.on_out_of_gas = options.on_out_of_gas;
  if (outer == nullptr) {
    st.trapped_depth = 0;
    st.last_trap.reset();
  }
  uint64_t base = 0;
  if (st.depth > 0) {
    const Frame& top = st.frames[st.depth - 1];
    base = top.base + top.func->code->frame_slots;
  }
  run.entry_depth = st.depth;
  Outcome out;
  try {
    if (!push_frame(st, func, base, *run.limits, run.stop)) return trap_outcome(st, run);
    for (size_t i = 0; i < args.size(); ++i) st.slots[base + i] = slot_of(args[i].type(), args[i].bits());
    out = run_call(st, run, func, base, 0);
  } catch (...) {
    // Out of host memory mid-call (guard_host_memory reports it): the call
    // is dropped, its frames with it, and the instance is idle again.
    st.depth = run.entry_depth;
    throw;
  }
  if (outer != nullptr && outer->metering) outer->gas_left -= out.gas_used();
  return out;
}

Result<Outcome> resume_call(InstanceImpl* inst, const ResumeOptions& options,
                            std::span<const Value> host_results) {
  if (running_call() != nullptr) return Error{"a call cannot be resumed inside a host function"};
  if (!inst->stack || !inst->stack->suspension) return Error{"the instance has no suspended call"};
  ExecStack& st = *inst->stack;
  const Suspension s = *st.suspension;
  if (s.reason == SuspendReason::HostYield) {
    const std::vector<ValType>& types = s.yield.host->type.results;
    if (host_results.size() != types.size())
      return Error{"result count mismatch for the yielding host function"};
    for (size_t i = 0; i < types.size(); ++i)
      if (host_results[i].type() != types[i])
        return Error{"result type mismatch for the yielding host function"};
    for (size_t i = 0; i < types.size(); ++i)
      st.slots[s.yield.results_base + i] = slot_of(types[i], host_results[i].bits());
  } else if (!host_results.empty()) {
    return Error{"results given, but the call did not stop in a host function"};
  }
  st.suspension.reset();
  RunContext run = make_run(inst, nullptr);
  run.gas_left = saturating_add(s.gas_left, options.gas_limit.value_or(inst->limits.gas));
  run.on_out_of_gas = options.on_out_of_gas.value_or(s.on_out_of_gas);
  if (s.yield.after_tail_call) {
    // The host function's results return from the frame that tail-called it.
    if (st.depth == 1) {
      st.depth = 0;
      std::vector<Value> results(s.func->type.results.size());
      for (size_t i = 0; i < results.size(); ++i)
        results[i] = Value::from_bits(s.func->type.results[i], st.slots[i]);
      Outcome out = Outcome::returned(std::move(results));
      out.set_gas(0, s.total_gas_used);
      return out;
    }
    --st.depth;
  }
  try {
    return run_call(st, run, s.func, 0, s.total_gas_used);
  } catch (...) {
    st.depth = 0;  // as in invoke: the call is dropped
    throw;
  }
}

FrameWindow frame_window(size_t total, size_t limit) {
  FrameWindow w;
  if (total <= limit) {
    w.head = total;
    return w;
  }
  w.head = limit - limit / 2;
  w.tail = limit / 2;
  w.omitted = total - limit;
  return w;
}

uint32_t frame_wasm_offset(const Frame& frame, bool stopped_before) {
  auto pos = static_cast<uint32_t>(frame.pc - frame.func->code->code.data());
  return frame.func->code->wasm_offset_at(stopped_before || pos == 0 ? pos : pos - 1);
}

uint64_t slots_in_use(const ExecStack& st) {
  uint64_t used = 0;
  for (size_t i = 0; i < st.depth; ++i)
    used = std::max<uint64_t>(used, st.frames[i].base + st.frames[i].func->code->frame_slots);
  return used;
}

Result<std::vector<SlotKind>> suspended_slot_kinds(const ExecStack& st, uint64_t used) {
  std::vector<SlotKind> kinds(used, SlotKind::Raw);
  auto holds_refs = [&](size_t i) { return st.frames[i].func->code->may_hold_refs; };
  bool any = false;
  for (size_t i = 0; i < st.depth; ++i) any = any || holds_refs(i);
  if (!any || !st.suspension) return kinds;
  // Above the top frame's own slots only callers' dead high slots remain.
  const Frame& top_frame = st.frames[st.depth - 1];
  const uint64_t top_end = top_frame.base + top_frame.func->code->frame_slots;
  if (top_end < used) std::fill(kinds.begin() + static_cast<ptrdiff_t>(top_end), kinds.end(), SlotKind::Dead);
  const Suspension& s = *st.suspension;
  for (size_t i = 0; i < st.depth; ++i) {
    if (!holds_refs(i)) continue;
    const Frame& f = st.frames[i];
    const CompiledFunc& code = *f.func->code;
    const bool top = i + 1 == st.depth;
    const uint64_t end = top ? used : std::min(st.frames[i + 1].base, used);
    if (f.base >= end) continue;
    // After a tail call to a host function that yielded, the frame is gone:
    // only the host's results, not yet written, will land in it.
    if (top && s.reason == SuspendReason::HostYield && s.yield.after_tail_call) {
      std::fill(kinds.begin() + static_cast<ptrdiff_t>(f.base), kinds.begin() + static_cast<ptrdiff_t>(end),
                SlotKind::Dead);
      continue;
    }
    const bool at_return = !top || s.reason == SuspendReason::HostYield;
    const auto pc = static_cast<uint32_t>(f.pc - code.code.data());
    const SlotMaps::Point* point = code.slot_maps.find(pc, at_return);
    if (point == nullptr)
      return Error{"a frame of function " + std::to_string(code.func_index) + " stands at code offset " +
                   std::to_string(pc) + ", where its slots are not known"};
    for (uint64_t slot = f.base; slot < end; ++slot) {
      uint64_t index = slot - f.base;
      if (index < code.num_locals) {
        kinds[slot] = code.slot_maps.locals[index];
      } else {
        uint64_t pos = index - code.num_locals;
        kinds[slot] = pos < point->count ? code.slot_maps.kinds[point->first + pos] : SlotKind::Dead;
      }
    }
  }
  return kinds;
}

// ---------------------------------------------------------------- public API

const char* suspend_reason_name(SuspendReason reason) {
  switch (reason) {
    case SuspendReason::OutOfGas: return "out of gas";
    case SuspendReason::HostYield: return "host yield";
    case SuspendReason::Interrupted: return "interrupted";
  }
  return "unknown";
}

Error Caller::yield() {
  yield_requested_ = true;
  return Error{"host yield"};
}

Result<void> Caller::charge_gas(uint64_t amount) const {
  RunContext* run = running_call();
  if (run == nullptr || !run->metering) return {};
  if (amount > run->gas_left) {
    run->host_out_of_gas = true;
    return Error{trap_message(TrapCode::OutOfGas)};
  }
  run->gas_left -= amount;
  return {};
}

uint64_t Caller::gas_left() const {
  RunContext* run = running_call();
  return run != nullptr && run->metering ? run->gas_left : kUnlimitedGas;
}

void InterruptHandle::interrupt() const {
  auto* state = static_cast<InterruptState*>(state_.get());
  std::lock_guard<std::mutex> lock(state->mutex);
  state->requested = true;
  if (state->running != nullptr) state->running->store(true, std::memory_order_relaxed);
}

void InterruptHandle::clear() const {
  auto* state = static_cast<InterruptState*>(state_.get());
  std::lock_guard<std::mutex> lock(state->mutex);
  state->requested = false;
  if (state->running != nullptr) state->running->store(false, std::memory_order_relaxed);
}

bool InterruptHandle::pending() const {
  auto* state = static_cast<InterruptState*>(state_.get());
  std::lock_guard<std::mutex> lock(state->mutex);
  return state->requested;
}

Result<Outcome> Instance::call(std::string_view export_name, std::span<const Value> args,
                               const CallOptions& options) const {
  auto f = func(export_name);
  if (!f) return Error{"unknown export function: \"" + std::string(export_name) + "\""};
  return f->call(args, options);
}

Result<Outcome> Instance::resume(const ResumeOptions& options, std::span<const Value> host_results) const {
  return guard_host_memory("running the call (it was dropped)",
                           [&] { return resume_call(inst_, options, host_results); });
}

bool Instance::suspended() const { return inst_->stack && inst_->stack->suspension.has_value(); }

void Instance::cancel() const {
  if (!inst_->stack || !inst_->stack->suspension) return;
  inst_->stack->suspension.reset();
  inst_->stack->depth = 0;
}

InterruptHandle Instance::interrupt_handle() const { return InterruptHandle(inst_->interrupt); }

const InstanceLimits& Instance::limits() const { return inst_->limits; }

void Instance::set_limits(const InstanceLimits& limits) const {
  // Memories and tables keep the limits they were created with.
  InstanceLimits& mine = inst_->limits;
  const uint64_t pages = mine.max_memory_pages, elements = mine.max_table_elements;
  mine = limits;
  mine.max_memory_pages = pages;
  mine.max_table_elements = elements;
}

Result<Outcome> Func::call(std::span<const Value> args, const CallOptions& options) const {
  const FuncType& type = inst_->type;
  if (args.size() != type.params.size()) return Error{"argument count mismatch"};
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i].type() != type.params[i]) return Error{"argument type mismatch"};
  const InstanceImpl* inst = inst_->instance;
  if (inst != nullptr && running_call() == nullptr && inst->stack && inst->stack->suspension)
    return Error{"the instance has a suspended call: resume or cancel it first"};
  return guard_host_memory("running the call (it was dropped)",
                           [&]() -> Result<Outcome> { return invoke(inst_, args, options); });
}

}  // namespace waspvm
