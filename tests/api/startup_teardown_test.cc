// Startup and teardown costs (docs/architecture.md), checked by counting
// rather than timing: heap allocations (this file replaces the global
// operator new of api_tests with a counting one) and page faults (the
// kernel's count), both fixed for a given input, so the tests cannot flake
// on a busy machine.
//
// - Compiling a module with 17 MB of data segments makes one allocation of
//   1 MiB or more: the module's own copy of its bytes. Instantiating it makes
//   none: each data segment is copied once, from that copy into memory.
// - Those copies do not fault page by page (they are prefaulted in one call
//   where the kernel has MADV_POPULATE_WRITE).
// - The first call of an instance allocates small stacks (a few KiB), not
//   the 9.5 KiB of fresh heap pages that made dropping a used instance cost
//   several times instantiating it.
#include <gtest/gtest.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "api_test_util.h"
#include "big_module.h"

namespace {

// Counting, on the thread that asked, between start() and stop().
thread_local bool t_counting = false;
thread_local uint64_t t_bytes = 0;
thread_local uint64_t t_large = 0;  // allocations of 1 MiB or more
thread_local uint64_t t_largest = 0;

[[maybe_unused]] void note(size_t n) {
  if (!t_counting) return;
  t_bytes += n;
  if (n >= (size_t{1} << 20)) ++t_large;
  if (n > t_largest) t_largest = n;
}

}  // namespace

// No counting under sanitizers: Clang's static ThreadSanitizer runtime
// defines operator new itself (a second definition does not link), and under
// AddressSanitizer the forms not replaced here (nothrow, aligned: std::
// stable_sort's buffer) would pair its operator new with this delete.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define WASP_COUNTING_NEW 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define WASP_COUNTING_NEW 0
#endif
#endif
#ifndef WASP_COUNTING_NEW
#define WASP_COUNTING_NEW 1
#endif

#if WASP_COUNTING_NEW
// (GCC 12 sees std::free of what it takes for operator new's memory and
// warns, not knowing that this operator new is malloc.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(size_t n) {
  note(n);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
#endif

