// Multi-threaded stress test: many instances of one module running on
// several threads at once (calls in gas slices, suspended and resumed, host
// yields, host re-entry), concurrent instantiation from one shared linker
// with shared host functions, interrupts from another thread, clones and
// snapshots taken and resumed on other threads while other instances of the
// module run, instances handed from thread to thread while interrupted, a
// library instance whose function instances on several threads call at
// once, and WASI programs on several threads.
//
// Every call's result and gas must equal a single-threaded reference: the
// same calls on a fresh instance, run to the end in one go before any thread
// starts. Worker threads collect their failures (Failures) and the test
// thread reports them. Under ThreadSanitizer (scripts/tsan.sh) any data race
// fails the test too.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <iterator>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "waspvm/wasi.h"
#include "waspvm/waspvm.h"

#if !defined(WASP_STRESS_WASM_DIR) || !defined(WASP_HELLO_WASM)
#error "WASP_STRESS_WASM_DIR must name the compiled modules' directory, WASP_HELLO_WASM hello.wasm"
#endif

namespace waspvm::stress_test {
namespace {

using Clock = std::chrono::steady_clock;

// No scenario may wait longer than this for something another thread does.
constexpr auto kDeadline = std::chrono::seconds(100);

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return {};
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<uint8_t> read_wasm(std::string_view name) {
  return read_file(std::string(WASP_STRESS_WASM_DIR) + "/" + std::string(name) + ".wasm");
}

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15u;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
  return x ^ (x >> 31);
}

// What the embedder answers to the j-th host yield of a call.
uint32_t yield_answer(uint32_t j) { return j * 2654435761u ^ 0x5bd1e995u; }

// Failures seen on worker threads, reported by the test thread.
class Failures {
 public:
  void add(std::string what) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (list_.size() < 20) list_.push_back(std::move(what));
    ++count_;
  }
  void expect_none() {
    std::lock_guard<std::mutex> lock(mutex_);
    EXPECT_EQ(count_, 0u) << "failures on worker threads";
    for (const std::string& f : list_) ADD_FAILURE() << f;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> list_;
  size_t count_ = 0;
};

// ---------------------------------------------------------------- calls

struct Call {
  enum Kind { Work, Yields, Nested } kind = Work;
  int64_t x = 0;
  int32_t n = 0;
};

const char* export_of(Call::Kind kind) {
  switch (kind) {
    case Call::Work: return "work";
    case Call::Yields: return "yields";
    case Call::Nested: return "nested";
  }
  return "?";
}

std::vector<Value> args_of(const Call& c) {
  if (c.kind == Call::Yields) return {Value::i32(c.n)};
  return {Value::i64(c.x), Value::i32(c.n)};
}

// The calls of host function mix that a call makes (stress.wat's work: at
// steps 0, 64, 128, ...).
uint64_t mix_calls_of(const Call& c) {
  return c.kind == Call::Yields ? 0 : (static_cast<uint64_t>(c.n) + 63) / 64;
}

std::string describe(const Call& c) {
  return std::string(export_of(c.kind)) + "(" + std::to_string(c.x) + ", " + std::to_string(c.n) + ")";
}

// A finished call: its result's bits and the gas of the whole call.
struct Done {
  uint64_t value = 0;
  uint64_t gas = 0;
  bool operator==(const Done&) const = default;
};

std::string describe(const Done& d) {
  return "value " + std::to_string(d.value) + ", gas " + std::to_string(d.gas);
}

// A call in progress on an instance, made and continued one slice at a time.
struct Pending {
  explicit Pending(Call c) : call(c) {}
  Call call;
  std::optional<Outcome> last;  // the latest outcome (none before the call is made)
  uint32_t yields = 0;          // host yields answered so far
  uint32_t stops = 0;           // suspensions, of any reason
  uint32_t interrupts = 0;      // suspensions by InterruptHandle::interrupt
};

// Makes the call or continues it, with `gas` more budget (none: the
// instance's default, unlimited). True when the call has returned.
Result<bool> step(const Instance& instance, Pending& run, std::optional<uint64_t> gas) {
  Result<Outcome> out = [&]() -> Result<Outcome> {
    if (!run.last) {
      CallOptions options;
      options.gas_limit = gas;
      options.on_out_of_gas = OutOfGas::Suspend;
      return instance.call(export_of(run.call.kind), args_of(run.call), options);
    }
    ResumeOptions options;
    options.gas_limit = gas;
    if (run.last->suspend_reason() != SuspendReason::HostYield) return instance.resume(options);
    Value answer = Value::i32(static_cast<int32_t>(yield_answer(run.yields++)));
    return instance.resume(options, std::span<const Value>(&answer, 1));
  }();
  if (!out.ok()) return make_error(describe(run.call) + ": " + out.error().message);
  run.last = std::move(out.value());
  if (run.last->trapped()) return make_error(describe(run.call) + " trapped: " + run.last->trap().message);
  if (run.last->returned()) return true;
  ++run.stops;
  if (run.last->suspend_reason() == SuspendReason::Interrupted) ++run.interrupts;
  return false;
}

Done done_of(const Pending& run) { return Done{run.last->values().at(0).bits(), run.last->total_gas_used()}; }

// Gas slices: none (one unlimited slice), or random sizes up to `max`,
// sometimes tiny.
struct Slicer {
  uint64_t max = 0;
  std::mt19937_64 rng{1};
  std::optional<uint64_t> next() {
    if (max == 0) return std::nullopt;
    if (rng() % 8 == 0) return 1 + rng() % 16;
    return 1 + rng() % max;
  }
};

// Runs the call to its end; a nested call (Call::Nested) always gets an
// unlimited slice, since running out of gas inside a host function traps.
Result<Done> finish(const Instance& instance, Pending& run, Slicer& slicer) {
  for (;;) {
    std::optional<uint64_t> gas = run.call.kind == Call::Nested ? std::nullopt : slicer.next();
    Result<bool> finished = step(instance, run, gas);
    if (!finished.ok()) return finished.error();
    if (*finished) return done_of(run);
  }
}

std::vector<Call> make_job(uint64_t seed, size_t calls, int32_t max_n, bool yields, bool nested) {
  std::mt19937_64 rng(seed);
  std::vector<Call> job;
  for (size_t i = 0; i < calls; ++i) {
    Call c;
    c.x = static_cast<int64_t>(rng());
    const uint64_t r = rng() % 8;
    if (yields && r == 0) {
      c.kind = Call::Yields;
      c.n = static_cast<int32_t>(1 + rng() % 20);
    } else {
      c.kind = nested && r == 1 ? Call::Nested : Call::Work;
      c.n = static_cast<int32_t>(max_n / 2 +
                                 static_cast<int32_t>(rng() % static_cast<uint64_t>(max_n / 2 + 1)));
    }
    job.push_back(c);
  }
  return job;
}

// ---------------------------------------------------------------- the environment

// An engine, the modules compiled with it, and one linker with the host
// functions and the library instance, shared by every thread.
class Env {
 public:
  explicit Env(Config config) : engine_(config), linker_(engine_) {
    mix_.emplace(make_func(engine_, [this](int64_t x) -> int64_t {
      mix_calls_.fetch_add(1, std::memory_order_relaxed);
      return static_cast<int64_t>(splitmix(static_cast<uint64_t>(x)));
    }));
    linker_.define("host", "mix", Extern::of(*mix_));
    // Reads and bumps a word of the caller's memory through the Memory API.
    // (It charges no gas: a host function that cannot pay traps the call, even
    // one that would suspend, so gas slices would make calls trap.)
    linker_.func("host", "touch", [](Caller& caller, int32_t addr) -> Result<int32_t> {
      std::optional<Memory> memory = caller.memory("memory");
      if (!memory) return make_error("touch: no memory");
      const uint64_t offset = 8192 + static_cast<uint64_t>(addr);
      Result<std::vector<uint8_t>> bytes = memory->read(offset, 4);
      if (!bytes.ok()) return bytes.error();
      uint32_t word;
      std::memcpy(&word, bytes->data(), 4);
      word = word * 3 + 1;
      uint8_t out[4];
      std::memcpy(out, &word, 4);
      WASP_TRY(memory->write(offset, out));
      return static_cast<int32_t>(word);
    });
    linker_.func("host", "yield", [](Caller& caller, int32_t) -> Result<int32_t> { return caller.yield(); });
    linker_.func("host", "reenter", [](Caller& caller, int64_t x, int32_t n) -> Result<int64_t> {
      Result<Outcome> inner =
          caller.instance().call("work", std::vector<Value>{Value::i64(x), Value::i32(n)});
      if (!inner.ok()) return inner.error();
      if (!inner->returned()) return make_error("reenter: the nested call did not return");
      return inner->values().at(0).i64();
    });
    // Per-instance host state: a number unique to each instance.
    linker_.add_instance_state("id", [this] {
      return std::make_shared<uint64_t>(next_id_.fetch_add(1, std::memory_order_relaxed));
    });
    stress_ = compile("stress");
    user_ = compile("user");
    std::optional<Module> lib = compile("lib");
    if (lib) {
      Result<Instance> lib_instance = Linker(engine_).instantiate(*lib);
      EXPECT_TRUE(lib_instance.ok()) << lib_instance.error().message;
      if (lib_instance.ok()) {
        linker_.define_instance("lib", *lib_instance);
        lib_ = std::move(lib_instance.value());
      }
    }
  }

