// The binary decoder. Error wording follows the spec's reference interpreter
// (the text the spec tests' assert_malformed expects), plus " at offset N".
#include "decode/decoder.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "base/reader.h"
#include "decode/code_reader.h"

namespace waspvm {

namespace {

enum SectionId : uint8_t {
  kCustom = 0,
  kType,
  kImport,
  kFunction,
  kTable,
  kMemory,
  kGlobal,
  kExport,
  kStart,
  kElem,
  kCode,
  kData,
  kDataCount,
  kMaxSectionId = kDataCount,
};

// Position of a non-custom section in the required order (datacount sits between element and code).
int section_rank(uint8_t id) {
  if (id == kDataCount) return kElem + 1;
  if (id >= kCode) return id + 1;
  return id;
}

constexpr char kEndOfSection[] = "unexpected end of section or function";

// ByteReader says "unexpected end"; inside a section the spec says more.
Error widen_eof(Error error) {
  static const std::string kPlain = "unexpected end at ";
  if (error.message.compare(0, kPlain.size(), kPlain) == 0) {
    error.message = std::string(kEndOfSection) + " at " + error.message.substr(kPlain.size());
  }
  return error;
}

// Open constructs while scanning code: `if` may still take an `else`.
enum class Frame : uint8_t { Plain, If };

class Decoder {
 public:
  explicit Decoder(ModuleDesc& desc) : desc_(desc), data_(desc.bytes.data()), size_(desc.bytes.size()) {}

  Result<void> decode() {
    ByteReader r(data_, 0, size_);
    WASP_TRY(read_header(r));
    auto sections = read_sections(r);
    if (!sections) return widen_eof(sections.error());
    return finish();
  }

 private:
  Result<void> read_header(ByteReader& r);
  Result<void> read_sections(ByteReader& r);
  Result<void> read_section(uint8_t id, ByteReader& r);
  Result<void> finish();

  Result<void> read_type_section(ByteReader& r);
  Result<void> read_import_section(ByteReader& r);
  Result<void> read_function_section(ByteReader& r);
  Result<void> read_table_section(ByteReader& r);
  Result<void> read_memory_section(ByteReader& r);
  Result<void> read_global_section(ByteReader& r);
  Result<void> read_export_section(ByteReader& r);
  Result<void> read_elem_section(ByteReader& r);
  Result<void> read_code_section(ByteReader& r);
  Result<void> read_data_section(ByteReader& r);
  Result<void> read_custom_section(ByteReader& r);

  Result<void> read_import(ByteReader& r);
  Result<ElemSegment> read_elem_segment(ByteReader& r);
  Result<DataSegment> read_data_segment(ByteReader& r);
  Result<FuncBody> read_func_body(ByteReader& r);  // type filled in by finish()
  Result<void> read_locals(ByteReader& r, FuncBody& body);

  Result<void> check_length(uint64_t length, size_t at) const;
  Result<uint32_t> read_count(ByteReader& r);
  Result<std::string> read_name(ByteReader& r);
  Result<uint8_t> read_type_byte(ByteReader& r);
  Result<ValType> read_val_type(ByteReader& r);
  Result<ValType> read_ref_type(ByteReader& r);
  Result<Limits> read_limits(ByteReader& r);
  Result<TableType> read_table_type(ByteReader& r);
  Result<GlobalType> read_global_type(ByteReader& r);
  Result<ConstExpr> read_const_expr(ByteReader& r);
  Result<ConstExpr> read_func_index_item(ByteReader& r);
  Result<size_t> scan_code(size_t begin, bool is_body);

