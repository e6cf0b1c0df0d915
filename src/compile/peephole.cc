// See peephole.h. The pairs joined are listed in fused_form().
#include "compile/peephole.h"

#include <cstdint>
#include <vector>

#include "compile/disasm.h"

namespace waspvm {

namespace {

// The instruction that runs `first` then `second` (its operands are theirs,
// in order), or IOp::Count.
IOp fused_form(IOp first, IOp second) {
  if (first == IOp::I32AddImm && second == IOp::I32AddImm) return IOp::I32AddImm2;
  if (first == IOp::Copy && second == IOp::Copy) return IOp::Copy2;
  if (first == IOp::Const32 && second == IOp::Copy) return IOp::Const32Copy;
  if (first == IOp::Copy && second == IOp::Const32) return IOp::CopyConst32;
  return IOp::Count;
}

// Calls fn(word_index) for every branch offset word (kind `r`, and the
// offsets of BrTable) of the instruction at `code`.
template <class Fn>
void for_each_branch_word(const CodeWord* code, Fn fn) {
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
  const std::vector<CodeWord>& code = func.code;
  const auto size = static_cast<uint32_t>(code.size());
  // Instruction starts and branch targets.
  std::vector<uint32_t> starts;
  std::vector<bool> is_target(size + 1, false);
  bool any_pair = false;
  for (uint32_t pos = 0; pos < size; pos += iop_length(&code[pos])) {
    if (!starts.empty() &&
        fused_form(static_cast<IOp>(code[starts.back()]), static_cast<IOp>(code[pos])) != IOp::Count)
      any_pair = true;
    starts.push_back(pos);
    for_each_branch_word(
        &code[pos], [&](uint32_t word) { is_target[pos + static_cast<int32_t>(code[pos + word])] = true; });
  }
  if (!any_pair) return;

  // Copy, joining pairs; new_pos[old start] for every instruction kept whole
  // or first in a pair.
  std::vector<CodeWord> out;
  out.reserve(code.size());
  constexpr uint32_t kJoined = UINT32_MAX;  // the second of a pair
  std::vector<uint32_t> new_pos(size + 1, kJoined);
  std::vector<std::pair<uint32_t, uint32_t>> source_map;
  source_map.reserve(func.source_map.size());
  size_t map_index = 0;
  for (size_t i = 0; i < starts.size(); ++i) {
    uint32_t pos = starts[i];
    uint32_t length = iop_length(&code[pos]);
    while (map_index < func.source_map.size() && func.source_map[map_index].first < pos) ++map_index;
    new_pos[pos] = static_cast<uint32_t>(out.size());
    source_map.emplace_back(static_cast<uint32_t>(out.size()), func.source_map[map_index].second);
    IOp fused = IOp::Count;
    if (i + 1 < starts.size() && !is_target[starts[i + 1]])
      fused = fused_form(static_cast<IOp>(code[pos]), static_cast<IOp>(code[starts[i + 1]]));
    if (fused == IOp::Count) {
      out.insert(out.end(), code.begin() + pos, code.begin() + pos + length);
      continue;
    }
    uint32_t next = starts[++i];
    out.push_back(static_cast<CodeWord>(fused));
    out.insert(out.end(), code.begin() + pos + 1, code.begin() + pos + length);
    out.insert(out.end(), code.begin() + next + 1, code.begin() + next + iop_length(&code[next]));
  }
  new_pos[size] = static_cast<uint32_t>(out.size());

  // Branch offsets: from the new start of each instruction to the new start of its target.
  for (uint32_t pos : starts) {
    if (new_pos[pos] == kJoined) continue;  // the second of a pair (no branches)
    CodeWord* instr = &out[new_pos[pos]];
    for_each_branch_word(&code[pos], [&](uint32_t word) {
      uint32_t target = pos + static_cast<int32_t>(code[pos + word]);
      instr[word] = new_pos[target] - new_pos[pos];
    });
  }
  func.code = std::move(out);
  func.source_map = std::move(source_map);
}

}  // namespace waspvm
