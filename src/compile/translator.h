// The translator: validated wasm function bodies -> internal slot-machine code
// (exec/isa.h, docs/internal-code.md). It trusts validation and checks nothing;
// the only errors it returns are malformed encodings met while reading.
#pragma once
#include <cstdint>
#include <memory>

#include "decode/module.h"
#include "exec/isa.h"
#include "waspvm/result.h"
#include "waspvm/waspvm.h"

namespace waspvm {

class FunctionTranslator;

// Translates functions one after another, reusing its scratch buffers
// (control stack, branch fixups). Not thread-safe; use one per thread.
class Translator {
 public:
  // `metering`: the gas costs when metering is on (the code then charges
  // gas per block), else null.
  explicit Translator(const GasCosts* metering = nullptr);
  ~Translator();
  Translator(const Translator&) = delete;
  Translator& operator=(const Translator&) = delete;

  // `defined_index` indexes module.funcs; the function index is
  // module.num_imported_funcs + defined_index. The body must be valid.
  // The result has gone through the peephole pass (compile/peephole.h).
  Result<CompiledFunc> translate(const ModuleDesc& module, uint32_t defined_index);

 private:
  std::unique_ptr<FunctionTranslator> impl_;
  const std::vector<uint32_t>* gas_costs_;
};

enum class PairJoining : uint8_t { On, Off };

// One-shot form of Translator::translate; PairJoining::Off skips the
// peephole pass (the translation rules' tests read the code before it).
Result<CompiledFunc> translate_function(const ModuleDesc& module, uint32_t defined_index,
                                        PairJoining joining = PairJoining::On,
                                        const GasCosts* metering = nullptr);

}  // namespace waspvm
