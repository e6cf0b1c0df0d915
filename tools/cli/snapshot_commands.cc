// `waspvm resume FILE [--gas N] [--snapshot-out FILE2]` and
// `waspvm inspect FILE`: the snapshot files of `waspvm run --snapshot-out`.
#include <charconv>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "base/digest.h"
#include "cli/call_end.h"
#include "cli/commands.h"
#include "cli/file_bytes.h"
#include "cli/run_snapshot.h"
#include "waspvm/wasi.h"

namespace waspvm::cli {

namespace {

struct Restored {
  Engine engine;
  std::optional<Module> module;
  std::optional<Instance> instance;
  RunSnapshot file;
};

// Reads FILE and restores its instance, with WASI made anew from the
// recorded arguments, environment and directories; stdio is this process's.
// Null (reported) on failure; *status is the exit status then.
std::unique_ptr<Restored> restore_file(const std::string& path, int* status) {
  *status = kExitError;
  std::optional<FileBytes> bytes = read_file_bytes(path);
  if (!bytes) {
    std::cerr << "error: cannot read " << path << "\n";
    return nullptr;
  }
  auto file = decode_run_snapshot(*bytes);
  if (!file.ok()) {
    std::cerr << "error: " << path << ": " << file.error().message << "\n";
    return nullptr;
  }
  Config config;
  config.metering = true;  // (run --snapshot-out always meters)
  auto restored =
      std::make_unique<Restored>(Restored{Engine(config), std::nullopt, std::nullopt, std::move(*file)});
  auto module = Module::compile(restored->engine, restored->file.module);
  if (!module.ok()) {
    std::cerr << "error: " << path << ": the module inside: " << module.error().message << "\n";
    *status = status_for(module.error(), kExitInvalid);
    return nullptr;
  }
  restored->module.emplace(std::move(*module));
  wasi::WasiConfig wasi_config;
  wasi_config.args = restored->file.args;
  wasi_config.env = restored->file.env;
  wasi_config.preopens = restored->file.preopens;
  wasi_config.inherit_stdio = true;
  if (auto checked = wasi::check_config(wasi_config); !checked.ok()) {
    std::cerr << "error: " << checked.error().message << "\n";
    return nullptr;
  }
  Linker linker(restored->engine);
  wasi::add_to_linker(linker, wasi_config);
  auto instance = linker.restore(*restored->module, restored->file.snapshot);
  if (!instance.ok()) {
    std::cerr << "error: " << path << ": " << instance.error().message << "\n";
    *status = status_for(instance.error(), kExitError);
    return nullptr;
  }
  restored->instance.emplace(std::move(*instance));
  return restored;
}

std::string hex(std::span<const uint8_t> bytes) {
  std::ostringstream out;
  for (uint8_t b : bytes) out << std::hex << std::setw(2) << std::setfill('0') << int{b};
  return out.str();
}

}  // namespace

int resume_command(std::span<const std::string_view> args) {
  std::optional<std::string> file, snapshot_out;
  std::optional<uint64_t> gas;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    auto value = [&](std::string_view name) -> std::optional<std::string_view> {
      if (arg == name && i + 1 < args.size()) return args[++i];
      if (arg.substr(0, name.size() + 1) == std::string(name) + "=") return arg.substr(name.size() + 1);
      return std::nullopt;
    };
    if (auto g = value("--gas")) {
      uint64_t n = 0;
      auto [end, error] = std::from_chars(g->data(), g->data() + g->size(), n);
      if (error != std::errc() || end != g->data() + g->size()) {
        std::cerr << "error: resume: --gas needs a decimal number, got \"" << *g << "\"\n";
        return kExitUsage;
      }
      gas = n;
    } else if (auto out = value("--snapshot-out")) {
      snapshot_out = std::string(*out);
    } else if (!arg.empty() && arg.front() != '-' && !file) {
      file = std::string(arg);
    } else {
      std::cerr << "error: resume: unknown option or argument " << arg << " (see waspvm --help)\n";
      return kExitUsage;
    }
  }
  if (!file) {
    std::cerr << "error: resume: no snapshot file given (see waspvm --help)\n";
    return kExitUsage;
  }
  int status = kExitError;
  std::unique_ptr<Restored> restored = restore_file(*file, &status);
  if (!restored) return status;
  if (!restored->instance->suspended()) {
    std::cerr << "error: " << *file << " holds no suspended call\n";
    return kExitError;
  }
  ResumeOptions options;
  options.gas_limit = gas.value_or(kUnlimitedGas);
  options.on_out_of_gas = snapshot_out ? OutOfGas::Suspend : OutOfGas::Trap;
  auto outcome = restored->instance->resume(options);
  if (!outcome.ok()) {
    std::cerr << "error: " << outcome.error().message << "\n";
    return status_for(outcome.error(), kExitError);
  }
  CallEnd end{true, restored->file.invoke.has_value(), snapshot_out, &restored->file};
  return finish(*restored->instance, *outcome, end);
}

// The version word of a snapshot's header (after the 8-byte magic); restore
// has checked the header already.
static uint32_t format_version(const std::vector<uint8_t>& snapshot) {
  uint32_t version = 0;
  for (int i = 0; i < 4 && 8 + i < static_cast<int>(snapshot.size()); ++i)
    version |= static_cast<uint32_t>(snapshot[8 + i]) << (8 * i);
  return version;
}

int inspect_command(std::span<const std::string_view> args) {
  if (args.size() != 1 || args[0].empty() || args[0].front() == '-') {
    std::cerr << "error: inspect: give one snapshot file (see waspvm --help)\n";
    return kExitUsage;
  }
  int status = kExitError;
  std::unique_ptr<Restored> restored = restore_file(std::string(args[0]), &status);
  if (!restored) return status;
  const RunSnapshot& file = restored->file;
  std::cout << "snapshot file: " << args[0] << "\n"
            << "module: " << file.module.size() << " bytes, SHA-256 " << hex(sha256(file.module)) << "\n"
            << "snapshot: " << file.snapshot.size() << " bytes (format version "
            << format_version(file.snapshot) << ")\n";
  if (file.invoke) std::cout << "call: --invoke " << *file.invoke << "\n";
  std::cout << "arguments:";
  for (const std::string& a : file.args) std::cout << " " << a;
  std::cout << "\n" << restored->instance->inspect().to_string();
  return kExitOk;
}

}  // namespace waspvm::cli
