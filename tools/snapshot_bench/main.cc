// Measures snapshot, restore and clone of instances with 1, 16 and 256 MiB
// of memory, in MiB of memory per second, beside a plain memcpy of the same
// memory in the same run; each the best of --runs. Two contents: "sparse" (a
// few bytes per 64 KiB page, as most programs' heaps) and "dense"
// (pseudo-random, which zstd cannot shrink). Wall time: run it on a quiet
// machine (bench/README.md).
//
//   waspvm_snapshot_bench [--runs N] [--sizes 1,16,256]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "waspvm/waspvm.h"

namespace {

using namespace waspvm;

// (module (memory (export "memory") PAGES))
std::vector<uint8_t> memory_module(uint32_t pages) {
  std::vector<uint8_t> leb;
  for (uint32_t v = pages;;) {
    uint8_t b = v & 0x7F;
    v >>= 7;
    leb.push_back(v ? b | 0x80 : b);
    if (!v) break;
  }
  std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  m.push_back(0x05);  // memory section
  m.push_back(static_cast<uint8_t>(2 + leb.size()));
  m.push_back(0x01);
  m.push_back(0x00);  // min only
  m.insert(m.end(), leb.begin(), leb.end());
  const uint8_t exports[] = {0x07, 0x0a, 0x01, 0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00};
  m.insert(m.end(), std::begin(exports), std::end(exports));
  return m;
}

double best_seconds(int runs, const std::function<void()>& f) {
  double best = 1e30;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::vector<uint32_t> sizes_mib = {1, 16, 256};
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    if (arg == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    if (arg == "--sizes") {
      sizes_mib.clear();
      for (const char* p = argv[i + 1]; *p;) {
        sizes_mib.push_back(static_cast<uint32_t>(std::strtoul(p, const_cast<char**>(&p), 10)));
        if (*p == ',') ++p;
      }
    }
  }
  Engine engine;
  Linker linker(engine);
  std::printf("%-6s %-7s %12s %12s %12s %12s %12s\n", "MiB", "content", "snapshot", "restore", "clone",
              "memcpy", "bytes");
  for (uint32_t mib : sizes_mib) {
    auto module = Module::compile(engine, memory_module(mib * 16));
    if (!module.ok()) {
      std::fprintf(stderr, "compile: %s\n", module.error().message.c_str());
      return 1;
    }
    for (const char* content : {"sparse", "dense"}) {
      auto instance = linker.instantiate(*module);
      if (!instance.ok()) {
        std::fprintf(stderr, "instantiate: %s\n", instance.error().message.c_str());
        return 1;
      }
      Memory memory = *instance->memory("memory");
      std::mt19937_64 rng(42);
      if (std::strcmp(content, "dense") == 0) {
        for (uint64_t i = 0; i + 8 <= memory.size(); i += 8) {
          uint64_t v = rng();
          std::memcpy(memory.data() + i, &v, 8);
        }
      } else {
        for (uint64_t i = 0; i < memory.size(); i += 65536) memory.data()[i + rng() % 65536] = 1;
      }
      std::vector<uint8_t> bytes;
      double snap = best_seconds(runs, [&] { bytes = *instance->snapshot(); });
      double restore = best_seconds(runs, [&] { (void)*linker.restore(*module, bytes); });
      double clone = best_seconds(runs, [&] { (void)*instance->clone(); });
      std::vector<uint8_t> copy(memory.size());
      double memcpy_s = best_seconds(runs, [&] { std::memcpy(copy.data(), memory.data(), memory.size()); });
      auto rate = [&](double s) { return static_cast<double>(mib) / s; };
      std::printf("%-6u %-7s %9.0f MiB/s %9.0f MiB/s %9.0f MiB/s %9.0f MiB/s %12zu\n", mib, content,
                  rate(snap), rate(restore), rate(clone), rate(memcpy_s), bytes.size());
    }
  }
  return 0;
}