  std::optional<Module> compile(std::string_view name) {
    Result<Module> module = Module::compile(engine_, read_wasm(name));
    EXPECT_TRUE(module.ok()) << name << ": " << module.error().message;
    if (!module.ok()) return std::nullopt;
    return std::move(module.value());
  }

  // Each call of `job`, run to its end in one go on a fresh instance.
  std::vector<Done> reference(const Module& module, const std::vector<Call>& job) {
    std::vector<Done> out;
    Result<Instance> instance = linker_.instantiate(module);
    EXPECT_TRUE(instance.ok()) << instance.error().message;
    if (!instance.ok()) return out;
    Slicer unlimited;
    for (const Call& c : job) {
      Pending run{c};
      Result<Done> done = finish(*instance, run, unlimited);
      EXPECT_TRUE(done.ok()) << done.error().message;
      out.push_back(done.ok() ? *done : Done{});
    }
    return out;
  }

  const Engine& engine() const { return engine_; }
  const Linker& linker() const { return linker_; }
  const Module& stress() const { return *stress_; }
  const Module& user() const { return *user_; }
  std::atomic<uint64_t>& mix_calls() { return mix_calls_; }
  const Func& mix() const { return *mix_; }
  const Instance& lib() const { return *lib_; }

 private:
  Engine engine_;
  Linker linker_;
  std::atomic<uint64_t> mix_calls_{0};
  std::atomic<uint64_t> next_id_{0};
  std::optional<Module> stress_, user_;
  std::optional<Func> mix_;  // the host function mix, also called directly
  std::optional<Instance> lib_;
};

Config metered() {
  Config config;
  config.metering = true;
  return config;
}

// Checks a finished call against its reference.
void check(Failures& failures, const std::string& where, const Call& call, const Result<Done>& got,
           const Done& want) {
  if (!got.ok()) {
    failures.add(where + ": " + got.error().message);
  } else if (!(*got == want)) {
    failures.add(where + ": " + describe(call) + " gave " + describe(*got) + ", the reference " +
                 describe(want));
  }
}

class Stress : public ::testing::Test {
 protected:
  Stress() : env_(metered()) {}
  Env env_;
  Failures failures_;
};

// A work queue for handing things from thread to thread; pop waits until
// there is an item or close() was called (then it returns nothing).
template <class T>
class Queue {
 public:
  void push(T item) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      items_.push_back(std::move(item));
    }
    ready_.notify_one();
  }
  std::optional<T> pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }
  void close() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<T> items_;
  bool closed_ = false;
};

