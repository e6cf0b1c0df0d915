// The `waspvm` command line: dispatches to the subcommands in commands.h.
#include <cstdio>
#include <iostream>
#include <new>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "waspvm/waspvm.h"

namespace {

constexpr std::string_view kHelp = R"(usage: waspvm <command> [options] [arguments]

WaspVM runs WebAssembly 2.0 modules in an interpreter.

commands:
  run [OPTIONS] FILE.wasm [ARGS...]
      Runs a WebAssembly program with WASI preview1 (wasi_snapshot_preview1),
      like `wasmtime run`: compiles FILE.wasm, instantiates it with the WASI
      functions and calls its `_start`. The program sees ARGS as its
      arguments (argv[0] is FILE.wasm as given), only the environment
      variables given with --env, and only the directories given with --dir;
      stdin, stdout and stderr are waspvm's own. Modules that import nothing
      run too. Options (before FILE; `--` ends them; everything after FILE
      goes to the program):
        --dir HOST[::GUEST]  make host directory HOST visible to the program
                             as GUEST (default: HOST itself, e.g. `--dir .`
                             or `--dir data`; `--dir /tmp/x::/data`). No path
                             can leave it: `..` above it, absolute paths and
                             symbolic links that lead out all fail with
                             ENOTCAPABLE. Repeatable.
        --env NAME=VALUE     set an environment variable (there are none by
                             default); `--env NAME` passes the host's value
                             of NAME, if it has one. Repeatable.
        --invoke NAME        call the exported function NAME instead of
                             `_start` (WASI is still provided); ARGS are then
                             also the function's arguments, parsed by its
                             parameter types:
                               i32, i64  decimal or 0x-prefixed hexadecimal,
                                         signed or unsigned (-1, 4294967295,
                                         0xff, -0x10)
                               f32, f64  decimal or exponent notation,
                                         0x-prefixed hexadecimal floats
                                         (0x1.8p3), nan, inf, -inf
                             and each result is printed on its own line:
                             integers as signed decimal, floats in the
                             shortest form that reads back to the same value.
        --gas N              meter the call with a budget of N gas (1 per
                             wasm instruction, charged per straight-line
                             block; memory.grow per page and bulk memory and
                             table operations per byte or element). When the
                             call ends, "gas used: N" is printed on stderr.
                             Without --gas there is no metering.
        --on-out-of-gas=trap|suspend
                             when the budget runs out: trap ("trap: out of
                             gas" and a backtrace; the default), or suspend
                             the call ("suspended: out of gas" and where it
                             stopped). Either way the exit status is 75.
        --snapshot-out FILE  with --gas: when the budget runs out, save the
                             call (the module, the WASI arguments,
                             environment and directories, and the instance's
                             snapshot) to FILE for `waspvm resume`. Refused
                             once the program has opened, closed or
                             renumbered file descriptors.
        --help, -h           print this text
      The options also take the form --dir=HOST, --env=NAME=VALUE,
      --invoke=NAME, --gas=N. The exit status is the program's: the code it passed to
      proc_exit (exit() in C; its low 8 bits, as POSIX keeps them), or 0 when
      `_start` (or the --invoke function) returns. A trap prints
      "trap: <message>" and the wasm backtrace (innermost frame first,
      function names from the name section) to stderr and exits with 134.
      Environment: WASPVM_FORCE_PATH_WALK=1 makes the sandbox resolve paths by
      its portable component walk even where the kernel has openat2 (for
      testing; both are equally strict).

  resume FILE [--gas N] [--snapshot-out FILE2]
      Continues the call saved in FILE by `run --snapshot-out`, in this
      process, with a budget of N more gas (default: no limit) plus what the
      last one left; WASI is made anew from the saved arguments, environment
      and directories, with this process's stdio. When the call ends it
      reports as `run --gas` does ("gas used: N" counts the whole call); if the
      budget runs out again it is saved to FILE2 (with --snapshot-out) or
      traps.

  inspect FILE
      Prints what a snapshot file holds: the module's size and SHA-256, the
      program's arguments, and the suspended call (its gas, its frames with
      function names, locals and operand slots), globals and memory sizes.

  spectest [--expected-failures FILE] [--verbose] [--metering] [--stop-everywhere] FILE.json...
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
        --metering                compile with gas metering on (no budget),
                                  which must change no result
        --stop-everywhere         metering on; every call stops (out of gas,
                                  interrupted) up to 64 times; at each stop
                                  the snapshot must restore and save again to
                                  the same bytes, and at some stops the
                                  restored instance and a clone must finish
                                  the call as the original does

  version, --version
      Prints how this waspvm was built (compiler, interpreter dispatch).

  help, --help, -h
      Prints this text.

exit status:
  0    success (run: the program returned or exited with 0)
  N    run: the program exited with status N (proc_exit / exit(N))
  1    an error not listed below (unreadable file, missing export, failed
       instantiation, --dir that is not a directory); for spectest: a test
       failed
  2    the module is malformed or invalid
  64   usage error (unknown command or option, wrong arguments)
  71   a resource limit: the host ran out of memory, or the module needs
       more than waspvm allows (e.g. more than 50,000 locals in a function)
       (EX_OSERR)
  75   run --gas: the gas budget ran out (EX_TEMPFAIL)
  134  run: the program trapped (as wasmtime does, and as a native program
       that calls abort() does: 128 + SIGABRT)
  A program may itself exit with 1, 2, 64, 71, 75 or 134; waspvm's own errors are
  the ones that print "error: ..." or "trap: ..." on stderr.
)";

}  // namespace

std::string_view waspvm::cli::help_text() { return kHelp; }

namespace {

int run_main(int argc, char** argv) {
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
  if (command == "version" || command == "--version") {
    std::cout << "waspvm (" << waspvm::build_info() << ")\n";
    return waspvm::cli::kExitOk;
  }
  if (command == "run") return waspvm::cli::run_command(rest);
  if (command == "spectest") return waspvm::cli::spectest_command(rest);
  if (command == "resume") return waspvm::cli::resume_command(rest);
  if (command == "inspect") return waspvm::cli::inspect_command(rest);
  std::cerr << "error: unknown command \"" << command << "\" (see waspvm --help)\n";
  return waspvm::cli::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  // The library reports running out of memory as errors; this catches the
  // command's own allocations (arguments, WASI setup, output).
  try {
    return run_main(argc, argv);
  } catch (const std::bad_alloc&) {
    std::fputs("error: out of host memory\n", stderr);
    return waspvm::cli::kExitLimit;
  }
}
