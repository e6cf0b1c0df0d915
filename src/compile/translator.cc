// Translation of validated function bodies into internal code, in one pass.
// The wasm operand stack is mapped statically onto frame slots: stack
// position p lives in slot num_locals + p, so every operand address is known
// at translation time. See docs/internal-code.md for the format.
#include "compile/translator.h"

#include <algorithm>
#include <vector>

#include "compile/disasm.h"
#include "compile/peephole.h"
#include "decode/code_reader.h"
#include "exec/slots.h"
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
  uint32_t else_branch = kNone;  // If: start of the branch still to point at the else/end
  uint32_t else_word = 0;        // If: the word of that branch's target offset
  uint32_t fixups = kNone;       // head of the forward branches to the end
  uint32_t stub_stamp = 0;       // br_table: stub_pos is valid for the table with this stamp
  uint32_t stub_pos = 0;
  BlockType type;

  uint32_t label_arity() const { return kind == ControlKind::Loop ? num_params : num_results; }
};

// Where a wasm operand stack entry's value is. Local and Const entries are
// lazy: `local.get` and constants emit nothing until an instruction needs
// the value in a slot it owns (a call argument, a branch value, a block
// boundary) or the local is about to be overwritten.
struct Operand {
  enum class Kind : uint8_t { Temp, Local, Const } kind = Kind::Temp;
  SlotKind value = SlotKind::Raw;  // a number or which reference (for the slot maps)
  uint32_t local = 0;              // Local: the local's slot
  uint64_t bits = 0;               // Const: the slot representation of the value
};

// Whether a 64-bit value is its low 32 bits sign-extended (an i64 immediate).
bool fits_sign_extended_32(uint64_t bits) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(bits))) == bits;
}

// The fused compare-and-branch of a comparison: jump when it holds, and
// when it does not (for `if`, which branches on false).
struct FusedBranch {
  IOp when_true = IOp::Count;
  IOp when_false = IOp::Count;
  uint32_t num_operands = 2;  // before the target: 1 for eqz, 3 for the and-compare rows
  uint32_t operands[3] = {};
  uint32_t target_word() const { return 1 + num_operands; }
};

FusedBranch fused_branch_for(IOp compare) {
  switch (compare) {
#define WASP_ISA(ident, kinds)
// clang-format off
#define WASP_BRCMP(ident, op, fn, negated) case IOp::op: return {IOp::ident, IOp::negated};
#define WASP_BRCMP_IMM(ident, op, fn, negated) case IOp::op: return {IOp::ident, IOp::negated};
#define WASP_BRTEST(ident, zero_ident, op, fn, kinds, imm) case IOp::op: return {IOp::ident, IOp::zero_ident};
// clang-format on
#include "exec/isa.def"
#undef WASP_BRCMP
#undef WASP_BRCMP_IMM
#undef WASP_BRTEST
    case IOp::I32Eqz: return {IOp::BrIfEqz, IOp::BrIfNez, 1};
    case IOp::I64Eqz: return {IOp::BrIfI64Eqz, IOp::BrIfI64Nez, 1};
    case IOp::I32AndEqImm: return {IOp::BrIfI32AndEqImm, IOp::BrIfI32AndNeImm, 3};
    case IOp::I32AndEqzImm: return {IOp::BrIfI32AndZImm, IOp::BrIfI32AndImm, 2};
    case IOp::I64AndEqzImm: return {IOp::BrIfI64AndZImm, IOp::BrIfI64AndImm, 2};
    case IOp::I32AndNeImm: return {IOp::BrIfI32AndNeImm, IOp::BrIfI32AndEqImm, 3};
    default: return {};
  }
}

}  // namespace

class FunctionTranslator {
 public:
  // `gas_costs`: the cost of every opcode table row with metering on, else null.
  // Slot maps are recorded only for functions that may hold references;
  // one found to be such midway is translated again from the start,
  // `record_maps` on.
  Result<CompiledFunc> run(const ModuleDesc& module, uint32_t defined_index,
                           const std::vector<uint32_t>* gas_costs, bool record_maps = false);

 private:
  // Operand stack <-> slots. top(1) is the top value, top(0) the next free position.
  uint32_t slot(uint32_t stack_pos) const { return num_locals_ + stack_pos; }
  uint32_t top(uint32_t depth) const { return num_locals_ + height_ - depth; }
  void set_height(uint32_t height) {
    height_ = height;
    max_height_ = std::max(max_height_, height_);
    operands_.resize(height_);
  }
  void push(uint32_t n) { set_height(height_ + n); }  // n values computed into their own slots
  void pop(uint32_t n) { set_height(height_ - n); }
  void push_local(uint32_t local) {
    push(1);
    operands_.back() = Operand{Operand::Kind::Local, local_kinds_[local], local, 0};
  }
  void push_const(uint64_t bits, SlotKind value = SlotKind::Raw) {
    push(1);
    operands_.back() = Operand{Operand::Kind::Const, value, 0, bits};
  }
  // n values of these types computed into their own slots.
  void push_values(const std::vector<ValType>& types) {
    push(static_cast<uint32_t>(types.size()));
    set_values(height_ - static_cast<uint32_t>(types.size()), types);
  }
  void set_values(uint32_t from, const std::vector<ValType>& types) {
    for (size_t i = 0; i < types.size(); ++i) operands_[from + i].value = slot_kind_of(types[i]);
  }
  // The values of a block's params (or results) from stack position `from`.
  void set_block_values(uint32_t from, const BlockType& type, bool results) {
    if (type.kind == BlockType::Kind::Value && results) operands_[from].value = slot_kind_of(type.value);
    if (type.kind != BlockType::Kind::TypeIndex) return;
    const FuncType& func_type = module_->types[type.type_index];
    set_values(from, results ? func_type.results : func_type.params);
  }
  // The slot holding the value at `depth` (1 = top), as an input operand.
  uint32_t use(uint32_t depth);
  // Puts the values at stack positions [from, height) into their own slots.
  void materialize(uint32_t from);
  void materialize_at_block_entry(uint32_t num_params);
  // Before local `local` is written: lazy copies of it below the top `keep`
  // entries get their own slots.
  void protect_local(uint32_t local, uint32_t keep);
  bool lazy_copies_of(uint32_t local, uint32_t keep) const;
  void emit_value_to(uint32_t dst, const Operand& value, uint32_t value_slot);
  void translate_local_write(uint32_t local, bool tee);
  // Marks the instruction just emitted as computing the top temp in its word 1.
  void set_last_result(uint32_t instr_start) { last_result_ = instr_start; }
  // The instruction just emitted if it computed the top temp (its word 1), else null.
  const CodeWord* top_producer() const {
    if (last_result_ == kNone || operands_.back().kind != Operand::Kind::Temp) return nullptr;
    const CodeWord* instr = code_.data() + last_result_;
    return instr[1] == top(1) ? instr : nullptr;
  }
  // The instruction just emitted if it computed the temp at `depth` and only
  // lazy entries (locals, constants: no code) are above it, else null.
  const CodeWord* producer_of(uint32_t depth) const {
    if (last_result_ == kNone || operands_[height_ - depth].kind != Operand::Kind::Temp) return nullptr;
    for (uint32_t above = 1; above < depth; ++above)
      if (operands_[height_ - above].kind == Operand::Kind::Temp) return nullptr;
    const CodeWord* instr = code_.data() + last_result_;
    return instr[1] == top(depth) ? instr : nullptr;
  }
  // Deletes that instruction (a fold that takes over its work).
  void drop_top_producer() {
    code_.resize(last_result_);
    source_map_.pop_back();
    last_result_ = kNone;
  }
  void bind_label() { last_result_ = kNone; }