// ---------------------------------------------------------------- scenarios

// Several threads, each with instances of its own, running their calls
// interleaved in gas slices (so that several are suspended at once), with
// host yields and calls nested in a host function; every thread uses the
// same host functions, and also calls one of them directly (Func::call).
TEST_F(Stress, ManyInstancesOnSeveralThreads) {
  constexpr int kThreads = 4, kInstances = 3;
  constexpr size_t kCalls = 40;
  constexpr int kDirectCalls = 200;  // of mix, per thread
  std::vector<std::vector<Call>> jobs;
  std::vector<std::vector<Done>> refs;
  uint64_t expected_mix_calls = 0;
  for (int i = 0; i < kThreads * kInstances; ++i) {
    jobs.push_back(make_job(100 + i, kCalls, 12000, true, true));
    refs.push_back(env_.reference(env_.stress(), jobs.back()));
    for (const Call& c : jobs.back()) expected_mix_calls += mix_calls_of(c);
  }
  expected_mix_calls += kThreads * kDirectCalls;
  env_.mix_calls().store(0);
  std::atomic<size_t> finished_calls{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      struct Mine {
        std::optional<Instance> instance;
        size_t job;
        size_t next = 0;  // the index of the call in `run`
        Pending run;
      };
      std::vector<Mine> mine;
      for (int i = 0; i < kInstances; ++i) {
        Result<Instance> instance = env_.linker().instantiate(env_.stress());
        if (!instance.ok()) return failures_.add("instantiate: " + instance.error().message);
        const size_t job = static_cast<size_t>(t * kInstances + i);
        mine.push_back(Mine{std::move(instance.value()), job, 0, Pending{jobs[job][0]}});
      }
      Slicer slicer{4000, std::mt19937_64(t)};
      int direct_calls = 0;
      // One slice of each unfinished instance in turn, and a direct call of mix.
      for (bool busy = true; busy;) {
        busy = direct_calls < kDirectCalls;
        // Ten direct calls of mix per round.
        for (int k = 0; k < 10 && direct_calls < kDirectCalls; ++k, ++direct_calls) {
          const uint64_t x = slicer.rng();
          Result<Outcome> out = env_.mix().call(std::vector<Value>{Value::i64(static_cast<int64_t>(x))});
          if (!out.ok() || !out->returned() || out->values().at(0).bits() != splitmix(x))
            failures_.add("thread " + std::to_string(t) + ": a direct call of mix went wrong");
        }
        for (Mine& m : mine) {
          if (m.next == kCalls) continue;
          busy = true;
          std::optional<uint64_t> gas = m.run.call.kind == Call::Nested ? std::nullopt : slicer.next();
          Result<bool> stepped = step(*m.instance, m.run, gas);
          if (!stepped.ok()) {
            failures_.add("thread " + std::to_string(t) + ": " + stepped.error().message);
            m.next = kCalls;
            continue;
          }
          if (!*stepped) continue;
          check(failures_, "thread " + std::to_string(t) + " job " + std::to_string(m.job), m.run.call,
                done_of(m.run), refs[m.job][m.next]);
          finished_calls.fetch_add(1);
          if (++m.next < kCalls) m.run = Pending{jobs[m.job][m.next]};
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  failures_.expect_none();
  EXPECT_EQ(finished_calls.load(), kThreads * kInstances * kCalls);
  // The shared host function ran exactly as often as the calls asked.
  EXPECT_EQ(env_.mix_calls().load(), expected_mix_calls);
}

// Threads instantiating the same modules from one linker at the same time
// (start functions, data and element segments, per-instance host state),
// some also compiling the module again, each instance checked and called.
TEST_F(Stress, ConcurrentInstantiateFromOneLinker) {
  constexpr int kThreads = 4, kPerThread = 100;
  const Call work{Call::Work, 12345, 3000};
  const Done ref = env_.reference(env_.stress(), {work}).at(0);
  const Done user_ref = env_.reference(env_.user(), {work}).at(0);
  // stress.wat's start function: the seed is the xor of the data segment's two words.
  uint64_t words[2];
  std::memcpy(words, "waspvm stress!!!", 16);
  const uint64_t seed = words[0] ^ words[1];
  const std::vector<uint8_t> bytes = read_wasm("stress");

  std::mutex ids_mutex;
  std::set<uint64_t> ids;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string me = "thread " + std::to_string(t);
      start.arrive_and_wait();
      std::optional<Module> own;  // compiled on this thread
      if (t % 2 == 1) {
        Result<Module> m = Module::compile(env_.engine(), bytes);
        if (!m.ok()) return failures_.add(me + ": compile: " + m.error().message);
        own = std::move(m.value());
      }
      std::vector<Instance> keep;  // alive until the end, so that ids stay unique
      for (int i = 0; i < kPerThread; ++i) {
        const bool user = i % 3 == 2;
        const Module& module = user ? env_.user() : own && i % 2 == 1 ? *own : env_.stress();
        Result<Instance> instance = env_.linker().instantiate(module);
        if (!instance.ok()) return failures_.add(me + ": instantiate: " + instance.error().message);
        auto* id = static_cast<uint64_t*>(instance->state("id"));
        if (id == nullptr) return failures_.add(me + ": no host state");
        {
          std::lock_guard<std::mutex> lock(ids_mutex);
          if (!ids.insert(*id).second)
            failures_.add(me + ": host state id " + std::to_string(*id) + " twice");
        }
        if (!user) {
          Value got_seed = instance->global("seed")->get();
          if (got_seed.bits() != seed) failures_.add(me + ": the start function's seed is wrong");
          Result<std::vector<uint8_t>> data = instance->memory("memory")->read(4096, 16);
          if (!data.ok() || std::memcmp(data->data(), "waspvm stress!!!", 16) != 0)
            failures_.add(me + ": the data segment is wrong");
        }
        Pending run{work};
        Slicer slicer{i % 2 == 0 ? 0u : 3000u, std::mt19937_64(t * 100 + i)};
        check(failures_, me, work, finish(*instance, run, slicer), user ? user_ref : ref);
        keep.push_back(std::move(instance.value()));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  failures_.expect_none();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
}

// Instances running on worker threads interrupted again and again from
// another thread: every call still gives the reference result and gas,
// and an endless loop stops only by interrupt, on a metered and an
// unmetered engine.
TEST_F(Stress, InterruptsFromAnotherThread) {
  Env unmetered{Config{}};
  constexpr int kWorkers = 3;  // workers 0 and 1: work calls; 2: spin
  constexpr uint32_t kInterruptsWanted = 40;
  constexpr int kSpins = 20;
  std::vector<std::vector<Call>> jobs;
  std::vector<std::vector<Done>> refs;
  for (int w = 0; w < 2; ++w) {
    jobs.push_back(make_job(200 + w, 6, 80000, w == 1, false));
    refs.push_back(env_.reference(env_.stress(), jobs.back()));
  }

  // The handles of the instances running now, for the interrupter.
  std::mutex handles_mutex;
  std::vector<std::optional<InterruptHandle>> handles(kWorkers);
  auto publish = [&](int slot, const Instance& instance) {
    std::lock_guard<std::mutex> lock(handles_mutex);
    handles[static_cast<size_t>(slot)] = instance.interrupt_handle();
  };
  std::atomic<int> running{kWorkers};
  std::atomic<uint64_t> interrupt_calls{0};
  std::thread interrupter([&] {
    std::mt19937_64 rng(7);
    while (running.load() > 0) {
      std::vector<InterruptHandle> now;
      {
        std::lock_guard<std::mutex> lock(handles_mutex);
        for (const auto& h : handles)
          if (h) now.push_back(*h);
      }
      for (const InterruptHandle& h : now) {
        h.interrupt();
        interrupt_calls.fetch_add(1);
        if (rng() % 16 == 0) (void)h.pending();
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200 + rng() % 300));
    }
  });

  std::vector<std::thread> workers;
  const auto deadline = Clock::now() + kDeadline;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&, w] {
      const std::string me = "worker " + std::to_string(w);
      uint32_t interrupts = 0;
      // The job again, on a fresh instance each time, until interrupts stopped
      // it several times.
      for (int round = 0; interrupts < kInterruptsWanted; ++round) {
        if (Clock::now() > deadline) {
          failures_.add(me + ": only " + std::to_string(interrupts) + " interrupts before the deadline");
          break;
        }
        Result<Instance> instance = env_.linker().instantiate(env_.stress());
        if (!instance.ok()) {
          failures_.add(me + ": " + instance.error().message);
          break;
        }
        publish(w, *instance);
        // Worker 1 also runs out of gas, in slices.
        Slicer slicer{w == 1 ? 20000u : 0u, std::mt19937_64(round)};
        for (size_t i = 0; i < jobs[w].size(); ++i) {
          Pending run{jobs[w][i]};
          check(failures_, me + " round " + std::to_string(round), run.call, finish(*instance, run, slicer),
                refs[w][i]);
          interrupts += run.interrupts;
        }
      }
      running.fetch_sub(1);
    });
  }
  // An endless loop, on both engines: each call ends only by interrupt.
  workers.emplace_back([&] {
    for (Env* env : {&env_, &unmetered}) {
      const std::string me = env == &env_ ? "spin (metered)" : "spin (unmetered)";
      Result<Instance> instance = env->linker().instantiate(env->stress());
      if (!instance.ok()) {
        failures_.add(me + ": " + instance.error().message);
        continue;
      }
      publish(kWorkers - 1, *instance);
      uint64_t spins_before = 0;
      for (int i = 0; i < kSpins; ++i) {
        Result<Outcome> out = instance->call("spin", {});
        if (!out.ok() || !out->suspended() || out->suspend_reason() != SuspendReason::Interrupted) {
          failures_.add(me + ": spin did not end as interrupted");
          break;
        }
        const uint64_t spins = instance->global("spins")->get().bits();
        if (spins < spins_before) failures_.add(me + ": the spin counter went back");
        spins_before = spins;
        // Alternately drop the call, or resume it until interrupted again.
        if (i % 2 == 0) {
          instance->cancel();
        } else {
          Result<Outcome> again = instance->resume();
          if (!again.ok() || !again->suspended() || again->suspend_reason() != SuspendReason::Interrupted)
            failures_.add(me + ": a resumed spin did not end as interrupted");
          instance->cancel();
        }
      }
      // After all that, the instance still computes what a fresh one does.
      const Call work{Call::Work, 99, 3000};
      Pending run{work};
      Slicer unlimited;
      check(failures_, me, work, finish(*instance, run, unlimited),
            env->reference(env->stress(), {work}).at(0));
    }
    running.fetch_sub(1);
  });
  for (std::thread& t : workers) t.join();
  interrupter.join();
  failures_.expect_none();
  EXPECT_GT(interrupt_calls.load(), 0u);
}

