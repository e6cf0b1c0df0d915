// Hostile modules: each must end in a clear error (or a clean result) at a
// bounded cost. Every case runs in a child process (fork), so its wall time
// and peak resident memory are its own; both are asserted against limits
// well above what the case costs and far below what an unbounded engine
// would spend (the limits are scaled up for sanitizer builds).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "wasm_builder.h"
#include "waspvm/waspvm.h"

namespace waspvm::hostile {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr double kSlowdown = 8;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr double kSlowdown = 8;
#else
constexpr double kSlowdown = 1;
#endif
#else
constexpr double kSlowdown = 1;
#endif
// Sanitizers add shadow memory and redzones: about 2-3x the heap.
constexpr double kMemoryFactor = kSlowdown > 1 ? 3 : 1;

struct Cost {
  bool exited = false;  // normally (not by a signal)
  int status = -1;      // the body's result (0: the expected outcome)
  int signal = 0;
  double seconds = 0;
  uint64_t peak_rss_mib = 0;
};

// Runs `body` in a child process, killed after `timeout_s` seconds.
Cost run_child(const std::function<int()>& body, double timeout_s) {
  std::fflush(nullptr);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    alarm(static_cast<unsigned>(timeout_s) + 1);
    int code = 1;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "uncaught exception: %s\n", e.what());
      code = 3;
    }
    std::fflush(nullptr);
    _exit(code);
  }
  Cost cost;
  int status = 0;
  struct rusage usage {};
  if (pid < 0 || wait4(pid, &status, 0, &usage) != pid) return cost;
  cost.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  cost.peak_rss_mib = static_cast<uint64_t>(usage.ru_maxrss) / 1024;
  cost.exited = WIFEXITED(status);
  if (cost.exited) cost.status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) cost.signal = WTERMSIG(status);
  return cost;
}

// What a child that does nothing costs: the process as forked now (the
// parent's resident pages count in the child's peak too).
uint64_t baseline_rss_mib() {
  return run_child([] { return 0; }, 10).peak_rss_mib;
}

// Runs the case and checks its outcome and cost against the limits.
void expect_bounded(const char* what, const std::function<int()>& body, double max_seconds,
                    uint64_t max_extra_rss_mib) {
  const double time_limit = max_seconds * kSlowdown;
  const auto rss_limit = static_cast<uint64_t>(static_cast<double>(max_extra_rss_mib) * kMemoryFactor);
  const uint64_t baseline = baseline_rss_mib();
  Cost cost = run_child(body, time_limit);
  const uint64_t extra = cost.peak_rss_mib > baseline ? cost.peak_rss_mib - baseline : 0;
  std::printf("[ cost ] %s: %.2f s, peak RSS +%llu MiB (limits %.0f s, %llu MiB)\n", what, cost.seconds,
              static_cast<unsigned long long>(extra), time_limit, static_cast<unsigned long long>(rss_limit));
  ASSERT_TRUE(cost.exited) << what << ": killed by signal " << cost.signal
                           << (cost.signal == SIGALRM ? " (the time limit)" : "");
  EXPECT_EQ(cost.status, 0) << what << ": not the expected outcome (see its message above)";
  EXPECT_LE(cost.seconds, time_limit) << what;
  EXPECT_LE(extra, rss_limit) << what;
}

// In a child: prints why and returns 1 unless `ok`.
int check(bool ok, const std::string& why) {
  if (!ok) std::fprintf(stderr, "unexpected: %s\n", why.c_str());
  return ok ? 0 : 1;
}

// In a child: compiles and instantiates `bytes` (with `limits`), or prints why not.
std::optional<Instance> instantiate(const Engine& engine, const Bytes& bytes,
                                    const InstanceLimits& limits = InstanceLimits{}) {
  auto module = Module::compile(engine, bytes);
  if (!module.ok()) {
    check(false, "compile: " + module.error().message);
    return std::nullopt;
  }
  auto instance = Linker(engine).instantiate(*module, limits);
  if (!instance.ok()) {
    check(false, "instantiate: " + instance.error().message);
    return std::nullopt;
  }
  return std::move(*instance);
}

constexpr uint8_t I32 = 0x7F;

