// Startup and teardown costs (docs/architecture.md, "Startup and teardown
// costs"). Each figure is the best of --runs in CPU time of this thread
// (user and kernel: page faults and mmap count), which other work on the
// machine disturbs less than wall time.
//
//   waspvm_lifecycle_bench lifecycle [FILE.wasm] [--instances N] [--runs N]
//     N instances of a one-page module (or of FILE, whose export "run" takes
//     nothing and returns the i32 42): instantiate each, call it once, drop
//     them all; the time per instance of each step (and of dropping unused
//     instances, which never made a stack).
//   waspvm_lifecycle_bench startup [FILE.wasm] [--data-mb N] [--funcs N] [--runs N] [--write FILE]
//     read, compile and instantiate (with WASI linked) FILE, or the generated
//     module of tests/api/big_module.h (N MB of data segments, N functions),
//     beside a memcpy of as many bytes into fresh pages; --write saves the
//     generated module (for `waspvm run --invoke none FILE` and node).
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../../tests/api/big_module.h"
#include "waspvm/wasi.h"
#include "waspvm/waspvm.h"

namespace {

using namespace waspvm;
// CPU time of this thread (user + system).
struct Clock {
  using time_point = double;
  static double now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
};

double seconds_since(double start) { return Clock::now() - start; }

double best_seconds(int runs, const std::function<void()>& f) {
  double best = 1e30;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    f();
    best = std::min(best, seconds_since(start));
  }
  return best;
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "lifecycle_bench: %s\n", what.c_str());
  std::exit(1);
}

template <class T>
T check(Result<T> r, const char* what) {
  if (!r.ok()) fail(std::string(what) + ": " + r.error().message);
  return std::move(r.value());
}

// (module (memory 1)
//   (func (export "run") (result i32)
//     (i32.store (i32.const 0) (i32.const 42)) (i32.load (i32.const 0))))
std::vector<uint8_t> one_page_module() {
  return {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,        // header
          0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,              // type () -> i32
          0x03, 0x02, 0x01, 0x00,                                // func
          0x05, 0x03, 0x01, 0x00, 0x01,                          // memory 1
          0x07, 0x07, 0x01, 0x03, 'r',  'u',  'n',  0x00, 0x00,  // export "run"
          0x0a, 0x10, 0x01, 0x0e, 0x00, 0x41, 0x00, 0x41, 0x2a,  // code
          0x36, 0x02, 0x00, 0x41, 0x00, 0x28, 0x02, 0x00, 0x0b};
}

std::vector<uint8_t> read_whole(const std::string& path);

int lifecycle(const std::optional<std::string>& file, int instances, int runs) {
  Engine engine;
  Module module = check(Module::compile(engine, file ? read_whole(*file) : one_page_module()), "compile");
  Linker linker(engine);
  double inst_best = 1e30, call_best = 1e30, drop_best = 1e30, drop_unused_best = 1e30;
  for (int r = 0; r < runs; ++r) {
    std::vector<Instance> all;
    all.reserve(instances);
    auto start = Clock::now();
    for (int i = 0; i < instances; ++i) all.push_back(check(linker.instantiate(module), "instantiate"));
    inst_best = std::min(inst_best, seconds_since(start));
    start = Clock::now();
    for (Instance& inst : all) {
      auto out = check(inst.call("run", {}), "call");
      if (!out.returned() || out.values().at(0).i32() != 42) fail("run did not return 42");
    }
    call_best = std::min(call_best, seconds_since(start));
    start = Clock::now();
    all.clear();
    drop_best = std::min(drop_best, seconds_since(start));

    for (int i = 0; i < instances; ++i) all.push_back(check(linker.instantiate(module), "instantiate"));
    start = Clock::now();
    all.clear();
    drop_unused_best = std::min(drop_unused_best, seconds_since(start));
  }
  const double us = 1e6 / instances;
  std::printf("%d instances of %s, best of %d runs, per instance (CPU time):\n", instances,
              file ? file->c_str() : "a one-page module", runs);
  std::printf("  instantiate        %8.2f us\n", inst_best * us);
  std::printf("  first call         %8.2f us\n", call_best * us);
  std::printf("  drop (used)        %8.2f us\n", drop_best * us);
  std::printf("  drop (never called)%8.2f us\n", drop_unused_best * us);
  return 0;
}