  // Gas metering (docs/internal-code.md §5): a Gas instruction starts every
  // straight-line block, charging the costs of the block's instructions.
  // A block starts at the function's entry, a loop header, an else, an end
  // that a branch reaches, and after a conditional branch. The Gas is emitted
  // lazily, before the block's first instruction, at the position the label's
  // branches already point to.
  void start_block_here() { block_pending_ = gas_costs_ != nullptr; }

  // Slot maps (docs/internal-code.md §10): what the slots hold where a frame
  // can stop, when record_maps_. The stack state at `at` is the current
  // one, positions [0, live_height).
  void note_stop(uint32_t at, uint32_t live_height, bool at_return = false);
  // A conditional branch: the current state, and the slots it reads
  // (which may lie above the height: a fused comparison's operands).
  void note_branch_stop(uint32_t at);
  // An unconditional branch after its copies: the state its label sees.
  void note_jump_stop(uint32_t at, const Control& target);
  void meter(Op op);
  void close_block();
  // Whether `in` makes, reads or passes a reference value.
  bool touches_refs(const Instr& in) const;
  // Where control flow merges, the values from `from` up are in their own slots.
  void reset_to_temps(uint32_t from) {
    operands_.resize(height_);
    for (uint32_t pos = from; pos < height_; ++pos) operands_[pos].kind = Operand::Kind::Temp;
  }

  // Emission; every instruction gets a source map entry.
  uint32_t pc() const { return static_cast<uint32_t>(code_.size()); }
  template <class... Words>
  uint32_t emit(IOp op, Words... words) {
    uint32_t start = pc();
    last_result_ = kNone;
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
  void emit_return();
  void emit_three_inputs(IOp op, uint32_t imm1, uint32_t imm2);
  bool emit_with_immediate(Op op);
  bool fold_address_add(const Instr& in);
  bool fold_store_address(const Instr& in);
  bool fold_binary(Op op);
  bool fold_eqz(Op op);
  bool fold_immediate_pair(Op op, uint64_t c);
  bool fold_i64_multiply_add(uint64_t c);  // c: the constant's full 64 bits
  bool store_constant(const Instr& in);
  // If the condition on top was just computed by a fusable comparison,
  // removes it and returns its operands and fused branches.
  bool take_fused_compare(FusedBranch& branch);
  // Emits `op` (a row of `branch`) with its operands and a target to patch.
  uint32_t emit_fused_branch(IOp op, const FusedBranch& branch);

  const ModuleDesc* module_ = nullptr;
  const std::vector<uint32_t>* gas_costs_ = nullptr;
  bool block_pending_ = false;
  uint32_t gas_word_ = kNone;  // the cost word of the open block's Gas
  uint64_t gas_sum_ = 0;
  uint32_t num_locals_ = 0;
  uint32_t height_ = 0;
  uint32_t max_height_ = 0;
  uint32_t wasm_offset_ = 0;
  LocalKinds local_kinds_;
  bool record_maps_ = false;
  std::vector<SlotMaps::Point> stop_points_;
  std::vector<SlotKind> stop_kinds_;
  bool reachable_ = true;
  uint32_t skip_depth_ = 0;  // blocks entered while skipping unreachable code
  uint32_t stub_stamp_ = 0;
  std::vector<CodeWord> code_;
  std::vector<std::pair<uint32_t, uint32_t>> source_map_;
  std::vector<Control> controls_;
  std::vector<Fixup> fixups_;
  std::vector<Operand> operands_;  // one per operand stack entry
  uint32_t last_result_ = kNone;   // start of the instruction that computed the top temp
  Instr instr_;
};

Result<CompiledFunc> FunctionTranslator::run(const ModuleDesc& module, uint32_t defined_index,
                                             const std::vector<uint32_t>* gas_costs, bool record_maps) {
  const FuncBody& body = module.funcs[defined_index];
  const FuncType& type = module.types[body.type];
  CompiledFunc out;
  out.func_index = module.num_imported_funcs + defined_index;
  out.type_index = body.type;
  out.num_params = static_cast<uint32_t>(type.params.size());
  out.num_results = static_cast<uint32_t>(type.results.size());
  out.num_locals = out.num_params + body.num_locals;

  auto has_ref = [](const std::vector<ValType>& types) {
    return std::any_of(types.begin(), types.end(), is_ref);
  };
  out.may_hold_refs = has_ref(type.params) || has_ref(type.results) ||
                      std::any_of(body.locals.begin(), body.locals.end(),
                                  [](const LocalRun& run) { return is_ref(run.type); });
  module_ = &module;
  gas_costs_ = gas_costs;
  gas_word_ = kNone;
  gas_sum_ = 0;
  start_block_here();
  num_locals_ = out.num_locals;
  record_maps_ = record_maps || out.may_hold_refs;
  local_kinds_.clear();
  for (ValType t : type.params) local_kinds_.append(1, slot_kind_of(t));
  for (const LocalRun& run : body.locals) local_kinds_.append(run.count, slot_kind_of(run.type));
  stop_points_.clear();
  stop_kinds_.clear();
  height_ = max_height_ = 0;
  operands_.clear();
  last_result_ = kNone;
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
      if (gas_costs_ != nullptr) meter(instr_.op);
      if (!out.may_hold_refs && touches_refs(instr_)) {
        if (!record_maps_) return run(module, defined_index, gas_costs, true);
        out.may_hold_refs = true;
      }
      translate(instr_);
    } else {
      skip_unreachable(instr_);
    }
  }

  close_block();
  out.code = std::move(code_);
  out.source_map = std::move(source_map_);
  // Slot indices are code words: a frame must fit 32 bits (checked in 64).
  const uint64_t frame_slots = std::max<uint64_t>(uint64_t{num_locals_} + max_height_, out.num_results);
  if (frame_slots > UINT32_MAX)
    return Error{"function " + std::to_string(out.func_index) + " needs " + std::to_string(frame_slots) +
                     " slots per frame, more than 2^32 - 1",
                 ErrorKind::Limit};
  out.frame_slots = static_cast<uint32_t>(frame_slots);
  if (out.may_hold_refs) {
    // A call's return address can also be the next instruction's stop.
    std::stable_sort(stop_points_.begin(), stop_points_.end(), [](const auto& a, const auto& b) {
      return std::pair{a.pc, a.at_return} < std::pair{b.pc, b.at_return};
    });
    out.slot_maps.locals = local_kinds_;
    out.slot_maps.points = stop_points_;
    out.slot_maps.kinds = stop_kinds_;
  }
  return out;
}

