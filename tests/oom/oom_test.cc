// The host running out of memory, at every allocation: this program replaces
// the global operator new with one that fails (std::bad_alloc, or null for
// the nothrow forms) at its k-th call, for k = 1, 2, ... until a whole
// scenario (compile, instantiate, calls that grow stacks and tables, host
// functions, suspend, snapshot, restore, clone, resume) runs without reaching
// the failure. At every k each step must either succeed or fail with an
// ErrorKind::Limit error: never crash, never leak an exception, and the
// objects that exist afterwards must still work (checked with allocation
// failures off). Exit status 0 when every k passed.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "waspvm/waspvm.h"

namespace {

// -1: never fail. Otherwise the allocation that fails is the one that finds 0.
long g_countdown = -1;
bool g_failed = false;  // the injected failure happened

bool should_fail() {
  if (g_countdown < 0) return false;
  if (g_countdown-- == 0) {
    g_failed = true;
    return true;
  }
  return false;
}

void* allocate(std::size_t size) {
  if (should_fail()) throw std::bad_alloc();
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* allocate_aligned(std::size_t size, std::align_val_t align) {
  if (should_fail()) throw std::bad_alloc();
  void* p = nullptr;
  if (posix_memalign(&p, static_cast<std::size_t>(align), size == 0 ? 1 : size) != 0) throw std::bad_alloc();
  return p;
}

}  // namespace

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void* operator new(std::size_t size, std::align_val_t align) { return allocate_aligned(size, align); }
void* operator new[](std::size_t size, std::align_val_t align) { return allocate_aligned(size, align); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  if (should_fail()) return nullptr;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  if (should_fail()) return nullptr;
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

using namespace waspvm;

int g_errors = 0;
std::map<std::string, int> g_limit_errors;  // step -> allocation points that failed it cleanly

void fail(long k, const std::string& what) {
  std::fprintf(stderr, "FAIL at allocation %ld: %s\n", k, what.c_str());
  ++g_errors;
}

// Allocation failures on (countdown k) for the scope's lifetime.
struct Injecting {
  explicit Injecting(long k) { g_countdown = k; }
  ~Injecting() { g_countdown = -1; }
};

// Allocation failures off for the scope's lifetime (the test's own work).
struct Paused {
  long saved = g_countdown;
  Paused() { g_countdown = -1; }
  ~Paused() { g_countdown = saved; }
};

// A step's result: ok, or a Limit error (an injected failure); anything else fails.
template <class T>
bool acceptable(const Result<T>& r, long k, const char* step) {
  if (r.ok()) return true;
  Paused paused;
  if (r.error().kind != ErrorKind::Limit || !g_failed)
    fail(k, std::string(step) + ": " + r.error().message);
  else if (r.error().message.find("out of host memory") == std::string::npos)
    fail(k, std::string(step) + ": a limit error that does not say so: " + r.error().message);
  else
    ++g_limit_errors[step];
  return false;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Checks, with failures off, that an instance that survived still computes.
void check_usable(long k, const Instance& instance) {
  if (instance.suspended()) instance.cancel();
  Result<Outcome> out = instance.call("add", std::vector<Value>{Value::i32(20), Value::i32(22)});
  if (!out.ok() || !out->returned() || out->values()[0].i32() != 42)
    fail(k, "the instance no longer computes add(20, 22)");
  Result<Outcome> deep = instance.call("recurse", std::vector<Value>{Value::i32(3000)});
  if (!deep.ok() || !deep->returned() || deep->values()[0].i32() != 3000)
    fail(k, "the instance no longer recurses 3000 deep");
}

struct Vm {
  Engine engine;
  Linker linker;
  explicit Vm(const Config& config) : engine(config), linker(engine) {
    linker.func("host", "wait", [](Caller& caller, int32_t) -> Result<int32_t> { return caller.yield(); });
    linker.func("host", "charge", [](Caller& caller, int64_t n) -> Result<void> {
      return caller.charge_gas(static_cast<uint64_t>(n));
    });
    linker.func("host", "reenter", [](Caller& caller, int32_t n) -> Result<int32_t> {
      Result<Outcome> inner = caller.instance().call("count", std::vector<Value>{Value::i32(n)});
      if (!inner.ok()) return inner.error();
      if (!inner->returned()) return make_error("inner call did not return");
      return inner->values()[0].i32();
    });
  }
};

// One scenario with the k-th allocation failing. Returns whether the failure
// was reached (false: the scenario ran through, k is past its allocations).
bool run_scenario(long k, const std::vector<uint8_t>& bytes) {
  Config config;
  config.metering = true;
  Vm vm(config);
  g_failed = false;
  std::optional<Module> module;
  std::optional<Instance> instance;
  std::optional<Instance> restored;
  std::optional<Instance> cloned;
  const std::vector<Value> deep_args{Value::i32(5000)}, nested_args{Value::i32(10)},
      grow_args{Value::i32(5000)}, count_args{Value::i32(50)};
  CallOptions options;
  options.gas_limit = 100;
  options.on_out_of_gas = OutOfGas::Suspend;
  {
    Injecting on(k);
    [&] {
      Result<Module> compiled = Module::compile(vm.engine, bytes);
      if (!acceptable(compiled, k, "compile")) return;
      module.emplace(std::move(*compiled));
      Result<Instance> made = vm.linker.instantiate(*module);
      if (!acceptable(made, k, "instantiate")) return;
      instance.emplace(std::move(*made));
      // Stack growth, a host function calling back in, table growth.
      Result<Outcome> deep = instance->call("recurse", deep_args);
      if (!acceptable(deep, k, "recurse")) return;
      Result<Outcome> nested = instance->call("reenter", nested_args);
      if (!acceptable(nested, k, "reenter")) return;
      Result<Outcome> grown = instance->call("table_grow", grow_args);
      if (!acceptable(grown, k, "table_grow")) return;
      // A suspended call: snapshot, restore, clone, resume.
      Result<Outcome> first = instance->call("count", count_args, options);
      if (!acceptable(first, k, "count")) return;
      Result<std::vector<uint8_t>> snap = instance->snapshot();
      if (!acceptable(snap, k, "snapshot")) return;
      Result<Instance> back = vm.linker.restore(*module, *snap);
      if (!acceptable(back, k, "restore")) return;
      restored.emplace(std::move(*back));
      Result<Instance> copy = instance->clone();
      if (!acceptable(copy, k, "clone")) return;
      cloned.emplace(std::move(*copy));
      const Instance* all[] = {&*instance, &*restored, &*cloned};
      for (const Instance* i : all) {
        Result<Outcome> rest = i->resume();
        if (!acceptable(rest, k, "resume")) return;
      }
    }();
  }
  // Whatever exists must still work.
  for (const std::optional<Instance>* i : {&instance, &restored, &cloned})
    if (i->has_value()) check_usable(k, **i);
  if (module && !instance) {
    Result<Instance> made = vm.linker.instantiate(*module);
    if (!made.ok()) fail(k, "the module no longer instantiates: " + made.error().message);
  }
  return g_failed;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: oom_test MODULE.wasm (tests/api/wat/gas.wat compiled)\n");
    return 64;
  }
  const std::vector<uint8_t> bytes = read_file(argv[1]);
  if (bytes.empty()) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  long k = 0;
  while (run_scenario(k, bytes)) ++k;
  std::printf("%ld allocation points, each failed once: %d problems\n", k, g_errors);
  int clean = 0;
  for (const auto& [step, n] : g_limit_errors) {
    std::printf("  %-12s %d clean out-of-memory errors\n", step.c_str(), n);
    clean += n;
  }
  std::printf("  (the other %ld failures were absorbed: a failed table.grow, a trap, or test code)\n",
              k - clean);
  if (k < 100) {
    std::fprintf(stderr, "FAIL: only %ld allocations: the injection does not reach the engine\n", k);
    return 1;
  }
  return g_errors == 0 ? 0 : 1;
}
