// ModuleDesc helpers and the to_string functions of waspvm/types.h.
#include "decode/module.h"

#include <algorithm>

#include "waspvm/types.h"

namespace waspvm {

std::string ModuleDesc::func_name(uint32_t func_index) const {
  auto it = std::lower_bound(func_names.begin(), func_names.end(), func_index,
                             [](const auto& entry, uint32_t index) { return entry.first < index; });
  if (it == func_names.end() || it->first != func_index) return "";
  return it->second;
}

const char* to_string(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
  }
  return "<invalid type>";
}

namespace {

void append_types(std::string& out, const std::vector<ValType>& types) {
  out += '[';
  for (size_t i = 0; i < types.size(); ++i) {
    if (i > 0) out += ' ';
    out += to_string(types[i]);
  }
  out += ']';
}

}  // namespace

std::string to_string(const FuncType& t) {
  std::string out;
  append_types(out, t.params);
  out += " -> ";
  append_types(out, t.results);
  return out;
}

const char* to_string(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
  }
  return "<invalid kind>";
}

}  // namespace waspvm
