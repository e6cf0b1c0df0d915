// Opcode names, operand layouts and instruction lengths of the internal code,
// all expanded from opcodes.def and isa.def (see docs/internal-code.md).
#include "exec/isa.h"

#include <algorithm>
#include <cstring>

#include "compile/disasm.h"

namespace waspvm {

namespace {

// Operand kinds of the one-to-one rows, synthesized from their class and arity.
constexpr const char* one_to_one_kinds(OpClass cls, const char* params) {
  switch (cls) {
    case OpClass::Simple:
    case OpClass::Trapping: return params[0] != '\0' && params[1] != '\0' ? "sss" : "ss";
    case OpClass::Load:
    case OpClass::Store: return "ssu";
    case OpClass::Special: break;
  }
  return "";  // Special rows are never emitted
}

struct IOpInfo {
  const char* name;
  const char* kinds;
};

constexpr IOpInfo kIOpInfos[] = {
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) \
  {text, one_to_one_kinds(OpClass::cls, params)},
#include "defs/opcodes.def"
#define WASP_ISA(ident, kinds) {#ident, kinds},
#include "exec/isa.def"
#define IMM_INFO_Simple(text) {text " imm", "ssu"},
#define IMM_INFO_Trapping(text) {text " imm", "ssu"},
#define IMM_INFO_Load(text)
#define IMM_INFO_Store(text)
#define IMM_INFO_Special(text)
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) IMM_INFO_##cls(text)
#include "defs/opcodes.def"
#define IMM64_INFO_Simple(text) {text " imm64", "ssuu"},
#define IMM64_INFO_Trapping(text) {text " imm64", "ssuu"},
#define IMM64_INFO_Load(text)
#define IMM64_INFO_Store(text)
#define IMM64_INFO_Special(text)
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) IMM64_INFO_##cls(text)
#include "defs/opcodes.def"
#define ADDIMM_INFO_Simple(text)
#define ADDIMM_INFO_Trapping(text)
#define ADDIMM_INFO_Load(text) {text " +imm", "ssuu"},
#define ADDIMM_INFO_Store(text)
#define ADDIMM_INFO_Special(text)
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) ADDIMM_INFO_##cls(text)
#include "defs/opcodes.def"
#define STOREIMM_INFO_Simple(text)
#define STOREIMM_INFO_Trapping(text)
#define STOREIMM_INFO_Load(text)
#define STOREIMM_INFO_Store(text) {text " imm", "suu"},
#define STOREIMM_INFO_Special(text)
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) STOREIMM_INFO_##cls(text)
#include "defs/opcodes.def"
};
static_assert(std::size(kIOpInfos) == static_cast<size_t>(IOp::Count));

}  // namespace

IOp immediate_form(Op op) {
  switch (op) {
#define IMM_CASE_Simple(ident) \
  case Op::ident:              \
    return IOp::ident##Imm;
#define IMM_CASE_Trapping(ident) IMM_CASE_Simple(ident)
#define IMM_CASE_Load(ident)
#define IMM_CASE_Store(ident)
#define IMM_CASE_Special(ident)
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) IMM_CASE_##cls(ident)
#include "defs/opcodes.def"
    default: return IOp::Count;
  }
}

IOp immediate64_form(Op op) {
  switch (op) {
#define IMM64_CASE_Simple(ident) \
  case Op::ident:                \
    return IOp::ident##Imm64;
#define IMM64_CASE_Trapping(ident) IMM64_CASE_Simple(ident)
#define IMM64_CASE_Load(ident)
#define IMM64_CASE_Store(ident)
#define IMM64_CASE_Special(ident)
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) IMM64_CASE_##cls(ident)
#include "defs/opcodes.def"
    default: return IOp::Count;
  }
}

IOp store_immediate_form(Op op) {
  switch (op) {
#define STOREIMM_CASE_Store(ident) \
  case Op::ident:                  \
    return IOp::ident##Imm;
#define STOREIMM_CASE_Simple(ident)
#define STOREIMM_CASE_Trapping(ident)
#define STOREIMM_CASE_Load(ident)
#define STOREIMM_CASE_Special(ident)
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) STOREIMM_CASE_##cls(ident)
#include "defs/opcodes.def"
    default: return IOp::Count;
  }
}

IOp add_immediate_load_form(Op op) {
  switch (op) {
#define ADDIMM_CASE_Load(ident) \
  case Op::ident:               \
    return IOp::ident##AddImm;
#define ADDIMM_CASE_Simple(ident)
#define ADDIMM_CASE_Trapping(ident)
#define ADDIMM_CASE_Store(ident)
#define ADDIMM_CASE_Special(ident)
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) ADDIMM_CASE_##cls(ident)
#include "defs/opcodes.def"
    default: return IOp::Count;
  }
}

const char* iop_name(IOp op) {
  auto index = static_cast<size_t>(op);
  return index < std::size(kIOpInfos) ? kIOpInfos[index].name : "<invalid>";
}

const char* iop_operand_kinds(IOp op) {
  auto index = static_cast<size_t>(op);
  return index < std::size(kIOpInfos) ? kIOpInfos[index].kinds : "";
}

uint32_t iop_length(const CodeWord* code) {
  const char* kinds = iop_operand_kinds(static_cast<IOp>(code[0]));
  uint32_t length = 1;
  for (const char* k = kinds; *k != '\0'; ++k) {
    // An `n` operand is a count followed by that many words.
    length += *k == 'n' ? 1 + code[length] : 1;
  }
  return length;
}

uint32_t CompiledFunc::wasm_offset_at(uint32_t code_pos) const {
  // The last entry at or before code_pos: the instruction containing it.
  auto it = std::upper_bound(source_map.begin(), source_map.end(), code_pos,
                             [](uint32_t pos, const auto& entry) { return pos < entry.first; });
  if (it == source_map.begin()) return source_map.empty() ? 0 : source_map.front().second;
  return std::prev(it)->second;
}

}  // namespace waspvm