void FunctionTranslator::note_stop(uint32_t at, uint32_t live_height, bool at_return) {
  if (!record_maps_) return;
  auto first = static_cast<uint32_t>(stop_kinds_.size());
  uint32_t count = 0;
  for (uint32_t pos = 0; pos < live_height; ++pos) {
    const Operand& operand = operands_[pos];
    SlotKind kind = operand.kind == Operand::Kind::Temp ? operand.value : SlotKind::Dead;
    stop_kinds_.push_back(kind);
    if (kind != SlotKind::Dead) count = pos + 1;
  }
  stop_kinds_.resize(first + count);  // trailing dead positions are implied
  stop_points_.push_back(SlotMaps::Point{at, at_return, first, count});
}

void FunctionTranslator::note_branch_stop(uint32_t at) {
  if (!record_maps_) return;
  note_stop(at, height_);
  SlotMaps::Point& point = stop_points_.back();
  uint32_t word = 1;
  for (const char* k = iop_operand_kinds(static_cast<IOp>(code_[at])); *k != '\0' && *k != 'n'; ++k, ++word) {
    if (*k != 's' || code_[at + word] < num_locals_) continue;
    uint32_t pos = code_[at + word] - num_locals_;
    if (pos < point.count) continue;  // a temp of the stack, already noted
    stop_kinds_.resize(point.first + pos + 1, SlotKind::Dead);
    stop_kinds_.back() = SlotKind::Raw;  // conditions and indices are numbers
    point.count = pos + 1;
  }
}

void FunctionTranslator::note_jump_stop(uint32_t at, const Control& target) {
  // Below the label's entry the stack is as here; its values are now in its
  // landing slots; above them nothing is read again.
  if (!record_maps_) return;
  uint32_t entry = target.entry_height, arity = target.label_arity();
  note_stop(at, entry);
  SlotMaps::Point& point = stop_points_.back();
  stop_kinds_.resize(point.first + entry, SlotKind::Dead);
  for (uint32_t i = 0; i < arity; ++i) stop_kinds_.push_back(operands_[height_ - arity + i].value);
  point.count = entry + arity;
}

void FunctionTranslator::meter(Op op) {
  uint32_t cost = (*gas_costs_)[static_cast<size_t>(op)];
  // A block whose sum would not fit the Gas word goes on in a second charge.
  if (block_pending_ || gas_sum_ + cost > UINT32_MAX) {
    // The open block emitted no code: its Gas and this one run as a pair.
    if (gas_word_ != kNone && gas_word_ + 1 == pc())
      code_[gas_word_ - 1] = static_cast<CodeWord>(IOp::GasPair);
    close_block();
    gas_word_ = emit(IOp::Gas, 0u) + 1;
    note_stop(gas_word_ - 1, height_);
    gas_sum_ = 0;
    block_pending_ = false;
  }
  gas_sum_ += cost;
}

bool FunctionTranslator::touches_refs(const Instr& in) const {
  auto has_ref = [](const FuncType& t) {
    return std::any_of(t.params.begin(), t.params.end(), is_ref) ||
           std::any_of(t.results.begin(), t.results.end(), is_ref);
  };
  switch (in.op) {
    case Op::RefNull:
    case Op::RefFunc:
    case Op::RefIsNull:
    case Op::TableGet:
    case Op::TableSet:
    case Op::TableGrow:
    case Op::TableFill:
    case Op::SelectT: return true;
    case Op::GlobalGet:
    case Op::GlobalSet: return is_ref(module_->globals[in.index].type);
    case Op::Call:
    case Op::ReturnCall: return has_ref(module_->func_type(in.index));
    case Op::CallIndirect:
    case Op::ReturnCallIndirect: return has_ref(module_->types[in.index]);
    case Op::Block:
    case Op::Loop:
    case Op::If:
      if (in.block.kind == BlockType::Kind::Value) return is_ref(in.block.value);
      return in.block.kind == BlockType::Kind::TypeIndex && has_ref(module_->types[in.block.type_index]);
    default: return false;
  }
}

