// Linker::restore: an instance from snapshot bytes, every field checked
// (docs/snapshot-format.md). A snapshot is untrusted input: anything that
// does not fit the module, the limits or the format is an error.
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "base/digest.h"
#include "base/host_memory.h"
#include "exec/interpreter.h"
#include "exec/slots.h"
#include "snapshot/format.h"

namespace waspvm {

namespace {

using SnapshotReader = snapshot::ByteReader;
using snapshot::RefKind;

Error bad(const std::string& what) { return Error{"snapshot: " + what}; }

// The snapshot needs `needed` of a limit the restored instance has only
// `allowed` of: name the limit and how to raise it.
Error beyond_limit(const std::string& what, uint64_t needed, const char* limit, uint64_t allowed) {
  return bad(what + " needs " + std::to_string(needed) + ", beyond the restored instance's limit " + limit +
             " = " + std::to_string(allowed) + " (restore with RestoreOptions::limits, or an engine whose " +
             "Config::limits, allowing at least " + std::to_string(needed) + ")");
}

// A memory's or table's size in a snapshot (`unit`: pages, elements): at
// least the module's minimum, at most what the instance allows (`allowed`:
// the module's maximum capped by the instance limit named `limit`).
Result<void> check_size(const std::string& what, const char* unit, uint64_t size, uint64_t min,
                        std::optional<uint64_t> module_max, uint64_t allowed, const char* limit) {
  if (size < min) return bad(what + " is smaller than the module's minimum");
  if (size <= allowed) return {};
  if (module_max && size > *module_max) return bad(what + " is larger than the module's maximum");
  return beyond_limit(what + " (in " + unit + ")", size, limit, allowed);
}

bool is_call(IOp op) {
  switch (plain_form(op)) {
    case IOp::CallFunc:
    case IOp::CallIndirectOp:
    case IOp::CopyCallFunc:
    case IOp::CopyCallIndirectOp: return true;
    default: return false;
  }
}

// Where a run can stop for lack of gas: before a block's charge, or before
// an instruction that charges per unit.
bool charges_gas(IOp op) {
  switch (op) {
    case IOp::Gas:
    case IOp::GasPair:
    case IOp::MemoryGrowOp:
    case IOp::MemoryFillOp:
    case IOp::MemoryCopyOp:
    case IOp::MemoryInitOp:
    case IOp::TableGrowOp:
    case IOp::TableFillOp:
    case IOp::TableCopyOp:
    case IOp::TableInitOp: return true;
    default: return false;
  }
}

// A call instruction's callee frame offset and the result types it expects.
struct CallSite {
  uint64_t frame_offset;
  const std::vector<ValType>* results;
};

class Restorer {
 public:
  Restorer(InstanceImpl& inst, SnapshotReader& in, const RestoreOptions& options)
      : inst_(inst), desc_(inst.module->desc), in_(in), options_(options) {}

  Result<void> run(bool suspended) {
    WASP_TRY(read_globals());
    WASP_TRY(read_memories());
    WASP_TRY(read_tables());
    WASP_TRY(read_segments());
    if (suspended) WASP_TRY(read_execution());
    if (in_.failed_or_trailing()) return bad("truncated, or bytes after the end");
    return {};
  }

 private:
  Result<uint64_t> read_ref(ValType type) {
    auto kind = static_cast<RefKind>(in_.u8());
    uint64_t value = in_.u64();
    if (!in_.ok()) return bad("truncated");
    switch (kind) {
      case RefKind::Null:
        if (value != 0) return bad("a null reference with a value");
        return uint64_t{0};
      case RefKind::Func:
        if (type != ValType::FuncRef) return bad("a function reference where an externref belongs");
        if (value >= inst_.funcs.size()) return bad("a function reference out of range");
        return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(inst_.funcs[value]));
      case RefKind::Extern: {
        if (type != ValType::ExternRef) return bad("an externref where a function reference belongs");
        if (!options_.decode_externref) return bad("an externref, and no RestoreOptions::decode_externref");
        auto host_value = options_.decode_externref(value);
        if (!host_value) return bad("decode_externref: " + host_value.error().message);
        if (*host_value == 0) return bad("decode_externref gave the null value");
        return *host_value;
      }
    }
    return bad("an unknown kind of reference");
  }