// ---------------------------------------------------------------- the cases

TEST(Hostile, AMemoryGrowBombStopsAtTheInstancesPageLimit) {
  // Grows a page at a time, writing to each new page, until memory.grow
  // fails; then traps.
  ModuleSpec spec;
  spec.memory = {{1, std::nullopt}};
  spec.funcs.push_back(Function{{},
                                {},
                                1,
                                {0x03, 0x40,                                // loop
                                 0x41, 0x01, 0x40, 0x00, 0x22, 0x00,        //   memory.grow(1), tee 0
                                 0x41, 0x7F, 0x46, 0x04, 0x40, 0x00, 0x0B,  //   == -1: unreachable
                                 0x20, 0x00, 0x41, 0x80, 0x80, 0x04, 0x6C,  //   old pages * 65536
                                 0x41, 0x01, 0x36, 0x02, 0x00,              //   i32.store 1
                                 0x0C, 0x00, 0x0B},                         //   br 0; end
                                "bomb"});
  const Bytes bytes = build(spec);
  expect_bounded(
      "memory.grow bomb (limit 2048 pages)",
      [&] {
        Engine engine;
        InstanceLimits limits;
        limits.max_memory_pages = 2048;  // 128 MiB
        auto instance = instantiate(engine, bytes, limits);
        if (!instance) return 1;
        auto out = instance->call("bomb", {});
        if (!out.ok()) return check(false, out.error().message);
        InstanceView view = instance->inspect();
        return check(out->trapped() && out->trap().code == TrapCode::Unreachable &&
                         view.memory_pages.size() == 1 && view.memory_pages[0] == 2048,
                     "the bomb should trap once memory.grow fails at 2048 pages");
      },
      10, 64);
}

TEST(Hostile, AMemoryGrowBombUnderGasPaysPerPage) {
  ModuleSpec spec;
  spec.memory = {{1, std::nullopt}};
  spec.funcs.push_back(
      Function{{}, {I32}, 0, {0x41, 0xFF, 0xFF, 0x03, 0x40, 0x00}, "grow_all"});  // grow(65535)
  const Bytes bytes = build(spec);
  expect_bounded(
      "memory.grow(65535) with 10,000 gas",
      [&] {
        Config config;
        config.metering = true;
        Engine engine(config);
        auto instance = instantiate(engine, bytes);
        if (!instance) return 1;
        CallOptions options;
        options.gas_limit = 10'000;  // far less than a gas per page asked for
        auto out = instance->call("grow_all", {}, options);
        if (!out.ok()) return check(false, out.error().message);
        return check(out->trapped() && out->trap().code == TrapCode::OutOfGas, "out of gas before growing");
      },
      5, 16);
}

TEST(Hostile, AHundredThousandNestedBlocksCompileAndRun) {
  Function f{{}, {I32}, 0, {}, "deep"};
  constexpr int kDepth = 100'000;
  for (int i = 0; i < kDepth; ++i) append(f.code, {0x02, 0x40});  // block
  for (int i = 0; i < kDepth; ++i) f.code.push_back(0x0B);        // end
  append(f.code, {0x41, 0x07});                                   // i32.const 7
  ModuleSpec spec;
  spec.funcs.push_back(f);
  const Bytes bytes = build(spec);
  expect_bounded(
      "100,000 nested blocks",
      [&] {
        Engine engine;
        auto instance = instantiate(engine, bytes);
        if (!instance) return 1;
        auto out = instance->call("deep", {});
        return check(out.ok() && out->returned() && out->values()[0].i32() == 7, "deep should return 7");
      },
      10, 128);
}