  ModuleDesc& desc_;
  const uint8_t* data_;
  size_t size_;
  int last_rank_ = 0;
  size_t section_end_ = 0;  // of the section being read
  bool saw_name_section_ = false;
  bool body_uses_data_count_ = false;  // memory.init or data.drop seen in a function body
  std::vector<uint32_t> defined_func_types_;
  Instr instr_;                // reused across scan_code calls
  std::vector<Frame> frames_;  // likewise
};

// Compared byte by byte, so the check does not depend on the host's endianness.
Result<void> Decoder::read_header(ByteReader& r) {
  static constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6D};
  static constexpr uint8_t kVersion[4] = {0x01, 0x00, 0x00, 0x00};
  if (r.remaining() < 4) return r.error("unexpected end");
  if (std::memcmp(data_, kMagic, 4) != 0) return ByteReader::error_at(0, "magic header not detected");
  if (r.remaining() < 8) return r.error("unexpected end");
  if (std::memcmp(data_ + 4, kVersion, 4) != 0) return ByteReader::error_at(4, "unknown binary version");
  r.seek(8);
  return {};
}

Result<void> Decoder::read_sections(ByteReader& r) {
  while (!r.at_end()) {
    size_t id_pos = r.pos();
    auto id = r.u8();
    if (!id) return id.error();
    if (*id > kMaxSectionId) return ByteReader::error_at(id_pos, "malformed section id");
    size_t size_pos = r.pos();
    auto size = r.u32();
    if (!size) return size.error();
    if (*size > r.remaining()) return ByteReader::error_at(size_pos, "length out of bounds");
    if (*id != kCustom) {
      int rank = section_rank(*id);
      if (rank <= last_rank_) return ByteReader::error_at(id_pos, "unexpected content after last section");
      last_rank_ = rank;
    }
    // Like the reference interpreter, a section's content is read on into the
    // bytes after it if it claims more than its size; the size check then fails.
    size_t begin = r.pos();
    section_end_ = begin + *size;
    ByteReader section(data_, begin, size_);
    WASP_TRY(read_section(*id, section));
    if (section.pos() != section_end_) return ByteReader::error_at(begin, "section size mismatch");
    r.seek(section_end_);
  }
  return {};
}

Result<void> Decoder::read_section(uint8_t id, ByteReader& r) {
  switch (id) {
    case kCustom: return read_custom_section(r);
    case kType: return read_type_section(r);
    case kImport: return read_import_section(r);
    case kFunction: return read_function_section(r);
    case kTable: return read_table_section(r);
    case kMemory: return read_memory_section(r);
    case kGlobal: return read_global_section(r);
    case kExport: return read_export_section(r);
    case kStart: {
      auto index = r.u32();
      if (!index) return index.error();
      desc_.start = *index;
      return {};
    }
    case kElem: return read_elem_section(r);
    case kDataCount: {
      auto count = r.u32();
      if (!count) return count.error();
      desc_.data_count = *count;
      return {};
    }
    case kCode: return read_code_section(r);
    case kData: return read_data_section(r);
    default: return ByteReader::error_at(r.pos(), "malformed section id");
  }
}

Result<void> Decoder::finish() {
  if (desc_.funcs.size() != defined_func_types_.size()) {
    return ByteReader::error_at(size_, "function and code section have inconsistent lengths");
  }
  for (size_t i = 0; i < desc_.funcs.size(); ++i) desc_.funcs[i].type = defined_func_types_[i];
  if (desc_.data_count && *desc_.data_count != desc_.datas.size()) {
    return ByteReader::error_at(size_, "data count and data section have inconsistent lengths");
  }
  if (body_uses_data_count_ && !desc_.data_count) {
    return ByteReader::error_at(size_, "data count section required");
  }
  return {};
}

// ---------------------------------------------------------------- basic items

// A length or count read at `at` may not exceed the bytes left in the module
// from there (the reference interpreter's rule). Every vector element takes
// at least one byte, so this also bounds what a count can make us allocate.
Result<void> Decoder::check_length(uint64_t length, size_t at) const {
  if (length > size_ - at) return ByteReader::error_at(at, "length out of bounds");
  return {};
}

// A vector length.
Result<uint32_t> Decoder::read_count(ByteReader& r) {
  size_t at = r.pos();
  auto count = r.u32();
  if (!count) return count.error();
  WASP_TRY(check_length(*count, at));
  return *count;
}

Result<std::string> Decoder::read_name(ByteReader& r) {
  size_t at = r.pos();
  auto length = r.u32();
  if (!length) return length.error();
  WASP_TRY(check_length(*length, at));
  const uint8_t* chars = data_ + r.pos();
  if (*length > r.remaining()) return ByteReader::error_at(size_, kEndOfSection);
  if (!decode_detail::is_valid_utf8(chars, *length))
    return ByteReader::error_at(at, "malformed UTF-8 encoding");
  r.seek(r.pos() + *length);
  return std::string(reinterpret_cast<const char*>(chars), *length);
}

// Type codes are one-byte signed LEB128 numbers (s7) in the spec.
Result<uint8_t> Decoder::read_type_byte(ByteReader& r) {
  auto b = r.u8();
  if (!b) return b.error();
  if (*b & 0x80) return ByteReader::error_at(r.pos() - 1, "integer representation too long");
  return *b;
}

Result<ValType> Decoder::read_val_type(ByteReader& r) {
  auto b = read_type_byte(r);
  if (!b) return b.error();
  if (!is_val_type_byte(*b)) return ByteReader::error_at(r.pos() - 1, "malformed value type");
  return static_cast<ValType>(*b);
}

Result<ValType> Decoder::read_ref_type(ByteReader& r) {
  auto b = read_type_byte(r);
  if (!b) return b.error();
  if (*b == 0x70 || *b == 0x6F) return static_cast<ValType>(*b);
  return ByteReader::error_at(r.pos() - 1, "malformed reference type");
}

// The flag is a 1-bit LEB128 in the reference interpreter, hence its messages.
// Shared memories (flags 2, 3) and 64-bit memories are not part of Wasm 2.0.
Result<Limits> Decoder::read_limits(ByteReader& r) {
  size_t at = r.pos();
  auto flag = r.u8();
  if (!flag) return flag.error();
  if ((*flag & 0x7F) > 1) return ByteReader::error_at(at, "integer too large");
  if (*flag & 0x80) return ByteReader::error_at(at, "integer representation too long");
  Limits limits;
  auto min = r.u32();
  if (!min) return min.error();
  limits.min = *min;
  if (*flag == 1) {
    auto max = r.u32();
    if (!max) return max.error();
    limits.max = *max;
  }
  return limits;
}

Result<TableType> Decoder::read_table_type(ByteReader& r) {
  TableType table;
  auto elem = read_ref_type(r);
  if (!elem) return elem.error();
  table.elem = *elem;
  auto limits = read_limits(r);
  if (!limits) return limits.error();
  table.limits = *limits;
  return table;
}

Result<GlobalType> Decoder::read_global_type(ByteReader& r) {
  GlobalType global;
  auto type = read_val_type(r);
  if (!type) return type.error();
  global.type = *type;
  auto mut = r.u8();
  if (!mut) return mut.error();
  if (*mut > 1) return ByteReader::error_at(r.pos() - 1, "malformed mutability");
  global.mut = *mut == 1;
  return global;
}

// ---------------------------------------------------------------- code

// Reads instructions from `begin` up to the `end` that closes the implicit
// outermost block and returns the position after it. Only the structure is
// checked here (nesting, else placement, encodings); typing is the validator's.
Result<size_t> Decoder::scan_code(size_t begin, bool is_body) {
  CodeReader reader(data_, begin, size_);
  frames_.assign(1, Frame::Plain);
  for (;;) {
    if (reader.at_end()) return ByteReader::error_at(size_, kEndOfSection);
    WASP_TRY(reader.next(instr_));
    switch (instr_.op) {
      case Op::Block:
      case Op::Loop: frames_.push_back(Frame::Plain); break;
      case Op::If: frames_.push_back(Frame::If); break;
      case Op::Else:
        // The reference interpreter ends the block at a stray `else` and then wants its `end`.
        if (frames_.back() != Frame::If) return ByteReader::error_at(instr_.offset, "END opcode expected");
        frames_.back() = Frame::Plain;
        break;
      case Op::End:
        frames_.pop_back();
        if (frames_.empty()) return reader.pos();
        break;
      case Op::MemoryInit:
      case Op::DataDrop:
        if (is_body) body_uses_data_count_ = true;
        break;
      default:
        // Alignment exponents of 32 and more cannot be valid; the spec calls them malformed.
        if (op_info(instr_.op).imm == ImmKind::MemArg && instr_.align >= 32) {
          return ByteReader::error_at(instr_.offset, "malformed memop flags");
        }
        break;
    }
  }
}

Result<ConstExpr> Decoder::read_const_expr(ByteReader& r) {
  ConstExpr expr;
  expr.offset = static_cast<uint32_t>(r.pos());
  auto end = scan_code(r.pos(), false);
  if (!end) return end.error();
  expr.bytes.assign(data_ + r.pos(), data_ + *end);
  r.seek(*end);
  return expr;
}

// The func-index element forms become `ref.func idx; end`, so that later
// stages see only expressions. The index keeps its original encoding.
Result<ConstExpr> Decoder::read_func_index_item(ByteReader& r) {
  ConstExpr expr;
  size_t at = r.pos();
  auto index = r.u32();
  if (!index) return index.error();
  expr.offset = static_cast<uint32_t>(at);
  expr.bytes.reserve(r.pos() - at + 2);
  expr.bytes.push_back(0xD2);
  expr.bytes.insert(expr.bytes.end(), data_ + at, data_ + r.pos());
  expr.bytes.push_back(0x0B);
  return expr;
}

Result<void> Decoder::read_locals(ByteReader& r, FuncBody& body) {
  size_t at = r.pos();
  auto runs = r.u32();
  if (!runs) return runs.error();
  WASP_TRY(check_length(*runs, at));
  uint64_t total = 0;
  for (uint32_t i = 0; i < *runs; ++i) {
    auto count = r.u32();
    if (!count) return count.error();
    auto type = read_val_type(r);
    if (!type) return type.error();
    total += *count;
    if (total > std::numeric_limits<uint32_t>::max()) return ByteReader::error_at(at, "too many locals");
    if (*count > 0) body.locals.push_back(LocalRun{*count, *type});
  }
  body.num_locals = static_cast<uint32_t>(total);
  return {};
}

Result<FuncBody> Decoder::read_func_body(ByteReader& r) {
  size_t at = r.pos();
  auto size = r.u32();
  if (!size) return size.error();
  WASP_TRY(check_length(*size, at));
  size_t begin = r.pos();
  size_t end = begin + *size;
  // As with sections, a body that claims more than its size reads on and then fails the size check.
  FuncBody body;
  WASP_TRY(read_locals(r, body));
  body.code_begin = static_cast<uint32_t>(r.pos());
  auto code_end = scan_code(r.pos(), true);
  if (!code_end) return code_end.error();
  if (*code_end != end) return ByteReader::error_at(begin, "section size mismatch");
  body.code_end = static_cast<uint32_t>(end);
  r.seek(end);
  return body;
}

// ---------------------------------------------------------------- sections

Result<void> Decoder::read_type_section(ByteReader& r) {
  auto count = read_count(r);
  if (!count) return count.error();
  for (uint32_t i = 0; i < *count; ++i) {
    auto form = read_type_byte(r);
    if (!form) return form.error();
    if (*form != 0x60) return ByteReader::error_at(r.pos() - 1, "malformed function type");
    FuncType type;
    for (auto* list : {&type.params, &type.results}) {
      auto n = read_count(r);
      if (!n) return n.error();
      for (uint32_t k = 0; k < *n; ++k) {
        auto t = read_val_type(r);
        if (!t) return t.error();
        list->push_back(*t);
      }
    }
    desc_.types.push_back(std::move(type));
  }
  return {};
}

Result<void> Decoder::read_import(ByteReader& r) {
  Import import;
  auto module = read_name(r);
  if (!module) return module.error();
  import.module = std::move(*module);
  auto name = read_name(r);
  if (!name) return name.error();
  import.name = std::move(*name);
  auto kind = r.u8();
  if (!kind) return kind.error();
  switch (*kind) {
    case 0: {
      auto type = r.u32();
      if (!type) return type.error();
      import.func_type = *type;
      desc_.func_types.push_back(*type);
      ++desc_.num_imported_funcs;
      break;
    }
    case 1: {
      auto table = read_table_type(r);
      if (!table) return table.error();
      import.table = *table;
      desc_.tables.push_back(*table);
      ++desc_.num_imported_tables;
      break;
    }
    case 2: {
      auto limits = read_limits(r);
      if (!limits) return limits.error();
      import.memory.limits = *limits;
      desc_.memories.push_back(import.memory);
      ++desc_.num_imported_memories;
      break;
    }
    case 3: {
      auto global = read_global_type(r);
      if (!global) return global.error();
      import.global = *global;
      desc_.globals.push_back(*global);
      ++desc_.num_imported_globals;
      break;
    }
    default: return ByteReader::error_at(r.pos() - 1, "malformed import kind");
  }
  import.kind = static_cast<ExternKind>(*kind);
  desc_.imports.push_back(std::move(import));
  return {};
}

Result<void> Decoder::read_import_section(ByteReader& r) {
  auto count = read_count(r);
  if (!count) return count.error();
  for (uint32_t i = 0; i < *count; ++i) WASP_TRY(read_import(r));
  return {};
}

Result<void> Decoder::read_function_section(ByteReader& r) {
  auto count = read_count(r);
  if (!count) return count.error();
  defined_func_types_.reserve(*count);
  for (uint32_t i = 0; i < *count; ++i) {
    auto type = r.u32();
    if (!type) return type.error();
    defined_func_types_.push_back(*type);
    desc_.func_types.push_back(*type);
  }
  return {};
}

Result<void> Decoder::read_table_section(ByteReader& r) {
  auto count = read_count(r);
  if (!count) return count.error();
  for (uint32_t i = 0; i < *count; ++i) {
    auto table = read_table_type(r);
    if (!table) return table.error();
    desc_.tables.push_back(*table);
  }
  return {};
}

Result<void> Decoder::read_memory_section(ByteReader& r) {
  auto count = read_count(r);
  if (!count) return count.error();
  for (uint32_t i = 0; i < *count; ++i) {
    auto limits = read_limits(r);
    if (!limits) return limits.error();
    desc_.memories.push_back(MemoryType{*limits});
  }
  return {};
}

Result<void> Decoder::read_global_section(ByteReader& r) {
  auto count = read_count(r);
  if (!count) return count.error();
  for (uint32_t i = 0; i < *count; ++i) {
    GlobalDef global;
    auto type = read_global_type(r);
    if (!type) return type.error();
    global.type = *type;
    auto init = read_const_expr(r);
    if (!init) return init.error();
    global.init = std::move(*init);
    desc_.globals.push_back(global.type);
    desc_.global_defs.push_back(std::move(global));
  }
  return {};
}

Result<void> Decoder::read_export_section(ByteReader& r) {
  auto count = read_count(r);
  if (!count) return count.error();
  for (uint32_t i = 0; i < *count; ++i) {
    Export ex;
    auto name = read_name(r);
    if (!name) return name.error();
    ex.name = std::move(*name);
    auto kind = r.u8();
    if (!kind) return kind.error();
    if (*kind > 3) return ByteReader::error_at(r.pos() - 1, "malformed export kind");
    ex.kind = static_cast<ExternKind>(*kind);
    auto index = r.u32();
    if (!index) return index.error();
    ex.index = *index;
    desc_.exports.push_back(std::move(ex));
  }
  return {};
}

// Flags: bit 0 = passive or declarative, bit 1 = explicit table index (active)
// or declarative (otherwise), bit 2 = items are expressions, not func indices.
Result<ElemSegment> Decoder::read_elem_segment(ByteReader& r) {
  size_t at = r.pos();
  auto flags = r.u32();
  if (!flags) return flags.error();
  if (*flags > 7) return ByteReader::error_at(at, "malformed elements segment kind");
  ElemSegment seg;
  bool exprs = *flags & 4;
  if (*flags & 1) {
    seg.mode = (*flags & 2) ? SegmentMode::Declarative : SegmentMode::Passive;
  } else {
    seg.mode = SegmentMode::Active;
    if (*flags & 2) {
      auto table = r.u32();
      if (!table) return table.error();
      seg.table = *table;
    }
    auto offset = read_const_expr(r);
    if (!offset) return offset.error();
    seg.offset = std::move(*offset);
  }
  if (*flags & 3) {
    if (exprs) {
      auto type = read_ref_type(r);
      if (!type) return type.error();
      seg.type = *type;
    } else {
      auto kind = r.u8();
      if (!kind) return kind.error();
      if (*kind != 0) return ByteReader::error_at(r.pos() - 1, "malformed element kind");
    }
  }
  auto count = read_count(r);
  if (!count) return count.error();
  seg.items.reserve(*count);  // bounded by the bytes left (read_count)
  for (uint32_t i = 0; i < *count; ++i) {
    auto item = exprs ? read_const_expr(r) : read_func_index_item(r);
    if (!item) return item.error();
    seg.items.push_back(std::move(*item));
  }
  return seg;
}

Result<void> Decoder::read_elem_section(ByteReader& r) {
  auto count = read_count(r);
  if (!count) return count.error();
  for (uint32_t i = 0; i < *count; ++i) {
    auto seg = read_elem_segment(r);
    if (!seg) return seg.error();
    desc_.elems.push_back(std::move(*seg));
  }
  return {};
}

Result<void> Decoder::read_code_section(ByteReader& r) {
  auto count = read_count(r);
  if (!count) return count.error();
  for (uint32_t i = 0; i < *count; ++i) {
    auto body = read_func_body(r);
    if (!body) return body.error();
    desc_.funcs.push_back(std::move(*body));
  }
  return {};
}

Result<DataSegment> Decoder::read_data_segment(ByteReader& r) {
  size_t at = r.pos();
  auto flags = r.u32();
  if (!flags) return flags.error();
  if (*flags > 2) return ByteReader::error_at(at, "malformed data segment kind");
  DataSegment seg;
  if (*flags == 1) {
    seg.mode = SegmentMode::Passive;
  } else {
    if (*flags == 2) {
      auto memory = r.u32();
      if (!memory) return memory.error();
      seg.memory = *memory;
    }
    auto offset = read_const_expr(r);
    if (!offset) return offset.error();
    seg.offset = std::move(*offset);
  }
  size_t length_at = r.pos();
  auto length = r.u32();
  if (!length) return length.error();
  WASP_TRY(check_length(*length, length_at));
  if (*length > r.remaining()) return ByteReader::error_at(size_, kEndOfSection);
  seg.data_begin = static_cast<uint32_t>(r.pos());
  seg.data_end = static_cast<uint32_t>(r.pos() + *length);
  r.seek(seg.data_end);
  return seg;
}

Result<void> Decoder::read_data_section(ByteReader& r) {
  auto count = read_count(r);
  if (!count) return count.error();
  for (uint32_t i = 0; i < *count; ++i) {
    auto seg = read_data_segment(r);
    if (!seg) return seg.error();
    desc_.datas.push_back(std::move(*seg));
  }
  return {};
}

Result<void> Decoder::read_custom_section(ByteReader& r) {
  CustomSection custom;
  auto name = read_name(r);
  if (!name) return name.error();
  custom.name = std::move(*name);
  if (r.pos() > section_end_) return ByteReader::error_at(section_end_, kEndOfSection);
  custom.begin = static_cast<uint32_t>(r.pos());
  custom.end = static_cast<uint32_t>(section_end_);
  r.seek(section_end_);
  if (custom.name == "name" && !saw_name_section_) {
    saw_name_section_ = true;
    decode_detail::read_name_section(desc_, custom.begin, custom.end);
  }
  desc_.customs.push_back(std::move(custom));
  return {};
}

// Before copying megabytes into fresh memory: on Linux, fault its pages in
// with one call (MADV_POPULATE_WRITE) rather than one page fault per 4 KiB,
// most of the cost of such a copy here. Pages already there (memory malloc
// reuses) cost next to nothing. Whole pages inside [p, p + n) only.
void prefault_for_write(uint8_t* p, size_t n) {
#ifdef MADV_POPULATE_WRITE
  constexpr size_t kMinBytes = 256 * 1024;  // below, the call costs about what it saves
  constexpr uintptr_t kPage = 4096;         // (a larger system page: madvise refuses, harmless)
  if (n < kMinBytes) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kPage - 1) & ~(kPage - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + n) & ~(kPage - 1);
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#else
  (void)p;
  (void)n;
#endif
}

}  // namespace

Result<ModuleDesc> decode_module(std::span<const uint8_t> bytes) {
  // Offsets are 32-bit; no valid module comes near this size.
  if (bytes.size() > std::numeric_limits<uint32_t>::max()) {
    return ByteReader::error_at(0, "module too large");
  }
  ModuleDesc desc;
  // The module's one copy of its bytes (code is read from it at compile
  // time, data segments copied from it into memory at instantiation).
  desc.bytes.reserve(bytes.size());
  prefault_for_write(desc.bytes.data(), bytes.size());
  desc.bytes.assign(bytes.begin(), bytes.end());
  Decoder decoder(desc);
  auto result = decoder.decode();
  if (!result) return result.error();
  return desc;
}

}  // namespace waspvm
