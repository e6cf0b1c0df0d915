// Translation of validated function bodies into internal code, in one pass.
// The wasm operand stack is mapped statically onto frame slots: stack
// position p lives in slot num_locals + p, so every operand address is known
// at translation time. See docs/internal-code.md for the format.
#include "compile/translator.h"

#include <algorithm>
#include <vector>

#include "decode/code_reader.h"
#include "waspvm/trap.h"

namespace waspvm {

namespace {

constexpr uint32_t kNone = UINT32_MAX;

enum class ControlKind : uint8_t { Func, Block, Loop, If };

// A forward branch waiting for its label's end: the offset word at `word_pos`
// belongs to the instruction starting at `instr_start`. `next` chains the
// fixups of one label through a shared pool.
struct Fixup {
  uint32_t instr_start;
  uint32_t word_pos;
  uint32_t next;
};

struct Control {
  ControlKind kind = ControlKind::Block;
  uint32_t entry_height = 0;  // operand stack height below the block's params
  uint32_t num_params = 0;
  uint32_t num_results = 0;
  uint32_t loop_start = 0;       // Loop: where its branches go
  uint32_t else_branch = kNone;  // If: start of the BrIfEqz still to point at the else/end
  uint32_t fixups = kNone;       // head of the forward branches to the end
  uint32_t stub_stamp = 0;       // br_table: stub_pos is valid for the table with this stamp
  uint32_t stub_pos = 0;

  uint32_t label_arity() const { return kind == ControlKind::Loop ? num_params : num_results; }
};

}  // namespace

class FunctionTranslator {
 public:
  Result<CompiledFunc> run(const ModuleDesc& module, uint32_t defined_index);

 private:
  // Operand stack <-> slots. top(1) is the top value, top(0) the next free position.
  uint32_t slot(uint32_t stack_pos) const { return num_locals_ + stack_pos; }
  uint32_t top(uint32_t depth) const { return num_locals_ + height_ - depth; }
  void set_height(uint32_t height) {
    height_ = height;
    max_height_ = std::max(max_height_, height_);
  }
  void push(uint32_t n) { set_height(height_ + n); }
  void pop(uint32_t n) { height_ -= n; }

  // Emission; every instruction gets a source map entry.
  uint32_t pc() const { return static_cast<uint32_t>(code_.size()); }
  template <class... Words>
  uint32_t emit(IOp op, Words... words) {
    uint32_t start = pc();
    source_map_.emplace_back(start, wasm_offset_);
    code_.push_back(static_cast<CodeWord>(op));
    (code_.push_back(static_cast<CodeWord>(words)), ...);
    return start;
  }
  void patch(uint32_t instr_start, uint32_t word_pos, uint32_t target) {
    code_[word_pos] = target - instr_start;  // negative offsets wrap to two's complement
  }

  void translate(const Instr& in);
  void skip_unreachable(const Instr& in);
  void translate_control(const Instr& in);
  void translate_data(const Instr& in);
  void translate_one_to_one(const Instr& in);

  void block_signature(const BlockType& type, uint32_t& num_params, uint32_t& num_results) const;
  void enter(ControlKind kind, const BlockType& type);
  void translate_else();
  void translate_end();
  void translate_br_if(uint32_t depth);
  void translate_br_table(const Instr& in);
  void become_unreachable() {
    reachable_ = false;
    skip_depth_ = 0;
  }

  Control& label(uint32_t depth) { return controls_[controls_.size() - 1 - depth]; }
  bool branch_is_direct(const Control& target) const;
  void set_branch(Control& target, uint32_t instr_start, uint32_t word_pos);
  void emit_jump(Control& target);

