// CodeReader: reads one instruction (opcode and immediates) at a time from a
// function body or constant expression. Shared by the decoder (well-formedness),
// the validator, the translator and constant evaluation; driven by opcodes.def.
#pragma once
#include <cstdint>
#include <vector>

#include "base/reader.h"
#include "waspvm/types.h"

namespace waspvm {

enum class Op : uint16_t {
#define WASP_OP(ident, ...) ident,
#include "defs/opcodes.def"
  Count
};

enum class ImmKind : uint8_t {
  None,
  BlockType,
  LabelIdx,
  BrTable,
  FuncIdx,
  CallIndirect,
  LocalIdx,
  GlobalIdx,
  TableIdx,
  MemArg,
  MemIdx,
  I32Const,
  I64Const,
  F32Const,
  F64Const,
  RefType,
  SelectT,
  MemInit,
  DataIdx,
  MemCopy,
  TableInit,
  ElemIdx,
  TableCopy,
};

enum class OpClass : uint8_t { Simple, Trapping, Load, Store, Special };

struct OpInfo {
  uint8_t prefix;
  uint32_t code;
  const char* name;
  ImmKind imm;
  OpClass cls;
  const char* params;  // i I f F
  const char* results;
  uint8_t access_bytes;  // Load/Store only
};

const OpInfo& op_info(Op op);
inline const char* op_name(Op op) { return op_info(op).name; }
ValType sig_char_type(char c);
// True for the binary encodings of the value types (0x7F i32 ... 0x6F externref).
bool is_val_type_byte(uint8_t b);  // 'i' -> I32, 'I' -> I64, 'f' -> F32, 'F' -> F64

struct BlockType {
  enum class Kind : uint8_t { Empty, Value, TypeIndex } kind = Kind::Empty;
  ValType value = ValType::I32;  // Kind::Value
  uint32_t type_index = 0;       // Kind::TypeIndex
};

// One decoded instruction. Which fields are meaningful depends on op_info(op).imm:
//   LabelIdx/FuncIdx/LocalIdx/GlobalIdx/TableIdx/DataIdx/ElemIdx/MemIdx: index
//   CallIndirect: index = type index, index2 = table index
//   MemArg: align (log2), mem_offset
//   MemInit: index = data index, index2 = memory; MemCopy: index = dst mem, index2 = src mem
//   TableInit: index = elem index, index2 = table; TableCopy: index = dst table, index2 = src table
//   I32Const/I64Const: bits = the value (sign-extended to 64 for i32 as uint32)
//   F32Const/F64Const: bits = the IEEE bit pattern
//   RefType: ref_type; SelectT: select_types
//   BrTable: targets (default label last)
struct Instr {
  Op op = Op::Nop;
  uint32_t offset = 0;  // byte offset of the opcode in the module
  uint32_t index = 0;
  uint32_t index2 = 0;
  uint32_t align = 0;
  uint32_t mem_offset = 0;
  uint64_t bits = 0;
  BlockType block;
  ValType ref_type = ValType::FuncRef;
  std::vector<ValType> select_types;
  std::vector<uint32_t> targets;
};

class CodeReader {
 public:
  CodeReader(const uint8_t* data, size_t begin, size_t end) : r_(data, begin, end) {}
  bool at_end() const { return r_.at_end(); }
  size_t pos() const { return r_.pos(); }
  // Reads the next instruction into `out` (reusing its vectors). Malformed
  // encodings (unknown opcode, bad LEB128, non-zero reserved byte) are errors.
  Result<void> next(Instr& out);

 private:
  Result<void> read_immediates(ImmKind kind, Instr& out);
  ByteReader r_;
};

}  // namespace waspvm