  Result<void> read_globals() {
    uint32_t count = in_.u32();
    if (!in_.ok() || count != inst_.globals.size() - desc_.num_imported_globals)
      return bad("the number of globals does not match the module");
    for (size_t i = desc_.num_imported_globals; i < inst_.globals.size(); ++i) {
      GlobalInst& g = *inst_.globals[i];
      if (in_.u8() != static_cast<uint8_t>(g.type.type)) return bad("a global of another type");
      if (is_ref(g.type.type)) {
        auto bits = read_ref(g.type.type);
        if (!bits) return bits.error();
        g.bits = *bits;
      } else {
        g.bits = slot_of(g.type.type, in_.u64());
      }
    }
    return in_.ok() ? Result<void>{} : bad("truncated");
  }

  Result<void> read_memories() {
    uint32_t count = in_.u32();
    if (!in_.ok() || count != inst_.memories.size())
      return bad("the number of memories does not match the module");
    for (size_t i = 0; i < inst_.memories.size(); ++i) {
      MemoryInst& m = *inst_.memories[i];
      uint64_t pages = in_.u64();
      if (i < desc_.num_imported_memories) {
        uint32_t crc = in_.u32();
        if (!in_.ok()) return bad("truncated");
        if (pages != m.pages() || crc != crc32({m.data, m.size}))
          return bad("imported memory " + std::to_string(i) +
                     " is not in the state the snapshot was taken in");
        continue;
      }
      uint64_t packed_size = in_.u64();
      std::span<const uint8_t> packed = in_.bytes(packed_size);
      if (!in_.ok()) return bad("truncated");
      WASP_TRY(check_size("memory " + std::to_string(i), "pages", pages, m.pages(), m.type.limits.max,
                          m.max_pages(), "max_memory_pages"));
      // The frame must say it holds exactly the memory, before the memory grows.
      unsigned long long content = ZSTD_getFrameContentSize(packed.data(), packed.size());
      if (content != pages * kPageSize) return bad("memory contents of the wrong size");
      if (pages > m.pages() && m.grow(pages - m.pages()) < 0)
        return bad("cannot allocate the memory's pages");
      size_t n = ZSTD_decompress(m.data, m.size, packed.data(), packed.size());
      if (ZSTD_isError(n) || n != m.size) return bad("corrupt memory contents");
    }
    return {};
  }

  Result<void> read_tables() {
    uint32_t count = in_.u32();
    if (!in_.ok() || count != inst_.tables.size())
      return bad("the number of tables does not match the module");
    for (size_t i = 0; i < inst_.tables.size(); ++i) {
      TableInst& t = *inst_.tables[i];
      uint64_t size = in_.u64();
      if (!in_.ok()) return bad("truncated");
      if (i < desc_.num_imported_tables) {
        if (size != t.elems.size()) return bad("imported table " + std::to_string(i) + " has another size");
        continue;
      }
      WASP_TRY(check_size("table " + std::to_string(i), "elements", size, t.type.limits.min,
                          t.type.limits.max, t.max_size(), "max_table_elements"));
      if (size > in_.remaining() / 9) return bad("truncated");  // 9 bytes per element
      t.elems.resize(size);
      for (uint64_t& e : t.elems) {
        auto bits = read_ref(t.type.elem);
        if (!bits) return bits.error();
        e = *bits;
      }
    }
    return {};
  }

