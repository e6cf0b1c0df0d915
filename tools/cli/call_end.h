// How `waspvm run` and `waspvm resume` end a call: the exit status, what goes
// to stdout and stderr, and the snapshot file (--snapshot-out), shared by
// both commands. Also the value formatting they share (file reading:
// cli/file_bytes.h).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "cli/run_snapshot.h"
#include "waspvm/waspvm.h"

namespace waspvm::cli {

std::string format_result(const Value& v);
// The wasm backtrace on stderr, innermost first, long runs of one frame folded.
void print_backtrace(const Trap& trap);

struct CallEnd {
  bool report_gas = false;     // --gas: "gas used: N" on stderr
  bool print_results = false;  // --invoke: each result on a line of stdout
  // --snapshot-out: where a call that ran out of gas is saved, with what
  // `waspvm resume` needs besides the snapshot.
  std::optional<std::string> snapshot_out;
  const RunSnapshot* context = nullptr;
};

// The exit status for how the call ended: the program's own status after
// proc_exit; kExitTrap after a trap; kExitOutOfGas when the budget ran out
// (the snapshot saved if asked); else success.
int finish(const Instance& instance, const Outcome& outcome, const CallEnd& end);

}  // namespace waspvm::cli
