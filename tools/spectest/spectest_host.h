// The "spectest" host module that the spec tests import from, as the spec's
// reference interpreter defines it (interpreter/host/spectest.ml).
#pragma once
#include <ostream>

#include "waspvm/waspvm.h"

namespace waspvm::spectest {

// Defines spectest.{print, print_i32, print_i64, print_f32, print_f64,
// print_i32_f32, print_f64_f64, global_i32, global_i64, global_f32,
// global_f64, table, memory} in `linker`. The print functions write their
// arguments to `log` when it is not null, and otherwise do nothing.
void define_spectest_module(Linker& linker, std::ostream* log);

}  // namespace waspvm::spectest
