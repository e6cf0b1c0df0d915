// Fuzz target for running untrusted code: an input is a binary module,
// compiled (every feature, metering on), instantiated with every import
// given (fuzz_imports.h) under small limits, and then its exported
// functions are called under small gas budgets. No input may crash, hang or
// make the host allocate without bound.
//
// The input's hash seeds a small generator that picks, per input, what the
// host functions do (return zeros; charge gas; call back into the instance;
// yield) and, per call, the arguments and how the call is driven: trapping
// when the budget runs out, or suspending and then resumed in slices, with
// clones and snapshot/restore round trips of the suspended call finishing
// it too, interrupted before it starts, inspected at stops; at the end the
// idle instance is saved, restored and cloned, and the copies run an
// export. Checks beyond "no crash": a snapshot (of an idle instance or a
// stopped call) restores, and the restored instance's snapshot is the same
// bytes; and where the host functions keep no state the call could observe,
// a call given its budget at once (on a clone) and the same call in slices
// end the same way, with the same values and the same gas used.
//
// Built two ways (tests/fuzz_targets/CMakeLists.txt):
//   run_fuzz_test  the plain driver (fuzz_driver.cc) for ctest (fuzz_run):
//                  seeds, regressions, N mutations;
//   run_fuzzer     libFuzzer (-DWASP_FUZZERS=ON); scripts/fuzz.sh.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_driver.h"
#include "fuzz_imports.h"

namespace {

using namespace wasp_fuzz;

constexpr size_t kMaxCalls = 24;  // exported functions called per input
constexpr int kMaxSlices = 8;     // resumes of one suspended call

struct Counts {
  uint64_t inputs = 0, compiled = 0, instantiated = 0, calls = 0, returned = 0, trapped = 0, suspended = 0,
           host_yields = 0, resumes = 0, clones = 0, snapshots = 0, restores = 0, left_suspended = 0,
           reentries = 0, compared = 0;
} counts;
bool last_accepted = false;  // the last input compiled

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "run_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

// With WASP_FUZZ_DUMP=DIR, the two sides of a failed comparison go to files there.
void dump(const char* name, const std::vector<uint8_t>& bytes) {
  const char* dir = std::getenv("WASP_FUZZ_DUMP");
  if (dir == nullptr) return;
  std::string path = std::string(dir) + "/" + name;
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    std::fprintf(stderr, "run_fuzz: wrote %s\n", path.c_str());
  }
}

// splitmix64, seeded with the input's FNV-1a hash: the same input always
// does the same things.
class Rng {
 public:
  explicit Rng(std::span<const uint8_t> data) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint8_t b : data) h = (h ^ b) * 0x100000001b3ull;
    state_ = h;
  }
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }

 private:
  uint64_t state_;
};

// What the host functions do, for one input.
struct Host {
  uint64_t calls = 0;
  uint32_t yield_every = 0;            // every Nth host call yields (0: none)
  uint32_t reenter_every = 0;          // every Nth calls an export of the caller
  uint32_t charge = 0;                 // gas each host call charges
  std::vector<ValType> yield_results;  // the last yielding function's results

  Result<void> operator()(Caller& caller, const FuncType& type) {
    uint64_t n = ++calls;
    if (charge != 0) WASP_TRY(caller.charge_gas(charge));
    if (reenter_every != 0 && n % reenter_every == 0) {
      Instance instance = caller.instance();
      if (instance.impl() != nullptr) {
        for (const ExportInfo& e : instance.module().exports()) {
          if (e.kind != ExternKind::Func) continue;
          std::vector<Value> args;
          for (ValType t : e.func.params) args.push_back(zero_of(t));
          ++counts.reentries;
          (void)instance.call(e.name, args);
          break;
        }
      }
    }
    if (yield_every != 0 && n % yield_every == 0) {
      yield_results = type.results;
      return caller.yield();
    }
    return {};
  }
};

Value arg_of(ValType t, Rng& rng) {
  static constexpr uint64_t kBits[] = {0,
                                       1,
                                       0xFFFFFFFFFFFFFFFFull,
                                       0x80000000ull,
                                       0x8000000000000000ull,
                                       0x7FC00000ull,
                                       0x7FF8000000000000ull,
                                       65536,
                                       0xFFFF0000ull,
                                       7};
  uint64_t bits = rng.below(3) == 0 ? 0 : kBits[rng.below(std::size(kBits))];
  switch (t) {
    case ValType::I32: return Value::i32(static_cast<int32_t>(bits));
    case ValType::I64: return Value::i64(static_cast<int64_t>(bits));
    case ValType::F32: return Value::f32_bits(static_cast<uint32_t>(bits));
    case ValType::F64: return Value::f64_bits(bits);
    case ValType::ExternRef:
      return rng.below(4) == 0 ? Value::externref(1 + rng.below(1000)) : Value::null(t);
    default: return zero_of(t);
  }
}

