// add_to_linker: the wasi_snapshot_preview1 module and its per-instance state.
#include "waspvm/wasi.h"

#include <cerrno>
#include <cstring>
#include <memory>

#include "wasi/functions.h"
#include "wasi/state.h"

namespace waspvm::wasi {

void add_to_linker(Linker& linker, WasiConfig config) {
  auto shared = std::make_shared<const WasiConfig>(std::move(config));
  linker.add_instance_state(
      kStateKey, [shared]() -> std::shared_ptr<void> { return std::make_shared<WasiState>(shared); });
  define_fd_functions(linker);
  define_path_functions(linker);
  define_clock_poll_random_functions(linker);
}

Result<void> check_config(const WasiConfig& config) {
  std::string problems;
  for (const PreopenDir& preopen : config.preopens) {
    if (open_preopen_directory(preopen).get() >= 0) continue;
    if (!problems.empty()) problems += "; ";
    problems += "cannot open preopened directory " + preopen.host_path + " (" + std::strerror(errno) + ")";
  }
  if (!problems.empty()) return make_error(problems);
  return {};
}

Result<void> check_snapshot(const Instance& instance) {
  auto* state = static_cast<const WasiState*>(instance.state(kStateKey));
  if (state == nullptr) return {};  // no WASI
  if (!state->as_created())
    return make_error("the program has opened, closed or renumbered file descriptors (or is listing a "
                      "directory); open descriptors cannot be saved in a snapshot");
  return {};
}

std::optional<int32_t> exit_code(const Outcome& outcome) {
  if (!outcome.trapped() || outcome.trap().code != TrapCode::Exit) return std::nullopt;
  return outcome.trap().exit_code;
}

}  // namespace waspvm::wasi