TEST(Hostile, AFunctionWith50000LocalsRecursingTrapsAtTheValueStackLimit) {
  // (param i32) and 49,999 locals: 50,000, the default limit. It calls itself without end.
  ModuleSpec spec;
  spec.funcs.push_back(Function{{I32}, {I32}, 49'999, {0x20, 0x00, 0x10, 0x00}, "recurse"});
  const Bytes bytes = build(spec);
  expect_bounded(
      "50,000 locals, recursing",
      [&] {
        Engine engine;
        auto instance = instantiate(engine, bytes);
        if (!instance) return 1;
        std::vector<Value> args{Value::i32(1)};
        auto out = instance->call("recurse", args);
        if (!out.ok()) return check(false, out.error().message);
        return check(out->trapped() && out->trap().code == TrapCode::ValueStackExhausted,
                     "should exhaust the value stack (256 MiB)");
      },
      20, 512);  // the 256 MiB value stack, and its last doubling
}

TEST(Hostile, AModuleWithAMillionFunctionsCompilesWithinBounds) {
  ModuleSpec spec;
  spec.funcs.assign(1'000'000, Function{{}, {I32}, 0, {0x41, 0x07}, ""});
  spec.funcs[0].export_name = "f";
  const Bytes bytes = build(spec);
  expect_bounded(
      "1,000,000 functions",
      [&] {
        Engine engine;
        auto instance = instantiate(engine, bytes);
        if (!instance) return 1;
        auto out = instance->call("f", {});
        return check(out.ok() && out->returned() && out->values()[0].i32() == 7, "f should return 7");
      },
      30, 1024);
}

TEST(Hostile, AHugeTableIsRefusedAtTheLimitAndAGrowBombFails) {
  ModuleSpec over;
  over.table_min = kMaxTableElements + 1;
  over.funcs.push_back(Function{{}, {}, 0, {}, "f"});
  ModuleSpec at;
  at.table_min = 1000;
  // table.grow(ref.null, 0x7FFFFFFF): far beyond the limit.
  at.funcs.push_back(
      Function{{}, {I32}, 0, {0xD0, 0x70, 0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0xFC, 0x0F, 0x00}, "grow"});
  const Bytes over_bytes = build(over), at_bytes = build(at);
  expect_bounded(
      "a table of kMaxTableElements + 1, and table.grow(2^31 - 1)",
      [&] {
        Engine engine;
        auto module = Module::compile(engine, over_bytes);
        if (!module.ok()) return check(false, module.error().message);
        auto refused = Linker(engine).instantiate(*module);
        if (refused.ok()) return check(false, "a table beyond the limit instantiated");
        if (check(refused.error().kind == ErrorKind::Limit &&
                      refused.error().message.find("max_table_elements") != std::string::npos,
                  "not a clear limit error: " + refused.error().message) != 0)
          return 1;
        auto grower = Module::compile(engine, at_bytes);
        if (!grower.ok()) return check(false, grower.error().message);
        auto instance = Linker(engine).instantiate(*grower);
        if (!instance.ok()) return check(false, instance.error().message);
        auto out = instance->call("grow", {});
        return check(out.ok() && out->returned() && out->values()[0].i32() == -1,
                     "table.grow should fail (-1)");
      },
      5, 64);
}

TEST(Hostile, AGuestTrappingAtFiveMillionFramesCostsABoundedReport) {
  ModuleSpec spec;
  // (func $r (param i32) (result i32) (i32.add (call $r (local.get 0)) (i32.const 1)))
  spec.funcs.push_back(Function{{I32}, {I32}, 0, {0x20, 0x00, 0x10, 0x00, 0x41, 0x01, 0x6A}, "runaway"});
  const Bytes bytes = build(spec);
  expect_bounded(
      "runaway recursion to 5,000,000 frames",
      [&] {
        Engine engine;
        InstanceLimits limits;
        limits.max_call_depth = 5'000'000;
        auto instance = instantiate(engine, bytes, limits);
        if (!instance) return 1;
        std::vector<Value> args{Value::i32(0)};
        auto out = instance->call("runaway", args);
        if (!out.ok()) return check(false, out.error().message);
        if (check(out->trapped() && out->trap().code == TrapCode::CallStackExhausted,
                  "should exhaust the depth"))
          return 1;
        const Trap& trap = out->trap();
        InstanceView view = instance->inspect();
        return check(trap.backtrace.size() == 1000 && trap.omitted_frames + 1000 == 5'000'000 &&
                         view.frames.size() == 1000,
                     "the backtrace and the inspection should keep 1000 frames");
      },
      20, 640);
}

// ---------------------------------------------------------------- mutants of real programs

std::vector<std::filesystem::path> real_programs() {
  std::vector<std::filesystem::path> out;
  for (const char* dir : {WASP_BENCH_DIR, WASP_WASI_WASM_DIR})
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.path().extension() == ".wasm") out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

Bytes read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every import satisfied by something of its type: host functions returning
// zeros, fresh memories, tables and globals.
void define_stubs(Linker& linker, const Engine& engine, const Module& module) {
  for (const ImportInfo& imp : module.imports()) {
    switch (imp.kind) {
      case ExternKind::Func:
        linker.define(imp.module, imp.name,
                      Extern::of(Func::create(engine, imp.func,
                                              [](Caller&, std::span<const Value>,
                                                 std::span<Value>) -> Result<void> { return {}; })));
        break;
      case ExternKind::Memory:
        linker.define(imp.module, imp.name, Extern::of(Memory::create(engine, imp.memory)));
        break;
      case ExternKind::Table:
        linker.define(imp.module, imp.name,
                      Extern::of(Table::create(engine, imp.table, Value::null(imp.table.elem))));
        break;
      case ExternKind::Global:
        linker.define(imp.module, imp.name,
                      Extern::of(Global::create(engine, imp.global, Value::from_bits(imp.global.type, 0))));
        break;
    }
  }
}

// Compiles a mutant and, if it compiles, runs each export without parameters
// under a gas budget. Counts what happened; anything but a clean end fails.
struct MutantStats {
  int rejected = 0, failed_to_link = 0, ran = 0, trapped = 0, out_of_gas = 0;
};

void run_mutant(const Bytes& bytes, MutantStats& stats) {
  Config config;
  config.metering = true;
  Engine engine(config);
  auto module = Module::compile(engine, bytes);
  if (!module.ok()) {
    ++stats.rejected;
    return;
  }
  Linker linker(engine);
  define_stubs(linker, engine, *module);
  InstanceLimits limits;
  limits.max_memory_pages = 256;
  limits.gas = 200'000;
  auto instance = linker.instantiate(*module, limits);
  if (!instance.ok()) {
    ++stats.failed_to_link;
    return;
  }
  for (const ExportInfo& exp : module->exports()) {
    if (exp.kind != ExternKind::Func || !exp.func.params.empty()) continue;
    auto out = instance->call(exp.name, {});
    if (!out.ok()) continue;
    ++stats.ran;
    if (out->trapped()) ++(out->trap().code == TrapCode::OutOfGas ? stats.out_of_gas : stats.trapped);
  }
}

TEST(Hostile, ThousandsOfTruncatedAndBitFlippedRealProgramsEndCleanly) {
  const std::vector<std::filesystem::path> programs = real_programs();
  ASSERT_GE(programs.size(), 20u) << "the benchmark and WASI test programs";
  expect_bounded(
      "truncated and bit-flipped real programs",
      [&] {
        std::mt19937_64 rng(20261206);
        MutantStats stats;
        int mutants = 0;
        for (const auto& path : programs) {
          const Bytes original = read_bytes(path);
          if (original.size() < 16) return check(false, "cannot read " + path.string());
          for (int i = 0; i < 60; ++i) {  // truncated at random points
            Bytes cut(original.begin(), original.begin() + static_cast<long>(rng() % original.size()));
            run_mutant(cut, stats);
            ++mutants;
          }
          for (int i = 0; i < 90; ++i) {  // 1 to 8 bits flipped
            Bytes flipped = original;
            for (uint64_t bits = 1 + rng() % 8; bits > 0; --bits)
              flipped[8 + rng() % (flipped.size() - 8)] ^= static_cast<uint8_t>(1u << (rng() % 8));
            run_mutant(flipped, stats);
            ++mutants;
          }
        }
        std::printf(
            "%d mutants of %zu programs: %d rejected, %d failed to link, %d calls ran (%d trapped, %d out of "
            "gas)\n",
            mutants, programs.size(), stats.rejected, stats.failed_to_link, stats.ran, stats.trapped,
            stats.out_of_gas);
        return check(mutants >= 3000 && stats.rejected > 0 && stats.ran > 0, "too few mutants, or none ran");
      },
      240, 512);
}

}  // namespace
}  // namespace waspvm::hostile
