#include "decode/code_reader.h"

#include <array>

namespace waspvm {

namespace {

constexpr OpInfo kOpInfos[] = {
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) \
  {prefix, code, text, ImmKind::imm, OpClass::cls, params, results, bytes},
#include "defs/opcodes.def"
};

// Opcode byte -> Op, for the unprefixed and the 0xFC-prefixed spaces.
struct OpMaps {
  std::array<int16_t, 256> plain{};
  std::array<int16_t, 32> fc{};
  constexpr OpMaps() {
    plain.fill(-1);
    fc.fill(-1);
    for (size_t i = 0; i < static_cast<size_t>(Op::Count); ++i) {
      const OpInfo& info = kOpInfos[i];
      if (info.prefix == 0) {
        if (plain[info.code] < 0) plain[info.code] = static_cast<int16_t>(i);
      } else if (info.prefix == 0xFC) {
        fc[info.code] = static_cast<int16_t>(i);
      }
    }
  }
};

// Built at compile time: a function-local static cost a guard check per
// decoded instruction.
constexpr OpMaps kOpMaps;
constexpr const OpMaps& op_maps() { return kOpMaps; }

Result<ValType> read_ref_type(ByteReader& r) {
  auto b = r.u8();
  if (!b) return b.error();
  if (*b == 0x70) return ValType::FuncRef;
  if (*b == 0x6F) return ValType::ExternRef;
  return ByteReader::error_at(r.pos() - 1, "malformed reference type");
}

Result<ValType> read_val_type(ByteReader& r) {
  auto b = r.u8();
  if (!b) return b.error();
  if (!is_val_type_byte(*b)) return ByteReader::error_at(r.pos() - 1, "malformed value type");
  return static_cast<ValType>(*b);
}

}  // namespace

bool is_val_type_byte(uint8_t b) {
  switch (b) {
    case 0x7F:
    case 0x7E:
    case 0x7D:
    case 0x7C:
    case 0x7B:
    case 0x70:
    case 0x6F: return true;
    default: return false;
  }
}

const OpInfo& op_info(Op op) { return kOpInfos[static_cast<size_t>(op)]; }

ValType sig_char_type(char c) {
  switch (c) {
    case 'i': return ValType::I32;
    case 'I': return ValType::I64;
    case 'f': return ValType::F32;
    default: return ValType::F64;
  }
}

Result<void> CodeReader::next(Instr& out) {
  out.offset = static_cast<uint32_t>(r_.pos());
  auto b = r_.u8();
  if (!b) return b.error();
  int16_t op = -1;
  if (*b == 0xFC) {
    auto sub = r_.u32();
    if (!sub) return sub.error();
    if (*sub < op_maps().fc.size()) op = op_maps().fc[*sub];
  } else if (*b == 0xFD) {
    return ByteReader::error_at(out.offset, "SIMD not supported yet");
  } else {
    op = op_maps().plain[*b];
  }
  if (op < 0) return ByteReader::error_at(out.offset, "illegal opcode");
  out.op = static_cast<Op>(op);
  return read_immediates(op_info(out.op).imm, out);
}

Result<void> CodeReader::read_immediates(ImmKind kind, Instr& out) {
  auto zero_byte = [&]() -> Result<void> {
    auto z = r_.u8();
    if (!z) return z.error();
    if (*z != 0) return ByteReader::error_at(r_.pos() - 1, "zero byte expected");
    return {};
  };
  auto index = [&](uint32_t& dst) -> Result<void> {
    auto v = r_.u32();
    if (!v) return v.error();
    dst = *v;
    return {};
  };
  switch (kind) {
    case ImmKind::None: return {};
    case ImmKind::BlockType: {
      size_t at = r_.pos();
      auto b = r_.u8();
      if (!b) return b.error();
      if (*b == 0x40) {
        out.block.kind = BlockType::Kind::Empty;
        return {};
      }
      if (is_val_type_byte(*b)) {
        out.block.kind = BlockType::Kind::Value;
        out.block.value = static_cast<ValType>(*b);
        return {};
      }
      r_.seek(at);
      auto idx = r_.s33();
      if (!idx) return idx.error();
      if (*idx < 0) return ByteReader::error_at(at, "malformed block type");
      out.block.kind = BlockType::Kind::TypeIndex;
      out.block.type_index = static_cast<uint32_t>(*idx);
      return {};
    }
    case ImmKind::LabelIdx:
    case ImmKind::FuncIdx:
    case ImmKind::LocalIdx:
    case ImmKind::GlobalIdx:
    case ImmKind::TableIdx:
    case ImmKind::DataIdx:
    case ImmKind::ElemIdx: return index(out.index);
    case ImmKind::BrTable: {
      auto n = r_.u32();
      if (!n) return n.error();
      if (*n > r_.remaining()) return r_.error("unexpected end");
      out.targets.clear();
      for (uint32_t i = 0; i <= *n; ++i) {
        auto t = r_.u32();
        if (!t) return t.error();
        out.targets.push_back(*t);
      }
      return {};
    }
    case ImmKind::CallIndirect: WASP_TRY(index(out.index)); return index(out.index2);
    case ImmKind::MemArg: {
      WASP_TRY(index(out.align));
      return index(out.mem_offset);
    }
    case ImmKind::MemIdx: out.index = 0; return zero_byte();
    case ImmKind::I32Const: {
      auto v = r_.s32();
      if (!v) return v.error();
      out.bits = static_cast<uint32_t>(*v);
      return {};
    }
    case ImmKind::I64Const: {
      auto v = r_.s64();
      if (!v) return v.error();
      out.bits = static_cast<uint64_t>(*v);
      return {};
    }
    case ImmKind::F32Const: {
      auto v = r_.fixed32();
      if (!v) return v.error();
      out.bits = *v;
      return {};
    }
    case ImmKind::F64Const: {
      auto v = r_.fixed64();
      if (!v) return v.error();
      out.bits = *v;
      return {};
    }
    case ImmKind::RefType: {
      auto t = read_ref_type(r_);
      if (!t) return t.error();
      out.ref_type = *t;
      return {};
    }
    case ImmKind::SelectT: {
      auto n = r_.u32();
      if (!n) return n.error();
      if (*n > r_.remaining()) return r_.error("unexpected end");
      out.select_types.clear();
      for (uint32_t i = 0; i < *n; ++i) {
        auto t = read_val_type(r_);
        if (!t) return t.error();
        out.select_types.push_back(*t);
      }
      return {};
    }
    case ImmKind::MemInit:
      WASP_TRY(index(out.index));
      out.index2 = 0;
      return zero_byte();
    case ImmKind::MemCopy:
      out.index = out.index2 = 0;
      WASP_TRY(zero_byte());
      return zero_byte();
    case ImmKind::TableInit:
    case ImmKind::TableCopy: WASP_TRY(index(out.index)); return index(out.index2);
  }
  return {};
}

}  // namespace waspvm
