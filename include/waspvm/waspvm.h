// WaspVM public C++ API.
//
//   Engine  configuration shared by modules (thread-safe)
//   Module  decoded, validated and translated code (immutable, shareable)
//   Linker  resolves imports by (module, name): host functions, other instances
//   Instance, Func, Memory, Table, Global: handles (cheap to copy) to runtime
//           objects; an object lives as long as any handle to anything linked with it.
//
// Errors are values (Result<T>); a wasm trap is an Outcome, not an error.
#pragma once
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "waspvm/result.h"
#include "waspvm/trap.h"
#include "waspvm/types.h"

namespace waspvm {

struct EngineImpl;
struct ModuleImpl;
struct InstanceImpl;
struct FuncInst;
struct MemoryInst;
struct TableInst;
struct GlobalInst;
struct Group;
class Func;

// ---------------------------------------------------------------- values

// A WebAssembly value. References: funcref holds a function (or null),
// externref holds a non-zero host value (or null = 0).
class Value {
 public:
  Value() = default;
  static Value i32(int32_t v) { return Value(ValType::I32, static_cast<uint32_t>(v)); }
  static Value i64(int64_t v) { return Value(ValType::I64, static_cast<uint64_t>(v)); }
  static Value f32(float v);
  static Value f64(double v);
  static Value f32_bits(uint32_t bits) { return Value(ValType::F32, bits); }
  static Value f64_bits(uint64_t bits) { return Value(ValType::F64, bits); }
  static Value null(ValType ref_type) { return Value(ref_type, 0); }
  static Value externref(uint64_t host_value) { return Value(ValType::ExternRef, host_value); }
  static Value funcref(const Func& f);
  // Internal: a value of `type` from its 64-bit slot representation.
  static Value from_bits(ValType type, uint64_t bits) { return Value(type, bits); }

  ValType type() const { return type_; }
  int32_t i32() const { return static_cast<int32_t>(bits_); }
  int64_t i64() const { return static_cast<int64_t>(bits_); }
  float f32() const;
  double f64() const;
  uint64_t bits() const { return bits_; }
  bool is_null() const { return is_ref(type_) && bits_ == 0; }
  std::string to_string() const;

 private:
  Value(ValType t, uint64_t bits) : type_(t), bits_(bits) {}
  ValType type_ = ValType::I32;
  uint64_t bits_ = 0;
};

// ---------------------------------------------------------------- traps

struct FrameInfo {
  uint32_t func_index = 0;
  std::string func_name;     // from the name section; "" if none
  uint32_t wasm_offset = 0;  // byte offset of the instruction in the module
  std::string to_string() const;
};

struct Trap {
  TrapCode code = TrapCode::Unreachable;
  std::string message;               // the spec's message, or the host's
  std::vector<FrameInfo> backtrace;  // innermost first
  int32_t exit_code = 0;             // code == TrapCode::Exit: the exit status
  // A backtrace keeps at most Config::max_report_frames frames: the innermost
  // and the outermost halves. The `omitted_frames` between them would have
  // come before backtrace[omitted_at].
  uint64_t omitted_frames = 0;
  size_t omitted_at = 0;
};

// Why a call stopped without finishing; Instance::resume continues it.
enum class SuspendReason : uint8_t {
  OutOfGas,     // the budget could not pay for the next block (OutOfGas::Suspend)
  HostYield,    // a host function returned Caller::yield()
  Interrupted,  // InterruptHandle::interrupt()
};
const char* suspend_reason_name(SuspendReason reason);

// What a call (or a resume) produced, and the gas it used.
class Outcome {
 public:
  enum class Kind { Returned, Trapped, Suspended };
  static Outcome returned(std::vector<Value> values) {
    Outcome o;
    o.values_ = std::move(values);
    return o;
  }
  static Outcome trapped(Trap trap) {
    Outcome o;
    o.kind_ = Kind::Trapped;
    o.trap_ = std::move(trap);
    return o;
  }
  static Outcome suspended(SuspendReason reason) {
    Outcome o;
    o.kind_ = Kind::Suspended;
    o.reason_ = reason;
    return o;
  }
  Kind kind() const { return kind_; }
  bool returned() const { return kind_ == Kind::Returned; }
  bool trapped() const { return kind_ == Kind::Trapped; }
  bool suspended() const { return kind_ == Kind::Suspended; }
  const std::vector<Value>& values() const { return values_; }
  const Trap& trap() const { return *trap_; }
  SuspendReason suspend_reason() const { return reason_; }
  // Gas charged during this call or resume (0 with metering off), and since
  // the call began, over all its resumes.
  uint64_t gas_used() const { return gas_used_; }
  uint64_t total_gas_used() const { return total_gas_used_; }
  void set_gas(uint64_t used, uint64_t total) {
    gas_used_ = used;
    total_gas_used_ = total;
  }