// Externrefs are the host's values: here, small numbers, their own tokens.
SnapshotOptions snapshot_options() {
  SnapshotOptions o;
  o.encode_externref = [](uint64_t v) -> Result<uint64_t> { return v; };
  return o;
}
RestoreOptions restore_options(const Instance& from) {
  RestoreOptions o;
  o.decode_externref = [](uint64_t v) -> Result<uint64_t> { return v; };
  o.limits = from.limits();
  return o;
}

struct Context {
  const Module& module;
  const Linker& linker;
  Host& host;
  Rng& rng;
  // Calls can be compared (compare_slicing): the host functions only
  // return zeros or yield, and the instance imports nothing a clone
  // would share and a call could change (memories, tables, mutable globals).
  bool comparable;
};

void count_end(const Outcome& out) {
  ++(out.returned() ? counts.returned : out.trapped() ? counts.trapped : counts.suspended);
  if (out.suspended() && out.suspend_reason() == SuspendReason::HostYield) ++counts.host_yields;
}

// Saves `instance` (idle or stopped mid-call), restores the bytes and saves
// the restored instance again: that must succeed and give the same bytes.
// None if the instance cannot be saved (e.g. it holds a host function's
// reference).
std::optional<Instance> round_trip(Context& cx, const Instance& instance) {
  Result<std::vector<uint8_t>> bytes = instance.snapshot(snapshot_options());
  if (!bytes.ok()) return std::nullopt;
  ++counts.snapshots;
  Result<Instance> restored = cx.linker.restore(cx.module, *bytes, restore_options(instance));
  if (!restored.ok()) fail("a snapshot does not restore", restored.error().message);
  ++counts.restores;
  Result<std::vector<uint8_t>> again = restored->snapshot(snapshot_options());
  if (!again.ok()) fail("a restored instance cannot be saved again", again.error().message);
  // Restore caps the gas a call carries over at limits.gas (resumes add to
  // what is left, so a call can stop holding more): then only that may differ.
  uint64_t gas_left = instance.inspect().gas_left, cap = instance.limits().gas;
  if (instance.suspended() && gas_left > cap) {
    if (restored->inspect().gas_left != cap) fail("restore did not cap the gas carried over", "");
  } else if (*again != *bytes) {
    dump("saved", *bytes);
    dump("saved-again", *again);
    fail("a restored instance saves to other bytes", "");
  }
  return std::move(*restored);
}

// Continues a suspended call on `instance` in slices; at some stops a clone
// or a restored copy of the instance (nested < 1) finishes the call too.
// `yield_results`: the results of the host function the call yielded in.
void drive(Context& cx, const Instance& instance, Result<Outcome> out, std::vector<ValType> yield_results,
           int nested) {
  for (int slice = 0; slice < kMaxSlices && out.ok() && out->suspended(); ++slice) {
    switch (cx.rng.below(8)) {
      case 0:
        if (nested == 0) {
          Result<Instance> copy = instance.clone();
          if (copy.ok()) {
            ++counts.clones;
            drive(cx, *copy, out, yield_results, nested + 1);
          }
        }
        break;
      case 1:
        if (nested == 0) {
          if (std::optional<Instance> restored = round_trip(cx, instance))
            drive(cx, *restored, out, yield_results, nested + 1);
        }
        break;
      case 2: (void)instance.inspect().to_string(); break;
      default: break;
    }
    ResumeOptions more;
    more.gas_limit = 1 + cx.rng.below(kCallGas / 4);
    if (slice + 1 == kMaxSlices || cx.rng.below(6) == 0) more.on_out_of_gas = OutOfGas::Trap;
    std::vector<Value> results;
    if (out->suspend_reason() == SuspendReason::HostYield)
      for (ValType t : yield_results) results.push_back(zero_of(t));
    ++counts.resumes;
    out = instance.resume(more, results);
    if (!out.ok()) break;
    count_end(*out);
    if (out->suspended() && out->suspend_reason() == SuspendReason::HostYield)
      yield_results = cx.host.yield_results;
  }
  if (instance.suspended()) {
    ++counts.left_suspended;
    (void)instance.inspect().to_string();
    instance.cancel();
  }
}

