#include "compile/disasm.h"

#include <string>

namespace waspvm {

namespace {

std::string branch_target(uint32_t instr_pos, uint32_t offset_word) {
  int64_t target = static_cast<int64_t>(instr_pos) + static_cast<int32_t>(offset_word);
  std::string out = "@";
  out += std::to_string(target);
  return out;
}

// Appends the instruction at `pos` to `line`; returns the position after it
// (code.size() if it is invalid or truncated, so a walk stops there).
size_t disassemble_one(const std::vector<CodeWord>& code, size_t pos, std::string& line) {
  line += std::to_string(pos) + ": ";
  if (pos >= code.size()) {
    line += "<end of code>";
    return code.size();
  }
  if (code[pos] >= static_cast<uint32_t>(IOp::Count)) {
    line += "<invalid ";
    line += std::to_string(code[pos]);
    line += ">";
    return code.size();
  }
  auto op = static_cast<IOp>(code[pos]);
  auto instr_pos = static_cast<uint32_t>(pos);
  line += iop_name(op);
  size_t at = pos + 1;
  bool first = true;
  for (const char* kind = iop_operand_kinds(op); *kind != '\0'; ++kind) {
    if (at >= code.size()) {
      line += " <truncated>";
      return code.size();
    }
    line += first ? " " : ", ";
    first = false;
    uint32_t word = code[at++];
    switch (*kind) {
      case 's':
        line += 's';
        line += std::to_string(word);
        break;
      case 'r': line += branch_target(instr_pos, word); break;
      case 'n':
        line += "[";
        for (uint32_t i = 0; i < word; ++i) {
          if (at >= code.size()) {
            line += " <truncated>";
            return code.size();
          }
          if (i > 0) line += ", ";
          line += branch_target(instr_pos, code[at++]);
        }
        line += "]";
        break;
      default: line += std::to_string(word); break;
    }
  }
  return at;
}

}  // namespace

std::string disassemble_instruction(const CompiledFunc& func, uint32_t pos) {
  std::string line;
  disassemble_one(func.code, pos, line);
  return line;
}

std::string disassemble(const CompiledFunc& func) {
  std::string text;
  for (size_t pos = 0; pos < func.code.size();) {
    pos = disassemble_one(func.code, pos, text);
    text += '\n';
  }
  return text;
}

}  // namespace waspvm
