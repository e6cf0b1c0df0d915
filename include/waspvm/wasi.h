// WASI preview1 (`wasi_snapshot_preview1`) as a host module.
//
//   waspvm::wasi::WasiConfig config;
//   config.args = {"prog", "arg1"};
//   config.preopens.push_back({"/host/data", "/data"});
//   waspvm::wasi::add_to_linker(linker, config);
//   auto instance = linker.instantiate(module);          // gets its own WASI state
//   auto outcome = instance->call("_start", {});
//   if (auto code = waspvm::wasi::exit_code(outcome)) ...  // proc_exit(code)
//
// Every instance made by that linker gets its own WASI state (descriptor
// table, preopens, args, environment), created from the config at
// instantiation. The guest sees only the preopened directories and the
// environment given here; no path can leave a preopened directory.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "waspvm/waspvm.h"

namespace waspvm::wasi {

struct PreopenDir {
  std::string host_path;   // a directory on the host
  std::string guest_path;  // the name the guest sees (e.g. "/data" or ".")
};

// Receives bytes the guest writes to stdout/stderr: each fd_write in one
// call (its buffers joined, as writev writes them at once).
using OutputSink = std::function<void(std::span<const uint8_t>)>;
// Fills the buffer with stdin bytes; returns how many (0 = end of input).
using InputSource = std::function<size_t(std::span<uint8_t>)>;

struct WasiConfig {
  std::vector<std::string> args;  // argv, argv[0] included
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<PreopenDir> preopens;
  // stdio: a callback when set; otherwise the host's own fd 0/1/2 when
  // inherit_stdio, else stdin is empty and output is discarded.
  InputSource stdin_source;
  OutputSink stdout_sink;
  OutputSink stderr_sink;
  bool inherit_stdio = true;
  // At most this many descriptors (stdio and preopens included) per
  // instance: more gives the guest MFILE instead of exhausting the host's.
  uint32_t max_open_fds = 1024;
};

// Defines every wasi_snapshot_preview1 function in `linker`. Each instance
// opens the preopened directories when it is made; one that cannot be opened
// as a directory is left out (the later preopens keep consecutive numbers):
// call check_config first to report that to the user.
void add_to_linker(Linker& linker, WasiConfig config);

// An error naming every preopen whose host directory cannot be opened.
Result<void> check_config(const WasiConfig& config);

// Whether a snapshot of `instance` can be restored with WASI state made anew
// from the same WasiConfig: an error (saying why) once the program has
// opened, closed or renumbered a descriptor or is in the middle of listing a
// directory, since open host descriptors cannot be saved. Stdio is the
// resuming process's own.
Result<void> check_snapshot(const Instance& instance);

// The exit code when `outcome` ended by proc_exit (a trap of code Exit).
std::optional<int32_t> exit_code(const Outcome& outcome);

}  // namespace waspvm::wasi