void FunctionTranslator::close_block() {
  if (gas_word_ != kNone) code_[gas_word_] = static_cast<CodeWord>(gas_sum_);
  gas_word_ = kNone;
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
        if (emit_with_immediate(in.op) || fold_binary(in.op)) break;
        uint32_t b = use(1), a = use(2);
        pop(2);
        push(1);
        set_last_result(emit(op, top(1), a, b));
      } else {
        if (fold_eqz(in.op)) break;
        uint32_t a = use(1);
        pop(1);
        push(1);
        set_last_result(emit(op, top(1), a));
      }
      break;
    case OpClass::Load: {
      if (fold_address_add(in)) break;
      uint32_t addr = use(1);
      pop(1);
      push(1);
      set_last_result(emit(op, top(1), addr, in.mem_offset));
      break;
    }
    case OpClass::Store: {
      if (fold_store_address(in) || store_constant(in)) break;
      uint32_t value = use(1), addr = use(2);
      emit(op, addr, value, in.mem_offset);
      pop(2);
      break;
    }
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
      materialize(height_ - num_params);
      note_stop(emit(IOp::CallFunc, in.index, top(num_params)), height_);
      note_stop(pc(), height_ - num_params, true);  // the callee's frame starts at the arguments
      pop(num_params);
      push_values(type.results);
      break;
    }
    case Op::CallIndirect: {
      const FuncType& type = module_->types[in.index];
      auto num_params = static_cast<uint32_t>(type.params.size());
      materialize(height_ - 1 - num_params);
      note_stop(emit(IOp::CallIndirectOp, in.index, in.index2, top(1), top(1 + num_params)), height_);
      note_stop(pc(), height_ - 1 - num_params, true);
      pop(1 + num_params);
      push_values(type.results);
      break;
    }
    case Op::ReturnCall: {
      auto num_params = static_cast<uint32_t>(module_->func_type(in.index).params.size());
      materialize(height_ - num_params);
      note_stop(emit(IOp::ReturnCallFunc, in.index, top(num_params)), height_);
      become_unreachable();
      break;
    }
    case Op::ReturnCallIndirect: {
      auto num_params = static_cast<uint32_t>(module_->types[in.index].params.size());
      materialize(height_ - 1 - num_params);
      note_stop(emit(IOp::ReturnCallIndirectOp, in.index, in.index2, top(1), top(1 + num_params)), height_);
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
  // Instructions with inputs read them (use) before popping; outputs go to
  // the temp slot of their stack position.
  switch (in.op) {
    case Op::Drop: pop(1); break;
    case Op::Select:
    case Op::SelectT: {
      uint32_t cond = use(1), b = use(2), a = use(3);
      SlotKind value = operands_[height_ - 3].value;
      pop(3);
      push(1);
      operands_.back().value = value;
      set_last_result(emit(IOp::SelectOp, top(1), a, b, cond));
      break;
    }
    case Op::LocalGet: push_local(in.index); break;
    case Op::LocalSet: translate_local_write(in.index, false); break;
    case Op::LocalTee: translate_local_write(in.index, true); break;
    case Op::GlobalGet:
      push(1);
      operands_.back().value = slot_kind_of(module_->globals[in.index].type);
      set_last_result(emit(IOp::GlobalGetOp, top(1), in.index));
      break;
    case Op::GlobalSet:
      emit(IOp::GlobalSetOp, use(1), in.index);
      pop(1);
      break;
    case Op::TableGet: {
      uint32_t index = use(1);
      pop(1);
      push(1);
      operands_.back().value = slot_kind_of(module_->tables[in.index].elem);
      emit(IOp::TableGetOp, top(1), index, in.index);
      break;
    }
    case Op::TableSet: {
      uint32_t value = use(1), index = use(2);
      emit(IOp::TableSetOp, index, value, in.index);
      pop(2);
      break;
    }
    case Op::TableSize:
      push(1);
      emit(IOp::TableSizeOp, top(1), in.index);
      break;
    case Op::TableGrow: {
      uint32_t delta = use(1), init = use(2);
      note_stop(pc(), height_);  // it charges per element: its inputs are live
      pop(2);
      push(1);
      emit(IOp::TableGrowOp, top(1), init, delta, in.index);
      break;
    }
    case Op::TableFill: emit_three_inputs(IOp::TableFillOp, in.index, kNone); break;
    case Op::TableCopy: emit_three_inputs(IOp::TableCopyOp, in.index, in.index2); break;
    case Op::TableInit: emit_three_inputs(IOp::TableInitOp, in.index2, in.index); break;
    case Op::ElemDrop: emit(IOp::ElemDropOp, in.index); break;
    case Op::MemorySize:
      push(1);
      emit(IOp::MemorySizeOp, top(1), in.index);
      break;
    case Op::MemoryGrow: {
      uint32_t delta = use(1);
      note_stop(pc(), height_);  // it charges per page
      pop(1);
      push(1);
      emit(IOp::MemoryGrowOp, top(1), delta, in.index);
      break;
    }
    case Op::MemoryFill: emit_three_inputs(IOp::MemoryFillOp, in.index, kNone); break;
    case Op::MemoryCopy: emit_three_inputs(IOp::MemoryCopyOp, in.index, in.index2); break;
    case Op::MemoryInit: emit_three_inputs(IOp::MemoryInitOp, in.index2, in.index); break;
    case Op::DataDrop: emit(IOp::DataDropOp, in.index); break;
    case Op::I32Const:
    case Op::F32Const: push_const(static_cast<uint32_t>(in.bits)); break;
    case Op::I64Const:
    case Op::F64Const: push_const(in.bits); break;
    case Op::RefNull: push_const(0, slot_kind_of(in.ref_type)); break;
    case Op::RefIsNull: {
      uint32_t ref = use(1);
      pop(1);
      push(1);
      emit(IOp::RefIsNullOp, top(1), ref);
      break;
    }
    case Op::RefFunc:
      push(1);
      operands_.back().value = SlotKind::FuncRef;
      emit(IOp::RefFuncOp, top(1), in.index);
      break;
    default: break;
  }
}

// The bulk instructions: three stack inputs (d, s/value, n) then one or two
// immediates (kNone: absent).
void FunctionTranslator::emit_three_inputs(IOp op, uint32_t imm1, uint32_t imm2) {
  uint32_t n = use(1), s = use(2), d = use(3);
  note_stop(pc(), height_);  // it charges per unit: its inputs are live
  if (imm2 == kNone) {
    emit(op, d, s, n, imm1);
  } else {
    emit(op, d, s, n, imm1, imm2);
  }
  pop(3);
}

