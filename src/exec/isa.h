// Internal instruction set: opcode numbering and operand counts.
#pragma once
#include <cstdint>
#include <vector>

#include "decode/code_reader.h"

namespace waspvm {

using CodeWord = uint32_t;

// Every row of opcodes.def (Special rows are never emitted), then isa.def.
// Special rows are named Special<Ident> here: isa.def reuses some of their
// names (Br, BrTable, Return) for its own instructions.
#define WASP_IOP_Simple(ident) ident,
#define WASP_IOP_Trapping(ident) ident,
#define WASP_IOP_Load(ident) ident,
#define WASP_IOP_Store(ident) ident,
#define WASP_IOP_Special(ident) Special##ident,
#define WASP_IOP_IMM_Simple(ident) ident##Imm,
#define WASP_IOP_IMM_Trapping(ident) ident##Imm,
#define WASP_IOP_IMM_Load(ident)
#define WASP_IOP_IMM_Store(ident)
#define WASP_IOP_IMM_Special(ident)
#define WASP_IOP_IMM64_Simple(ident) ident##Imm64,
#define WASP_IOP_IMM64_Trapping(ident) ident##Imm64,
#define WASP_IOP_IMM64_Load(ident)
#define WASP_IOP_IMM64_Store(ident)
#define WASP_IOP_IMM64_Special(ident)
#define WASP_IOP_STOREIMM_Simple(ident)
#define WASP_IOP_STOREIMM_Trapping(ident)
#define WASP_IOP_STOREIMM_Load(ident)
#define WASP_IOP_STOREIMM_Store(ident) ident##Imm,
#define WASP_IOP_STOREIMM_Special(ident)
#define WASP_IOP_ADDIMM_Simple(ident)
#define WASP_IOP_ADDIMM_Trapping(ident)
#define WASP_IOP_ADDIMM_Load(ident) ident##AddImm,
#define WASP_IOP_ADDIMM_Store(ident)
#define WASP_IOP_ADDIMM_Special(ident)
enum class IOp : uint32_t {
#define WASP_OP(ident, prefix, code, text, imm, cls, ...) WASP_IOP_##cls(ident)
#include "defs/opcodes.def"
#define WASP_ISA(ident, kinds) ident,
#include "exec/isa.def"
// Immediate forms of the Simple/Trapping rows: [op, dst, a, imm] with the
// second operand a 32-bit immediate (sign-extended for i64). Emitted only for
// integer binary operators.
#define WASP_OP(ident, prefix, code, text, imm, cls, ...) WASP_IOP_IMM_##cls(ident)
#include "defs/opcodes.def"
// Immediate forms with a 64-bit second operand: [op, dst, a, lo, hi].
#define WASP_OP(ident, prefix, code, text, imm, cls, ...) WASP_IOP_IMM64_##cls(ident)
#include "defs/opcodes.def"
// Loads whose address is `base + imm` (an i32.add, wrapping at 32 bits):
// [op, dst, base, imm, offset].
#define WASP_OP(ident, prefix, code, text, imm, cls, ...) WASP_IOP_ADDIMM_##cls(ident)
#include "defs/opcodes.def"
// Stores of a constant: [op, addr, imm, offset] (imm sign-extended for i64).
#define WASP_OP(ident, prefix, code, text, imm, cls, ...) WASP_IOP_STOREIMM_##cls(ident)
#include "defs/opcodes.def"
  Count
};
#undef WASP_IOP_Simple
#undef WASP_IOP_Trapping
#undef WASP_IOP_Load
#undef WASP_IOP_Store
#undef WASP_IOP_Special
#undef WASP_IOP_IMM_Simple
#undef WASP_IOP_IMM_Trapping
#undef WASP_IOP_IMM_Load
#undef WASP_IOP_IMM_Store
#undef WASP_IOP_IMM_Special
#undef WASP_IOP_IMM64_Simple
#undef WASP_IOP_IMM64_Trapping
#undef WASP_IOP_IMM64_Load
#undef WASP_IOP_IMM64_Store
#undef WASP_IOP_IMM64_Special
#undef WASP_IOP_STOREIMM_Simple
#undef WASP_IOP_STOREIMM_Trapping
#undef WASP_IOP_STOREIMM_Load
#undef WASP_IOP_STOREIMM_Store
#undef WASP_IOP_STOREIMM_Special
#undef WASP_IOP_ADDIMM_Simple
#undef WASP_IOP_ADDIMM_Trapping
#undef WASP_IOP_ADDIMM_Load
#undef WASP_IOP_ADDIMM_Store
#undef WASP_IOP_ADDIMM_Special

// The immediate form of a Simple/Trapping operator.
IOp immediate_form(Op op);
// The 64-bit immediate form of a Simple/Trapping operator.
IOp immediate64_form(Op op);
// The constant-value form of a Store operator.
IOp store_immediate_form(Op op);
// The add-immediate-address form of a Load operator.
IOp add_immediate_load_form(Op op);

inline IOp to_iop(Op op) { return static_cast<IOp>(static_cast<uint32_t>(op)); }

const char* iop_name(IOp op);
// Number of words the instruction at `code` occupies (opcode word included).
uint32_t iop_length(const CodeWord* code);

// A function translated to internal code.
struct CompiledFunc {
  std::vector<CodeWord> code;
  uint32_t func_index = 0;  // index in the module's function space
  uint32_t type_index = 0;
  uint32_t num_params = 0;
  uint32_t num_results = 0;
  uint32_t num_locals = 0;   // params + declared locals: slots 0..num_locals-1
  uint32_t frame_slots = 0;  // locals + the deepest operand stack: slots the frame needs
  // (code position, wasm byte offset) for every instruction, sorted by position;
  // maps a pc back to the wasm instruction for backtraces.
  std::vector<std::pair<uint32_t, uint32_t>> source_map;
  uint32_t wasm_offset_at(uint32_t code_pos) const;
};

}  // namespace waspvm