 private:
  Kind kind_ = Kind::Returned;
  SuspendReason reason_ = SuspendReason::OutOfGas;
  uint64_t gas_used_ = 0;
  uint64_t total_gas_used_ = 0;
  std::vector<Value> values_;
  std::optional<Trap> trap_;
};

// ---------------------------------------------------------------- gas, limits

constexpr uint64_t kUnlimitedGas = UINT64_MAX;

// What running code costs when metering is on (Config::metering). The
// translator sums the costs of each straight-line block of a function and
// charges the block once, before it runs; the per-unit costs are charged when
// the instruction runs, before it does its work.
class GasCosts {
 public:
  GasCosts();  // 1 per instruction; 1 per page, byte and element
  // The cost of the instruction with that text name ("i32.add", "call",
  // "select"); an error if there is none.
  Result<void> set(std::string_view instruction, uint32_t cost);
  Result<uint32_t> get(std::string_view instruction) const;
  void set_all(uint32_t cost);
  uint32_t memory_grow_per_page = 1;  // memory.grow, per page asked for
  uint32_t memory_per_byte = 1;       // memory.fill, memory.copy, memory.init
  uint32_t table_per_element = 1;     // table.grow, table.fill, table.copy, table.init
  // Internal: the cost of every row of the opcode table, in its order.
  const std::vector<uint32_t>& per_opcode() const { return per_opcode_; }

 private:
  std::vector<uint32_t> per_opcode_;
};

// Limits of one instance (Config::limits are the defaults; Linker::instantiate
// takes others). Going beyond one is a trap, or a failed grow.
struct InstanceLimits {
  uint64_t gas = kUnlimitedGas;                     // budget of a call that names none (metering on)
  uint32_t max_call_depth = 250000;                 // wasm frames; beyond: "call stack exhausted"
  uint64_t max_value_stack_slots = 32u << 20;       // 64-bit slots (256 MiB); beyond: the same trap
  uint32_t max_host_reentry = 64;                   // nested host -> wasm calls
  uint64_t max_memory_pages = kMaxPages;            // each memory the instance defines
  uint64_t max_table_elements = kMaxTableElements;  // each table the instance defines
};

enum class OutOfGas : uint8_t {
  Trap,     // the call traps ("out of gas")
  Suspend,  // the call returns suspended; Instance::resume continues it
};

struct CallOptions {
  std::optional<uint64_t> gas_limit;  // default: the instance's InstanceLimits::gas
  OutOfGas on_out_of_gas = OutOfGas::Trap;
};

// ---------------------------------------------------------------- engine, module

struct Config {
  bool tail_call = true;  // return_call, return_call_indirect
  // At most this many frames in a trap's backtrace (Trap::backtrace) and in
  // Instance::inspect (InstanceView::frames): the innermost half and the
  // outermost half, with a count of those left out. What a trap or an
  // inspection costs the host stays bounded however deep the guest recursed.
  size_t max_report_frames = 1000;
  // A module whose function has more locals than this (parameters included)
  // fails to compile (ErrorKind::Limit). Each call of a function zeroes a
  // slot per local, so the limit also bounds what one call costs. 50,000 is
  // wasmparser's (wasmtime's) limit; the binary format allows 2^32 - 1.
  uint32_t max_function_locals = 50000;
  // Gas metering: with it off, compiled code carries no metering at all and
  // gas budgets are ignored.
  bool metering = false;
  GasCosts gas_costs;
  InstanceLimits limits;  // the defaults of every instance
};

class Engine {
 public:
  explicit Engine(Config config = {});
  const Config& config() const;
  std::shared_ptr<EngineImpl> impl() const { return impl_; }