// A binary operator whose second operand is a constant takes it as an
// immediate: 32 bits for i32 and f32 operators and for i64 constants that
// sign-extend from 32 bits ([op imm]); 64 bits otherwise ([op imm64]). A
// comparison in immediate form still fuses with a following branch
// (WASP_BRCMP_IMM); an i64 comparison with a wide constant keeps the
// register form so that it can fuse too.
bool FunctionTranslator::emit_with_immediate(Op op) {
  const Operand& b = operands_.back();
  const OpInfo& info = op_info(op);
  if (op == Op::F64Div && b.kind != Operand::Kind::Const &&
      operands_[height_ - 2].kind == Operand::Kind::Const) {
    // A constant dividend (1.0 / x): F64DivFromImm64 dst, x, lo, hi.
    uint64_t dividend = operands_[height_ - 2].bits;
    uint32_t x = use(1);
    pop(2);
    push(1);
    set_last_result(emit(IOp::F64DivFromImm64, top(1), x, static_cast<uint32_t>(dividend),
                         static_cast<uint32_t>(dividend >> 32)));
    return true;
  }
  if (b.kind != Operand::Kind::Const || info.params[0] != info.params[1]) return false;
  uint64_t bits = b.bits;
  bool narrow = info.params[0] == 'i' || info.params[0] == 'f' ||
                (info.params[0] == 'I' && fits_sign_extended_32(bits));
  bool comparison = info.results[0] != info.params[0];
  if (!narrow && comparison && fused_branch_for(to_iop(op)).when_true != IOp::Count) return false;
  if (fold_immediate_pair(op, bits)) return true;
  if (op == Op::I64Add && fold_i64_multiply_add(bits)) return true;
  uint32_t a = use(2);
  pop(2);
  push(1);
  if (narrow) {
    set_last_result(emit(derived_form(op, Derived::Imm), top(1), a, static_cast<uint32_t>(bits)));
  } else {
    set_last_result(emit(derived_form(op, Derived::Imm64), top(1), a, static_cast<uint32_t>(bits),
                         static_cast<uint32_t>(bits >> 32)));
  }
  return true;
}

// A store of a constant that fits in 32 bits (any i32/f32 value, an i64
// that sign-extends from 32 bits) takes it as an immediate: [op imm addr imm offset].
bool FunctionTranslator::store_constant(const Instr& in) {
  const Operand& value = operands_.back();
  if (value.kind != Operand::Kind::Const) return false;
  char type = op_info(in.op).params[1];
  if (type == 'F') return false;
  if (type == 'I' && !fits_sign_extended_32(value.bits)) return false;
  auto imm = static_cast<uint32_t>(value.bits);
  uint32_t addr = use(2);
  emit(derived_form(in.op, Derived::StoreImm), addr, imm, in.mem_offset);
  pop(2);
  return true;
}

// The address of a load or store computed by an add just before it: `a + b`
// or `a + (b << k)` (i32.add, I32AddShl), given as a, b, k.
bool indexed_address(const CodeWord* add, uint32_t& a, uint32_t& b, uint32_t& k) {
  if (add == nullptr) return false;
  if (static_cast<IOp>(add[0]) == IOp::I32Add) {
    a = add[2], b = add[3], k = 0;
    return true;
  }
  if (static_cast<IOp>(add[0]) == IOp::I32AddShl) {
    a = add[2], b = add[3], k = add[4];
    return true;
  }
  return false;
}

// An add computing a load's address just before it becomes part of the load
// (wrapping at 32 bits, as the add did): `i32.add imm t, base, c` gives the
// +imm form, `i32.add` and I32AddShl the indexed form.
bool FunctionTranslator::fold_address_add(const Instr& in) {
  const CodeWord* add = top_producer();
  uint32_t a = 0, b = 0, k = 0;
  if (indexed_address(add, a, b, k)) {
    drop_top_producer();
    pop(1);
    push(1);
    set_last_result(emit(derived_form(in.op, Derived::Indexed), top(1), a, b, k, in.mem_offset));
    return true;
  }
  if (add != nullptr && static_cast<IOp>(add[0]) == IOp::I32ShlAddImm) {
    uint32_t x = add[2], shift = add[3], c = add[4];
    drop_top_producer();
    pop(1);
    push(1);
    set_last_result(emit(derived_form(in.op, Derived::ScaledImm), top(1), x, shift, c, in.mem_offset));
    return true;
  }
  if (add == nullptr || static_cast<IOp>(add[0]) != IOp::I32AddImm) return false;
  uint32_t base = add[2], imm = add[3];
  drop_top_producer();
  pop(1);
  push(1);
  set_last_result(emit(derived_form(in.op, Derived::AddImm), top(1), base, imm, in.mem_offset));
  return true;
}

// The same for a store whose value is a local or a constant (so the add
// was the last instruction): the indexed forms, with the value in a slot or,
// when it fits (store_constant's rule), as an immediate.
bool FunctionTranslator::fold_store_address(const Instr& in) {
  const Operand value = operands_.back();
  uint32_t a = 0, b = 0, k = 0;
  if (value.kind == Operand::Kind::Temp || !indexed_address(producer_of(2), a, b, k)) return false;
  if (value.kind == Operand::Kind::Local) {
    drop_top_producer();
    emit(derived_form(in.op, Derived::StoreIndexed), a, b, k, value.local, in.mem_offset);
  } else {
    char type = op_info(in.op).params[1];
    if (type == 'F' || (type == 'I' && !fits_sign_extended_32(value.bits))) return false;
    drop_top_producer();
    emit(derived_form(in.op, Derived::StoreImmIndexed), a, b, k, static_cast<uint32_t>(value.bits),
         in.mem_offset);
  }
  pop(2);
  return true;
}

