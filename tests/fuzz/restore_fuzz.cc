// Fuzz target for Linker::restore: snapshots are untrusted input, so no
// input may crash, hang or read out of bounds.
//
// An input is a snapshot body: the target puts a valid header in front
// (the right module and code hashes, the body's length and CRC-32), so
// mutations reach the field checks instead of stopping at the checksum; an
// input whose first byte is 0xFF is taken whole instead, header included. A
// restored instance is then inspected, snapshotted again and resumed under a
// small gas budget.
//
// Built two ways (tests/CMakeLists.txt):
//   restore_fuzz_test   a plain program for ctest: the seeds (snapshots of
//                       tests/api/wat/gas.wat stopped in several ways) and
//                       N seeded mutations of them;
//   restore_fuzzer      a libFuzzer target (Clang, -DWASP_FUZZERS=ON):
//                       `restore_fuzzer -max_total_time=1800 CORPUS`, where
//                       WASP_FUZZ_SEEDS=DIR restore_fuzzer writes the seeds.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/digest.h"
#include "snapshot/format.h"
#include "waspvm/waspvm.h"

#ifndef WASP_FUZZ_MODULE
#error "WASP_FUZZ_MODULE must name gas.wasm"
#endif

namespace {

using namespace waspvm;
using Bytes = std::vector<uint8_t>;

struct Setup {
  Setup() : engine(metered()), linker(engine) {
    linker.func("host", "wait", [](Caller& caller, int32_t) -> Result<int32_t> { return caller.yield(); });
    linker.func("host", "charge", [](Caller& caller, int64_t n) -> Result<void> {
      return caller.charge_gas(static_cast<uint64_t>(n));
    });
    linker.func("host", "reenter", [](int32_t n) { return n; });
    std::ifstream in(WASP_FUZZ_MODULE, std::ios::binary);
    Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto compiled = Module::compile(engine, bytes);
    if (!compiled.ok()) {
      std::fprintf(stderr, "restore_fuzz: cannot compile %s\n", WASP_FUZZ_MODULE);
      std::abort();
    }
    module.emplace(std::move(*compiled));
  }
  static Config metered() {
    Config config;
    config.metering = true;
    return config;
  }
  Engine engine;
  Linker linker;
  std::optional<Module> module;
};

Setup& setup() {
  static Setup s;
  return s;
}

// The header the module's snapshots carry, for `body`.
Bytes with_header(std::span<const uint8_t> body) {
  // A snapshot of a fresh instance has the right hashes: take its header.
  static const Bytes reference = [] {
    auto instance = setup().linker.instantiate(*setup().module);
    return *instance->snapshot();
  }();
  snapshot::ByteWriter header;
  header.bytes(std::span<const uint8_t>(reference.data(), 8 + 4 + 4 + 32 + 32));
  header.u64(body.size());
  header.u32(crc32(body));
  header.u32(crc32(header.data()));
  Bytes out = std::move(header.data());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// Snapshots of the module stopped in different ways (bodies only).
std::vector<Bytes> seeds() {
  std::vector<Bytes> out;
  auto add = [&](const Instance& instance) {
    auto bytes = instance.snapshot();
    if (bytes.ok()) out.emplace_back(bytes->begin() + snapshot::kHeaderSize, bytes->end());
  };
  Linker& linker = setup().linker;
  Instance idle = *linker.instantiate(*setup().module);
  add(idle);
  CallOptions stop;
  stop.on_out_of_gas = OutOfGas::Suspend;
  for (uint64_t gas : {1, 13, 200}) {
    Instance counting = *linker.instantiate(*setup().module);
    stop.gas_limit = gas;
    (void)counting.call("count", std::vector<Value>{Value::i32(50)}, stop);
    add(counting);
  }
  Instance deep = *linker.instantiate(*setup().module);
  stop.gas_limit = 300;
  (void)deep.call("recurse", std::vector<Value>{Value::i32(40)}, stop);
  add(deep);
  Instance waiting = *linker.instantiate(*setup().module);
  (void)waiting.call("two_waits", std::vector<Value>{Value::i32(3)});
  add(waiting);
  Instance tail = *linker.instantiate(*setup().module);
  (void)tail.call("tail_wait", std::vector<Value>{Value::i32(3)});
  add(tail);
  Instance filling = *linker.instantiate(*setup().module);
  stop.gas_limit = 10;
  (void)filling.call("fill", std::vector<Value>{Value::i32(100)}, stop);
  add(filling);
  // A frame with slot maps (a function using references): a null funcref
  // live on its stack before the table.grow's per-element charge.
  Instance growing = *linker.instantiate(*setup().module);
  stop.gas_limit = 5;
  (void)growing.call("table_grow", std::vector<Value>{Value::i32(8)}, stop);
  add(growing);
  return out;
}

// Returns whether the input restored.
bool restore_one(std::span<const uint8_t> data) {
  Bytes bytes = !data.empty() && data[0] == 0xFF ? Bytes(data.begin() + 1, data.end()) : with_header(data);
  // Small limits, as an embedder restoring untrusted snapshots would set:
  // they also cap the gas a suspended call carries over.
  RestoreOptions options;
  InstanceLimits limits;
  limits.gas = 20000;
  limits.max_call_depth = 10000;
  limits.max_value_stack_slots = 1 << 20;
  limits.max_memory_pages = 64;
  options.limits = limits;
  auto instance = setup().linker.restore(*setup().module, bytes, options);
  if (!instance.ok()) return false;
  (void)instance->inspect().to_string();
  (void)instance->snapshot();
  if (instance->suspended()) {
    ResumeOptions more;
    more.gas_limit = 20000;
    more.on_out_of_gas = OutOfGas::Trap;
    InstanceView view = instance->inspect();
    if (view.reason == SuspendReason::HostYield) {
      (void)instance->resume(more, std::vector<Value>{Value::i32(1)});
    } else {
      (void)instance->resume(more);
    }
  }
  return true;
}

}  // namespace

#ifdef WASP_LIBFUZZER

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("WASP_FUZZ_SEEDS")) {
    std::filesystem::create_directories(dir);
    int i = 0;
    for (const Bytes& seed : seeds()) {
      std::ofstream out(std::string(dir) + "/seed" + std::to_string(i++), std::ios::binary);
      out.write(reinterpret_cast<const char*>(seed.data()), static_cast<std::streamsize>(seed.size()));
    }
    std::printf("restore_fuzzer: wrote %d seeds to %s\n", i, dir);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  restore_one({data, size});
  return 0;
}

