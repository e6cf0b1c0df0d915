// Measures how fast modules compile (decode + validate + translate to internal
// code): for each file, the best of --runs compiles, and the rate in MiB of
// module bytes per second; and the startup, compile plus instantiation (with
// the WASI functions, stdio discarded). Wall time, so meant for a quiet machine; run it
// side by side with the previous build to compare.
//
//   waspvm_compile_bench [--runs N] FILE.wasm...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "waspvm/wasi.h"
#include "waspvm/waspvm.h"

namespace {

bool read_file(const std::string& path, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 20;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: waspvm_compile_bench [--runs N] FILE.wasm...\n");
    return 64;
  }
  waspvm::Engine engine;
  std::printf("%-40s %10s %12s %10s %14s\n", "module", "bytes", "compile", "MiB/s", "+ instantiate");
  for (const std::string& path : files) {
    std::vector<uint8_t> bytes;
    if (!read_file(path, bytes)) {
      std::fprintf(stderr, "error: cannot read %s\n", path.c_str());
      return 1;
    }
    double best = 1e30;
    for (int run = 0; run < runs; ++run) {
      auto start = std::chrono::steady_clock::now();
      waspvm::Result<waspvm::Module> module = waspvm::Module::compile(engine, bytes);
      auto end = std::chrono::steady_clock::now();
      if (!module.ok()) {
        std::fprintf(stderr, "error: %s: %s\n", path.c_str(), module.error().message.c_str());
        return 2;
      }
      best = std::min(best, std::chrono::duration<double>(end - start).count());
    }
    double best_startup = 1e30;
    for (int run = 0; run < runs; ++run) {
      auto start = std::chrono::steady_clock::now();
      waspvm::Result<waspvm::Module> module = waspvm::Module::compile(engine, bytes);
      waspvm::Linker linker(engine);
      waspvm::wasi::WasiConfig wasi;
      wasi.inherit_stdio = false;
      waspvm::wasi::add_to_linker(linker, std::move(wasi));
      waspvm::Result<waspvm::Instance> instance = linker.instantiate(*module);
      auto end = std::chrono::steady_clock::now();
      if (!instance.ok()) {
        std::fprintf(stderr, "error: %s: %s\n", path.c_str(), instance.error().message.c_str());
        return 2;
      }
      best_startup = std::min(best_startup, std::chrono::duration<double>(end - start).count());
    }
    double mib_per_s = static_cast<double>(bytes.size()) / (1024.0 * 1024.0) / best;
    std::printf("%-40s %10zu %9.3f ms %10.1f %11.3f ms\n", path.c_str(), bytes.size(), best * 1e3, mib_per_s,
                best_startup * 1e3);
  }
  return 0;
}
