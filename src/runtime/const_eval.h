// Evaluation of constant expressions (global initializers, segment offsets,
// element items) at instantiation.
#pragma once
#include <cstdint>

#include "decode/module.h"
#include "runtime/objects.h"

namespace waspvm {

// Evaluates a validated constant expression against `inst`, whose function
// index space and the globals the expression reads must already exist.
// Returns the result in its slot representation (see docs/architecture.md).
Result<uint64_t> eval_const_expr(const ConstExpr& expr, const InstanceImpl& inst);

}  // namespace waspvm
