// The interpreter: runs internal code with explicit frame and value stacks.
// wasm->wasm calls never recurse natively; host->wasm re-entry nests once per
// host call (bounded by Config::max_host_reentry).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/objects.h"

namespace waspvm {

struct Frame {
  const FuncInst* func;  // a wasm function
  uint32_t pc;           // resume position in func->code->code (for callers: after the call)
  uint64_t base;         // index of slot 0 of this frame in ExecStack::slots
};

struct ExecStack {
  std::vector<uint64_t> slots;
  std::vector<Frame> frames;
};

// Calls `func` (wasm or host) with `args` (already checked against its type).
// `caller_instance` is the instance whose stack runs the call (the callee's
// own instance for wasm functions; for host functions, may be null).
Outcome invoke(const FuncInst* func, std::span<const Value> args);

}  // namespace waspvm