namespace waspvm {
namespace {

struct HeapCount {
  uint64_t bytes = 0, large = 0, largest = 0;
};

template <class F>
HeapCount count_heap(F&& f) {
  t_bytes = t_large = t_largest = 0;
  t_counting = true;
  f();
  t_counting = false;
  return {t_bytes, t_large, t_largest};
}

// Page faults taken by this thread, counted by the kernel's software event
// (perf_event_open), which counts a fault where the CPU took one, not the
// pages MADV_POPULATE_WRITE fills in (getrusage counts both). -1 if the
// kernel does not let us count.
class FaultCounter {
 public:
  FaultCounter() {
    perf_event_attr attr{};
    attr.type = PERF_TYPE_SOFTWARE;
    attr.size = sizeof attr;
    attr.config = PERF_COUNT_SW_PAGE_FAULTS;
    attr.exclude_hv = 1;
    fd_ = static_cast<int>(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
  }
  ~FaultCounter() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  uint64_t read_count() const {
    uint64_t n = 0;
    if (fd_ < 0 || read(fd_, &n, sizeof n) != sizeof n) return 0;
    return n;
  }

 private:
  int fd_ = -1;
};

// Whether this kernel prefaults with one call (Linux 5.14 and later).
bool kernel_prefaults() {
#ifdef MADV_POPULATE_WRITE
  void* p = mmap(nullptr, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  bool ok = madvise(p, 1 << 16, MADV_POPULATE_WRITE) == 0;
  munmap(p, 1 << 16);
  return ok;
#else
  return false;
#endif
}

const big_module::Shape kShape{17u << 20, 4, 2000};

TEST(Startup, SeventeenMegabytesOfDataAreCopiedOnceEachWay) {
  if (!WASP_COUNTING_NEW) GTEST_SKIP() << "no counting operator new under sanitizers";
  const std::vector<uint8_t> bytes = big_module::make(kShape);
  Engine engine;
  std::optional<Module> module;
  HeapCount compile = count_heap([&] { module.emplace(Module::compile(engine, bytes).value()); });
  // One copy of the module; everything else (2001 functions of code) is small.
  EXPECT_EQ(compile.large, 1u);
  EXPECT_EQ(compile.largest, bytes.size());
  EXPECT_LT(compile.bytes, bytes.size() + (8u << 20)) << "more than one copy of the module's bytes";

  Linker linker(engine);
  std::optional<Instance> instance;
  HeapCount inst = count_heap([&] { instance.emplace(linker.instantiate(*module).value()); });
  EXPECT_EQ(inst.large, 0u) << "a data segment went through the heap";
  EXPECT_LT(inst.bytes, 1u << 20);

  // The data arrived, all of it.
  Memory memory = instance->memory("memory").value();
  ASSERT_EQ(memory.pages(), big_module::memory_pages(kShape));
  const uint8_t* data = memory.data();
  uint64_t wrong = 0;
  for (uint64_t a = big_module::kDataBase; a < big_module::kDataBase + kShape.data_bytes; ++a)
    wrong += data[a] != big_module::data_byte(a);
  EXPECT_EQ(wrong, 0u);
  EXPECT_EQ(data[big_module::kDataBase - 1], 0);
  EXPECT_EQ(data[big_module::kDataBase + kShape.data_bytes], 0);
  // And the code runs: sum of the bytes at [1024, 1100).
  uint32_t expected = 0;
  for (uint64_t a = 1024; a < 1100; ++a) expected += big_module::data_byte(a);
  auto sum = api_test::call_values(*instance, "sum", {Value::i32(1024), Value::i32(1100)});
  ASSERT_TRUE(sum.ok()) << sum.error().message;
  EXPECT_EQ(static_cast<uint32_t>(sum->at(0).i32()), expected);
}

TEST(Startup, LargeCopiesAreNotFaultedInPageByPage) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || !WASP_COUNTING_NEW
  GTEST_SKIP() << "sanitizers fault their shadow memory in page by page";
#endif
  if (!kernel_prefaults()) GTEST_SKIP() << "no MADV_POPULATE_WRITE here";
  const std::vector<uint8_t> bytes = big_module::make(kShape);
  Engine engine;
  // The module's copy (17.9 MB) and the memory's data (17 MB) are 8,500
  // pages of 4 KiB; faulted one by one, each would count.
  FaultCounter faults;
  if (!faults.ok()) GTEST_SKIP() << "perf_event_open refused: cannot count page faults";
  uint64_t before = faults.read_count();
  Module module = Module::compile(engine, bytes).value();
  uint64_t compile_faults = faults.read_count() - before;
  Linker linker(engine);
  before = faults.read_count();
  Instance instance = linker.instantiate(module).value();
  uint64_t instantiate_faults = faults.read_count() - before;
  EXPECT_LT(compile_faults, 1000u) << "the module's copy of its bytes faults page by page";
  EXPECT_LT(instantiate_faults, 500u) << "the data segments' copy into memory faults page by page";
}

TEST(Teardown, FirstCallAllocatesSmallStacks) {
  if (!WASP_COUNTING_NEW) GTEST_SKIP() << "no counting operator new under sanitizers";
  Engine engine;
  // (module (memory 1) (func (export "run") (result i32) (i32.const 42)))
  const std::vector<uint8_t> wasm = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01,
                                     0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01,
                                     0x00, 0x01, 0x07, 0x07, 0x01, 0x03, 'r',  'u',  'n',  0x00, 0x00,
                                     0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b};
  Module module = Module::compile(engine, wasm).value();
  Linker linker(engine);
  Instance instance = linker.instantiate(module).value();
  Result<Outcome> out = Outcome::returned({});
  HeapCount first = count_heap([&] { out = instance.call("run", {}); });
  ASSERT_TRUE(out.ok() && out->returned());
  EXPECT_EQ(out->values().at(0).i32(), 42);
  // The stacks (16 frames and 128 slots: 1.4 KiB) and the call's bookkeeping.
  EXPECT_LT(first.bytes, 4096u) << "the first call's stacks are large again";
  // A second call allocates less: the instance keeps its stacks.
  HeapCount again = count_heap([&] { out = instance.call("run", {}); });
  EXPECT_LT(again.bytes, first.bytes);
}

}  // namespace
}  // namespace waspvm
