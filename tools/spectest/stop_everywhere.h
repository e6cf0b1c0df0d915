// The spec runner's stop-everywhere mode (RunOptions::stop_everywhere, with
// metering on): every call stops again and again, by running out of gas and
// by interrupts, and at each stop the suspended instance goes through a
// snapshot and a clone. What must hold:
//   - the snapshot restores, and the restored instance snapshots to the
//     same bytes (both sides agree on every slot of every frame);
//   - at some stops, the restored instance and a clone each finish the call
//     and end as the original does: the same results or trap, the same total
//     gas and the same state (equal idle snapshots).
// The copies finish the call only when that cannot disturb other instances:
// the module imports nothing but host functions.
#pragma once
#include <span>

#include "waspvm/waspvm.h"

namespace waspvm::spectest {

struct StopCounts {
  uint64_t out_of_gas = 0;
  uint64_t interrupted = 0;
  uint64_t copies_finished = 0;  // restored instances and clones that finished a call
  // Snapshots refused as documented: the instance holds a reference to
  // another instance's function (a snapshot names functions by index).
  uint64_t refused = 0;
};

// Calls `func` as Func::call does, stopping as above in the instance that
// defines it (a host function is just called). An error describes the
// first mismatch (or a failed snapshot, restore or clone).
Result<Outcome> call_stopping_everywhere(const Func& func, const Linker& linker, std::span<const Value> args,
                                         StopCounts& counts);

// Whether copies of an instance of `module` can run calls without side
// effects on other instances: it imports host functions only ("spectest").
bool copies_are_isolated(const Module& module);

}  // namespace waspvm::spectest
