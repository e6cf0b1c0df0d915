// Pair fusion over finished internal code: adjacent independent instructions
// that often run together become one instruction (one dispatch instead of
// two). Dataflow folds (an instruction whose result feeds the next) are the
// translator's; this pass only joins instructions that run one after the
// other anyway, so it needs no liveness, only the branch targets.
#pragma once
#include "exec/isa.h"

namespace waspvm {

// The instruction that runs `first` then `second`, with the operands of
// both in order, or IOp::Count. `first` never branches; `second` may, and
// may be a call (joined only when both come from the same wasm instruction).
IOp joined_form(IOp first, IOp second);

// Rewrites func.code and func.source_map in place; branch offsets are
// adjusted. An instruction that is a branch target is never joined to the
// one before it, and only the second of a pair may branch.
void fuse_adjacent_pairs(CompiledFunc& func);

}  // namespace waspvm
