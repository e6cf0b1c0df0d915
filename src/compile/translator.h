// The translator: validated wasm function bodies -> internal slot-machine code
// (exec/isa.h, docs/internal-code.md). It trusts validation and checks nothing;
// the only errors it returns are malformed encodings met while reading.
#pragma once
#include <cstdint>
#include <memory>

#include "decode/module.h"
#include "exec/isa.h"
#include "waspvm/result.h"

namespace waspvm {

class FunctionTranslator;

// Translates functions one after another, reusing its scratch buffers
// (control stack, branch fixups). Not thread-safe; use one per thread.
class Translator {
 public:
  Translator();
  ~Translator();
  Translator(const Translator&) = delete;
  Translator& operator=(const Translator&) = delete;

  // `defined_index` indexes module.funcs; the function index is
  // module.num_imported_funcs + defined_index. The body must be valid.
  Result<CompiledFunc> translate(const ModuleDesc& module, uint32_t defined_index);

 private:
  std::unique_ptr<FunctionTranslator> impl_;
};

// One-shot convenience form of Translator::translate.
Result<CompiledFunc> translate_function(const ModuleDesc& module, uint32_t defined_index);

}  // namespace waspvm