 private:
  std::shared_ptr<EngineImpl> impl_;
};

struct ImportInfo {
  std::string module;
  std::string name;
  ExternKind kind;
  FuncType func;      // kind == Func
  TableType table;    // kind == Table
  MemoryType memory;  // kind == Memory
  GlobalType global;  // kind == Global
};

struct ExportInfo {
  std::string name;
  ExternKind kind;
  FuncType func;  // kind == Func
};

class Module {
 public:
  // Decode, validate and translate. Errors name the byte offset (malformed)
  // or the function and instruction offset (invalid).
  static Result<Module> compile(const Engine& engine, std::span<const uint8_t> bytes);
  std::vector<ImportInfo> imports() const;
  std::vector<ExportInfo> exports() const;
  std::shared_ptr<const ModuleImpl> impl() const { return impl_; }

 private:
  friend class Instance;  // Instance::module()
  explicit Module(std::shared_ptr<const ModuleImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const ModuleImpl> impl_;
};

// ---------------------------------------------------------------- objects

class Memory {
 public:
  static Memory create(const Engine& engine, MemoryType type);
  uint64_t pages() const;
  uint64_t size() const;  // bytes
  uint8_t* data() const;  // valid until the next grow
  Result<std::vector<uint8_t>> read(uint64_t offset, uint64_t length) const;
  Result<void> write(uint64_t offset, std::span<const uint8_t> bytes) const;
  // Returns the old size in pages, or an error if the grow fails.
  Result<uint64_t> grow(uint64_t delta_pages) const;
  MemoryType type() const;

  Memory(std::shared_ptr<Group> group, MemoryInst* inst) : group_(std::move(group)), inst_(inst) {}
  MemoryInst* inst() const { return inst_; }
  const std::shared_ptr<Group>& group() const { return group_; }

 private:
  std::shared_ptr<Group> group_;
  MemoryInst* inst_;
};

class Table {
 public:
  static Table create(const Engine& engine, TableType type, Value init);
  uint64_t size() const;
  Result<Value> get(uint64_t index) const;
  Result<void> set(uint64_t index, Value v) const;
  Result<uint64_t> grow(uint64_t delta, Value init) const;
  TableType type() const;

  Table(std::shared_ptr<Group> group, TableInst* inst) : group_(std::move(group)), inst_(inst) {}
  TableInst* inst() const { return inst_; }
  const std::shared_ptr<Group>& group() const { return group_; }

 private:
  std::shared_ptr<Group> group_;
  TableInst* inst_;
};

class Global {
 public:
  static Global create(const Engine& engine, GlobalType type, Value init);
  Value get() const;
  Result<void> set(Value v) const;  // error if immutable or of another type
  GlobalType type() const;

  Global(std::shared_ptr<Group> group, GlobalInst* inst) : group_(std::move(group)), inst_(inst) {}
  GlobalInst* inst() const { return inst_; }
  const std::shared_ptr<Group>& group() const { return group_; }

