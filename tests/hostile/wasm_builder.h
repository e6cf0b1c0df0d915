// A small builder of binary modules for the hostile-module tests: one function
// type per function, bodies as raw instruction bytes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../api/big_module.h"

namespace waspvm::hostile {

using Bytes = std::vector<uint8_t>;

// (The LEB128 writers of the startup test's module generator.)
using big_module::detail::leb;
using big_module::detail::sleb;

inline void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

struct Function {
  Bytes params, results;  // value type bytes (0x7F i32, 0x7E i64, ...)
  uint32_t i32_locals = 0;
  Bytes code;  // instructions, without the final `end`
  std::string export_name;
};

struct ModuleSpec {
  std::vector<Function> funcs;
  std::optional<std::pair<uint64_t, std::optional<uint64_t>>> memory;  // min, max pages
  std::optional<uint64_t> table_min;                                   // a funcref table
};

inline Bytes build(const ModuleSpec& spec) {
  Bytes out = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  auto section = [&](uint8_t id, const Bytes& body) {
    out.push_back(id);
    leb(out, body.size());
    append(out, body);
  };
  Bytes types, funcs, exports, code;
  leb(types, spec.funcs.size());
  leb(funcs, spec.funcs.size());
  uint32_t num_exports = 0;
  for (size_t i = 0; i < spec.funcs.size(); ++i) {
    const Function& f = spec.funcs[i];
    types.push_back(0x60);
    leb(types, f.params.size());
    append(types, f.params);
    leb(types, f.results.size());
    append(types, f.results);
    leb(funcs, i);
    if (!f.export_name.empty()) ++num_exports;
  }
  leb(exports, num_exports);
  for (size_t i = 0; i < spec.funcs.size(); ++i) {
    if (spec.funcs[i].export_name.empty()) continue;
    leb(exports, spec.funcs[i].export_name.size());
    exports.insert(exports.end(), spec.funcs[i].export_name.begin(), spec.funcs[i].export_name.end());
    exports.push_back(0x00);
    leb(exports, i);
  }
  leb(code, spec.funcs.size());
  for (const Function& f : spec.funcs) {
    Bytes body;
    if (f.i32_locals > 0) {
      body.push_back(0x01);
      leb(body, f.i32_locals);
      body.push_back(0x7F);
    } else {
      body.push_back(0x00);
    }
    append(body, f.code);
    body.push_back(0x0B);
    leb(code, body.size());
    append(code, body);
  }
  section(1, types);
  section(3, funcs);
  if (spec.table_min) {
    Bytes table = {0x01, 0x70, 0x00};
    leb(table, *spec.table_min);
    section(4, table);
  }
  if (spec.memory) {
    Bytes memory = {0x01, static_cast<uint8_t>(spec.memory->second ? 0x01 : 0x00)};
    leb(memory, spec.memory->first);
    if (spec.memory->second) leb(memory, *spec.memory->second);
    section(5, memory);
  }
  section(7, exports);
  section(10, code);
  return out;
}

}  // namespace waspvm::hostile