// Instances stopped in the middle of a call are cloned and saved (snapshot)
// on their own threads; the clones and the restored copies finish that call
// and the rest of the job on other threads, while other instances of the
// same module run throughout.
TEST_F(Stress, CloneAndSnapshotWhileOthersRun) {
  constexpr int kOrigins = 2, kContinuers = 2, kBackground = 2;
  constexpr int kCopiesPerOrigin = 60;
  std::vector<std::vector<Call>> jobs;
  std::vector<std::vector<Done>> refs;
  for (int i = 0; i < kOrigins + kBackground; ++i) {
    jobs.push_back(make_job(300 + i, 8, 10000, true, false));
    refs.push_back(env_.reference(env_.stress(), jobs.back()));
  }

  // A copy of an origin's instance, stopped inside call `index` of job `job`.
  struct Copy {
    std::optional<Instance> clone;  // or
    std::vector<uint8_t> snapshot;
    size_t job = 0, index = 0;
    Pending run;
  };
  Queue<Copy> copies;
  std::atomic<int> copies_made{0}, copies_done{0};
  std::atomic<bool> origins_done{false};
  std::vector<std::thread> threads;

  for (int o = 0; o < kOrigins; ++o) {
    threads.emplace_back([&, o] {
      const std::string me = "origin " + std::to_string(o);
      Result<Instance> instance = env_.linker().instantiate(env_.stress());
      if (!instance.ok()) return failures_.add(me + ": " + instance.error().message);
      Slicer slicer{3000, std::mt19937_64(o)};
      int made = 0;
      for (size_t i = 0; i < jobs[o].size(); ++i) {
        Pending run{jobs[o][i]};
        for (;;) {
          Result<bool> stepped = step(*instance, run, slicer.next());
          if (!stepped.ok()) return failures_.add(me + ": " + stepped.error().message);
          if (*stepped) break;
          if (made == kCopiesPerOrigin || run.stops % 3 != 0) continue;
          Copy copy{std::nullopt, {}, static_cast<size_t>(o), i, run};
          if (made % 2 == 0) {
            Result<Instance> clone = instance->clone();
            if (!clone.ok()) return failures_.add(me + ": clone: " + clone.error().message);
            copy.clone = std::move(clone.value());
          } else {
            Result<std::vector<uint8_t>> bytes = instance->snapshot();
            if (!bytes.ok()) return failures_.add(me + ": snapshot: " + bytes.error().message);
            copy.snapshot = std::move(bytes.value());
          }
          ++made;
          copies_made.fetch_add(1);
          copies.push(std::move(copy));
        }
        check(failures_, me, run.call, done_of(run), refs[o][i]);
      }
    });
  }
  for (int c = 0; c < kContinuers; ++c) {
    threads.emplace_back([&, c] {
      const std::string me = "continuer " + std::to_string(c);
      Slicer slicer{2500, std::mt19937_64(50 + c)};
      while (std::optional<Copy> copy = copies.pop()) {
        std::optional<Instance> instance = std::move(copy->clone);
        if (!instance) {
          Result<Instance> restored = env_.linker().restore(env_.stress(), copy->snapshot);
          if (!restored.ok()) {
            failures_.add(me + ": restore: " + restored.error().message);
            continue;
          }
          instance = std::move(restored.value());
        }
        const std::vector<Call>& job = jobs[copy->job];
        const std::string where = me + " (a " + (copy->snapshot.empty() ? "clone" : "restored copy") +
                                  " of origin " + std::to_string(copy->job) + ")";
        check(failures_, where, copy->run.call, finish(*instance, copy->run, slicer),
              refs[copy->job][copy->index]);
        for (size_t i = copy->index + 1; i < job.size(); ++i) {
          Pending run{job[i]};
          check(failures_, where, run.call, finish(*instance, run, slicer), refs[copy->job][i]);
        }
        copies_done.fetch_add(1);
      }
    });
  }
  for (int b = 0; b < kBackground; ++b) {
    threads.emplace_back([&, b] {
      const std::string me = "background " + std::to_string(b);
      const size_t job = static_cast<size_t>(kOrigins + b);
      Slicer slicer{5000, std::mt19937_64(90 + b)};
      // The job on fresh instances, at least once, until the origins are done.
      for (int round = 0; round == 0 || !origins_done.load(); ++round) {
        Result<Instance> instance = env_.linker().instantiate(env_.stress());
        if (!instance.ok()) return failures_.add(me + ": " + instance.error().message);
        for (size_t i = 0; i < jobs[job].size(); ++i) {
          Pending run{jobs[job][i]};
          check(failures_, me, run.call, finish(*instance, run, slicer), refs[job][i]);
        }
      }
    });
  }
  for (int o = 0; o < kOrigins; ++o) threads[static_cast<size_t>(o)].join();
  origins_done.store(true);
  copies.close();
  for (size_t i = kOrigins; i < threads.size(); ++i) threads[i].join();
  failures_.expect_none();
  EXPECT_EQ(copies_made.load(), kOrigins * kCopiesPerOrigin);
  EXPECT_EQ(copies_done.load(), copies_made.load());
}