// Runs a call to its end within `budget` gas: given all at once, or
// `sliced` (suspending whenever a small slice runs out, each resume adding
// another, the last one so that the total is `budget`, trapping). Host
// yields and interrupts are resumed adding nothing.
Result<Outcome> run_to_end(Context& cx, const Instance& instance, const ExportInfo& e,
                           const std::vector<Value>& args, uint64_t budget, bool sliced) {
  cx.host.calls = 0;
  uint64_t given = sliced ? std::min(budget, 1 + cx.rng.below(300)) : budget;
  CallOptions options;
  options.gas_limit = given;
  options.on_out_of_gas = given < budget ? OutOfGas::Suspend : OutOfGas::Trap;
  Result<Outcome> out = instance.call(e.name, args, options);
  for (int stops = 0; out.ok() && out->suspended() && stops < 20000; ++stops) {
    ResumeOptions more;
    more.gas_limit = 0;
    std::vector<Value> results;
    if (out->suspend_reason() == SuspendReason::HostYield) {
      for (ValType t : cx.host.yield_results) results.push_back(zero_of(t));
    } else if (out->suspend_reason() == SuspendReason::OutOfGas) {
      uint64_t slice = std::min(budget - given, 1 + cx.rng.below(300));
      given += slice;
      more.gas_limit = slice;
      if (given == budget) more.on_out_of_gas = OutOfGas::Trap;
    }
    out = instance.resume(more, results);
  }
  return out;
}

std::string describe(const Outcome& out) {
  std::string s = out.returned()  ? "returned"
                  : out.trapped() ? "trapped: " + out.trap().message
                                  : "suspended";
  for (const Value& v : out.values()) s += " " + v.to_string();
  return s + ", gas " + std::to_string(out.total_gas_used());
}

// The same call on a clone of the idle instance, given its whole budget at
// once, and on the instance in slices: the README's promise is that gas
// used (and so everything else) is the same however the budget is sliced.
void compare_slicing(Context& cx, const Instance& instance, const ExportInfo& e,
                     const std::vector<Value>& args) {
  Result<Instance> copy = instance.clone();
  if (!copy.ok()) return;
  uint64_t budget = 1 + cx.rng.below(kCallGas);
  Result<Outcome> whole = run_to_end(cx, *copy, e, args, budget, false);
  Result<Outcome> sliced = run_to_end(cx, instance, e, args, budget, true);
  if (instance.suspended()) instance.cancel();
  if (!whole.ok() || !sliced.ok() || whole->suspended() || sliced->suspended()) return;
  ++counts.compared;
  bool same = whole->kind() == sliced->kind() && whole->total_gas_used() == sliced->total_gas_used();
  if (same && whole->trapped()) same = whole->trap().code == sliced->trap().code;
  if (same && whole->returned()) {
    const std::vector<Value>&a = whole->values(), &b = sliced->values();
    same = a.size() == b.size();
    for (size_t i = 0; same && i < a.size(); ++i) {
      // A function reference names the clone's function on one side.
      bool funcref = a[i].type() == ValType::FuncRef;
      same = a[i].type() == b[i].type() &&
             (funcref ? a[i].is_null() == b[i].is_null() : a[i].bits() == b[i].bits());
    }
  }
  if (!same)
    fail("slicing the budget changed the outcome", "\"" + e.name + "\" with " + std::to_string(budget) +
                                                       " gas: at once " + describe(*whole) + "; in slices " +
                                                       describe(*sliced));
}

void call_export(Context& cx, const Instance& instance, const ExportInfo& e) {
  std::vector<Value> args;
  for (ValType t : e.func.params) args.push_back(arg_of(t, cx.rng));
  ++counts.calls;
  if (cx.comparable && cx.rng.below(4) == 0) {
    compare_slicing(cx, instance, e, args);
    return;
  }
  CallOptions options;
  options.gas_limit = 1 + cx.rng.below(kCallGas);
  switch (cx.rng.below(4)) {
    case 0: {  // the budget runs out: a trap
      Result<Outcome> out = instance.call(e.name, args, options);
      if (out.ok()) {
        count_end(*out);
        if (out->suspended()) drive(cx, instance, std::move(out), cx.host.yield_results, 0);
      }
      return;
    }
    case 1:  // interrupted before it starts
      instance.interrupt_handle().interrupt();
      break;
    default:  // a small budget, so that most calls stop somewhere
      options.gas_limit = 1 + cx.rng.below(cx.rng.below(2) ? 64 : 2000);
      break;
  }
  options.on_out_of_gas = OutOfGas::Suspend;
  Result<Outcome> out = instance.call(e.name, args, options);
  if (out.ok()) count_end(*out);
  drive(cx, instance, std::move(out), cx.host.yield_results, 0);
}