// `i32.and imm; i32.eqz` (i64 too) is one bit test, I32AndEqzImm, which
// fuses with a branch as BrIfI32AndZImm / BrIfI32AndImm.
bool FunctionTranslator::fold_eqz(Op op) {
  const CodeWord* mask = top_producer();
  if (mask == nullptr) return false;
  IOp fused = IOp::Count;
  if (op == Op::I32Eqz && static_cast<IOp>(mask[0]) == IOp::I32AndImm) fused = IOp::I32AndEqzImm;
  if (op == Op::I64Eqz && static_cast<IOp>(mask[0]) == IOp::I64AndImm) fused = IOp::I64AndEqzImm;
  if (fused == IOp::Count) return false;
  uint32_t a = mask[2], m = mask[3];
  drop_top_producer();
  pop(1);
  push(1);
  set_last_result(emit(fused, top(1), a, m));
  return true;
}

// An operator with an immediate `c` applied to the result of the immediate
// instruction just before it: one instruction [dst, x, k, c].
bool FunctionTranslator::fold_immediate_pair(Op op, uint64_t c) {
  const CodeWord* producer = producer_of(2);
  if (producer == nullptr) return false;
  auto inner = static_cast<IOp>(producer[0]);
  IOp fused = IOp::Count;
  if (op == Op::I32Add && inner == IOp::I32ShlImm) fused = IOp::I32ShlAddImm;    // (x << k) + c
  if (op == Op::I32Add && inner == IOp::I32MulImm) fused = IOp::I32MulAddImm;    // x * k + c
  if (op == Op::I32And && inner == IOp::I32ShrUImm) fused = IOp::I32ShrUAndImm;  // (x >> k) & c
  if (op == Op::I32Eq && inner == IOp::I32AndImm) fused = IOp::I32AndEqImm;      // (x & k) == c
  if (op == Op::I32Ne && inner == IOp::I32AndImm) fused = IOp::I32AndNeImm;
  if (fused == IOp::Count) return false;
  uint32_t x = producer[2], k = producer[3];
  drop_top_producer();
  pop(2);
  push(1);
  set_last_result(emit(fused, top(1), x, k, static_cast<uint32_t>(c)));
  return true;
}

// `i64.mul imm` or `imm64`, then `i64.add imm` or `imm64`: x * k + c with
// both as 64-bit immediates (a linear congruential step).
bool FunctionTranslator::fold_i64_multiply_add(uint64_t c) {
  const CodeWord* mul = producer_of(2);
  if (mul == nullptr) return false;
  auto inner = static_cast<IOp>(mul[0]);
  if (inner != IOp::I64MulImm && inner != IOp::I64MulImm64) return false;
  uint64_t k = inner == IOp::I64MulImm ? from_immediate<uint64_t>(mul[3])
                                       : mul[3] | static_cast<uint64_t>(mul[4]) << 32;
  uint32_t x = mul[2];
  drop_top_producer();
  pop(2);
  push(1);
  set_last_result(emit(IOp::I64MulAddImm64, top(1), x, static_cast<uint32_t>(k),
                       static_cast<uint32_t>(k >> 32), static_cast<uint32_t>(c),
                       static_cast<uint32_t>(c >> 32)));
  return true;
}

// A binary operator whose second operand was just computed by an operator it
// combines with: i32.shl imm then i32.add (I32AddShl), i32.mul then i32.add
// (I32MulAdd), an f64 load then f64 add/sub/mul (F64AddLoad, ...), shr_u imm then xor
// (I32XorShrU, I64XorShrU), f32/f64 mul then add
// (F32MulAdd/F64MulAdd, each result rounded as before).
bool FunctionTranslator::fold_binary(Op op) {
  const CodeWord* producer = top_producer();
  // Integer add and xor commute exactly: the producer may also be the first
  // operand, with a local on top ((b << k) + a, (x >> k) ^ y).
  bool commuted = false;
  if (producer == nullptr && (op == Op::I32Add || op == Op::I32Xor || op == Op::I64Xor) &&
      operands_.back().kind == Operand::Kind::Local) {
    producer = producer_of(2);
    commuted = producer != nullptr;
  }
  if (producer == nullptr) return false;
  auto inner = static_cast<IOp>(producer[0]);
  IOp fused = IOp::Count;
  if (op == Op::I32Add && inner == IOp::I32ShlImm) fused = IOp::I32AddShl;
  if (op == Op::I32Add && inner == IOp::I32Mul) fused = IOp::I32MulAdd;
  if (op == Op::I32Xor && inner == IOp::I32ShrUImm) fused = IOp::I32XorShrU;
  if (op == Op::I64Xor && inner == IOp::I64ShrUImm) fused = IOp::I64XorShrU;
  if (op == Op::I32Xor && inner == IOp::I32ShlImm) fused = IOp::I32XorShl;
  if (op == Op::I64Xor && inner == IOp::I64ShlImm) fused = IOp::I64XorShl;
  if (op == Op::F32Add && inner == IOp::F32Mul) fused = IOp::F32MulAdd;
  if (op == Op::F64Add && inner == IOp::F64Mul) fused = IOp::F64MulAdd;
  // A loaded second operand: the instruction traps only as the load would,
  // so its source map entry is the load's.
  uint32_t source_offset = wasm_offset_;
  if (inner == IOp::F64Load || inner == IOp::F64LoadAddImm) {
    bool add_imm = inner == IOp::F64LoadAddImm;
    if (op == Op::F64Add) fused = add_imm ? IOp::F64AddLoadAddImm : IOp::F64AddLoad;
    if (op == Op::F64Sub) fused = add_imm ? IOp::F64SubLoadAddImm : IOp::F64SubLoad;
    if (op == Op::F64Mul) fused = add_imm ? IOp::F64MulLoadAddImm : IOp::F64MulLoad;
    if (fused != IOp::Count) source_offset = source_map_.back().second;
  }
  if (fused == IOp::Count) return false;
  // The producer's inputs (words 2..) follow the first operand.
  CodeWord inputs[3] = {};
  uint32_t num_inputs = iop_length(producer) - 2;
  std::copy(producer + 2, producer + 2 + num_inputs, inputs);
  if (commuted && (inner == IOp::F64Load || inner == IOp::F64LoadAddImm)) return false;
  drop_top_producer();
  uint32_t a = commuted ? operands_.back().local : use(2);
  pop(2);
  push(1);
  uint32_t saved_offset = wasm_offset_;
  wasm_offset_ = source_offset;
  if (num_inputs == 2)
    set_last_result(emit(fused, top(1), a, inputs[0], inputs[1]));
  else
    set_last_result(emit(fused, top(1), a, inputs[0], inputs[1], inputs[2]));
  wasm_offset_ = saved_offset;
  return true;
}

