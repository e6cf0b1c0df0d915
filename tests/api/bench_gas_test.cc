// Gas on the benchmark programs (bench/wasm, at their small sizes): the exact
// gas each one uses, and the slice-equivalence property: resumed in slices of
// any size, a program prints the same output, leaves the same memory and uses
// the same total gas as in one uninterrupted run.
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bench_programs.h"

namespace waspvm::api_test {
namespace {

// Runs `program` with budgets from `slice` (suspending when one runs out), or
// in one go when `slice` is empty.
RunResult run_program(const Program& program, const std::function<uint64_t()>& slice) {
  ProgramVm vm(program);
  std::optional<Instance> instance = vm.instantiate();
  if (!instance) return {};
  CallOptions options;
  if (slice) {
    options.gas_limit = slice();
    options.on_out_of_gas = OutOfGas::Suspend;
  }
  Result<Outcome> out = instance->call("_start", {}, options);
  uint64_t slices = 1;
  while (out.ok() && out->suspended()) {
    EXPECT_EQ(out->suspend_reason(), SuspendReason::OutOfGas);
    ResumeOptions more;
    more.gas_limit = slice();
    out = instance->resume(more);
    ++slices;
  }
  return finished_run(out, *instance, *vm.output, slices);
}

// The gas each program uses at its small size: 1 per wasm instruction run,
// plus 1 per byte of bulk memory operations and per page grown.
const std::vector<std::pair<std::string, uint64_t>> kExpectedGas = {
    {"fib", 807231},         {"ackermann", 1410120}, {"sieve", 12616252},   {"collatz", 2870576},
    {"matmul", 2397082},     {"stream", 20531892},   {"sort", 5951475},     {"nbody", 3126649},
    {"mandelbrot", 2498000}, {"spectral", 3414145},  {"hash64", 3811644},   {"bignum", 1629847},
    {"interp", 25676495},    {"dispatch", 2172609},  {"bulkmem", 44481038}, {"mix", 2791633},
};

TEST(BenchGas, EveryProgramUsesItsRecordedGas) {
  std::vector<Program> all = bench_programs();
  ASSERT_EQ(all.size(), kExpectedGas.size());
  for (size_t i = 0; i < all.size(); ++i) {
    SCOPED_TRACE(all[i].name);
    ASSERT_EQ(all[i].name, kExpectedGas[i].first);
    RunResult result = run_program(all[i], {});
    EXPECT_EQ(result.output, expected_small_output(all[i]));
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.gas, kExpectedGas[i].second);
  }
}

TEST(BenchGas, ResumingInSlicesOfAnySizeChangesNothing) {
  std::mt19937_64 rng(2026);
  const std::vector<std::pair<std::string, std::function<uint64_t()>>> slicings = {
      {"1", [] { return 1; }},
      {"7", [] { return 7; }},
      {"1000", [] { return 1000; }},
      {"random 1..5000", [&] { return 1 + rng() % 5000; }},
  };
  for (const Program& program : bench_programs()) {
    RunResult whole = run_program(program, {});
    for (const auto& [label, slice] : slicings) {
      SCOPED_TRACE(program.name + " in slices of " + label);
      RunResult sliced = run_program(program, slice);
      EXPECT_EQ(sliced, whole);
      EXPECT_GT(sliced.slices, whole.gas / 5000) << "the run was really cut into slices";
    }
  }
}

}  // namespace
}  // namespace waspvm::api_test
