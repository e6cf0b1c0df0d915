// The file `waspvm run --snapshot-out` writes and `waspvm resume` reads: an
// instance snapshot (docs/snapshot-format.md) with what the command needs to
// continue it in another process: the module itself, the WASI arguments,
// environment and directories, and the --invoke function whose results to
// print. docs/snapshot-format.md describes the layout.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "waspvm/wasi.h"
#include "waspvm/waspvm.h"

namespace waspvm::cli {

struct RunSnapshot {
  std::vector<uint8_t> module;  // the .wasm bytes
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<wasi::PreopenDir> preopens;
  std::optional<std::string> invoke;  // run --invoke: print the results
  std::vector<uint8_t> snapshot;      // Instance::snapshot
};

std::vector<uint8_t> encode_run_snapshot(const RunSnapshot& file);
// Every length is checked; the snapshot inside is checked by restore.
Result<RunSnapshot> decode_run_snapshot(std::span<const uint8_t> bytes);
Result<void> write_run_snapshot(const std::string& path, const RunSnapshot& file);

}  // namespace waspvm::cli
