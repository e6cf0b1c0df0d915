// The interpreter loop. Handler bodies are written once; dispatch is
// computed goto where the compiler has it (GCC, Clang), a switch otherwise.
#include "exec/interpreter.h"

#include <algorithm>
#include <cstring>

#include "exec/slots.h"
#include "numeric/numeric.h"

#if defined(__GNUC__) && !defined(WASP_SWITCH_DISPATCH)
#define WASP_COMPUTED_GOTO 1
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

// Makes room for a frame of `func` at slot `base` and pushes it; zeroes its
// declared locals. Fails (without pushing) when a limit would be exceeded.
bool push_frame(ExecStack& st, const FuncInst* func, uint64_t base, const Config& config, TrapState& trap) {
  const CompiledFunc& code = *func->code;
  if (st.frames.size() >= config.max_call_depth) {
    trap.code = TrapCode::CallStackExhausted;
    return false;
  }
  uint64_t need = base + code.frame_slots;
  if (need > st.slots.size()) {
    if (need > config.max_value_stack_slots) {
      trap.code = TrapCode::CallStackExhausted;
      return false;
    }
    uint64_t grown = std::max<uint64_t>(need, st.slots.size() * 2);
    st.slots.resize(std::min<uint64_t>(std::max<uint64_t>(grown, 1024), config.max_value_stack_slots));
  }
  uint64_t* fp = st.slots.data() + base;
  std::fill(fp + code.num_params, fp + code.num_locals, 0);
  st.frames.push_back(Frame{func, 0, base});
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
  std::vector<Value> args(type.params.size());
  std::vector<Value> results(type.results.size());
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

std::vector<FrameInfo> backtrace(const ExecStack& st, size_t entry_depth) {
  std::vector<FrameInfo> out;
  for (size_t i = st.frames.size(); i-- > entry_depth;) {
    const Frame& f = st.frames[i];
    FrameInfo info;
    info.func_index = f.func->func_index;
    info.func_name = f.func->instance->module->desc.func_name(f.func->func_index);
    info.wasm_offset = f.func->code->wasm_offset_at(f.pc > 0 ? f.pc - 1 : 0);
    out.push_back(std::move(info));
  }
  return out;
}

// The callee of call_indirect / return_call_indirect, or null (trap set).
const FuncInst* resolve_indirect(const InstanceImpl* inst, uint32_t type_index, uint32_t table_index,
                                 uint32_t index, TrapState& trap) {
  const TableInst* table = inst->tables[table_index];
  if (index >= table->elems.size()) {
    trap.code = TrapCode::UndefinedElement;
  } else if (table->elems[index] == 0) {
    trap.code = TrapCode::UninitializedElement;
  } else {
    auto* callee = reinterpret_cast<const FuncInst*>(static_cast<uintptr_t>(table->elems[index]));
    if (callee->type_id == inst->module->type_ids[type_index]) return callee;
    trap.code = TrapCode::IndirectCallTypeMismatch;
    return nullptr;
  }
  // The spec's messages for element traps name the element index.
  trap.message = std::string(trap_message(trap.code)) + " " + std::to_string(index);
  return nullptr;
}

inline bool in_bounds(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

// Runs until the frame at `entry_depth` returns (true) or a trap (false; the
// frames above entry_depth are left in place for the backtrace).
bool execute(ExecStack& st, size_t entry_depth, TrapState& trap) {
  InstanceImpl* inst;
  const FuncInst* cur;
  const CodeWord* code_base;
  const CodeWord* pc;
  uint64_t* fp;
  uint8_t* mem = nullptr;
  uint64_t mem_size = 0;
  const Config& config = config_of(st.frames.back().func->instance);

#define LOAD_MEM()                        \
  do {                                    \
    if (!inst->memories.empty()) {        \
      mem = inst->memories[0]->data;      \
      mem_size = inst->memories[0]->size; \
    } else {                              \
      mem = nullptr;                      \
      mem_size = 0;                       \
    }                                     \
  } while (0)
#define LOAD_FRAME()                    \
  do {                                  \
    const Frame& f_ = st.frames.back(); \
    cur = f_.func;                      \
    inst = cur->instance;               \
    code_base = cur->code->code.data(); \
    pc = code_base + f_.pc;             \
    fp = st.slots.data() + f_.base;     \
    LOAD_MEM();                         \
  } while (0)
#define SAVE_PC(next) (st.frames.back().pc = static_cast<uint32_t>((next)-code_base))
#define TRAP(c)      \
  do {               \
    trap.code = (c); \
    goto trapped;    \
  } while (0)

  LOAD_FRAME();

#ifdef WASP_COMPUTED_GOTO
#define LABEL_Simple(ident) &&L_##ident,
#define LABEL_Trapping(ident) &&L_##ident,
#define LABEL_Load(ident) &&L_##ident,
#define LABEL_Store(ident) &&L_##ident,
#define LABEL_Special(ident) &&L_Invalid,
  static const void* const kLabels[] = {
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) LABEL_##cls(ident)
#include "defs/opcodes.def"
#define WASP_ISA(ident, kinds) &&L_##ident,
#include "exec/isa.def"
#define WASP_DERIVED(ident, derived, family, text, fn, bytes) &&L_##derived,
#include "exec/derived.def"
  };
#define TARGET(name) L_##name:
#define NEXT() goto* kLabels[*pc]
#else
#define TARGET(name) case IOp::name:
#define NEXT() continue
#endif

  const FuncInst* callee;
  uint64_t call_base;
  uint32_t call_len;

  for (;;) {
#ifdef WASP_COMPUTED_GOTO
    NEXT();
#else
    switch (static_cast<IOp>(*pc)) {
#endif

// Operators: the check for a trap folds away for those that cannot trap.
#define HANDLER_OPERATOR(name, fn, second)                                   \
  TARGET(name) {                                                             \
    uint32_t n_ = apply<&numeric::fn, Operand2::second>(fp, pc, &trap.code); \
    if (n_ == 0) goto trapped;                                               \
    pc += n_;                                                                \
    NEXT();                                                                  \
  }
#define HANDLER_Simple(ident, fn, bytes) HANDLER_OPERATOR(ident, fn, Slot)
#define HANDLER_Trapping(ident, fn, bytes) HANDLER_OPERATOR(ident, fn, Slot)
#define HANDLER_Load(ident, fn, bytes)                                              \
  TARGET(ident) {                                                                   \
    uint64_t ea_ = static_cast<uint64_t>(static_cast<uint32_t>(fp[pc[2]])) + pc[3]; \
    if (ea_ + (bytes) > mem_size) TRAP(TrapCode::MemoryOutOfBounds);                \
    fp[pc[1]] = to_slot(numeric::fn(mem + ea_));                                    \
    pc += 4;                                                                        \
    NEXT();                                                                         \
  }
#define HANDLER_Store(ident, fn, bytes)                                             \
  TARGET(ident) {                                                                   \
    uint64_t ea_ = static_cast<uint64_t>(static_cast<uint32_t>(fp[pc[1]])) + pc[3]; \
    if (ea_ + (bytes) > mem_size) TRAP(TrapCode::MemoryOutOfBounds);                \
    numeric::fn(mem + ea_, from_slot<StoredType<&numeric::fn>>(fp[pc[2]]));         \
    pc += 4;                                                                        \
    NEXT();                                                                         \
  }
#define HANDLER_Special(ident, fn, bytes)
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) \
  HANDLER_##cls(ident, fn, bytes)
#include "defs/opcodes.def"

// The derived forms (derived.def), one handler shape per family.
#define HANDLER_Imm(derived, fn, bytes) HANDLER_OPERATOR(derived, fn, Imm32)
#define HANDLER_Imm64(derived, fn, bytes) HANDLER_OPERATOR(derived, fn, Imm64)
#define HANDLER_AddImm(derived, fn, bytes)                                                              \
  TARGET(derived) {                                                                                     \
    uint64_t ea_ =                                                                                      \
        static_cast<uint64_t>(static_cast<uint32_t>(static_cast<uint32_t>(fp[pc[2]]) + pc[3])) + pc[4]; \
    if (ea_ + (bytes) > mem_size) TRAP(TrapCode::MemoryOutOfBounds);                                    \
    fp[pc[1]] = to_slot(numeric::fn(mem + ea_));                                                        \
    pc += 5;                                                                                            \
    NEXT();                                                                                             \
  }
#define HANDLER_StoreImm(derived, fn, bytes)                                        \
  TARGET(derived) {                                                                 \
    uint64_t ea_ = static_cast<uint64_t>(static_cast<uint32_t>(fp[pc[1]])) + pc[3]; \
    if (ea_ + (bytes) > mem_size) TRAP(TrapCode::MemoryOutOfBounds);                \
    numeric::fn(mem + ea_, from_immediate<StoredType<&numeric::fn>>(pc[2]));        \
    pc += 4;                                                                        \
    NEXT();                                                                         \
  }
#define WASP_DERIVED(ident, derived, family, text, fn, bytes) HANDLER_##family(derived, fn, bytes)
#include "exec/derived.def"

    TARGET(Copy) {
      fp[pc[1]] = fp[pc[2]];
      pc += 3;
      NEXT();
    }
    TARGET(Const32) {
      fp[pc[1]] = pc[2];
      pc += 3;
      NEXT();
    }
    TARGET(Const64) {
      fp[pc[1]] = pc[2] | (static_cast<uint64_t>(pc[3]) << 32);
      pc += 4;
      NEXT();
    }
    TARGET(Br) {
      pc += static_cast<int32_t>(pc[1]);
      NEXT();
    }
    TARGET(BrIfNez) {
      pc += static_cast<uint32_t>(fp[pc[1]]) != 0 ? static_cast<int32_t>(pc[2]) : 3;
      NEXT();
    }
    TARGET(BrIfEqz) {
      pc += static_cast<uint32_t>(fp[pc[1]]) == 0 ? static_cast<int32_t>(pc[2]) : 3;
      NEXT();
    }
#define WASP_ISA(ident, kinds)
// Fused compare-and-branch and bit tests: jump when fn(a, b) `test` holds;
// b is a slot (SECOND_SLOT) or an immediate (SECOND_IMM).
// clang-format off
#define SECOND_SLOT(T) from_slot<T>(fp[pc[2]])
#define SECOND_IMM(T) from_immediate<T>(pc[2])
#define BRANCH_WHEN(fn, second, test)                                                       \
  {                                                                                         \
    using Operand_ = FnTraits<decltype(&numeric::fn)>::arg<0>;                              \
    bool taken_ = numeric::fn(from_slot<Operand_>(fp[pc[1]]), second(Operand_)) test;       \
    pc += taken_ ? static_cast<int32_t>(pc[3]) : 4;                                         \
    NEXT();                                                                                 \
  }
#define WASP_BRCMP(ident, op, fn, negated) TARGET(ident) BRANCH_WHEN(fn, SECOND_SLOT, != 0)
#define WASP_BRCMP_IMM(ident, op, fn, negated) TARGET(ident) BRANCH_WHEN(fn, SECOND_IMM, != 0)
#define WASP_BRTEST_SECOND_false SECOND_SLOT
#define WASP_BRTEST_SECOND_true SECOND_IMM
#define WASP_BRTEST(ident, zero_ident, op, fn, kinds, imm)              \
  TARGET(ident) BRANCH_WHEN(fn, WASP_BRTEST_SECOND_##imm, != 0)         \
  TARGET(zero_ident) BRANCH_WHEN(fn, WASP_BRTEST_SECOND_##imm, == 0)
// clang-format on
#include "exec/isa.def"
#undef WASP_BRCMP
#undef WASP_BRCMP_IMM
#undef WASP_BRTEST
    TARGET(BrIfI64Eqz) {
      pc += fp[pc[1]] == 0 ? static_cast<int32_t>(pc[2]) : 3;
      NEXT();
    }
    TARGET(BrIfI64Nez) {
      pc += fp[pc[1]] != 0 ? static_cast<int32_t>(pc[2]) : 3;
      NEXT();
    }
    TARGET(BrTable) {
      uint32_t count = pc[2];
      uint32_t index = std::min(static_cast<uint32_t>(fp[pc[1]]), count - 1);
      pc += static_cast<int32_t>(pc[3 + index]);
      NEXT();
    }
    TARGET(Return) {
      uint32_t src = pc[1], n = pc[2];
      for (uint32_t i = 0; i < n; ++i) fp[i] = fp[src + i];
      st.frames.pop_back();
      if (st.frames.size() == entry_depth) return true;
      LOAD_FRAME();
      NEXT();
    }
    TARGET(CallFunc) {
      callee = inst->funcs[pc[1]];
      call_base = static_cast<uint64_t>(fp - st.slots.data()) + pc[2];
      call_len = 3;
      goto do_call;
    }
    TARGET(CallIndirectOp) {
      callee = resolve_indirect(inst, pc[1], pc[2], static_cast<uint32_t>(fp[pc[3]]), trap);
      if (callee == nullptr) goto trapped;
      call_base = static_cast<uint64_t>(fp - st.slots.data()) + pc[4];
      call_len = 5;
      goto do_call;
    }
    TARGET(ReturnCallFunc) {
      callee = inst->funcs[pc[1]];
      call_base = pc[2];
      goto do_tail_call;
    }
    TARGET(ReturnCallIndirectOp) {
      callee = resolve_indirect(inst, pc[1], pc[2], static_cast<uint32_t>(fp[pc[3]]), trap);
      if (callee == nullptr) goto trapped;
      call_base = pc[4];
      goto do_tail_call;
    }
    TARGET(Trap) { TRAP(static_cast<TrapCode>(pc[1])); }
    TARGET(SelectOp) {
      fp[pc[1]] = static_cast<uint32_t>(fp[pc[4]]) != 0 ? fp[pc[2]] : fp[pc[3]];
      pc += 5;
      NEXT();
    }
    TARGET(RefIsNullOp) {
      fp[pc[1]] = fp[pc[2]] == 0 ? 1 : 0;
      pc += 3;
      NEXT();
    }
    TARGET(RefFuncOp) {
      fp[pc[1]] = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(inst->funcs[pc[2]]));
      pc += 3;
      NEXT();
    }
    TARGET(GlobalGetOp) {
      fp[pc[1]] = inst->globals[pc[2]]->bits;
      pc += 3;
      NEXT();
    }
    TARGET(GlobalSetOp) {
      inst->globals[pc[2]]->bits = fp[pc[1]];
      pc += 3;
      NEXT();
    }
    TARGET(TableGetOp) {
      const TableInst* table = inst->tables[pc[3]];
      uint32_t index = static_cast<uint32_t>(fp[pc[2]]);
      if (index >= table->elems.size()) TRAP(TrapCode::TableOutOfBounds);
      fp[pc[1]] = table->elems[index];
      pc += 4;
      NEXT();
    }
    TARGET(TableSetOp) {
      TableInst* table = inst->tables[pc[3]];
      uint32_t index = static_cast<uint32_t>(fp[pc[1]]);
      if (index >= table->elems.size()) TRAP(TrapCode::TableOutOfBounds);
      table->elems[index] = fp[pc[2]];
      pc += 4;
      NEXT();
    }
    TARGET(TableSizeOp) {
      fp[pc[1]] = static_cast<uint32_t>(inst->tables[pc[2]]->elems.size());
      pc += 3;
      NEXT();
    }
    TARGET(TableGrowOp) {
      int64_t old = inst->tables[pc[4]]->grow(static_cast<uint32_t>(fp[pc[3]]), fp[pc[2]]);
      fp[pc[1]] = static_cast<uint32_t>(static_cast<int32_t>(old));
      pc += 5;
      NEXT();
    }
    TARGET(TableFillOp) {
      TableInst* table = inst->tables[pc[4]];
      uint64_t index = static_cast<uint32_t>(fp[pc[1]]);
      uint64_t count = static_cast<uint32_t>(fp[pc[3]]);
      if (!in_bounds(index, count, table->elems.size())) TRAP(TrapCode::TableOutOfBounds);
      std::fill_n(table->elems.begin() + static_cast<ptrdiff_t>(index), count, fp[pc[2]]);
      pc += 5;
      NEXT();
    }
    TARGET(TableCopyOp) {
      TableInst* dst = inst->tables[pc[4]];
      const TableInst* src = inst->tables[pc[5]];
      uint64_t d = static_cast<uint32_t>(fp[pc[1]]);
      uint64_t s = static_cast<uint32_t>(fp[pc[2]]);
      uint64_t n = static_cast<uint32_t>(fp[pc[3]]);
      if (!in_bounds(d, n, dst->elems.size()) || !in_bounds(s, n, src->elems.size()))
        TRAP(TrapCode::TableOutOfBounds);
      if (n > 0) std::memmove(dst->elems.data() + d, src->elems.data() + s, n * sizeof(uint64_t));
      pc += 6;
      NEXT();
    }
    TARGET(TableInitOp) {
      TableInst* table = inst->tables[pc[4]];
      const std::vector<uint64_t>& seg = inst->elem_segments[pc[5]];
      uint64_t d = static_cast<uint32_t>(fp[pc[1]]);
      uint64_t s = static_cast<uint32_t>(fp[pc[2]]);
      uint64_t n = static_cast<uint32_t>(fp[pc[3]]);
      if (!in_bounds(d, n, table->elems.size()) || !in_bounds(s, n, seg.size()))
        TRAP(TrapCode::TableOutOfBounds);
      if (n > 0) std::memmove(table->elems.data() + d, seg.data() + s, n * sizeof(uint64_t));
      pc += 6;
      NEXT();
    }
    TARGET(ElemDropOp) {
      inst->elem_segments[pc[1]].clear();
      inst->elem_segments[pc[1]].shrink_to_fit();
      pc += 2;
      NEXT();
    }
    TARGET(MemorySizeOp) {
      fp[pc[1]] = static_cast<uint32_t>(inst->memories[pc[2]]->pages());
      pc += 3;
      NEXT();
    }
    TARGET(MemoryGrowOp) {
      int64_t old = inst->memories[pc[3]]->grow(static_cast<uint32_t>(fp[pc[2]]));
      fp[pc[1]] = static_cast<uint32_t>(static_cast<int32_t>(old));
      LOAD_MEM();
      pc += 4;
      NEXT();
    }
    TARGET(MemoryFillOp) {
      MemoryInst* m = inst->memories[pc[4]];
      uint64_t d = static_cast<uint32_t>(fp[pc[1]]);
      uint64_t n = static_cast<uint32_t>(fp[pc[3]]);
      if (!in_bounds(d, n, m->size)) TRAP(TrapCode::MemoryOutOfBounds);
      if (n > 0) std::memset(m->data + d, static_cast<uint8_t>(fp[pc[2]]), n);
      pc += 5;
      NEXT();
    }
    TARGET(MemoryCopyOp) {
      MemoryInst* dst = inst->memories[pc[4]];
      const MemoryInst* src = inst->memories[pc[5]];
      uint64_t d = static_cast<uint32_t>(fp[pc[1]]);
      uint64_t s = static_cast<uint32_t>(fp[pc[2]]);
      uint64_t n = static_cast<uint32_t>(fp[pc[3]]);
      if (!in_bounds(d, n, dst->size) || !in_bounds(s, n, src->size)) TRAP(TrapCode::MemoryOutOfBounds);
      if (n > 0) std::memmove(dst->data + d, src->data + s, n);
      pc += 6;
      NEXT();
    }
    TARGET(MemoryInitOp) {
      MemoryInst* m = inst->memories[pc[4]];
      uint32_t seg_index = pc[5];
      const DataSegment& seg = inst->module->desc.datas[seg_index];
      uint64_t seg_size = inst->data_dropped[seg_index] ? 0 : seg.data_end - seg.data_begin;
      uint64_t d = static_cast<uint32_t>(fp[pc[1]]);
      uint64_t s = static_cast<uint32_t>(fp[pc[2]]);
      uint64_t n = static_cast<uint32_t>(fp[pc[3]]);
      if (!in_bounds(d, n, m->size) || !in_bounds(s, n, seg_size)) TRAP(TrapCode::MemoryOutOfBounds);
      if (n > 0) std::memcpy(m->data + d, inst->module->desc.bytes.data() + seg.data_begin + s, n);
      pc += 6;
      NEXT();
    }
    TARGET(DataDropOp) {
      inst->data_dropped[pc[1]] = 1;
      pc += 2;
      NEXT();
    }
#ifdef WASP_COMPUTED_GOTO
  L_Invalid :
#else
      default:
#endif
  {
    trap.code = TrapCode::Unreachable;
    trap.message = "internal error: invalid internal opcode";
    goto trapped;
  }
#ifndef WASP_COMPUTED_GOTO
  }
#endif

  // Shared tails of the call instructions (reached only by goto).
do_call:
  SAVE_PC(pc + call_len);
  if (callee->is_host()) {
    if (!call_host(st, callee, call_base, inst, config, trap)) goto trapped;
    fp = st.slots.data() + st.frames.back().base;
    LOAD_MEM();
    pc += call_len;
    NEXT();
  }
  if (!push_frame(st, callee, call_base, config, trap)) goto trapped;
  LOAD_FRAME();
  NEXT();

do_tail_call : {
  // Move the arguments to slot 0 of the current frame, then replace it.
  uint32_t num_params = static_cast<uint32_t>(callee->type.params.size());
  std::memmove(fp, fp + call_base, num_params * sizeof(uint64_t));
  uint64_t base = st.frames.back().base;
  if (callee->is_host()) {
    SAVE_PC(pc + 1);
    if (!call_host(st, callee, base, inst, config, trap)) goto trapped;
    st.frames.pop_back();
    if (st.frames.size() == entry_depth) return true;
    LOAD_FRAME();
    NEXT();
  }
  st.frames.pop_back();
  if (!push_frame(st, callee, base, config, trap)) {
    // Leave the caller's frame in place for the backtrace.
    st.frames.push_back(Frame{cur, static_cast<uint32_t>(pc - code_base + 1), base});
    goto trapped_no_save;
  }
  LOAD_FRAME();
  NEXT();
}
}

trapped : st.frames.back().pc = static_cast<uint32_t>(pc - code_base + 1);
trapped_no_save : return false;

#undef LOAD_MEM
#undef LOAD_FRAME
#undef SAVE_PC
#undef TRAP
#undef TARGET
#undef NEXT
}

Outcome make_trap(ExecStack* st, size_t entry_depth, const TrapState& trap) {
  Trap t;
  t.code = trap.code;
  t.message = trap.message.empty() ? trap_message(trap.code) : trap.message;
  t.exit_code = trap.exit_code;
  if (st) {
    t.backtrace = backtrace(*st, entry_depth);
    st->frames.resize(entry_depth);
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

Outcome invoke(const FuncInst* func, std::span<const Value> args) {
  if (func->is_host()) return invoke_host(func, args);
  InstanceImpl* inst = func->instance;
  if (!inst->stack) inst->stack = std::make_unique<ExecStack>();
  ExecStack& st = *inst->stack;
  const Config& config = config_of(inst);
  uint64_t base = st.frames.empty() ? 0 : st.frames.back().base + st.frames.back().func->code->frame_slots;
  size_t entry_depth = st.frames.size();
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