 private:
  std::shared_ptr<Group> group_;
  GlobalInst* inst_;
};

class Instance;

// The context a host function receives: the calling instance and its memories.
class Caller {
 public:
  explicit Caller(InstanceImpl* instance) : instance_(instance) {}
  // The caller's exported memory of that name, or its memory by index.
  std::optional<Memory> memory(std::string_view export_name) const;
  std::optional<Memory> memory(uint32_t index = 0) const;
  Instance instance() const;
  InstanceImpl* impl() const { return instance_; }
  // Per-instance host state registered with Linker::add_instance_state
  // under `key`; null if there is none (or no calling instance).
  void* state(std::string_view key) const;
  // Ends the whole wasm call with exit status `code` (WASI proc_exit): the
  // host function returns this error; the call's outcome is a trap of code
  // TrapCode::Exit whose Trap::exit_code is `code`.
  Error exit(int32_t code);
  const std::optional<int32_t>& exit_requested() const { return exit_code_; }
  // Suspends the wasm call (SuspendReason::HostYield): the host function
  // returns this error; Instance::resume later supplies its results. Only a
  // call made by the embedder can suspend: in a call nested in a host function
  // (re-entry), a yield traps.
  Error yield();
  bool yield_requested() const { return yield_requested_; }
  // Charges gas to the running call (metering on; otherwise a no-op). An
  // error, "out of gas", if the budget cannot pay: return it, and the call
  // traps with TrapCode::OutOfGas.
  Result<void> charge_gas(uint64_t amount) const;
  // What the running call can still spend (kUnlimitedGas without metering).
  uint64_t gas_left() const;

 private:
  InstanceImpl* instance_;
  std::optional<int32_t> exit_code_;
  bool yield_requested_ = false;
};

// A host function body: reads args, writes results (sized by its type);
// an error traps the calling wasm code with that message.
using HostFunction = std::function<Result<void>(Caller&, std::span<const Value>, std::span<Value>)>;

class Func {
 public:
  static Func create(const Engine& engine, FuncType type, HostFunction body);
  const FuncType& type() const;
  // A wasm function runs in the instance that defines it: a suspended call
  // is resumed there (for a re-exported import, another instance).
  Result<Outcome> call(std::span<const Value> args, const CallOptions& options = {}) const;
  // The instance that defines the function; none for host functions.
  std::optional<Instance> instance() const;

  Func(std::shared_ptr<Group> group, FuncInst* inst) : group_(std::move(group)), inst_(inst) {}
  FuncInst* inst() const { return inst_; }
  const std::shared_ptr<Group>& group() const { return group_; }

 private:
  std::shared_ptr<Group> group_;
  FuncInst* inst_;
};

// One of the four kinds of external value.
struct Extern {
  ExternKind kind;
  std::optional<Func> func;
  std::optional<Table> table;
  std::optional<Memory> memory;
  std::optional<Global> global;
  static Extern of(Func f) { return Extern{ExternKind::Func, std::move(f), {}, {}, {}}; }
  static Extern of(Table t) { return Extern{ExternKind::Table, {}, std::move(t), {}, {}}; }
  static Extern of(Memory m) { return Extern{ExternKind::Memory, {}, {}, std::move(m), {}}; }
  static Extern of(Global g) { return Extern{ExternKind::Global, {}, {}, {}, std::move(g)}; }
};

// Stops a running call from any thread (InterruptHandle::interrupt): the
// call returns suspended (SuspendReason::Interrupted) at its next safe point,
// a loop back-edge, a call or a metered block. In a call nested in a host
// function, an interrupt traps (TrapCode::Interrupted).
//
// A request targets the call running in the instance, or, made while none
// runs, the next call (or resume) of the instance, which it stops at its
// first safe point. A request is consumed when it stops a call, and also
// when the call it targets ends without meeting a safe point after it
// (returns or traps): it never reaches a later, unrelated call. A call that
// suspends for another reason (out of gas, a host yield) keeps the request:
// its resume stops at its first safe point. clear() withdraws a pending
// request.
class InterruptHandle {
 public:
  void interrupt() const;
  // Withdraws a request that no call has consumed yet (a no-op if none).
  void clear() const;
  // Whether a request is pending (made and not yet consumed).
  bool pending() const;
  explicit InterruptHandle(std::shared_ptr<void> state) : state_(std::move(state)) {}

