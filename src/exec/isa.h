// Internal instruction set: opcode numbering and operand counts.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "decode/code_reader.h"

namespace waspvm {

using CodeWord = uint32_t;

// Every row of opcodes.def (Special rows are never emitted), then isa.def,
// then the derived forms of derived.def. Special rows are named
// Special<Ident> here: isa.def reuses some of their names (Br, BrTable,
// Return) for its own instructions.
#define WASP_IOP_Simple(ident) ident,
#define WASP_IOP_Trapping(ident) ident,
#define WASP_IOP_Load(ident) ident,
#define WASP_IOP_Store(ident) ident,
#define WASP_IOP_Special(ident) Special##ident,
enum class IOp : uint32_t {
#define WASP_OP(ident, prefix, code, text, imm, cls, ...) WASP_IOP_##cls(ident)
#include "defs/opcodes.def"
#define WASP_ISA(ident, kinds) ident,
#include "exec/isa.def"
#define WASP_DERIVED(ident, derived, family, text, fn, bytes) derived,
#include "exec/derived.def"
#define WASP_LANDING(ident) ident##Metered,
#include "exec/landing.def"
  Count
};
#undef WASP_IOP_Simple
#undef WASP_IOP_Trapping
#undef WASP_IOP_Load
#undef WASP_IOP_Store
#undef WASP_IOP_Special

// The families of derived.def.
enum class Derived : uint8_t {
  Imm,
  Imm64,
  AddImm,
  StoreImm,
  Indexed,
  ScaledImm,
  StoreIndexed,
  StoreImmIndexed,
  Count
};
// The derived form of `op` in `family`, or IOp::Count if it has none.
IOp derived_form(Op op, Derived family);

inline IOp to_iop(Op op) { return static_cast<IOp>(static_cast<uint32_t>(op)); }

const char* iop_name(IOp op);
// Number of words the instruction at `code` occupies (opcode word included).
uint32_t iop_length(const CodeWord* code);
// Whether `op` has branch offsets (`r` or `n` operands).
bool iop_has_branches(IOp op);

// The metered form of a branch or call (landing.def), or IOp::Count.
constexpr IOp metered_form(IOp op) {
  switch (op) {
    // clang-format off
#define WASP_LANDING(ident) case IOp::ident: return IOp::ident##Metered;
#include "exec/landing.def"
    // clang-format on
    default: return IOp::Count;
  }
}

// The plain form of a metered branch or call; any other op itself.
constexpr IOp plain_form(IOp op) {
  switch (op) {
    // clang-format off
#define WASP_LANDING(ident) case IOp::ident##Metered: return IOp::ident;
#include "exec/landing.def"
    // clang-format on
    default: return op;
  }
}

// Whether the interpreter checks for an interrupt before running `op`: at
// every instruction with branch offsets (so at every loop back-edge) and at
// every call. The check comes before the instruction does anything, so it
// can run again from its start when the call resumes.
constexpr bool iop_is_safe_point(IOp op) {
  op = plain_form(op);  // a metered form is a safe point as its plain form is
  switch (op) {
    case IOp::CallFunc:
    case IOp::CallIndirectOp:
    case IOp::CopyCallFunc:
    case IOp::CopyCallIndirectOp:
    case IOp::ReturnCallFunc:
    case IOp::ReturnCallIndirectOp: return true;
    default: break;
  }
  auto has_branches = [](const char* kinds) {
    for (; *kinds != '\0'; ++kinds)
      if (*kinds == 'r' || *kinds == 'n') return true;
    return false;
  };
  switch (op) {
    // clang-format off
#define WASP_ISA(ident, kinds) case IOp::ident: return has_branches(kinds);
#include "exec/isa.def"
    // clang-format on
    default: return false;
  }
}

// What a frame slot holds at a point where its frame can be stopped: a
// number, a value the code will not read (Dead: stale bits of earlier
// values), or a reference. Snapshots and clones need it because slots are
// untyped. docs/internal-code.md §10. (Raw is 0: the translator's operand
// entries, which carry one, stay zero-initialized.)
enum class SlotKind : uint8_t { Raw, Dead, FuncRef, ExternRef };

SlotKind slot_kind_of(ValType type);

// The kinds of a function's locals (parameters first), run-length encoded:
// a function may declare millions of locals in a few runs, and what is kept
// per function stays proportional to its runs, not its locals.
class LocalKinds {
 public:
  void clear() {
    ends_.clear();
    kinds_.clear();
  }
  // Appends `count` locals of `kind` (joined to the last run if it is of that kind).
  void append(uint64_t count, SlotKind kind);
  uint64_t size() const { return ends_.empty() ? 0 : ends_.back(); }
  // The kind of local `index` (< size()).
  SlotKind operator[](uint64_t index) const {
    if (kinds_.size() == 1) return kinds_[0];
    return kinds_[static_cast<size_t>(std::upper_bound(ends_.begin(), ends_.end(), index) - ends_.begin())];
  }
  // Runs: kinds()[i] for the locals from ends()[i - 1] (or 0) to ends()[i].
  const std::vector<uint64_t>& ends() const { return ends_; }
  const std::vector<SlotKind>& kinds() const { return kinds_; }
  std::vector<SlotKind> expanded() const;  // one per local (tests)
  bool operator==(const LocalKinds&) const = default;

 private:
  std::vector<uint64_t> ends_;
  std::vector<SlotKind> kinds_;
};

// The slot kinds of a function that may hold references, at each point
// where a suspended frame of it can stand: before a stop instruction (a
// Gas, a per-unit charge, a safe point), or at a call's return address
// while the callee runs (`at_return`: the results are not written yet).
struct SlotMaps {
  struct Point {
    uint32_t pc = 0;
    bool at_return = false;
    uint32_t first = 0;  // the operand positions' kinds: kinds[first, first + count)
    uint32_t count = 0;  // operand positions from count up are dead
  };
  LocalKinds locals;          // of each local (params first); locals always hold a value
  std::vector<Point> points;  // sorted by (pc, at_return)
  std::vector<SlotKind> kinds;

  // The kinds of operand positions 0.. at (pc, at_return), or null when the
  // frame cannot stand there.
  const Point* find(uint32_t pc, bool at_return) const;
};

// A function translated to internal code.
struct CompiledFunc {
  std::vector<CodeWord> code;
  uint32_t func_index = 0;  // index in the module's function space
  uint32_t type_index = 0;
  uint32_t num_params = 0;
  uint32_t num_results = 0;
  uint32_t num_locals = 0;   // params + declared locals: slots 0..num_locals-1
  uint32_t frame_slots = 0;  // locals + the deepest operand stack: slots the frame needs
  // Whether a slot of its frame can ever hold a reference (a ref-typed
  // parameter, local or result, or an instruction that makes, reads or passes
  // one). Clone remaps function references only in such frames.
  bool may_hold_refs = false;
  SlotMaps slot_maps;  // only when may_hold_refs
  // (code position, wasm byte offset) for every instruction, sorted by position;
  // maps a pc back to the wasm instruction for backtraces.
  std::vector<std::pair<uint32_t, uint32_t>> source_map;
  uint32_t wasm_offset_at(uint32_t code_pos) const;
};

}  // namespace waspvm
