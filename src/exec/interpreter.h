// The interpreter: runs internal code with explicit frame and value stacks.
// wasm->wasm calls never recurse natively; host->wasm re-entry nests once per
// host call (bounded by Config::max_host_reentry).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "exec/isa.h"
#include "runtime/objects.h"

namespace waspvm {

struct Frame {
  const FuncInst* func;  // a wasm function
  // Where the function continues: for a caller, the instruction after its
  // call; for a trapped frame, one word past the start of the trapping
  // instruction. Points into func->code->code, which never moves.
  const CodeWord* pc;
  uint64_t base;  // index of slot 0 of this frame in ExecStack::slots
};

// The stacks of one instance's calls. `frames` is storage: the live frames are
// frames[0, depth); the interpreter grows both vectors (and checks the limits
// of Config) only when a call does not fit.
struct ExecStack {
  std::vector<uint64_t> slots;
  std::vector<Frame> frames;
  size_t depth = 0;
};

// Calls `func` (wasm or host) with `args` (already checked against its type).
Outcome invoke(const FuncInst* func, std::span<const Value> args);

}  // namespace waspvm