 private:
  std::shared_ptr<void> state_;
};

// A read-only view of an instance's execution state (Instance::inspect).
struct FrameView {
  uint32_t func_index = 0;
  std::string func_name;        // from the name section; "" if none
  uint32_t wasm_offset = 0;     // the instruction it stopped at (a caller: the call)
  std::vector<Value> locals;    // parameters, then declared locals
  std::vector<uint64_t> stack;  // operand stack slots (raw bits), bottom first
};
struct InstanceView {
  enum class State { Idle, Suspended, Trapped } state = State::Idle;
  std::optional<SuspendReason> reason;  // State::Suspended
  std::optional<Trap> trap;             // State::Trapped: the last call's trap
  std::vector<FrameView> frames;        // innermost first (Suspended, Trapped)
  // As in Trap: at most Config::max_report_frames frames; the omitted ones
  // would have come before frames[omitted_at].
  uint64_t omitted_frames = 0;
  size_t omitted_at = 0;
  std::vector<Value> globals;          // in index order (imports first)
  std::vector<uint64_t> memory_pages;  // each memory's size in pages
  uint64_t gas_left = 0;               // Suspended: the unspent budget carried into resume
  uint64_t total_gas_used = 0;         // Suspended: since the call began
  std::string to_string() const;
};

// Snapshots (docs/snapshot-format.md). An externref is the host's value,
// which only the host can encode: give these to save or restore an instance
// that holds non-null externrefs (in its globals or tables).
struct SnapshotOptions {
  std::function<Result<uint64_t>(uint64_t host_value)> encode_externref;  // -> a token
};
struct RestoreOptions {
  std::function<Result<uint64_t>(uint64_t token)> decode_externref;  // -> the host value
  // The restored instance's limits. Without them it gets the snapshot's,
  // each capped at the engine's (Config::limits): a snapshot is untrusted
  // and must not raise them. The gas a suspended call carries over is
  // capped at limits.gas either way.
  std::optional<InstanceLimits> limits;
};

struct ResumeOptions {
  std::optional<uint64_t> gas_limit;      // more budget; added to what is left
  std::optional<OutOfGas> on_out_of_gas;  // default: the call's choice
};

class Instance {
 public:
  // Calls an exported function. An error means the call could not be made
  // (no such export, wrong argument count or types, a suspended call in the
  // way); a trap is an Outcome.
  Result<Outcome> call(std::string_view export_name, std::span<const Value> args,
                       const CallOptions& options = {}) const;
  // Continues the suspended call. After a host yield, `host_results` are the
  // yielding host function's results (typed as its results).
  Result<Outcome> resume(const ResumeOptions& options = {}, std::span<const Value> host_results = {}) const;
  bool suspended() const;
  // Drops the suspended call (its frames); the instance is idle again.
  void cancel() const;
  // A new instance with copies of everything this one owns: its memories,
  // tables, globals, segments and execution state (a suspended call resumes
  // in each copy independently). Imported objects are shared, not copied.
  Result<Instance> clone() const;
  InterruptHandle interrupt_handle() const;
  InstanceView inspect() const;
  // The instance's whole state, idle or suspended mid-call (globals,
  // memories, tables, segments, frames, values, gas, limits) as bytes:
  // versioned, naming the module by its SHA-256, checksummed, memories
  // compressed. Linker::restore makes an instance of it again, in any
  // process. Refused: an instance a call is running in, frames of another
  // instance, references it cannot name (functions of other instances),
  // externrefs without SnapshotOptions::encode_externref.
  Result<std::vector<uint8_t>> snapshot(const SnapshotOptions& options = {}) const;
  const InstanceLimits& limits() const;
  // Changes the limits on calls (gas, depth, stacks, re-entry) for later
  // calls and resumes; memory and table limits apply from instantiation.
  void set_limits(const InstanceLimits& limits) const;

  std::optional<Extern> get_export(std::string_view name) const;
  std::optional<Func> func(std::string_view name) const;
  std::optional<Memory> memory(std::string_view name) const;
  std::optional<Table> table(std::string_view name) const;
  std::optional<Global> global(std::string_view name) const;
  Module module() const;
  // Host state registered with Linker::add_instance_state; null if none.
  void* state(std::string_view key) const;

  Instance(std::shared_ptr<Group> group, InstanceImpl* inst) : group_(std::move(group)), inst_(inst) {}
  InstanceImpl* impl() const { return inst_; }
  const std::shared_ptr<Group>& group() const { return group_; }