  Result<void> read_segments() {
    uint32_t elems = in_.u32();
    if (!in_.ok() || elems != inst_.elem_segments.size())
      return bad("the number of element segments differs");
    for (auto& seg : inst_.elem_segments) {
      uint8_t dropped = in_.u8();
      if (dropped > 1) return bad("a bad dropped flag");
      if (dropped) seg.clear();
    }
    uint32_t datas = in_.u32();
    if (!in_.ok() || datas != inst_.data_dropped.size()) return bad("the number of data segments differs");
    for (uint8_t& d : inst_.data_dropped) {
      d = in_.u8();
      if (d > 1) return bad("a bad dropped flag");
    }
    return in_.ok() ? Result<void>{} : bad("truncated");
  }

  // The instruction starts of a function's code (sorted), computed once each.
  const std::vector<uint32_t>& starts(const CompiledFunc& code) {
    auto [it, fresh] = starts_.try_emplace(&code);
    if (fresh)
      for (uint32_t pos = 0; pos < code.code.size(); pos += iop_length(&code.code[pos]))
        it->second.push_back(pos);
    return it->second;
  }
  bool is_start(const CompiledFunc& code, uint64_t pos) {
    const auto& s = starts(code);
    return std::binary_search(s.begin(), s.end(), pos);
  }
  // The call instruction that ends right at `pos` (a return address), if any.
  std::optional<CallSite> call_before(const CompiledFunc& code, uint64_t pos) {
    const auto& s = starts(code);
    auto it = std::lower_bound(s.begin(), s.end(), pos);
    if (it == s.begin()) return std::nullopt;
    const CodeWord* instr = &code.code[*(it - 1)];
    if (*(it - 1) + iop_length(instr) != pos || !is_call(static_cast<IOp>(instr[0]))) return std::nullopt;
    // Operands (isa.def): CallFunc func base; CallIndirectOp type table elem
    // base; the Copy joins put a copy's two words first.
    IOp op = plain_form(static_cast<IOp>(instr[0]));
    bool copy = op == IOp::CopyCallFunc || op == IOp::CopyCallIndirectOp;
    const CodeWord* call = copy ? instr + 2 : instr;
    bool direct = op == IOp::CallFunc || op == IOp::CopyCallFunc;
    if (direct) return CallSite{call[2], &desc_.func_type(call[1]).results};
    return CallSite{call[4], &desc_.types[call[1]].results};
  }

  Result<const CompiledFunc*> own_code(uint32_t func_index) {
    if (func_index < desc_.num_imported_funcs || func_index >= inst_.funcs.size())
      return bad("a function index that is not one of the module's own functions");
    return &inst_.module->code[func_index - desc_.num_imported_funcs];
  }

  Result<void> read_execution();

