// Gas on the benchmark programs (bench/wasm, at their small sizes): the exact
// gas each one uses, and the slice-equivalence property: resumed in slices of
// any size, a program prints the same output, leaves the same memory and uses
// the same total gas as in one uninterrupted run.
#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "api_test_util.h"
#include "waspvm/wasi.h"

#ifndef WASP_BENCH_DIR
#error "WASP_BENCH_DIR must name the bench directory"
#endif

namespace waspvm::api_test {
namespace {

struct Program {
  std::string name;
  std::string small_size;
};

std::vector<Program> programs() {
  std::ifstream in(std::string(WASP_BENCH_DIR) + "/programs.txt");
  std::vector<Program> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Program p;
    fields >> p.name >> p.small_size;
    out.push_back(p);
  }
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// What a run left behind.
struct RunResult {
  std::string output;  // stdout
  int32_t exit_code = -1;
  uint64_t memory_hash = 0;  // FNV-1a of the whole memory
  uint64_t gas = 0;          // total
  uint64_t slices = 0;       // calls + resumes
  bool operator==(const RunResult& o) const {
    return output == o.output && exit_code == o.exit_code && memory_hash == o.memory_hash && gas == o.gas;
  }
};

uint64_t fnv1a(const uint8_t* data, uint64_t size) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint64_t i = 0; i < size; ++i) h = (h ^ data[i]) * 0x100000001b3ull;
  return h;
}

// Runs `program` with budgets from `slice` (suspending when one runs out), or
// in one go when `slice` is empty.
RunResult run_program(const Program& program, const std::function<uint64_t()>& slice) {
  Config config;
  config.metering = true;
  Engine engine(config);
  std::ifstream in(std::string(WASP_BENCH_DIR) + "/wasm/" + program.name + ".wasm", std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto module = Module::compile(engine, bytes);
  EXPECT_TRUE(module.ok()) << program.name;
  RunResult result;
  if (!module.ok()) return result;
  wasi::WasiConfig wasi_config;
  wasi_config.args = {program.name, program.small_size};
  wasi_config.inherit_stdio = false;
  wasi_config.stdout_sink = [&](std::span<const uint8_t> b) { result.output.append(b.begin(), b.end()); };
  Linker linker(engine);
  wasi::add_to_linker(linker, wasi_config);
  auto instance = linker.instantiate(*module);
  EXPECT_TRUE(instance.ok()) << program.name;
  if (!instance.ok()) return result;
  CallOptions options;
  if (slice) {
    options.gas_limit = slice();
    options.on_out_of_gas = OutOfGas::Suspend;
  }
  Result<Outcome> out = instance->call("_start", {}, options);
  result.slices = 1;
  while (out.ok() && out->suspended()) {
    EXPECT_EQ(out->suspend_reason(), SuspendReason::OutOfGas);
    ResumeOptions more;
    more.gas_limit = slice();
    out = instance->resume(more);
    ++result.slices;
  }
  EXPECT_TRUE(out.ok()) << program.name << ": " << out.error().message;
  if (!out.ok()) return result;
  if (auto code = wasi::exit_code(*out)) {
    result.exit_code = *code;
  } else {
    EXPECT_TRUE(out->returned()) << program.name << ": " << (out->trapped() ? out->trap().message : "");
    result.exit_code = 0;
  }
  result.gas = out->total_gas_used();
  Memory memory = *instance->memory("memory");
  result.memory_hash = fnv1a(memory.data(), memory.size());
  return result;
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
  std::vector<Program> all = programs();
  ASSERT_EQ(all.size(), kExpectedGas.size());
  for (size_t i = 0; i < all.size(); ++i) {
    SCOPED_TRACE(all[i].name);
    ASSERT_EQ(all[i].name, kExpectedGas[i].first);
    RunResult result = run_program(all[i], {});
    EXPECT_EQ(result.output,
              read_text(std::string(WASP_BENCH_DIR) + "/expected/" + all[i].name + ".small.txt") + "\n");
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
  for (const Program& program : programs()) {
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