// The exports that are not functions: read them through the API.
void touch_export(const Instance& instance, const ExportInfo& e) {
  switch (e.kind) {
    case ExternKind::Memory:
      if (auto m = instance.memory(e.name)) {
        (void)m->read(0, std::min<uint64_t>(m->size(), 64));
        (void)m->read(m->size(), 1);  // out of bounds: an error
      }
      break;
    case ExternKind::Table:
      if (auto t = instance.table(e.name)) (void)t->get(t->size());
      break;
    case ExternKind::Global:
      if (auto g = instance.global(e.name)) (void)g->get().to_string();
      break;
    case ExternKind::Func: break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  ++counts.inputs;
  last_accepted = false;
  Engine engine(full_config(true));
  Result<Module> module = Module::compile(engine, bytes);
  if (!module.ok()) return 0;
  ++counts.compiled;
  last_accepted = true;
  Rng rng(bytes);
  Host host;
  if (rng.below(3) == 0) host.yield_every = 1 + static_cast<uint32_t>(rng.below(4));
  if (rng.below(4) == 0) host.reenter_every = 1 + static_cast<uint32_t>(rng.below(3));
  if (rng.below(4) == 0) host.charge = static_cast<uint32_t>(rng.below(100));
  Linker linker(engine);
  define_imports(linker, engine, *module, [&host](Caller& c, const FuncType& t) { return host(c, t); });
  Result<Instance> instance = linker.instantiate(*module, small_limits());
  if (!instance.ok()) return 0;
  ++counts.instantiated;
  bool comparable = host.reenter_every == 0 && host.charge == 0;
  for (const ImportInfo& imp : module->imports())
    if (imp.kind != ExternKind::Func && !(imp.kind == ExternKind::Global && !imp.global.mut))
      comparable = false;
  Context cx{*module, linker, host, rng, comparable};
  std::vector<ExportInfo> exports = module->exports();
  size_t first = rng.below(exports.size()), calls = 0;
  for (size_t i = 0; i < exports.size() && calls < kMaxCalls; ++i) {
    const ExportInfo& e = exports[(first + i) % exports.size()];
    if (e.kind != ExternKind::Func) {
      touch_export(*instance, e);
      continue;
    }
    ++calls;
    call_export(cx, *instance, e);
  }
  (void)instance->inspect().to_string();
  // The idle instance, after the calls changed its memories, tables and
  // globals: saved and restored, and cloned; each copy runs an export too.
  if (exports.empty()) return 0;
  const ExportInfo& e = exports[rng.below(exports.size())];
  if (rng.below(2) == 0) {
    if (std::optional<Instance> restored = round_trip(cx, *instance))
      if (e.kind == ExternKind::Func) call_export(cx, *restored, e);
  } else if (Result<Instance> copy = instance->clone(); copy.ok()) {
    ++counts.clones;
    if (e.kind == ExternKind::Func) call_export(cx, *copy, e);
  }
  return 0;
}

bool wasp_fuzz_accepted() { return last_accepted; }

std::string wasp_fuzz_summary() {
  char line[768];
  std::snprintf(line, sizeof line,
                "%" PRIu64 " inputs: %" PRIu64 " compiled, %" PRIu64 " instantiated; %" PRIu64
                " calls, ends: %" PRIu64 " returned, %" PRIu64 " trapped, %" PRIu64 " suspended (%" PRIu64
                " host yields); %" PRIu64 " resumes, %" PRIu64 " clones, %" PRIu64
                " snapshots restored, %" PRIu64 " left suspended, %" PRIu64 " host re-entries; %" PRIu64
                " calls compared whole and sliced",
                counts.inputs, counts.compiled, counts.instantiated, counts.calls, counts.returned,
                counts.trapped, counts.suspended, counts.host_yields, counts.resumes, counts.clones,
                counts.restores, counts.left_suspended, counts.reentries, counts.compared);
  return line;
}

std::string wasp_fuzz_check_seeds() {
  if (counts.instantiated == 0) return "no seed instantiated";
  if (counts.returned == 0 || counts.trapped == 0 || counts.suspended == 0)
    return "calls did not end every way";
  if (counts.host_yields == 0) return "no host function yielded";
  if (counts.clones == 0 || counts.restores == 0) return "no suspended call was cloned and restored";
  if (counts.reentries == 0) return "no host function called back into wasm";
  if (counts.compared == 0) return "no call was compared whole and sliced";
  return "";
}
