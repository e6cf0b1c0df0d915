// The `waspvm` subcommands. Each takes the arguments after its name and
// returns the process exit status.
#pragma once
#include <span>
#include <string_view>

#include "waspvm/result.h"

namespace waspvm::cli {

// Exit statuses shared by the subcommands (documented in `waspvm --help`).
constexpr int kExitOk = 0;
constexpr int kExitError = 1;      // other errors; spectest: a test failed
constexpr int kExitInvalid = 2;    // malformed or invalid module
constexpr int kExitTrap = 134;     // the called function trapped (128 + SIGABRT, as wasmtime)
constexpr int kExitUsage = 64;     // bad command line (EX_USAGE)
constexpr int kExitOutOfGas = 75;  // run --gas: the budget ran out (EX_TEMPFAIL: try again with more)
// A resource limit: the host ran out of memory, or the module needs more than
// waspvm's limits allow (ErrorKind::Limit). EX_OSERR: the system, not the
// program, could not go on.
constexpr int kExitLimit = 71;

// The exit status for an error: kExitLimit for a limit, else `otherwise`.
inline int status_for(const Error& error, int otherwise) {
  return error.kind == ErrorKind::Limit ? kExitLimit : otherwise;
}

// The text of `waspvm --help`.
std::string_view help_text();

int run_command(std::span<const std::string_view> args);
int spectest_command(std::span<const std::string_view> args);
int resume_command(std::span<const std::string_view> args);
int inspect_command(std::span<const std::string_view> args);

}  // namespace waspvm::cli