  const ModuleDesc* module_ = nullptr;
  uint32_t num_locals_ = 0;
  uint32_t height_ = 0;
  uint32_t max_height_ = 0;
  uint32_t wasm_offset_ = 0;
  bool reachable_ = true;
  uint32_t skip_depth_ = 0;  // blocks entered while skipping unreachable code
  uint32_t stub_stamp_ = 0;
  std::vector<CodeWord> code_;
  std::vector<std::pair<uint32_t, uint32_t>> source_map_;
  std::vector<Control> controls_;
  std::vector<Fixup> fixups_;
  Instr instr_;
};

Result<CompiledFunc> FunctionTranslator::run(const ModuleDesc& module, uint32_t defined_index) {
  const FuncBody& body = module.funcs[defined_index];
  const FuncType& type = module.types[body.type];
  CompiledFunc out;
  out.func_index = module.num_imported_funcs + defined_index;
  out.type_index = body.type;
  out.num_params = static_cast<uint32_t>(type.params.size());
  out.num_results = static_cast<uint32_t>(type.results.size());
  out.num_locals = out.num_params + body.num_locals;

  module_ = &module;
  num_locals_ = out.num_locals;
  height_ = max_height_ = 0;
  reachable_ = true;
  skip_depth_ = 0;
  code_.clear();
  source_map_.clear();
  controls_.clear();
  fixups_.clear();
  Control func_label;
  func_label.kind = ControlKind::Func;
  func_label.num_results = out.num_results;
  controls_.push_back(func_label);

  // The function's own `end` pops the last control.
  CodeReader reader(module.bytes.data(), body.code_begin, body.code_end);
  while (!controls_.empty()) {
    WASP_TRY(reader.next(instr_));
    wasm_offset_ = instr_.offset;
    if (reachable_) {
      translate(instr_);
    } else {
      skip_unreachable(instr_);
    }
  }

  out.code = std::move(code_);
  out.source_map = std::move(source_map_);
  out.frame_slots = std::max(num_locals_ + max_height_, out.num_results);
  return out;
}

// Unreachable code emits nothing; only the structure is followed, to find the
// else/end that makes code reachable again.
void FunctionTranslator::skip_unreachable(const Instr& in) {
  switch (in.op) {
    case Op::Block:
    case Op::Loop:
    case Op::If: ++skip_depth_; break;
    case Op::Else:
      if (skip_depth_ == 0) translate_else();
      break;
    case Op::End:
      if (skip_depth_ == 0) {
        translate_end();
      } else {
        --skip_depth_;
      }
      break;
    default: break;
  }
}

void FunctionTranslator::translate(const Instr& in) {
  switch (op_info(in.op).cls) {
    case OpClass::Simple:
    case OpClass::Trapping:
    case OpClass::Load:
    case OpClass::Store: return translate_one_to_one(in);
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
    case Op::Br:
    case Op::BrIf:
    case Op::BrTable:
    case Op::Return:
    case Op::Call:
    case Op::CallIndirect:
    case Op::ReturnCall:
    case Op::ReturnCallIndirect: return translate_control(in);
    default: return translate_data(in);
  }
}

void FunctionTranslator::translate_one_to_one(const Instr& in) {
  const OpInfo& info = op_info(in.op);
  IOp op = to_iop(in.op);
  switch (info.cls) {
    case OpClass::Simple:
    case OpClass::Trapping:
      if (info.params[1] != '\0') {
        emit(op, top(2), top(2), top(1));
        pop(1);
      } else {
        emit(op, top(1), top(1));
      }
      break;
    case OpClass::Load: emit(op, top(1), top(1), in.mem_offset); break;
    case OpClass::Store:
      emit(op, top(2), top(1), in.mem_offset);
      pop(2);
      break;
    case OpClass::Special: break;
  }
}

void FunctionTranslator::translate_control(const Instr& in) {
  switch (in.op) {
    case Op::Unreachable:
      emit(IOp::Trap, static_cast<uint32_t>(TrapCode::Unreachable));
      become_unreachable();
      break;
    case Op::Nop: break;
    case Op::Block: enter(ControlKind::Block, in.block); break;
    case Op::Loop: enter(ControlKind::Loop, in.block); break;
    case Op::If: enter(ControlKind::If, in.block); break;
    case Op::Else: translate_else(); break;
    case Op::End: translate_end(); break;
    case Op::Br:
      emit_jump(label(in.index));
      become_unreachable();
      break;
    case Op::BrIf: translate_br_if(in.index); break;
    case Op::BrTable: translate_br_table(in); break;
    case Op::Return:
      emit_jump(controls_.front());
      become_unreachable();
      break;
    case Op::Call: {
      const FuncType& type = module_->func_type(in.index);
      auto num_params = static_cast<uint32_t>(type.params.size());
      emit(IOp::CallFunc, in.index, top(num_params));
      pop(num_params);
      push(static_cast<uint32_t>(type.results.size()));
      break;
    }
    case Op::CallIndirect: {
      const FuncType& type = module_->types[in.index];
      auto num_params = static_cast<uint32_t>(type.params.size());
      emit(IOp::CallIndirectOp, in.index, in.index2, top(1), top(1 + num_params));
      pop(1 + num_params);
      push(static_cast<uint32_t>(type.results.size()));
      break;
    }
    case Op::ReturnCall: {
      auto num_params = static_cast<uint32_t>(module_->func_type(in.index).params.size());
      emit(IOp::ReturnCallFunc, in.index, top(num_params));
      become_unreachable();
      break;
    }
    case Op::ReturnCallIndirect: {
      auto num_params = static_cast<uint32_t>(module_->types[in.index].params.size());
      emit(IOp::ReturnCallIndirectOp, in.index, in.index2, top(1), top(1 + num_params));
      become_unreachable();
      break;
    }
    default: break;
  }
}

// Variables, constants, references, tables and memories. Immediates follow
// code_reader.h: MemInit/TableInit carry (segment, memory/table), the isa
// rows take (memory/table, segment).
void FunctionTranslator::translate_data(const Instr& in) {
  switch (in.op) {
    case Op::Drop: pop(1); break;
    case Op::Select:
    case Op::SelectT:
      emit(IOp::SelectOp, top(3), top(3), top(2), top(1));
      pop(2);
      break;
    case Op::LocalGet:
      emit(IOp::Copy, top(0), in.index);
      push(1);
      break;
    case Op::LocalSet:
      emit(IOp::Copy, in.index, top(1));
      pop(1);
      break;
    case Op::LocalTee: emit(IOp::Copy, in.index, top(1)); break;
    case Op::GlobalGet:
      emit(IOp::GlobalGetOp, top(0), in.index);
      push(1);
      break;
    case Op::GlobalSet:
      emit(IOp::GlobalSetOp, top(1), in.index);
      pop(1);
      break;
    case Op::TableGet: emit(IOp::TableGetOp, top(1), top(1), in.index); break;
    case Op::TableSet:
      emit(IOp::TableSetOp, top(2), top(1), in.index);
      pop(2);
      break;
    case Op::TableSize:
      emit(IOp::TableSizeOp, top(0), in.index);
      push(1);
      break;
    case Op::TableGrow:
      emit(IOp::TableGrowOp, top(2), top(2), top(1), in.index);
      pop(1);
      break;
    case Op::TableFill:
      emit(IOp::TableFillOp, top(3), top(2), top(1), in.index);
      pop(3);
      break;
    case Op::TableCopy:
      emit(IOp::TableCopyOp, top(3), top(2), top(1), in.index, in.index2);
      pop(3);
      break;
    case Op::TableInit:
      emit(IOp::TableInitOp, top(3), top(2), top(1), in.index2, in.index);
      pop(3);
      break;
    case Op::ElemDrop: emit(IOp::ElemDropOp, in.index); break;
    case Op::MemorySize:
      emit(IOp::MemorySizeOp, top(0), in.index);
      push(1);
      break;
    case Op::MemoryGrow: emit(IOp::MemoryGrowOp, top(1), top(1), in.index); break;
    case Op::MemoryFill:
      emit(IOp::MemoryFillOp, top(3), top(2), top(1), in.index);
      pop(3);
      break;
    case Op::MemoryCopy:
      emit(IOp::MemoryCopyOp, top(3), top(2), top(1), in.index, in.index2);
      pop(3);
      break;
    case Op::MemoryInit:
      emit(IOp::MemoryInitOp, top(3), top(2), top(1), in.index2, in.index);
      pop(3);
      break;
    case Op::DataDrop: emit(IOp::DataDropOp, in.index); break;
    case Op::I32Const:
    case Op::F32Const:
      emit(IOp::Const32, top(0), static_cast<uint32_t>(in.bits));
      push(1);
      break;
    case Op::I64Const:
    case Op::F64Const:
      emit(IOp::Const64, top(0), static_cast<uint32_t>(in.bits), static_cast<uint32_t>(in.bits >> 32));
      push(1);
      break;
    case Op::RefNull:
      emit(IOp::Const32, top(0), 0u);
      push(1);
      break;
    case Op::RefIsNull: emit(IOp::RefIsNullOp, top(1), top(1)); break;
    case Op::RefFunc:
      emit(IOp::RefFuncOp, top(0), in.index);
      push(1);
      break;
    default: break;
  }
}

void FunctionTranslator::block_signature(const BlockType& type, uint32_t& num_params,
                                         uint32_t& num_results) const {
  switch (type.kind) {
    case BlockType::Kind::Empty: num_params = num_results = 0; return;
    case BlockType::Kind::Value:
      num_params = 0;
      num_results = 1;
      return;
    case BlockType::Kind::TypeIndex: {
      const FuncType& func_type = module_->types[type.type_index];
      num_params = static_cast<uint32_t>(func_type.params.size());
      num_results = static_cast<uint32_t>(func_type.results.size());
      return;
    }
  }
}

void FunctionTranslator::enter(ControlKind kind, const BlockType& type) {
  Control control;
  control.kind = kind;
  block_signature(type, control.num_params, control.num_results);
  if (kind == ControlKind::If) {
    control.else_branch = emit(IOp::BrIfEqz, top(1), 0u);  // to the else branch or the end
    pop(1);
  }
  control.entry_height = height_ - control.num_params;
  control.loop_start = pc();
  controls_.push_back(control);
}

void FunctionTranslator::translate_else() {
  Control& control = controls_.back();
  if (reachable_) emit_jump(control);  // the true branch skips the false one
  patch(control.else_branch, control.else_branch + 2, pc());
  control.else_branch = kNone;
  set_height(control.entry_height + control.num_params);
  reachable_ = true;
  skip_depth_ = 0;
}

void FunctionTranslator::translate_end() {
  Control& control = controls_.back();
  // Code after the end is reachable by falling through, by a branch to the
  // label, or (an if without else) by the false condition.
  bool reached = reachable_;
  if (control.else_branch != kNone) {
    patch(control.else_branch, control.else_branch + 2, pc());
    reached = true;
  }
  for (uint32_t f = control.fixups; f != kNone; f = fixups_[f].next) {
    patch(fixups_[f].instr_start, fixups_[f].word_pos, pc());
    reached = true;
  }
  if (control.kind == ControlKind::Func) {
    if (reachable_) emit(IOp::Return, top(control.num_results), control.num_results);
    controls_.pop_back();
    return;
  }
  // On every path that reaches here the results are at the landing slots.
  uint32_t height = control.entry_height + control.num_results;
  controls_.pop_back();
  reachable_ = reached;
  skip_depth_ = 0;
  height_ = height;
  if (reached) set_height(height);
}

bool FunctionTranslator::branch_is_direct(const Control& target) const {
  uint32_t arity = target.label_arity();
  return target.kind != ControlKind::Func && (arity == 0 || height_ - arity == target.entry_height);
}

void FunctionTranslator::set_branch(Control& target, uint32_t instr_start, uint32_t word_pos) {
  if (target.kind == ControlKind::Loop) {
    patch(instr_start, word_pos, target.loop_start);
    return;
  }
  fixups_.push_back(Fixup{instr_start, word_pos, target.fixups});
  target.fixups = static_cast<uint32_t>(fixups_.size() - 1);
}

// Moves the label's values from the top of the stack to its landing slots
// (ascending: the landing slots are never above the sources), then jumps.
// A branch to the function's label is a return.
void FunctionTranslator::emit_jump(Control& target) {
  if (target.kind == ControlKind::Func) {
    emit(IOp::Return, top(target.num_results), target.num_results);
    return;
  }
  uint32_t arity = target.label_arity();
  uint32_t source = height_ - arity;
  if (source != target.entry_height) {
    for (uint32_t i = 0; i < arity; ++i) emit(IOp::Copy, slot(target.entry_height + i), slot(source + i));
  }
  uint32_t start = emit(IOp::Br, 0u);
  set_branch(target, start, start + 1);
}

void FunctionTranslator::translate_br_if(uint32_t depth) {
  uint32_t cond = top(1);
  pop(1);
  Control& target = label(depth);
  if (branch_is_direct(target)) {
    uint32_t start = emit(IOp::BrIfNez, cond, 0u);
    set_branch(target, start, start + 2);
    return;
  }
  uint32_t skip = emit(IOp::BrIfEqz, cond, 0u);
  emit_jump(target);
  patch(skip, skip + 2, pc());
}

// Entries whose label needs copies (or is the function's) point at a stub
// after the table; labels share one stub per table.
void FunctionTranslator::translate_br_table(const Instr& in) {
  uint32_t index = top(1);
  pop(1);
  auto count = static_cast<uint32_t>(in.targets.size());
  uint32_t start = emit(IOp::BrTable, index, count);
  uint32_t table = pc();
  code_.resize(code_.size() + count, 0);
  if (++stub_stamp_ == 0) ++stub_stamp_;  // 0 marks a label without a stub
  for (uint32_t i = 0; i < count; ++i) {
    Control& target = label(in.targets[i]);
    if (branch_is_direct(target)) {
      set_branch(target, start, table + i);
      continue;
    }
    if (target.stub_stamp != stub_stamp_) {
      target.stub_stamp = stub_stamp_;
      target.stub_pos = pc();
      emit_jump(target);
    }
    patch(start, table + i, target.stub_pos);
  }
  become_unreachable();
}

Translator::Translator() : impl_(std::make_unique<FunctionTranslator>()) {}
Translator::~Translator() = default;

Result<CompiledFunc> Translator::translate(const ModuleDesc& module, uint32_t defined_index) {
  return impl_->run(module, defined_index);
}

Result<CompiledFunc> translate_function(const ModuleDesc& module, uint32_t defined_index) {
  return FunctionTranslator().run(module, defined_index);
}

}  // namespace waspvm
