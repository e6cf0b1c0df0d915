// Function-body validation: the algorithm of the spec's appendix "Validation
// Algorithm" (operand stack with Unknown, control stack of frames). Every
// Simple/Trapping/Load/Store opcode is checked from its opcodes.def signature.
#include <algorithm>
#include <iterator>

#include "validate/validate_internal.h"

namespace waspvm::validate_detail {

namespace {

constexpr ValType kAllTypes[] = {ValType::I32,  ValType::I64,     ValType::F32,      ValType::F64,
                                 ValType::V128, ValType::FuncRef, ValType::ExternRef};

std::string unknown(const char* what, uint64_t index) {
  return std::string("unknown ") + what + " " + std::to_string(index);
}

}  // namespace

TypeList TypeList::single(ValType t) {
  for (uint32_t k = 0; k < std::size(kAllTypes); ++k) {
    if (kAllTypes[k] == t) return TypeList{&kAllTypes[k], 1, k};
  }
  return TypeList{};
}

bool TypeList::operator==(const TypeList& other) const {
  return size == other.size && std::equal(data, data + size, other.data);
}

Error FunctionValidator::fail(const std::string& what) const {
  return make_error(what + " in function " + std::to_string(func_index_) + " at offset " +
                    std::to_string(offset_));
}

// ---- operand and control stacks ----

void FunctionValidator::push_vals(TypeList types) {
  vals_.insert(vals_.end(), types.data, types.data + types.size);
}

Result<ValType> FunctionValidator::pop() {
  const Frame& frame = ctrls_.back();
  if (vals_.size() == frame.height) {
    if (frame.unreachable) return kUnknown;
    return mismatch();
  }
  ValType t = vals_.back();
  vals_.pop_back();
  return t;
}

Result<void> FunctionValidator::pop(ValType expected) {
  auto actual = pop();
  if (!actual) return actual.error();
  if (*actual != expected && *actual != kUnknown && expected != kUnknown) return mismatch();
  return {};
}

Result<void> FunctionValidator::pop_vals(TypeList types) {
  for (uint32_t i = types.size; i-- > 0;) WASP_TRY(pop(types[i]));
  return {};
}

Result<void> FunctionValidator::peek_vals(TypeList types) {
  const Frame& frame = ctrls_.back();
  size_t available = vals_.size() - frame.height;
  for (uint32_t i = 0; i < types.size; ++i) {
    if (i >= available) {
      if (frame.unreachable) return {};
      return mismatch();
    }
    ValType actual = vals_[vals_.size() - 1 - i];
    if (actual != types[types.size - 1 - i] && actual != kUnknown) return mismatch();
  }
  return {};
}

Result<void> FunctionValidator::pop_three_i32() {
  WASP_TRY(pop(ValType::I32));
  WASP_TRY(pop(ValType::I32));
  return pop(ValType::I32);
}

void FunctionValidator::push_ctrl(Op op, TypeList start, TypeList end) {
  ctrls_.push_back(Frame{op, start, end, static_cast<uint32_t>(vals_.size()), false});
  push_vals(start);
}

Result<FunctionValidator::Frame> FunctionValidator::pop_ctrl() {
  const Frame frame = ctrls_.back();
  WASP_TRY(pop_vals(frame.end));
  if (vals_.size() != frame.height) return mismatch();
  ctrls_.pop_back();
  return frame;
}

void FunctionValidator::set_unreachable() {
  vals_.resize(ctrls_.back().height);
  ctrls_.back().unreachable = true;
}

// ---- index-space lookups ----

Result<void> FunctionValidator::block_signature(const BlockType& bt, TypeList& start, TypeList& end) {
  start = end = TypeList{};
  switch (bt.kind) {
    case BlockType::Kind::Empty: return {};
    case BlockType::Kind::Value:
      if (is_v128(bt.value)) return fail(simd_error().message);
      end = TypeList::single(bt.value);
      return {};
    case BlockType::Kind::TypeIndex: {
      WASP_TRY(require_type(bt.type_index));
      start = TypeList::params(module_.types, bt.type_index);
      end = TypeList::results(module_.types, bt.type_index);
      return {};
    }
  }
  return {};
}

Result<const FuncType*> FunctionValidator::require_type(uint32_t index) {
  if (index >= module_.types.size()) return fail(unknown("type", index));
  return &module_.types[index];
}

Result<void> FunctionValidator::require_memory(uint32_t index) {
  if (index >= module_.memories.size()) return fail(unknown("memory", index));
  return {};
}

Result<ValType> FunctionValidator::require_table(uint32_t index) {
  if (index >= module_.tables.size()) return fail(unknown("table", index));
  return module_.tables[index].elem;
}

Result<void> FunctionValidator::require_elem(uint32_t index) {
  if (index >= module_.elems.size()) return fail(unknown("elem segment", index));
  return {};
}

Result<void> FunctionValidator::require_data(uint32_t index) {
  // The decoder guarantees a data count section when these instructions occur.
  uint64_t count = module_.data_count ? *module_.data_count : module_.datas.size();
  if (index >= count) return fail(unknown("data segment", index));
  return {};
}

Result<const FunctionValidator::Frame*> FunctionValidator::label(uint32_t depth) {
  if (depth >= ctrls_.size()) return fail(unknown("label", depth));
  return &ctrls_[ctrls_.size() - 1 - depth];
}

// ---- locals ----

Result<void> FunctionValidator::setup_locals(const FuncBody& body, const FuncType& type) {
  local_run_ends_.clear();
  uint64_t total = type.params.size();
  for (const LocalRun& run : body.locals) {
    if (is_v128(run.type)) return simd_error();
    total += run.count;
    local_run_ends_.push_back(total);
  }
  if (total > UINT32_MAX) return make_error("too many locals in function " + std::to_string(func_index_));
  if (total > ctx_.features.max_function_locals)
    return make_error("function " + std::to_string(func_index_) + " has " + std::to_string(total) +
                          " locals (parameters included), more than the limit of " +
                          std::to_string(ctx_.features.max_function_locals) +
                          " (Config::max_function_locals)",
                      ErrorKind::Limit);
  num_locals_ = total;
  return {};
}

Result<ValType> FunctionValidator::local_type(uint32_t index) const {
  const auto& params = func_type_->params;
  if (index < params.size()) return params[index];
  if (index >= num_locals_) return fail(unknown("local", index));
  // Runs are length-encoded (possibly huge); find the run holding `index`.
  auto it = std::upper_bound(local_run_ends_.begin(), local_run_ends_.end(), uint64_t{index});
  return body_->locals[it - local_run_ends_.begin()].type;
}

// ---- the body ----

Result<void> FunctionValidator::validate(uint32_t defined_index) {
  const FuncBody& body = module_.funcs[defined_index];
  body_ = &body;
  func_index_ = module_.num_imported_funcs + defined_index;
  func_type_ = &module_.types[module_.func_types[func_index_]];
  offset_ = body.code_begin;
  WASP_TRY(setup_locals(body, *func_type_));

  vals_.clear();
  ctrls_.clear();
  push_ctrl(Op::Block, TypeList{}, TypeList::results(module_.types, module_.func_types[func_index_]));
  CodeReader reader(module_.bytes.data(), body.code_begin, body.code_end);
  while (!ctrls_.empty()) {
    if (reader.at_end()) {
      offset_ = body.code_end;
      return fail("unexpected end of function");
    }
    auto read = reader.next(instr_);
    if (!read) return make_error(read.error().message + " in function " + std::to_string(func_index_));
    offset_ = instr_.offset;
    WASP_TRY(step(instr_));
    if (vals_.size() > kMaxOperandStack) return fail("operand stack too deep (implementation limit)");
  }
  if (!reader.at_end()) {
    offset_ = static_cast<uint32_t>(reader.pos());
    return fail("operators remaining after end of function");
  }
  return {};
}

Result<void> FunctionValidator::step(const Instr& in) {
  const OpInfo& info = op_info(in.op);
  switch (info.cls) {
    case OpClass::Simple:
    case OpClass::Trapping: return check_signature(info);
    case OpClass::Load:
    case OpClass::Store: WASP_TRY(check_memarg(in, info)); return check_signature(info);
    case OpClass::Special: break;
  }
  switch (in.op) {
    case Op::Unreachable:
    case Op::Nop:
    case Op::Block:
    case Op::Loop:
    case Op::If:
    case Op::Else:
    case Op::End:
    case Op::Return: return control(in);
    case Op::Br:
    case Op::BrIf:
    case Op::BrTable: return branch(in);
    case Op::Call:
    case Op::CallIndirect:
    case Op::ReturnCall:
    case Op::ReturnCallIndirect: return call(in);
    case Op::Drop:
    case Op::Select:
    case Op::SelectT:
    case Op::LocalGet:
    case Op::LocalSet:
    case Op::LocalTee:
    case Op::GlobalGet:
    case Op::GlobalSet:
    case Op::I32Const:
    case Op::I64Const:
    case Op::F32Const:
    case Op::F64Const: return parametric_or_variable(in);
    case Op::TableGet:
    case Op::TableSet:
    case Op::TableSize:
    case Op::TableGrow:
    case Op::TableFill:
    case Op::TableCopy:
    case Op::TableInit:
    case Op::ElemDrop:
    case Op::RefNull:
    case Op::RefIsNull:
    case Op::RefFunc: return table_or_ref(in);
    default: return memory_op(in);
  }
}

Result<void> FunctionValidator::check_signature(const OpInfo& info) {
  for (size_t i = std::char_traits<char>::length(info.params); i-- > 0;) {
    WASP_TRY(pop(sig_char_type(info.params[i])));
  }
  for (const char* r = info.results; *r; ++r) push(sig_char_type(*r));
  return {};
}

Result<void> FunctionValidator::check_memarg(const Instr& in, const OpInfo& info) {
  WASP_TRY(require_memory(0));
  // 2^align <= access_bytes; compare logarithms so a huge align cannot overflow a shift.
  uint32_t max_align = 0;
  while ((2u << max_align) <= info.access_bytes) ++max_align;
  if (in.align > max_align) return fail("alignment must not be larger than natural");
  return {};
}

Result<void> FunctionValidator::control(const Instr& in) {
  switch (in.op) {
    case Op::Unreachable: set_unreachable(); return {};
    case Op::Nop: return {};
    case Op::Block:
    case Op::Loop:
    case Op::If: {
      TypeList start, end;
      WASP_TRY(block_signature(in.block, start, end));
      if (in.op == Op::If) WASP_TRY(pop(ValType::I32));
      WASP_TRY(pop_vals(start));
      push_ctrl(in.op, start, end);
      return {};
    }
    case Op::Else: {
      if (ctrls_.back().op != Op::If) return fail("else without matching if");
      auto frame = pop_ctrl();
      if (!frame) return frame.error();
      push_ctrl(Op::Else, frame->start, frame->end);
      return {};
    }
    case Op::End: {
      auto frame = pop_ctrl();
      if (!frame) return frame.error();
      // An `if` without `else` has an implicit empty else: it must map params to results.
      if (frame->op == Op::If && !(frame->start == frame->end)) return mismatch();
      if (!ctrls_.empty()) push_vals(frame->end);
      return {};
    }
    case Op::Return:
      WASP_TRY(pop_vals(TypeList::of(func_type_->results)));
      set_unreachable();
      return {};
    default: return fail("unexpected control opcode");
  }
}

Result<void> FunctionValidator::branch(const Instr& in) {
  switch (in.op) {
    case Op::Br: {
      auto target = label(in.index);
      if (!target) return target.error();
      WASP_TRY(pop_vals(label_types(**target)));
      set_unreachable();
      return {};
    }
    case Op::BrIf: {
      auto target = label(in.index);
      if (!target) return target.error();
      TypeList types = label_types(**target);
      WASP_TRY(pop(ValType::I32));
      WASP_TRY(pop_vals(types));
      push_vals(types);
      return {};
    }
    default: {  // BrTable; targets holds the default label last
      WASP_TRY(pop(ValType::I32));
      auto default_target = label(in.targets.back());
      if (!default_target) return default_target.error();
      uint32_t arity = label_types(**default_target).size;
      if (++stamp_ == 0) {  // wrapped: forget all marks
        std::fill(checked_stamp_.begin(), checked_stamp_.end(), 0);
        stamp_ = 1;
      }
      for (uint32_t depth : in.targets) {
        auto target = label(depth);
        if (!target) return target.error();
        TypeList types = label_types(**target);
        if (types.size != arity) return mismatch();
        if (types.id != TypeList::kNoId) {
          if (checked_stamp_[types.id] == stamp_) continue;  // same list, same stack: same answer
          checked_stamp_[types.id] = stamp_;
        }
        WASP_TRY(peek_vals(types));
      }
      WASP_TRY(pop_vals(label_types(**default_target)));
      set_unreachable();
      return {};
    }
  }
}

Result<void> FunctionValidator::call(const Instr& in) {
  bool tail = in.op == Op::ReturnCall || in.op == Op::ReturnCallIndirect;
  if (tail && !ctx_.features.tail_call) return fail("illegal opcode (tail calls are disabled)");
  const FuncType* callee = nullptr;
  if (in.op == Op::Call || in.op == Op::ReturnCall) {
    if (in.index >= ctx_.num_funcs) return fail(unknown("function", in.index));
    callee = &module_.func_type(in.index);
  } else {
    auto elem = require_table(in.index2);
    if (!elem) return elem.error();
    if (*elem != ValType::FuncRef) return mismatch();
    auto type = require_type(in.index);
    if (!type) return type.error();
    callee = *type;
    WASP_TRY(pop(ValType::I32));
  }
  WASP_TRY(pop_vals(TypeList::of(callee->params)));
  if (!tail) {
    push_vals(TypeList::of(callee->results));
    return {};
  }
  if (callee->results != func_type_->results) return mismatch();
  set_unreachable();
  return {};
}

Result<void> FunctionValidator::parametric_or_variable(const Instr& in) {
  switch (in.op) {
    case Op::Drop: {
      auto t = pop();
      return t ? Result<void>{} : Result<void>{t.error()};
    }
    case Op::Select: {
      WASP_TRY(pop(ValType::I32));
      auto t1 = pop();
      if (!t1) return t1.error();
      auto t2 = pop();
      if (!t2) return t2.error();
      // Untyped select is for numeric operands only.
      if (is_ref(*t1) || is_ref(*t2) || is_v128(*t1) || is_v128(*t2)) return mismatch();
      if (*t1 != *t2 && *t1 != kUnknown && *t2 != kUnknown) return mismatch();
      push(*t1 == kUnknown ? *t2 : *t1);
      return {};
    }
    case Op::SelectT: {
      if (in.select_types.size() != 1) return fail("invalid result arity");
      ValType t = in.select_types[0];
      if (is_v128(t)) return fail(simd_error().message);
      WASP_TRY(pop(ValType::I32));
      WASP_TRY(pop(t));
      WASP_TRY(pop(t));
      push(t);
      return {};
    }
    case Op::LocalGet:
    case Op::LocalSet:
    case Op::LocalTee: {
      auto t = local_type(in.index);
      if (!t) return t.error();
      if (in.op != Op::LocalGet) WASP_TRY(pop(*t));
      if (in.op != Op::LocalSet) push(*t);
      return {};
    }
    case Op::GlobalGet:
    case Op::GlobalSet: {
      if (in.index >= module_.globals.size()) return fail(unknown("global", in.index));
      const GlobalType& global = module_.globals[in.index];
      if (in.op == Op::GlobalGet) {
        push(global.type);
        return {};
      }
      if (!global.mut) return fail("global is immutable");
      return pop(global.type);
    }
    default:  // the four constants: their result is in the opcode table
      push(sig_char_type(op_info(in.op).results[0]));
      return {};
  }
}

Result<void> FunctionValidator::table_or_ref(const Instr& in) {
  switch (in.op) {
    case Op::RefNull: push(in.ref_type); return {};
    case Op::RefIsNull: {
      auto t = pop();
      if (!t) return t.error();
      if (*t != kUnknown && !is_ref(*t)) return mismatch();
      push(ValType::I32);
      return {};
    }
    case Op::RefFunc:
      if (in.index >= ctx_.num_funcs) return fail(unknown("function", in.index));
      if (!ctx_.declared[in.index]) return fail("undeclared function reference");
      push(ValType::FuncRef);
      return {};
    case Op::ElemDrop: return require_elem(in.index);
    case Op::TableInit: {
      auto elem = require_table(in.index2);
      if (!elem) return elem.error();
      WASP_TRY(require_elem(in.index));
      if (module_.elems[in.index].type != *elem) return mismatch();
      return pop_three_i32();
    }
    default: break;
  }
  auto elem = require_table(in.index);
  if (!elem) return elem.error();
  switch (in.op) {
    case Op::TableGet:
      WASP_TRY(pop(ValType::I32));
      push(*elem);
      return {};
    case Op::TableSet: WASP_TRY(pop(*elem)); return pop(ValType::I32);
    case Op::TableSize: push(ValType::I32); return {};
    case Op::TableGrow:
      WASP_TRY(pop(ValType::I32));
      WASP_TRY(pop(*elem));
      push(ValType::I32);
      return {};
    case Op::TableFill:
      WASP_TRY(pop(ValType::I32));
      WASP_TRY(pop(*elem));
      return pop(ValType::I32);
    default: {  // TableCopy: index = destination, index2 = source
      auto src = require_table(in.index2);
      if (!src) return src.error();
      if (*src != *elem) return mismatch();
      return pop_three_i32();
    }
  }
}

Result<void> FunctionValidator::memory_op(const Instr& in) {
  switch (in.op) {
    case Op::MemorySize:
      WASP_TRY(require_memory(in.index));
      push(ValType::I32);
      return {};
    case Op::MemoryGrow:
      WASP_TRY(require_memory(in.index));
      WASP_TRY(pop(ValType::I32));
      push(ValType::I32);
      return {};
    case Op::MemoryInit:  // index = data segment, index2 = memory
      WASP_TRY(require_memory(in.index2));
      WASP_TRY(require_data(in.index));
      break;
    case Op::DataDrop: return require_data(in.index);
    case Op::MemoryCopy:
      WASP_TRY(require_memory(in.index));
      WASP_TRY(require_memory(in.index2));
      break;
    case Op::MemoryFill: WASP_TRY(require_memory(in.index)); break;
    default: return fail(std::string("unexpected opcode ") + op_name(in.op));
  }
  return pop_three_i32();  // memory.init, memory.copy, memory.fill
}

}  // namespace waspvm::validate_detail
