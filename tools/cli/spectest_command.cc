// `waspvm spectest [--expected-failures FILE] [--verbose] [--metering] [--stop-everywhere] FILE.json...`
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "spectest/runner.h"

namespace waspvm::cli {

int spectest_command(std::span<const std::string_view> args) {
  spectest::RunOptions options;
  std::vector<std::string> files;
  std::string expected_failures_path;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (options_done || arg.empty() || arg.front() != '-') {
      files.emplace_back(arg);
    } else if (arg == "--") {
      options_done = true;
    } else if (arg == "--verbose" || arg == "-v") {
      options.verbose = true;
    } else if (arg == "--metering") {
      options.config.metering = true;  // with no budget: the results must not change
    } else if (arg == "--stop-everywhere") {
      options.config.metering = true;
      options.stop_everywhere = true;  // calls stop at many points, through snapshots and clones
    } else if (arg == "--expected-failures" && i + 1 < args.size()) {
      expected_failures_path = args[++i];
    } else if (arg.substr(0, 20) == "--expected-failures=") {
      expected_failures_path = arg.substr(20);
    } else {
      std::cerr << "error: spectest: unknown option or missing value: " << arg << " (see waspvm --help)\n";
      return kExitUsage;
    }
  }
  if (files.empty()) {
    std::cerr << "error: spectest: no JSON files given (see waspvm --help)\n";
    return kExitUsage;
  }
  if (!expected_failures_path.empty()) {
    auto loaded = spectest::load_expected_failures(expected_failures_path);
    if (!loaded.ok()) {
      std::cerr << "error: " << loaded.error().message << "\n";
      return kExitError;
    }
    options.expected_failures = std::move(loaded.value());
  }
  options.log = &std::cout;

  spectest::SpecSummary total;
  for (const std::string& file : files) {
    spectest::SpecSummary summary = spectest::run_spec_json(file, options);
    for (const std::string& failure : summary.failures) std::cout << failure << "\n";
    if (options.verbose) std::cout << file << ": " << spectest::totals_line(summary) << "\n";
    std::cout.flush();
    total.add(summary);
  }
  for (const std::string& note : total.expected_failure_notes) std::cout << note << "\n";
  std::cout << total.expected_failed << " expected failures\n";
  if (options.stop_everywhere)
    std::cout << "stops: " << total.stops.out_of_gas << " out of gas, " << total.stops.interrupted
              << " interrupted; each snapshot restored and snapshotted again to the same bytes; "
              << total.stops.copies_finished << " restored instances and clones finished their call; "
              << total.stops.refused << " snapshots refused (a reference to another instance's function)\n";
  std::cout << spectest::totals_line(total) << "\n";
  return total.failed == 0 ? kExitOk : kExitError;
}

}  // namespace waspvm::cli