uint32_t FunctionTranslator::use(uint32_t depth) {
  Operand& operand = operands_[height_ - depth];
  switch (operand.kind) {
    case Operand::Kind::Temp: return top(depth);
    case Operand::Kind::Local: return operand.local;
    case Operand::Kind::Const: break;
  }
  emit_value_to(top(depth), operand, top(depth));
  operand.kind = Operand::Kind::Temp;
  return top(depth);
}

void FunctionTranslator::emit_value_to(uint32_t dst, const Operand& value, uint32_t value_slot) {
  switch (value.kind) {
    case Operand::Kind::Temp:
      if (dst != value_slot) emit(IOp::Copy, dst, value_slot);
      return;
    case Operand::Kind::Local:
      if (dst != value.local) emit(IOp::Copy, dst, value.local);
      return;
    case Operand::Kind::Const:
      // A value that fits in 32 bits is zero-extended into the slot either way.
      if (value.bits > UINT32_MAX) {
        emit(IOp::Const64, dst, static_cast<uint32_t>(value.bits), static_cast<uint32_t>(value.bits >> 32));
      } else {
        emit(IOp::Const32, dst, static_cast<uint32_t>(value.bits));
      }
      return;
  }
}

void FunctionTranslator::materialize(uint32_t from) {
  for (uint32_t pos = from; pos < height_; ++pos) {
    Operand& operand = operands_[pos];
    if (operand.kind == Operand::Kind::Temp) continue;
    emit_value_to(slot(pos), operand, slot(pos));
    operand.kind = Operand::Kind::Temp;
  }
}

// Values below a block must not depend on locals the block may change (a
// copy made inside the block would run on some paths, or on every loop
// iteration), so lazy locals get their own slots; constants cannot change and
// stay lazy (nothing inside the block can reach below its entry height). The
// block's params are materialized in full: branches land on their slots.
void FunctionTranslator::materialize_at_block_entry(uint32_t num_params) {
  uint32_t params_from = height_ - num_params;
  for (uint32_t pos = 0; pos < params_from; ++pos) {
    Operand& operand = operands_[pos];
    if (operand.kind != Operand::Kind::Local) continue;
    emit_value_to(slot(pos), operand, slot(pos));
    operand.kind = Operand::Kind::Temp;
  }
  materialize(params_from);
}

bool FunctionTranslator::lazy_copies_of(uint32_t local, uint32_t keep) const {
  for (uint32_t pos = 0; pos + keep < height_; ++pos) {
    const Operand& operand = operands_[pos];
    if (operand.kind == Operand::Kind::Local && operand.local == local) return true;
  }
  return false;
}

void FunctionTranslator::protect_local(uint32_t local, uint32_t keep) {
  for (uint32_t pos = 0; pos + keep < height_; ++pos) {
    Operand& operand = operands_[pos];
    if (operand.kind == Operand::Kind::Local && operand.local == local) {
      emit(IOp::Copy, slot(pos), local);
      operand.kind = Operand::Kind::Temp;
    }
  }
}

// local.set / local.tee. When the value was just computed into the top temp,
// the computing instruction writes the local directly instead (its inputs
// are read before its result is written, so this is safe).
void FunctionTranslator::translate_local_write(uint32_t local, bool tee) {
  Operand& top_operand = operands_.back();
  if (top_producer() != nullptr && !lazy_copies_of(local, 1)) {
    code_[last_result_ + 1] = local;
    last_result_ = kNone;
    if (tee) {
      top_operand = Operand{Operand::Kind::Local, local_kinds_[local], local, 0};
    } else {
      pop(1);
    }
    return;
  }
  if (top_operand.kind == Operand::Kind::Local && top_operand.local == local) {
    if (!tee) pop(1);  // x = x
    return;
  }
  protect_local(local, 1);
  Operand value = operands_.back();
  emit_value_to(local, value, top(1));
  if (tee) {
    if (value.kind != Operand::Kind::Temp)
      operands_.back() = Operand{Operand::Kind::Local, local_kinds_[local], local, 0};
  } else {
    pop(1);
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
  control.type = type;
  block_signature(type, control.num_params, control.num_results);
  if (kind == ControlKind::If) {
    // Branch to the else branch or the end when the condition is false.
    FusedBranch fused;
    if (take_fused_compare(fused)) {
      pop(1);
      materialize_at_block_entry(control.num_params);
      control.else_branch = emit_fused_branch(fused.when_false, fused);
      control.else_word = fused.target_word();
      note_branch_stop(control.else_branch);
    } else {
      uint32_t cond = use(1);
      pop(1);
      materialize_at_block_entry(control.num_params);
      control.else_branch = emit(IOp::BrIfEqz, cond, 0u);
      control.else_word = 2;
      note_branch_stop(control.else_branch);
    }
  } else {
    materialize_at_block_entry(control.num_params);
  }
  control.entry_height = height_ - control.num_params;
  control.loop_start = pc();
  bind_label();
  // A loop's header, or an if's true branch.
  if (kind == ControlKind::Loop || kind == ControlKind::If) start_block_here();
  controls_.push_back(control);
}

void FunctionTranslator::translate_else() {
  Control& control = controls_.back();
  if (reachable_) emit_jump(control);  // the true branch skips the false one
  patch(control.else_branch, control.else_branch + control.else_word, pc());
  bind_label();
  start_block_here();
  control.else_branch = kNone;
  set_height(control.entry_height + control.num_params);
  reset_to_temps(control.entry_height);
  set_block_values(control.entry_height, control.type, false);
  reachable_ = true;
  skip_depth_ = 0;
}

void FunctionTranslator::translate_end() {
  Control& control = controls_.back();
  // Code after the end is reachable by falling through, by a branch to the
  // label, or (an if without else) by the false condition.
  bool reached = reachable_;
  if (reachable_) {
    if (control.kind == ControlKind::Func) {
      emit_return();
    } else {
      materialize(control.entry_height);  // the results, into the landing slots
    }
  }
  bind_label();
  if (control.else_branch != kNone) {
    patch(control.else_branch, control.else_branch + control.else_word, pc());
    reached = true;
  }
  for (uint32_t f = control.fixups; f != kNone; f = fixups_[f].next) {
    patch(fixups_[f].instr_start, fixups_[f].word_pos, pc());
    reached = true;
  }
  if (control.kind == ControlKind::Func) {
    controls_.pop_back();
    return;
  }
  // Reached by a branch, not only by falling through: a block starts.
  if (control.else_branch != kNone || control.fixups != kNone) start_block_here();
  // On every path that reaches here the results are at the landing slots.
  uint32_t entry_height = control.entry_height;
  uint32_t height = entry_height + control.num_results;
  BlockType type = control.type;
  controls_.pop_back();
  reachable_ = reached;
  skip_depth_ = 0;
  height_ = height;
  if (reached) set_height(height);
  reset_to_temps(entry_height);
  set_block_values(entry_height, type, true);
}

bool FunctionTranslator::branch_is_direct(const Control& target) const {
  uint32_t arity = target.label_arity();
  if (target.kind == ControlKind::Func) return false;
  if (arity == 0) return true;
  if (height_ - arity != target.entry_height) return false;
  for (uint32_t pos = height_ - arity; pos < height_; ++pos)
    if (operands_[pos].kind != Operand::Kind::Temp) return false;
  return true;
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
    emit_return();
    return;
  }
  uint32_t arity = target.label_arity();
  uint32_t source = height_ - arity;
  for (uint32_t i = 0; i < arity; ++i)
    emit_value_to(slot(target.entry_height + i), operands_[source + i], slot(source + i));
  uint32_t start = emit(IOp::Br, 0u);
  note_jump_stop(start, target);
  set_branch(target, start, start + 1);
}