#else

// usage: restore_fuzz_test [--seed N] [--mutations N]
int main(int argc, char** argv) {
  uint64_t seed = 20261125, mutations = 20000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--seed") == 0) seed = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--mutations") == 0) mutations = std::strtoull(argv[i + 1], nullptr, 10);
  }
  std::vector<Bytes> corpus = seeds();
  uint64_t restored = 0;
  for (const Bytes& s : corpus) restored += restore_one(s);
  if (corpus.size() < 8 || restored != corpus.size()) {
    std::fprintf(stderr, "restore_fuzz_test: %zu seeds, %" PRIu64 " restored: every seed must restore\n",
                 corpus.size(), restored);
    return 1;
  }
  std::mt19937_64 rng(seed);
  uint64_t accepted = 0;
  for (uint64_t i = 0; i < mutations; ++i) {
    Bytes b = corpus[rng() % corpus.size()];
    for (uint64_t edits = 1 + rng() % 4; edits > 0 && !b.empty(); --edits) {
      size_t at = rng() % b.size();
      switch (rng() % 4) {
        case 0: b[at] = static_cast<uint8_t>(rng()); break;                                      // a byte
        case 1: b[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;                         // a bit
        case 2: b.resize(at); break;                                                             // truncate
        default: b.insert(b.begin() + static_cast<ptrdiff_t>(at), static_cast<uint8_t>(rng()));  // insert
      }
    }
    accepted += restore_one(b);
  }
  std::printf("restore_fuzz_test: seed %" PRIu64 ", %zu seeds restored, %" PRIu64 " mutants, %" PRIu64
              " of them restored; no crash\n",
              seed, corpus.size(), mutations, accepted);
  return 0;
}

#endif
