// The WebAssembly 2.0 validator (the spec's type checker). It checks a decoded
// ModuleDesc; everything after it (translator, runtime) trusts validated input.
// Error messages start with the spec interpreter's wording ("type mismatch",
// "unknown local 3", ...) followed by context (" in function N at offset M").
#pragma once

#include "decode/module.h"
#include "waspvm/result.h"

namespace waspvm {

struct Features {
  bool tail_call = true;       // return_call, return_call_indirect
  bool extended_const = true;  // i32/i64 add, sub, mul in constant expressions
  bool multi_memory = false;   // more than one memory
  // Parameters and declared locals of one function (Config::max_function_locals).
  uint64_t max_function_locals = 50000;
};

Result<void> validate_module(const ModuleDesc& module, const Features& features = {});

}  // namespace waspvm