std::vector<uint8_t> read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail("cannot read " + path);
  std::vector<uint8_t> bytes(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!in) fail("cannot read " + path);
  return bytes;
}

int startup(const std::optional<std::string>& file, const big_module::Shape& shape, int runs,
            const std::optional<std::string>& write) {
  std::vector<uint8_t> bytes;
  if (file) {
    bytes = read_whole(*file);
  } else {
    bytes = big_module::make(shape);
    if (write) {
      std::ofstream out(*write, std::ios::binary);
      out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      if (!out) fail("cannot write " + *write);
    }
  }
  const size_t n = bytes.size();

  // The floor: one memcpy of the whole module into fresh pages.
  double copy = best_seconds(runs, [&] {
    void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) fail("mmap");
    std::memcpy(p, bytes.data(), n);
    munmap(p, n);
  });
  // Reading the file (from the page cache) with one read(2) into a buffer of its size.
  double read_time = 0;
  if (file) {
    read_time = best_seconds(runs, [&] {
      int fd = open(file->c_str(), O_RDONLY);
      std::unique_ptr<uint8_t[]> buf(new uint8_t[n]);
      size_t got = 0;
      while (got < n) {
        ssize_t k = read(fd, buf.get() + got, n - got);
        if (k <= 0) fail("read");
        got += static_cast<size_t>(k);
      }
      close(fd);
    });
  }

  Engine engine;
  double compile_time = 1e30, inst_time = 1e30, drop_time = 1e30, drop_module_time = 1e30;
  for (int r = 0; r < runs; ++r) {
    auto start = Clock::now();
    std::optional<Module> module = check(Module::compile(engine, bytes), "compile");
    compile_time = std::min(compile_time, seconds_since(start));
    Linker linker(engine);
    wasi::add_to_linker(linker, {});
    start = Clock::now();
    std::optional<Instance> instance = check(linker.instantiate(*module), "instantiate");
    inst_time = std::min(inst_time, seconds_since(start));
    start = Clock::now();
    instance.reset();
    drop_time = std::min(drop_time, seconds_since(start));
    start = Clock::now();
    module.reset();
    drop_module_time = std::min(drop_module_time, seconds_since(start));
  }
  const double ms = 1e3;
  std::printf("%s: %.1f MB, best of %d runs:\n", file ? file->c_str() : "generated module", n / 1e6, runs);
  std::printf("  memcpy of the module  %8.2f ms\n", copy * ms);
  if (file) std::printf("  read(2) of the file   %8.2f ms\n", read_time * ms);
  std::printf("  compile               %8.2f ms\n", compile_time * ms);
  std::printf("  instantiate (WASI)    %8.2f ms\n", inst_time * ms);
  std::printf("  drop instance         %8.2f ms\n", drop_time * ms);
  std::printf("  drop module           %8.2f ms\n", drop_module_time * ms);
  return 0;
}

int usage() {
  std::fprintf(stderr,
               "usage: waspvm_lifecycle_bench lifecycle [--instances N] [--runs N]\n"
               "       waspvm_lifecycle_bench startup [FILE.wasm] [--data-mb N] [--funcs N] [--runs N] "
               "[--write FILE]\n");
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string mode = argv[1];
  int instances = 10000, runs = 5;
  big_module::Shape shape;
  std::optional<std::string> file, write;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) std::exit(usage());
      return argv[++i];
    };
    if (arg == "--instances") {
      instances = std::atoi(value().c_str());
    } else if (arg == "--runs") {
      runs = std::atoi(value().c_str());
    } else if (arg == "--data-mb") {
      shape.data_bytes = static_cast<uint64_t>(std::atof(value().c_str()) * (1 << 20));
    } else if (arg == "--funcs") {
      shape.funcs = static_cast<uint32_t>(std::atoi(value().c_str()));
    } else if (arg == "--write") {
      write = value();
    } else if (arg.starts_with("--")) {
      return usage();
    } else {
      file = arg;
    }
  }
  if (instances < 1 || runs < 1) return usage();
  if (mode == "lifecycle") return lifecycle(file, instances, runs);
  if (mode == "startup") return startup(file, shape, runs, write);
  return usage();
}
