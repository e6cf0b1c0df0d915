// The module description: what the decoder produces from the binary format.
// Plain data; the validator checks it, the translator and runtime consume it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "waspvm/types.h"

namespace waspvm {

// A constant expression, kept as its raw instruction bytes (including the
// final `end`); validated by the validator and evaluated at instantiation.
struct ConstExpr {
  std::vector<uint8_t> bytes;
  uint32_t offset = 0;  // byte offset in the module, for messages
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t func_type = 0;  // kind == Func: type index
  TableType table;         // kind == Table
  MemoryType memory;       // kind == Memory
  GlobalType global;       // kind == Global
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

struct LocalRun {
  uint32_t count = 0;
  ValType type = ValType::I32;
};

// A function defined in the module (not imported).
struct FuncBody {
  uint32_t type = 0;             // type index
  std::vector<LocalRun> locals;  // declared locals (params excluded), run-length
  uint32_t num_locals = 0;       // sum of locals[].count
  uint32_t code_begin = 0;       // byte offset of the first instruction in Module::bytes
  uint32_t code_end = 0;         // one past the final `end`
};

struct GlobalDef {
  GlobalType type;
  ConstExpr init;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Active;
  ValType type = ValType::FuncRef;
  uint32_t table = 0;            // Active only
  ConstExpr offset;              // Active only
  std::vector<ConstExpr> items;  // each yields one reference; `ref.func i` for the func-index forms
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;  // Active or Passive
  uint32_t memory = 0;
  ConstExpr offset;
  uint32_t data_begin = 0;  // byte range in Module::bytes
  uint32_t data_end = 0;
};

struct CustomSection {
  std::string name;
  uint32_t begin = 0;  // payload range in Module::bytes
  uint32_t end = 0;
};

struct ModuleDesc {
  std::vector<uint8_t> bytes;  // the whole binary; offsets above point into it

  std::vector<FuncType> types;
  std::vector<Import> imports;
  std::vector<uint32_t> func_types;  // type index of every function: imported first, then defined
  std::vector<TableType> tables;     // imported first, then defined
  std::vector<MemoryType> memories;  // imported first, then defined
  std::vector<GlobalType> globals;   // imported first, then defined
  uint32_t num_imported_funcs = 0;
  uint32_t num_imported_tables = 0;
  uint32_t num_imported_memories = 0;
  uint32_t num_imported_globals = 0;

  std::vector<FuncBody> funcs;         // defined functions, in order
  std::vector<GlobalDef> global_defs;  // defined globals, in order
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elems;
  std::vector<DataSegment> datas;
  std::optional<uint32_t> data_count;
  std::vector<CustomSection> customs;

  // From the `name` custom section (best effort; a malformed name section is ignored).
  std::string module_name;
  std::vector<std::pair<uint32_t, std::string>> func_names;  // sorted by index

  const FuncType& func_type(uint32_t func_index) const { return types[func_types[func_index]]; }
  std::string func_name(uint32_t func_index) const;  // "" if none
};

}  // namespace waspvm
