// The spec-test runner: runs the commands of one wast2json (wabt 1.0.32) JSON
// file in-process against WaspVM, through the public API only.
//
// Each file gets a fresh Engine and Linker with the "spectest" host module.
// Failures are reported as "FILE:LINE: <command>: expected <...>, got <...>",
// where FILE is the .wast path relative to the spec suite, e.g. core/binary.wast.
// Known failures are listed, never patched into the tests: a command whose
// "FILE:LINE" key is in RunOptions::expected_failures is counted apart when it
// fails, and as a failure ("unexpectedly passed") when it passes.
#pragma once
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "spectest/stop_everywhere.h"
#include "waspvm/result.h"
#include "waspvm/waspvm.h"

namespace waspvm::spectest {

// "core/binary.wast:113" -> the reason it is expected to fail.
using ExpectedFailures = std::map<std::string, std::string>;

struct RunOptions {
  ExpectedFailures expected_failures;
  bool verbose = false;         // log skips, message mismatches and spectest.print* calls
  std::ostream* log = nullptr;  // where verbose output goes (nothing if null)
  Config config;                // for each file's Engine
  // Every call stops at many points and goes through snapshots and clones
  // there (spectest/stop_everywhere.h); needs config.metering.
  bool stop_everywhere = false;
};

struct SpecSummary {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  int expected_failed = 0;                          // failures listed in expected_failures
  std::vector<std::string> failures;                // one line each, without a newline
  std::vector<std::string> expected_failure_notes;  // "expected failure FILE:LINE: reason"
  StopCounts stops;                                 // RunOptions::stop_everywhere

  void add(const SpecSummary& other);
};

// Runs every command of a wast2json JSON file; module files are relative to
// the JSON's directory. Never throws for bad input: an unreadable or malformed
// JSON file is one failure.
SpecSummary run_spec_json(const std::string& json_path, const RunOptions& options);

// Loads an expected-failures list: one entry per line, "dir/file.wast:LINE  reason";
// blank lines and lines starting with '#' are ignored.
Result<ExpectedFailures> load_expected_failures(const std::string& path);

// The key prefix for a spec file: the .wast path relative to the spec suite
// ("core/binary.wast", "proposals/multi-memory/binary.wast"), from the
// JSON's source_filename (relative, or absolute within a spec-testsuite directory).
std::string spec_file_key(std::string_view source_filename);

// "N passed, N failed, N skipped".
std::string totals_line(const SpecSummary& summary);

}  // namespace waspvm::spectest
