// See peephole.h. The pairs joined are listed in joined_form().
#include "compile/peephole.h"

#include <cstdint>
#include <vector>

#include "compile/disasm.h"

namespace waspvm {

IOp joined_form(IOp first, IOp second) {
  switch (first) {
    case IOp::I32AddImm:
      if (second == IOp::I32AddImm) return IOp::I32AddImm2;
      if (second == IOp::BrIfNez) return IOp::I32AddImmBrIfNez;
      if (second == IOp::BrIfI32Ne) return IOp::I32AddImmBrIfI32Ne;
      if (second == IOp::BrIfI32GtUImm) return IOp::I32AddImmBrIfI32GtUImm;
      if (second == IOp::Br) return IOp::I32AddImmBr;
      break;
    case IOp::Copy2:
      if (second == IOp::Br) return IOp::Copy2Br;
      break;
    case IOp::I32AddImm2:
      if (second == IOp::BrIfI32Ne) return IOp::I32AddImm2BrIfI32Ne;
      break;
    case IOp::Copy:
      if (second == IOp::Copy) return IOp::Copy2;
      if (second == IOp::Br) return IOp::CopyBr;
      if (second == IOp::Const32) return IOp::CopyConst32;
      if (second == IOp::BrIfNez) return IOp::CopyBrIfNez;
      if (second == IOp::BrIfEqz) return IOp::CopyBrIfEqz;
      if (second == IOp::BrIfI32NeImm) return IOp::CopyBrIfI32NeImm;
      if (second == IOp::CallFunc) return IOp::CopyCallFunc;
      if (second == IOp::CallIndirectOp) return IOp::CopyCallIndirectOp;
      break;
    case IOp::Const32:
      if (second == IOp::Copy) return IOp::Const32Copy;
      break;
    case IOp::I32AndImm:
      if (second == IOp::BrIfI32EqImm) return IOp::I32AndImmBrIfI32EqImm;
      break;
    case IOp::I32Store:
      if (second == IOp::I32AddImm) return IOp::I32StoreI32AddImm;
      break;
    case IOp::I32Load:
      if (second == IOp::BrIfNez) return IOp::I32LoadBrIfNez;
      if (second == IOp::BrIfEqz) return IOp::I32LoadBrIfEqz;
      break;
    case IOp::I32Load8U:
      if (second == IOp::BrIfNez) return IOp::I32Load8UBrIfNez;
      if (second == IOp::BrIfEqz) return IOp::I32Load8UBrIfEqz;
      break;
    default: break;
  }
  return IOp::Count;
}

namespace {

// Calls fn(word_index) for every branch offset word (kind `r`, and the
// offsets of BrTable) of the instruction at `code`.
template <class Fn>
void for_each_branch_word(const CodeWord* code, Fn fn) {
  if (!iop_has_branches(static_cast<IOp>(code[0]))) return;
  uint32_t word = 1;
  for (const char* k = iop_operand_kinds(static_cast<IOp>(code[0])); *k != '\0'; ++k) {
    if (*k == 'r') {
      fn(word);
      ++word;
    } else if (*k == 'n') {
      uint32_t count = code[word];
      for (uint32_t i = 0; i < count; ++i) fn(word + 1 + i);
      word += 1 + count;
    } else {
      ++word;
    }
  }
}

}  // namespace

void fuse_adjacent_pairs(CompiledFunc& func) {
  // A joined pair that ends in a stop point (CopyBr, CopyCallFunc...) would
  // stop before its first half, where no slot map was recorded: functions
  // whose slot maps matter keep their pairs apart.
  if (func.may_hold_refs) return;
  const std::vector<CodeWord>& code = func.code;
  const auto size = static_cast<uint32_t>(code.size());
  // Instruction starts and branch targets.
  std::vector<uint32_t> starts;
  starts.reserve(size / 3 + 1);
  std::vector<uint8_t> is_target(size + 1, 0);
  bool any_pair = false;
  for (uint32_t pos = 0; pos < size; pos += iop_length(&code[pos])) {
    if (!starts.empty() &&
        joined_form(static_cast<IOp>(code[starts.back()]), static_cast<IOp>(code[pos])) != IOp::Count)
      any_pair = true;
    starts.push_back(pos);
    for_each_branch_word(&code[pos],
                         [&](uint32_t word) { is_target[pos + static_cast<int32_t>(code[pos + word])] = 1; });
  }
  if (!any_pair) return;

  // Copy, joining pairs. For every instruction (by index in `starts`): the
  // new start of the instruction that holds it, and where its operands begin
  // there (1, or after the first's operands for the second of a pair).
  std::vector<CodeWord> out;
  out.reserve(code.size());
  std::vector<uint32_t> new_start(starts.size());
  std::vector<uint32_t> operands_at(starts.size(), 1);
  std::vector<uint32_t> new_pos(size + 1, 0);  // by old start; meaningful for branch targets
  std::vector<std::pair<uint32_t, uint32_t>> source_map;
  source_map.reserve(func.source_map.size());
  size_t map_index = 0;
  for (size_t i = 0; i < starts.size(); ++i) {
    uint32_t pos = starts[i];
    uint32_t length = iop_length(&code[pos]);
    while (map_index < func.source_map.size() && func.source_map[map_index].first < pos) ++map_index;
    new_start[i] = new_pos[pos] = static_cast<uint32_t>(out.size());
    source_map.emplace_back(static_cast<uint32_t>(out.size()), func.source_map[map_index].second);
    IOp joined = IOp::Count;
    if (i + 1 < starts.size() && !is_target[starts[i + 1]])
      joined = joined_form(static_cast<IOp>(code[pos]), static_cast<IOp>(code[starts[i + 1]]));
    // A call must keep its own wasm offset (backtraces): join it only to
    // work of the same wasm instruction (its arguments).
    if (joined == IOp::CopyCallFunc || joined == IOp::CopyCallIndirectOp) {
      size_t next_entry = map_index + 1;
      if (next_entry >= func.source_map.size() ||
          func.source_map[next_entry].second != func.source_map[map_index].second)
        joined = IOp::Count;
    }
    if (joined == IOp::Count) {
      out.insert(out.end(), code.begin() + pos, code.begin() + pos + length);
      continue;
    }
    // Join, then keep joining while the result pairs with what follows
    // (two i32.add imm and a branch).
    size_t op_index = out.size();
    out.push_back(static_cast<CodeWord>(joined));
    out.insert(out.end(), code.begin() + pos + 1, code.begin() + pos + length);
    for (;;) {
      uint32_t next = starts[++i];
      new_start[i] = new_start[i - 1];
      operands_at[i] = static_cast<uint32_t>(out.size() - op_index);
      out.insert(out.end(), code.begin() + next + 1, code.begin() + next + iop_length(&code[next]));
      if (i + 1 >= starts.size() || is_target[starts[i + 1]]) break;
      IOp longer = joined_form(joined, static_cast<IOp>(code[starts[i + 1]]));
      if (longer == IOp::Count) break;
      joined = longer;
      out[op_index] = static_cast<CodeWord>(joined);
    }
  }
  new_pos[size] = static_cast<uint32_t>(out.size());

  // Branch offsets: from the new start of the instruction holding the branch
  // to the new start of its target (never the second of a pair).
  for (size_t i = 0; i < starts.size(); ++i) {
    uint32_t pos = starts[i];
    CodeWord* instr = &out[new_start[i]];
    for_each_branch_word(&code[pos], [&](uint32_t word) {
      uint32_t target = pos + static_cast<int32_t>(code[pos + word]);
      instr[operands_at[i] + word - 1] = new_pos[target] - new_start[i];
    });
  }
  func.code = std::move(out);
  func.source_map = std::move(source_map);
}

}  // namespace waspvm
