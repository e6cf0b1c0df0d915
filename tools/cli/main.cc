// The `waspvm` command line: dispatches to the subcommands in commands.h.
#include <iostream>
#include <string_view>
#include <vector>

#include "cli/commands.h"

namespace {

constexpr std::string_view kHelp = R"(usage: waspvm <command> [options] [arguments]

WaspVM runs WebAssembly 2.0 modules in an interpreter.

commands:
  run [--invoke NAME] FILE.wasm [ARGS...]
      Compiles FILE.wasm, instantiates it and calls one exported function.
      No imports are provided yet (WASI comes later): a module that imports
      anything fails to instantiate, with a message naming its imports.
        --invoke NAME  the exported function to call; without it, `_start`
                       is called if the module exports it, else it is an error
      Options come before FILE; everything after FILE is an argument, parsed
      by the function's parameter types:
        i32, i64   decimal or 0x-prefixed hexadecimal, signed or unsigned
                   (-1, 4294967295, 0xff, -0x10)
        f32, f64   decimal or exponent notation, 0x-prefixed hexadecimal
                   floats (0x1.8p3), nan, inf, -inf
      Each result is printed on its own line: integers as signed decimal,
      floats in the shortest form that reads back to the same value.
      A trap prints "trap: <message>" and the wasm backtrace (innermost
      frame first) to stderr.

  spectest [--expected-failures FILE] [--verbose] FILE.json...
      Runs spec tests converted by wabt's `wast2json` (1.0.32), in-process,
      against the "spectest" host module of the reference interpreter.
      Prints one line per failing command, "FILE:LINE: <command>: expected
      <...>, got <...>", then the expected failures, their count, and last the
      totals line "N passed, N failed, N skipped". SIMD (v128) commands and
      text-format modules are skipped.
        --expected-failures FILE  known failures, one per line:
                                  "dir/file.wast:LINE  reason" ('#' starts a
                                  comment). A listed command that fails is not
                                  counted as failed; one that passes is
                                  ("unexpectedly passed").
        --verbose, -v             also print skipped commands, error messages
                                  that differ from the expected text, per-file
                                  totals and spectest.print* calls

  help, --help, -h
      Prints this text.

exit status:
  0   success
  1   an error not listed below (unreadable file, missing export, failed
      instantiation); for spectest: a test failed
  2   the module is malformed or invalid
  3   the called function trapped
  64  usage error (unknown command or option, wrong arguments)
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kHelp;
    return waspvm::cli::kExitUsage;
  }
  std::string_view command = args.front();
  std::span<const std::string_view> rest(args.data() + 1, args.size() - 1);
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kHelp;
    return waspvm::cli::kExitOk;
  }
  if (command == "run") return waspvm::cli::run_command(rest);
  if (command == "spectest") return waspvm::cli::spectest_command(rest);
  std::cerr << "error: unknown command \"" << command << "\" (see waspvm --help)\n";
  return waspvm::cli::kExitUsage;
}