  InstanceImpl& inst_;
  const ModuleDesc& desc_;
  SnapshotReader& in_;
  const RestoreOptions& options_;
  std::unordered_map<const CompiledFunc*, std::vector<uint32_t>> starts_;
};

Result<void> Restorer::read_execution() {
  const InstanceLimits& limits = inst_.limits;
  Suspension s;
  uint8_t reason = in_.u8(), mode = in_.u8();
  if (reason > static_cast<uint8_t>(SuspendReason::Interrupted) ||
      mode > static_cast<uint8_t>(OutOfGas::Suspend))
    return bad("an unknown suspension");
  s.reason = static_cast<SuspendReason>(reason);
  s.on_out_of_gas = static_cast<OutOfGas>(mode);
  s.gas_left = std::min(in_.u64(), limits.gas);  // (an untrusted snapshot cannot grant itself gas)
  s.total_gas_used = in_.u64();
  uint32_t entry = in_.u32();
  if (!in_.ok()) return bad("truncated");
  if (auto entry_code = own_code(entry); !entry_code) return entry_code.error();
  s.func = inst_.funcs[entry];
  if (s.reason == SuspendReason::HostYield) {
    uint32_t host = in_.u32();
    s.yield.results_base = in_.u64();
    uint8_t tail = in_.u8();
    if (!in_.ok()) return bad("truncated");
    if (host >= desc_.num_imported_funcs || !inst_.funcs[host]->is_host() || tail > 1)
      return bad("the yielding function is not an imported host function");
    s.yield.host = inst_.funcs[host];
    s.yield.after_tail_call = tail == 1;
  }
  uint32_t depth = in_.u32();
  if (!in_.ok() || depth > in_.remaining() / 16) return bad("truncated (in the frames)");
  if (depth == 0) return bad("a suspended call with no frames");
  if (depth > limits.max_call_depth)
    return beyond_limit("the suspended call (in frames)", depth, "max_call_depth", limits.max_call_depth);
  auto st = std::make_unique<ExecStack>();
  st->frames.resize(depth);
  for (Frame& f : st->frames) {
    uint32_t index = in_.u32(), pc = in_.u32();
    f.base = in_.u64();
    auto code = own_code(index);
    if (!code) return code.error();
    if (pc > (*code)->code.size()) return bad("a pc outside its function");
    f.func = inst_.funcs[index];
    f.pc = (*code)->code.data() + pc;
  }
  uint64_t used = in_.u64();
  if (!in_.ok() || used > in_.remaining() / 8) return bad("truncated (in the stack slots)");
  if (used > limits.max_value_stack_slots)
    return beyond_limit("the suspended call (in value stack slots)", used, "max_value_stack_slots",
                        limits.max_value_stack_slots);
  // Each frame is where its caller's call put it, and the top one stopped
  // where a run can stop for this reason.
  if (st->frames[0].base != 0) return bad("the first frame is not at the bottom of the stack");
  uint64_t highest = 0;
  for (uint32_t i = 0; i < depth; ++i) {
    const Frame& f = st->frames[i];
    const CompiledFunc& code = *f.func->code;
    auto pc = static_cast<uint64_t>(f.pc - code.code.data());
    if (f.base > used || code.frame_slots > used - f.base) return bad("a frame beyond the stack slots");
    highest = std::max<uint64_t>(highest, f.base + code.frame_slots);
    bool top = i + 1 == depth;
    if (!top || (s.reason == SuspendReason::HostYield && !s.yield.after_tail_call)) {
      auto site = call_before(code, pc);
      if (!site) return bad("a caller frame not stopped at a call");
      uint64_t callee_base = f.base + site->frame_offset;
      if (!top &&
          (st->frames[i + 1].base != callee_base || *site->results != st->frames[i + 1].func->type.results))
        return bad("a frame that its caller's call did not make");
      if (top && (s.yield.results_base != callee_base || *site->results != s.yield.host->type.results))
        return bad("a host yield that does not match its call");
    } else if (s.reason == SuspendReason::HostYield) {  // after a return_call to the host function
      IOp op = pc > 0 && is_start(code, pc - 1) ? static_cast<IOp>(code.code[pc - 1]) : IOp::Count;
      if ((op != IOp::ReturnCallFunc && op != IOp::ReturnCallIndirectOp) || s.yield.results_base != f.base ||
          s.yield.host->type.results != f.func->type.results)
        return bad("a host yield that does not match its tail call");
    } else {
      IOp op = is_start(code, pc) ? static_cast<IOp>(code.code[pc]) : IOp::Count;
      bool ok = s.reason == SuspendReason::OutOfGas ? charges_gas(op) : iop_is_safe_point(op);
      if (!ok) return bad("the call stopped where it cannot stop");
    }
  }
  if (highest != used) return bad("stack slots beyond the frames");
  if (s.func->type.results != st->frames[0].func->type.results)
    return bad("the called function does not match");
  if (s.reason == SuspendReason::HostYield && s.yield.host->type.results.size() > used - s.yield.results_base)
    return bad("host results beyond the stack slots");
  st->depth = depth;
  st->suspension = s;
  // What each slot holds follows from where the frames stand, not from the
  // snapshot: references are read as references, dead slots must be 0.
  auto kinds = suspended_slot_kinds(*st, used);
  if (!kinds) return bad(kinds.error().message);
  st->slots.resize(std::max<uint64_t>(used, 1024));
  for (uint64_t i = 0; i < used; ++i) {
    const SlotKind kind = (*kinds)[i];
    if (kind == SlotKind::Raw || kind == SlotKind::Dead) {
      st->slots[i] = in_.u64();
      if (kind == SlotKind::Dead && st->slots[i] != 0) return bad("a value in a slot that holds none");
      continue;
    }
    auto bits = read_ref(kind == SlotKind::FuncRef ? ValType::FuncRef : ValType::ExternRef);
    if (!bits) return bits.error();
    st->slots[i] = *bits;
  }
  if (!in_.ok()) return bad("truncated");
  inst_.stack = std::move(st);
  return {};
}

}  // namespace