void FunctionTranslator::translate_br_if(uint32_t depth) {
  FusedBranch fused;
  if (!take_fused_compare(fused)) {
    fused = FusedBranch{IOp::BrIfNez, IOp::BrIfEqz, 1};
    fused.operands[0] = use(1);
  }
  pop(1);
  // Emits the fused branch taken when the condition is `when`.
  auto emit_branch = [&](bool when) {
    return emit_fused_branch(when ? fused.when_true : fused.when_false, fused);
  };
  uint32_t offset_word = fused.target_word();
  Control& target = label(depth);
  start_block_here();  // what follows runs only if the branch is not taken
  if (branch_is_direct(target)) {
    uint32_t start = emit_branch(true);
    note_branch_stop(start);
    set_branch(target, start, start + offset_word);
    return;
  }
  uint32_t skip = emit_branch(false);
  note_branch_stop(skip);
  emit_jump(target);
  patch(skip, skip + offset_word, pc());
  bind_label();
}

bool FunctionTranslator::take_fused_compare(FusedBranch& branch) {
  const CodeWord* instr = top_producer();
  if (instr == nullptr) return false;
  branch = fused_branch_for(static_cast<IOp>(instr[0]));
  if (branch.when_true == IOp::Count) return false;
  for (uint32_t i = 0; i < branch.num_operands; ++i) branch.operands[i] = instr[2 + i];
  drop_top_producer();  // the comparison's result slot is never read
  return true;
}

uint32_t FunctionTranslator::emit_fused_branch(IOp op, const FusedBranch& branch) {
  const uint32_t* ops = branch.operands;
  switch (branch.num_operands) {
    case 1: return emit(op, ops[0], 0u);
    case 2: return emit(op, ops[0], ops[1], 0u);
    default: return emit(op, ops[0], ops[1], ops[2], 0u);
  }
}

// Returns the top results: copied to slots 0.. by the Return instruction
// when they are in consecutive slots, else first gathered into temps.
void FunctionTranslator::emit_return() {
  uint32_t count = controls_.front().num_results;
  if (count == 1 && operands_.back().kind == Operand::Kind::Local) {
    emit(IOp::Return, operands_.back().local, 1u);
    return;
  }
  // Not materialize(): a return may sit on a conditional path (a br_table
  // stub), so the translation state must not change.
  for (uint32_t pos = height_ - count; pos < height_; ++pos)
    emit_value_to(slot(pos), operands_[pos], slot(pos));
  emit(IOp::Return, top(count), count);
}

// Entries whose label needs copies (or is the function's) point at a stub
// after the table; labels share one stub per table.
void FunctionTranslator::translate_br_table(const Instr& in) {
  uint32_t index = use(1);
  pop(1);
  auto count = static_cast<uint32_t>(in.targets.size());
  uint32_t start = emit(IOp::BrTable, index, count);
  uint32_t table = pc();
  code_.resize(code_.size() + count, 0);
  note_branch_stop(start);
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

namespace {

// With metering on, branches and calls take their metered forms
// (exec/landing.def), which charge the Gas they land on themselves.
void use_metered_forms(CompiledFunc& func) {
  for (size_t pos = 0; pos < func.code.size(); pos += iop_length(&func.code[pos])) {
    IOp metered = metered_form(static_cast<IOp>(func.code[pos]));
    if (metered != IOp::Count) func.code[pos] = static_cast<CodeWord>(metered);
  }
}

}  // namespace

Translator::Translator(const GasCosts* metering)
    : impl_(std::make_unique<FunctionTranslator>()),
      gas_costs_(metering != nullptr ? &metering->per_opcode() : nullptr) {}
Translator::~Translator() = default;

Result<CompiledFunc> Translator::translate(const ModuleDesc& module, uint32_t defined_index) {
  Result<CompiledFunc> func = impl_->run(module, defined_index, gas_costs_);
  if (func.ok()) fuse_adjacent_pairs(func.value());
  if (func.ok() && gas_costs_ != nullptr) use_metered_forms(func.value());
  return func;
}

Result<CompiledFunc> translate_function(const ModuleDesc& module, uint32_t defined_index, PairJoining joining,
                                        const GasCosts* metering) {
  Result<CompiledFunc> func = FunctionTranslator().run(
      module, defined_index, metering != nullptr ? &metering->per_opcode() : nullptr);
  if (func.ok() && joining == PairJoining::On) fuse_adjacent_pairs(func.value());
  if (func.ok() && metering != nullptr) use_metered_forms(func.value());
  return func;
}

}  // namespace waspvm