// Instances with calls in progress passed from thread to thread through a
// queue: each thread runs one slice of whatever instance it gets, and
// sometimes replaces the instance by its clone or by a copy restored from
// its snapshot before handing it on; meanwhile another thread interrupts
// them at random, running or not. (No calls nested in a host function here:
// an interrupt makes those trap.)
TEST_F(Stress, InstancesMoveBetweenThreads) {
  constexpr int kThreads = 4, kInstances = 24;
  constexpr size_t kCalls = 12;
  struct Task {
    std::optional<Instance> instance;
    size_t job = 0;
    size_t next = 0;
    Pending run;
    std::thread::id last_thread;
    int moves = 0;  // slices run on another thread than the one before
  };
  std::vector<std::vector<Call>> jobs;
  std::vector<std::vector<Done>> refs;
  Queue<Task> queue;
  for (int i = 0; i < kInstances; ++i) {
    jobs.push_back(make_job(400 + i, kCalls, 8000, true, false));
    refs.push_back(env_.reference(env_.stress(), jobs.back()));
  }
  std::atomic<int> remaining{kInstances};
  std::atomic<int> moves{0}, copies{0}, interrupted{0};

  // The interrupt handles of the tasks' instances (a copy replaces its task's).
  std::mutex handles_mutex;
  std::vector<std::optional<InterruptHandle>> handles(kInstances);
  auto publish = [&](size_t job, const Instance& instance) {
    std::lock_guard<std::mutex> lock(handles_mutex);
    handles[job] = instance.interrupt_handle();
  };
  for (size_t i = 0; i < jobs.size(); ++i) {
    // (The queue is not popped yet; the tasks are in it in job order.)
    Result<Instance> instance = env_.linker().instantiate(env_.stress());
    ASSERT_TRUE(instance.ok()) << instance.error().message;
    publish(i, *instance);
    queue.push(Task{std::move(instance.value()), i, 0, Pending{jobs[i][0]}, {}, 0});
  }
  std::thread interrupter([&] {
    std::mt19937_64 rng(77);
    while (remaining.load() > 0) {
      std::optional<InterruptHandle> h;
      {
        std::lock_guard<std::mutex> lock(handles_mutex);
        h = handles[rng() % handles.size()];
      }
      if (h) h->interrupt();
      std::this_thread::sleep_for(std::chrono::microseconds(50 + rng() % 200));
    }
  });

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string me = "thread " + std::to_string(t);
      Slicer slicer{3000, std::mt19937_64(t)};
      std::mt19937_64 rng(1000 + t);
      while (std::optional<Task> task = queue.pop()) {
        if (task->last_thread != std::thread::id() && task->last_thread != std::this_thread::get_id())
          ++task->moves;
        task->last_thread = std::this_thread::get_id();
        std::optional<uint64_t> gas = task->run.call.kind == Call::Nested ? std::nullopt : slicer.next();
        Result<bool> stepped = step(*task->instance, task->run, gas);
        bool finished_job = false;
        if (!stepped.ok()) {
          failures_.add(me + ": " + stepped.error().message);
          finished_job = true;
        } else if (*stepped) {
          check(failures_, me + " job " + std::to_string(task->job), task->run.call, done_of(task->run),
                refs[task->job][task->next]);
          interrupted.fetch_add(static_cast<int>(task->run.interrupts));
          if (++task->next == kCalls) {
            finished_job = true;
          } else {
            task->run = Pending{jobs[task->job][task->next]};
          }
        } else if (rng() % 8 == 0) {
          // Go on in a copy: a clone, or the instance restored from its snapshot.
          Result<Instance> copy = [&]() -> Result<Instance> {
            if (rng() % 2 == 0) return task->instance->clone();
            Result<std::vector<uint8_t>> bytes = task->instance->snapshot();
            if (!bytes.ok()) return bytes.error();
            return env_.linker().restore(env_.stress(), *bytes);
          }();
          if (!copy.ok()) {
            failures_.add(me + ": copy: " + copy.error().message);
            finished_job = true;
          } else {
            task->instance = std::move(copy.value());
            publish(task->job, *task->instance);
            copies.fetch_add(1);
          }
        }
        if (!finished_job) {
          queue.push(std::move(*task));
          continue;
        }
        moves.fetch_add(task->moves);
        if (remaining.fetch_sub(1) == 1) queue.close();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  interrupter.join();
  failures_.expect_none();
  EXPECT_EQ(remaining.load(), 0);
  EXPECT_GT(copies.load(), 0);
  EXPECT_GT(interrupted.load(), 0);
  // The instances did change threads (with four threads taking turns at one
  // queue, a task stays on one thread only by chance).
  EXPECT_GT(moves.load(), 0);
}

// Instances of a module that imports a library instance's function and
// global (and a host function) call into that one library instance from
// several threads at once (on their own stacks), while one more thread calls
// the library's export directly (on the library instance's stacks).
TEST_F(Stress, SharedLibraryInstanceCalledFromSeveralThreads) {
  constexpr int kThreads = 4, kRounds = 30;
  std::vector<std::vector<Call>> jobs;
  std::vector<std::vector<Done>> refs;
  for (int t = 0; t < kThreads; ++t) {
    jobs.push_back(make_job(500 + t, 4, 16000, false, false));
    refs.push_back(env_.reference(env_.user(), jobs.back()));
  }
  std::latch start(kThreads + 1);
  std::atomic<int> running{kThreads};
  std::atomic<uint64_t> direct_calls{0};
  std::thread owner([&] {
    start.arrive_and_wait();
    for (uint32_t k = 0; running.load() > 0 || k < 100; ++k) {
      Result<Outcome> out =
          env_.lib().call("lookup", std::vector<Value>{Value::i32(static_cast<int32_t>(k))});
      // lib.wat's start function: byte i is (i * 167 + 13) mod 256.
      if (!out.ok() || !out->returned() ||
          out->values().at(0).i32() != static_cast<int32_t>(((k & 255) * 167 + 13) & 255))
        failures_.add("a direct call of lookup(" + std::to_string(k) + ") went wrong");
      direct_calls.fetch_add(1);
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string me = "thread " + std::to_string(t);
      Slicer slicer{t % 2 == 0 ? 0u : 4000u, std::mt19937_64(t)};
      start.arrive_and_wait();
      for (int round = 0; round < kRounds; ++round) {
        Result<Instance> instance = env_.linker().instantiate(env_.user());
        if (!instance.ok()) return failures_.add(me + ": " + instance.error().message);
        for (size_t i = 0; i < jobs[t].size(); ++i) {
          Pending run{jobs[t][i]};
          check(failures_, me, run.call, finish(*instance, run, slicer), refs[t][i]);
        }
      }
      running.fetch_sub(1);
    });
  }
  for (std::thread& t : threads) t.join();
  owner.join();
  failures_.expect_none();
  EXPECT_GE(direct_calls.load(), 100u);
}

// A WASI program (examples/hello) in many instances on several threads from
// one linker: each gets WASI state of its own (descriptors, a preopened
// directory), and the WASI host functions and the output sink run on every
// thread.
TEST_F(Stress, WasiProgramsOnSeveralThreads) {
  constexpr int kThreads = 4, kPerThread = 50;
  std::mutex output_mutex;
  std::string output;
  wasi::WasiConfig config;
  config.args = {"hello", "WaspVM"};
  config.preopens.push_back({WASP_STRESS_WASM_DIR, "data"});
  config.inherit_stdio = false;
  config.stdout_sink = [&](std::span<const uint8_t> bytes) {
    std::lock_guard<std::mutex> lock(output_mutex);
    output.append(bytes.begin(), bytes.end());
  };
  Linker linker(env_.engine());
  wasi::add_to_linker(linker, config);
  Result<Module> module = Module::compile(env_.engine(), read_file(WASP_HELLO_WASM));
  ASSERT_TRUE(module.ok()) << module.error().message;

  // The reference: one run, in one go.
  auto run_once = [&](Slicer& slicer) -> Result<uint64_t> {
    Result<Instance> instance = linker.instantiate(*module);
    if (!instance.ok()) return instance.error();
    CallOptions options;
    options.gas_limit = slicer.next();
    options.on_out_of_gas = OutOfGas::Suspend;
    Result<Outcome> out = instance->call("_start", {}, options);
    while (out.ok() && out->suspended()) {
      ResumeOptions more;
      more.gas_limit = slicer.next();
      out = instance->resume(more);
    }
    if (!out.ok()) return out.error();
    if (out->trapped() && wasi::exit_code(*out) != 0) return make_error("trapped: " + out->trap().message);
    return out->total_gas_used();
  };
  Slicer unlimited;
  Result<uint64_t> ref_gas = run_once(unlimited);
  ASSERT_TRUE(ref_gas.ok()) << ref_gas.error().message;
  ASSERT_EQ(output, "Hello, WaspVM!\n");
  output.clear();

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Slicer slicer{t % 2 == 0 ? 0u : 2000u, std::mt19937_64(t)};
      for (int i = 0; i < kPerThread; ++i) {
        Result<uint64_t> gas = run_once(slicer);
        if (!gas.ok()) {
          failures_.add("thread " + std::to_string(t) + ": " + gas.error().message);
        } else if (*gas != *ref_gas) {
          failures_.add("thread " + std::to_string(t) + ": gas " + std::to_string(*gas) + ", the reference " +
                        std::to_string(*ref_gas));
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  failures_.expect_none();
  // Every run printed its line whole (each printf is one fd_write).
  std::string expected;
  for (int i = 0; i < kThreads * kPerThread; ++i) expected += "Hello, WaspVM!\n";
  EXPECT_EQ(output, expected);
}

}  // namespace
}  // namespace waspvm::stress_test