Result<Instance> Linker::restore(const Module& module, std::span<const uint8_t> bytes,
                                 const RestoreOptions& options) const {
  return guard_host_memory("restoring the snapshot", [&] { return restore_guarded(module, bytes, options); });
}

Result<Instance> Linker::restore_guarded(const Module& module, std::span<const uint8_t> bytes,
                                         const RestoreOptions& options) const {
  if (bytes.size() < snapshot::kHeaderSize) return bad("too short for a snapshot header");
  snapshot::ByteReader header(bytes.first(snapshot::kHeaderSize));
  std::span<const uint8_t> magic = header.bytes(8);
  uint32_t version = header.u32(), flags = header.u32();
  std::span<const uint8_t> content_sha = header.bytes(32), code_sha = header.bytes(32);
  uint64_t body_size = header.u64();
  uint32_t body_crc = header.u32();
  uint32_t header_crc = crc32(bytes.first(snapshot::kHeaderSize - 4));
  if (std::memcmp(magic.data(), snapshot::kMagic, 8) != 0) return bad("not a WaspVM snapshot");
  if (header.u32() != header_crc) return bad("the header's checksum does not match (corrupt)");
  if (version < snapshot::kOldestVersion || version > snapshot::kVersion || flags != 0)
    return bad("format version " + std::to_string(version) + ", this WaspVM reads " +
               std::to_string(snapshot::kOldestVersion) + " to " + std::to_string(snapshot::kVersion));
  const ModuleImpl& impl = *module.impl();
  snapshot::ensure_digests(impl);
  if (!std::equal(content_sha.begin(), content_sha.end(), impl.content_sha256.begin()))
    return bad("taken of another module (its SHA-256 differs)");
  if (!std::equal(code_sha.begin(), code_sha.end(), impl.code_sha256.begin()))
    return bad(
        "the module is compiled differently here (engine settings such as metering or gas costs, or "
        "another WaspVM version)");
  std::span<const uint8_t> body = bytes.subspan(snapshot::kHeaderSize);
  if (body.size() != body_size) return bad("truncated, or bytes after the end");
  if (crc32(body) != body_crc) return bad("the checksum does not match (corrupt)");

  snapshot::ByteReader in(body);
  uint8_t state = in.u8();
  InstanceLimits limits;
  limits.gas = in.u64();
  limits.max_call_depth = in.u32();
  limits.max_value_stack_slots = in.u64();
  limits.max_host_reentry = in.u32();
  limits.max_memory_pages = in.u64();
  limits.max_table_elements = in.u64();
  if (!in.ok() || state > 1) return bad("a bad state");
  if (options.limits) {
    limits = *options.limits;
  } else {
    const InstanceLimits& cap = engine_.config().limits;
    limits.gas = std::min(limits.gas, cap.gas);
    limits.max_call_depth = std::min(limits.max_call_depth, cap.max_call_depth);
    limits.max_value_stack_slots = std::min(limits.max_value_stack_slots, cap.max_value_stack_slots);
    limits.max_host_reentry = std::min(limits.max_host_reentry, cap.max_host_reentry);
    limits.max_memory_pages = std::min(limits.max_memory_pages, cap.max_memory_pages);
    limits.max_table_elements = std::min(limits.max_table_elements, cap.max_table_elements);
  }
  auto instance = link(module, limits);
  if (!instance) return instance.error();
  WASP_TRY(Restorer(*instance->impl(), in, options).run(state == 1));
  return instance;
}

}  // namespace waspvm
