// Opcode names, operand layouts and instruction lengths of the internal code,
// all expanded from opcodes.def and isa.def (see docs/internal-code.md).
#include "exec/isa.h"

#include <algorithm>
#include <array>
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

// The operand kinds of an isa.def row (for the metered forms of landing.def).
constexpr const char* isa_kinds(IOp op) {
  switch (op) {
    // clang-format off
#define WASP_ISA(ident, kinds) case IOp::ident: return kinds;
#include "exec/isa.def"
    // clang-format on
    default: return "";
  }
}

constexpr IOpInfo kIOpInfos[] = {
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) \
  {text, one_to_one_kinds(OpClass::cls, params)},
#include "defs/opcodes.def"
#define WASP_ISA(ident, kinds) {#ident, kinds},
#include "exec/isa.def"
// Disassembly suffix and operand kinds of each family of derived.def.
#define WASP_DERIVED_INFO_Imm(text) {text " imm", "ssu"},
#define WASP_DERIVED_INFO_Imm64(text) {text " imm64", "ssuu"},
#define WASP_DERIVED_INFO_AddImm(text) {text " +imm", "ssuu"},
#define WASP_DERIVED_INFO_StoreImm(text) {text " imm", "suu"},
#define WASP_DERIVED_INFO_Indexed(text) {text " +idx", "sssuu"},
#define WASP_DERIVED_INFO_ScaledImm(text) {text " +scaled", "ssuuu"},
#define WASP_DERIVED_INFO_StoreIndexed(text) {text " +idx", "ssusu"},
#define WASP_DERIVED_INFO_StoreImmIndexed(text) {text " imm +idx", "ssuuu"},
#define WASP_DERIVED(ident, derived, family, text, fn, bytes) WASP_DERIVED_INFO_##family(text)
#include "exec/derived.def"
#define WASP_LANDING(ident) {#ident "+gas", isa_kinds(IOp::ident)},
#include "exec/landing.def"
};
static_assert(std::size(kIOpInfos) == static_cast<size_t>(IOp::Count));

}  // namespace

IOp derived_form(Op op, Derived family) {
  using Table =
      std::array<std::array<IOp, static_cast<size_t>(Op::Count)>, static_cast<size_t>(Derived::Count)>;
  static const Table table = [] {
    Table t;
    for (auto& row : t) row.fill(IOp::Count);
#define WASP_DERIVED(ident, derived, family, text, fn, bytes) \
  t[static_cast<size_t>(Derived::family)][static_cast<size_t>(Op::ident)] = IOp::derived;
#include "exec/derived.def"
    return t;
  }();
  return table[static_cast<size_t>(family)][static_cast<size_t>(op)];
}

const char* iop_name(IOp op) {
  auto index = static_cast<size_t>(op);
  return index < std::size(kIOpInfos) ? kIOpInfos[index].name : "<invalid>";
}

const char* iop_operand_kinds(IOp op) {
  auto index = static_cast<size_t>(op);
  return index < std::size(kIOpInfos) ? kIOpInfos[index].kinds : "";
}

namespace {

// Per opcode: its length in words when fixed (no `n` operand), else 0; and
// whether it has branch offsets. Computed once from the kinds strings, which
// translation and the peephole pass would otherwise walk per instruction.
struct IOpShape {
  uint8_t fixed_length = 0;
  bool branches = false;
};

constexpr std::array<IOpShape, std::size(kIOpInfos)> make_shapes() {
  std::array<IOpShape, std::size(kIOpInfos)> shapes{};
  for (size_t i = 0; i < shapes.size(); ++i) {
    uint32_t length = 1;
    bool variable = false;
    for (const char* k = kIOpInfos[i].kinds; *k != '\0'; ++k) {
      variable |= *k == 'n';
      shapes[i].branches |= *k == 'r' || *k == 'n';
      ++length;
    }
    shapes[i].fixed_length = variable ? 0 : static_cast<uint8_t>(length);
  }
  return shapes;
}

constexpr std::array<IOpShape, std::size(kIOpInfos)> kShapes = make_shapes();

}  // namespace

bool iop_has_branches(IOp op) {
  auto index = static_cast<size_t>(op);
  return index < kShapes.size() && kShapes[index].branches;
}

uint32_t iop_length(const CodeWord* code) {
  auto index = static_cast<size_t>(code[0]);
  if (index < kShapes.size() && kShapes[index].fixed_length != 0) return kShapes[index].fixed_length;
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

SlotKind slot_kind_of(ValType type) {
  switch (type) {
    case ValType::FuncRef: return SlotKind::FuncRef;
    case ValType::ExternRef: return SlotKind::ExternRef;
    default: return SlotKind::Raw;
  }
}

void LocalKinds::append(uint64_t count, SlotKind kind) {
  if (count == 0) return;
  if (!kinds_.empty() && kinds_.back() == kind) {
    ends_.back() += count;
    return;
  }
  ends_.push_back(size() + count);
  kinds_.push_back(kind);
}

std::vector<SlotKind> LocalKinds::expanded() const {
  std::vector<SlotKind> out;
  uint64_t begin = 0;
  for (size_t i = 0; i < kinds_.size(); ++i) {
    out.insert(out.end(), ends_[i] - begin, kinds_[i]);
    begin = ends_[i];
  }
  return out;
}

const SlotMaps::Point* SlotMaps::find(uint32_t pc, bool at_return) const {
  auto it = std::lower_bound(points.begin(), points.end(), std::pair{pc, at_return},
                             [](const Point& p, const std::pair<uint32_t, bool>& key) {
                               return std::pair{p.pc, p.at_return} < key;
                             });
  if (it == points.end() || it->pc != pc || it->at_return != at_return) return nullptr;
  return &*it;
}

}  // namespace waspvm