 private:
  std::shared_ptr<Group> group_;
  InstanceImpl* inst_;
};

// ---------------------------------------------------------------- typed host functions

// Maps a C++ parameter or result type to a wasm value type.
template <class T>
struct WasmTypeOf;
template <>
struct WasmTypeOf<int32_t> {
  static constexpr ValType type = ValType::I32;
};
template <>
struct WasmTypeOf<uint32_t> {
  static constexpr ValType type = ValType::I32;
};
template <>
struct WasmTypeOf<int64_t> {
  static constexpr ValType type = ValType::I64;
};
template <>
struct WasmTypeOf<uint64_t> {
  static constexpr ValType type = ValType::I64;
};
template <>
struct WasmTypeOf<float> {
  static constexpr ValType type = ValType::F32;
};
template <>
struct WasmTypeOf<double> {
  static constexpr ValType type = ValType::F64;
};

namespace detail {

template <class T>
T from_value(const Value& v) {
  if constexpr (std::is_same_v<T, float>)
    return v.f32();
  else if constexpr (std::is_same_v<T, double>)
    return v.f64();
  else
    return static_cast<T>(v.bits());
}

template <class T>
Value to_value(T x) {
  if constexpr (std::is_same_v<T, float>)
    return Value::f32(x);
  else if constexpr (std::is_same_v<T, double>)
    return Value::f64(x);
  else if constexpr (sizeof(T) == 4)
    return Value::i32(static_cast<int32_t>(x));
  else
    return Value::i64(static_cast<int64_t>(x));
}

template <class T>
struct ResultTypes {
  using tuple = std::tuple<T>;
};
template <>
struct ResultTypes<void> {
  using tuple = std::tuple<>;
};
template <class... Ts>
struct ResultTypes<std::tuple<Ts...>> {
  using tuple = std::tuple<Ts...>;
};

template <class T>
struct StripResult {
  using type = T;
  static constexpr bool wrapped = false;
};
template <class T>
struct StripResult<Result<T>> {
  using type = T;
  static constexpr bool wrapped = true;
};

template <class Tuple>
struct TupleTypes;
template <class... Ts>
struct TupleTypes<std::tuple<Ts...>> {
  static std::vector<ValType> list() { return {WasmTypeOf<std::decay_t<Ts>>::type...}; }
};

template <class F>
struct Callable : Callable<decltype(&F::operator())> {};
template <class C, class R, class... A>
struct Callable<R (C::*)(A...) const> {
  using ret = R;
  using args = std::tuple<A...>;
};
template <class C, class R, class... A>
struct Callable<R (C::*)(A...)> {
  using ret = R;
  using args = std::tuple<A...>;
};
template <class R, class... A>
struct Callable<R (*)(A...)> {
  using ret = R;
  using args = std::tuple<A...>;
};

template <class Tuple>
struct DropCaller {
  using type = Tuple;
  static constexpr bool has = false;
};
template <class... Ts>
struct DropCaller<std::tuple<Caller&, Ts...>> {
  using type = std::tuple<Ts...>;
  static constexpr bool has = true;
};

template <class Fn, class Params, size_t... I>
decltype(auto) invoke_with(Fn& fn, Caller& caller, std::span<const Value> args, std::index_sequence<I...>,
                           bool pass_caller) {
  if constexpr (DropCaller<typename Callable<Fn>::args>::has) {
    (void)pass_caller;
    return fn(caller, from_value<std::decay_t<std::tuple_element_t<I, Params>>>(args[I])...);
  } else {
    (void)caller;
    (void)pass_caller;
    return fn(from_value<std::decay_t<std::tuple_element_t<I, Params>>>(args[I])...);
  }
}

template <class Tuple, size_t... I>
void store_results(const Tuple& t, std::span<Value> out, std::index_sequence<I...>) {
  ((out[I] = to_value(std::get<I>(t))), ...);
}

}  // namespace detail

// Wraps a C++ callable as a host function. Parameters: an optional leading
// `Caller&`, then int32_t/uint32_t/int64_t/uint64_t/float/double. Result: void,
// one of those, a std::tuple of them (multi-value), or Result<...> of any of
// these (an error traps the caller).
template <class Fn>
Func make_func(const Engine& engine, Fn fn) {
  using Info = detail::Callable<Fn>;
  using Params = typename detail::DropCaller<typename Info::args>::type;
  using Strip = detail::StripResult<typename Info::ret>;
  using Ret = typename Strip::type;
  using Results = typename detail::ResultTypes<Ret>::tuple;
  FuncType type{detail::TupleTypes<Params>::list(), detail::TupleTypes<Results>::list()};
  HostFunction body = [fn](Caller& caller, std::span<const Value> args,
                           std::span<Value> results) mutable -> Result<void> {
    auto seq = std::make_index_sequence<std::tuple_size_v<Params>>{};
    auto call = [&]() -> decltype(auto) {
      return detail::invoke_with<Fn, Params>(fn, caller, args, seq, true);
    };
    if constexpr (std::is_void_v<typename Info::ret>) {
      call();
      return {};
    } else if constexpr (Strip::wrapped) {
      auto r = call();
      if (!r.ok()) return r.error();
      if constexpr (!std::is_void_v<Ret>) {
        detail::store_results(Results(std::move(r.value())), results,
                              std::make_index_sequence<std::tuple_size_v<Results>>{});
      }
      return {};
    } else {
      detail::store_results(Results(call()), results, std::make_index_sequence<std::tuple_size_v<Results>>{});
      return {};
    }
  };
  return Func::create(engine, std::move(type), std::move(body));
}

// ---------------------------------------------------------------- linker

class Linker {
 public:
  explicit Linker(const Engine& engine);
  void define(std::string module, std::string name, Extern value);
  // Defines a host function from a C++ callable (see make_func).
  template <class Fn>
  void func(std::string module, std::string name, Fn fn) {
    define(std::move(module), std::move(name), Extern::of(make_func(engine_, std::move(fn))));
  }
  // Per-instance host state: every instance this linker makes gets
  // factory()'s object under `key` before its start function runs; host
  // functions reach it with Caller::state(key), the host with Instance::state.
  void add_instance_state(std::string key, std::function<std::shared_ptr<void>()> factory);
  // Defines every export of `instance` under `module`.
  void define_instance(std::string module, const Instance& instance);
  // Resolves imports, allocates, initializes segments and runs the start
  // function. A link failure, or a trap during initialization, is an error.
  Result<Instance> instantiate(const Module& module) const;
  // The same with limits other than the engine's defaults (Config::limits).
  Result<Instance> instantiate(const Module& module, const InstanceLimits& limits) const;
  // An instance from Instance::snapshot bytes: imports resolved by name
  // through this linker (host functions rebound), no segment initialization
  // or start function, then every field of the snapshot checked and applied.
  // The module must be the one the snapshot names, compiled with the same
  // engine settings. A bad snapshot is an error, never a crash.
  Result<Instance> restore(const Module& module, std::span<const uint8_t> snapshot,
                           const RestoreOptions& options = {}) const;
  const Engine& engine() const { return engine_; }

 private:
  struct Entry {
    std::string module, name;
    Extern value;
  };
  Engine engine_;
  std::vector<Entry> entries_;
  std::vector<std::pair<std::string, std::function<std::shared_ptr<void>()>>> state_factories_;
  const Extern* find(std::string_view module, std::string_view name) const;
  // Resolves imports and allocates the instance (no segments, no start).
  Result<Instance> link(const Module& module, const InstanceLimits& limits) const;
  Result<Instance> instantiate_guarded(const Module& module, const InstanceLimits& limits) const;
  Result<Instance> restore_guarded(const Module& module, std::span<const uint8_t> snapshot,
                                   const RestoreOptions& options) const;
};

// How this library was built: the compiler and the interpreter's dispatch
// (tail calls, computed goto or switch), e.g. for benchmark reports.
const char* build_info();

}  // namespace waspvm
