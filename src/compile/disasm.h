// A disassembler for internal code, for tests and debugging.
#pragma once
#include <string>

#include "exec/isa.h"

namespace waspvm {

// Operand kinds of `op` in isa.def notation (s slot, u immediate, r relative
// branch, n count + words); synthesized for the one-to-one rows of opcodes.def
// ("ss" unary, "sss" binary, "ssu" load/store). Defined in exec/isa.cc.
const char* iop_operand_kinds(IOp op);

// One instruction per line: "<pos>: <name> <operands>", where slots print as
// s<N>, immediates in decimal and branch targets as absolute positions @<pos>.
// BrTable prints its targets in brackets, the default last.
std::string disassemble(const CompiledFunc& func);

// The same for the single instruction at `pos` (no trailing newline).
std::string disassemble_instruction(const CompiledFunc& func, uint32_t pos);

}  // namespace waspvm
