// The benchmark programs (bench/wasm, bench/programs.txt) as test subjects:
// each runs under WASI with its stdout captured, at its small size.
#pragma once
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "api_test_util.h"
#include "waspvm/wasi.h"

#ifndef WASP_BENCH_DIR
#error "WASP_BENCH_DIR must name the bench directory"
#endif

namespace waspvm::api_test {

struct Program {
  std::string name;
  std::string small_size;
};

inline std::vector<Program> bench_programs() {
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

// bench/expected/NAME.small.txt, as the program prints it.
inline std::string expected_small_output(const Program& program) {
  std::ifstream in(std::string(WASP_BENCH_DIR) + "/expected/" + program.name + ".small.txt");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text + "\n";
}

inline uint64_t fnv1a(const uint8_t* data, uint64_t size) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint64_t i = 0; i < size; ++i) h = (h ^ data[i]) * 0x100000001b3ull;
  return h;
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

// One program in an engine of its own with metering on, its WASI stdout
// collected in `output` (shared, so instances restored later write there too).
struct ProgramVm {
  explicit ProgramVm(const Program& program) : engine(metered()), linker(engine) {
    std::ifstream in(std::string(WASP_BENCH_DIR) + "/wasm/" + program.name + ".wasm", std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto compiled = Module::compile(engine, bytes);
    EXPECT_TRUE(compiled.ok()) << program.name;
    if (compiled.ok()) module.emplace(std::move(*compiled));
    wasi::WasiConfig config;
    config.args = {program.name, program.small_size};
    config.inherit_stdio = false;
    auto sink = output;
    config.stdout_sink = [sink](std::span<const uint8_t> b) { sink->append(b.begin(), b.end()); };
    wasi::add_to_linker(linker, config);
  }
  static Config metered() {
    Config config;
    config.metering = true;
    return config;
  }
  std::optional<Instance> instantiate() {
    if (!module) return std::nullopt;
    auto instance = linker.instantiate(*module);
    EXPECT_TRUE(instance.ok());
    if (!instance.ok()) return std::nullopt;
    return *instance;
  }

  Engine engine;
  Linker linker;
  std::optional<Module> module;
  std::shared_ptr<std::string> output = std::make_shared<std::string>();
};

// The result of a finished run (`out` returned, or exited by proc_exit).
inline RunResult finished_run(const Result<Outcome>& out, const Instance& instance, const std::string& output,
                              uint64_t slices) {
  RunResult result;
  result.output = output;
  result.slices = slices;
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  if (!out.ok()) return result;
  if (auto code = wasi::exit_code(*out)) {
    result.exit_code = *code;
  } else {
    EXPECT_TRUE(out->returned()) << (out->trapped() ? out->trap().message : "suspended");
    result.exit_code = 0;
  }
  result.gas = out->total_gas_used();
  Memory memory = *instance.memory("memory");
  result.memory_hash = fnv1a(memory.data(), memory.size());
  return result;
}

}  // namespace waspvm::api_test
