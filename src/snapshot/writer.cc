// Instance::snapshot: an instance's state as bytes (docs/snapshot-format.md).
#include <zstd.h>

#include <algorithm>
#include <array>
#include <unordered_map>

#include "base/digest.h"
#include "base/host_memory.h"
#include "exec/interpreter.h"
#include "snapshot/format.h"

namespace waspvm {

namespace snapshot {

void ensure_digests(const ModuleImpl& module) {
  std::call_once(module.digests_once, [&] {
    module.content_sha256 = sha256(module.desc.bytes);
    Sha256 code;
    for (const CompiledFunc& f : module.code) {
      const uint32_t shape[4] = {f.num_params, f.num_results, f.num_locals, f.frame_slots};
      code.update({reinterpret_cast<const uint8_t*>(shape), sizeof shape});
      code.update({reinterpret_cast<const uint8_t*>(f.code.data()), f.code.size() * sizeof(CodeWord)});
      // The slot maps decide how a frame's slots are written.
      const SlotMaps& maps = f.slot_maps;
      for (const SlotMaps::Point& p : maps.points) {
        const uint32_t point[4] = {p.pc, p.at_return ? 1u : 0u, p.first, p.count};
        code.update({reinterpret_cast<const uint8_t*>(point), sizeof point});
      }
      code.update({reinterpret_cast<const uint8_t*>(maps.kinds.data()), maps.kinds.size()});
      // One byte per local, as the format has always hashed them, fed in chunks.
      std::array<uint8_t, 4096> chunk;
      uint64_t begin = 0;
      for (size_t r = 0; r < maps.locals.kinds().size(); ++r) {
        chunk.fill(static_cast<uint8_t>(maps.locals.kinds()[r]));
        for (uint64_t left = maps.locals.ends()[r] - begin; left > 0;) {
          const size_t n = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
          code.update({chunk.data(), n});
          left -= n;
        }
        begin = maps.locals.ends()[r];
      }
    }
    module.code_sha256 = code.finish();
  });
}

}  // namespace snapshot

namespace {

using SnapshotWriter = snapshot::ByteWriter;
using snapshot::RefKind;

class Writer {
 public:
  Writer(const InstanceImpl& inst, const SnapshotOptions& options) : inst_(inst), options_(options) {
    for (uint32_t i = 0; i < inst.funcs.size(); ++i) func_index_.emplace(inst.funcs[i], i);
    out_.data().resize(snapshot::kHeaderSize);  // filled in last
  }

  Result<std::vector<uint8_t>> run() {
    const ExecStack* st = inst_.stack.get();
    const bool suspended = st != nullptr && st->suspension.has_value();
    if (st != nullptr && st->depth > 0 && !suspended)
      return Error{"snapshot: a call is running in the instance (a host function is on the stack)"};
    out_.u8(suspended ? 1 : 0);
    write_limits();
    WASP_TRY(write_globals());
    WASP_TRY(write_memories());
    WASP_TRY(write_tables());
    write_segments();
    if (suspended) WASP_TRY(write_execution(*st));
    return finish();
  }

 private:
  Result<void> write_ref(uint64_t bits, ValType type) {
    if (bits == 0) {
      out_.u8(static_cast<uint8_t>(RefKind::Null));
      out_.u64(0);
      return {};
    }
    if (type == ValType::FuncRef) {
      auto it = func_index_.find(reinterpret_cast<const FuncInst*>(static_cast<uintptr_t>(bits)));
      if (it == func_index_.end())
        return Error{"snapshot: a function reference to a function outside the instance's function space"};
      out_.u8(static_cast<uint8_t>(RefKind::Func));
      out_.u64(it->second);
      return {};
    }
    if (!options_.encode_externref)
      return Error{
          "snapshot: the instance holds an externref and no SnapshotOptions::encode_externref was given"};
    auto token = options_.encode_externref(bits);
    if (!token) return Error{"snapshot: encode_externref: " + token.error().message};
    out_.u8(static_cast<uint8_t>(RefKind::Extern));
    out_.u64(*token);
    return {};
  }

  void write_limits() {
    const InstanceLimits& l = inst_.limits;
    out_.u64(l.gas);
    out_.u32(l.max_call_depth);
    out_.u64(l.max_value_stack_slots);
    out_.u32(l.max_host_reentry);
    out_.u64(l.max_memory_pages);
    out_.u64(l.max_table_elements);
  }

  // The instance's own globals (imported ones belong to their owner).
  Result<void> write_globals() {
    const ModuleDesc& desc = inst_.module->desc;
    out_.u32(static_cast<uint32_t>(inst_.globals.size() - desc.num_imported_globals));
    for (size_t i = desc.num_imported_globals; i < inst_.globals.size(); ++i) {
      const GlobalInst& g = *inst_.globals[i];
      out_.u8(static_cast<uint8_t>(g.type.type));
      if (is_ref(g.type.type)) {
        WASP_TRY(write_ref(g.bits, g.type.type));
      } else {
        out_.u64(g.bits);
      }
    }
    return {};
  }

  // Own memories: pages and zstd-compressed contents. Imported memories:
  // pages and a CRC-32 of the contents, which restore checks.
  Result<void> write_memories() {
    const ModuleDesc& desc = inst_.module->desc;
    out_.u32(static_cast<uint32_t>(inst_.memories.size()));
    for (size_t i = 0; i < inst_.memories.size(); ++i) {
      const MemoryInst& m = *inst_.memories[i];
      std::span<const uint8_t> contents(m.data, m.size);
      out_.u64(m.pages());
      if (i < desc.num_imported_memories) {
        out_.u32(crc32(contents));
        continue;
      }
      // Compressed straight into the output, after its length.
      std::vector<uint8_t>& out = out_.data();
      const size_t length_at = out.size();
      out_.u64(0);
      const size_t start = out.size();
      out.resize(start + ZSTD_compressBound(m.size));
      size_t n = ZSTD_compress(out.data() + start, out.size() - start, m.data, m.size, 1);
      if (ZSTD_isError(n)) return Error{std::string("snapshot: zstd: ") + ZSTD_getErrorName(n)};
      out.resize(start + n);
      for (int b = 0; b < 8; ++b)
        out[length_at + b] = static_cast<uint8_t>(static_cast<uint64_t>(n) >> (8 * b));
    }
    return {};
  }

  // Own tables: size and elements. Imported tables: size only.
  Result<void> write_tables() {
    const ModuleDesc& desc = inst_.module->desc;
    out_.u32(static_cast<uint32_t>(inst_.tables.size()));
    for (size_t i = 0; i < inst_.tables.size(); ++i) {
      const TableInst& t = *inst_.tables[i];
      out_.u64(t.elems.size());
      if (i < desc.num_imported_tables) continue;
      for (uint64_t e : t.elems) WASP_TRY(write_ref(e, t.type.elem));
    }
    return {};
  }

  // Which segments were dropped (their contents come from the module).
  void write_segments() {
    out_.u32(static_cast<uint32_t>(inst_.elem_segments.size()));
    for (const auto& seg : inst_.elem_segments) out_.u8(seg.empty() ? 1 : 0);
    out_.u32(static_cast<uint32_t>(inst_.data_dropped.size()));
    for (uint8_t dropped : inst_.data_dropped) out_.u8(dropped);
  }

  Result<uint32_t> own_function(const FuncInst* f, const char* what) {
    if (f == nullptr || f->instance != &inst_)
      return Error{std::string("snapshot: ") + what + " is a function of another instance"};
    return f->func_index;
  }

  Result<void> write_execution(const ExecStack& st) {
    const Suspension& s = *st.suspension;
    out_.u8(static_cast<uint8_t>(s.reason));
    out_.u8(static_cast<uint8_t>(s.on_out_of_gas));
    out_.u64(s.gas_left);
    out_.u64(s.total_gas_used);
    auto entry = own_function(s.func, "the called function");
    if (!entry) return entry.error();
    out_.u32(*entry);
    if (s.reason == SuspendReason::HostYield) {
      auto it = func_index_.find(s.yield.host);
      if (it == func_index_.end()) return Error{"snapshot: the yielding host function is not an import"};
      out_.u32(it->second);
      out_.u64(s.yield.results_base);
      out_.u8(s.yield.after_tail_call ? 1 : 0);
    }
    out_.u32(static_cast<uint32_t>(st.depth));
    for (size_t i = 0; i < st.depth; ++i) {
      const Frame& f = st.frames[i];
      auto index = own_function(f.func, "a frame");
      if (!index) return index.error();
      out_.u32(*index);
      out_.u32(static_cast<uint32_t>(f.pc - f.func->code->code.data()));
      out_.u64(f.base);
    }
    const uint64_t used = slots_in_use(st);
    out_.u64(used);
    // Slots are untyped; the frames' slot maps say which hold references
    // (written as references) and which hold nothing (written as 0).
    auto kinds = suspended_slot_kinds(st, used);
    if (!kinds) return Error{"snapshot: " + kinds.error().message};
    for (uint64_t i = 0; i < used; ++i) {
      const SlotKind kind = (*kinds)[i];
      switch (kind) {
        case SlotKind::Dead: out_.u64(0); break;
        case SlotKind::Raw: out_.u64(st.slots[i]); break;
        case SlotKind::FuncRef: WASP_TRY(write_ref(st.slots[i], ValType::FuncRef)); break;
        case SlotKind::ExternRef: WASP_TRY(write_ref(st.slots[i], ValType::ExternRef)); break;
      }
    }
    return {};
  }

  std::vector<uint8_t> finish() {
    const ModuleImpl& module = *inst_.module;
    snapshot::ensure_digests(module);
    std::vector<uint8_t> out = std::move(out_.data());
    std::span<const uint8_t> body(out.data() + snapshot::kHeaderSize, out.size() - snapshot::kHeaderSize);
    SnapshotWriter header;
    header.bytes({reinterpret_cast<const uint8_t*>(snapshot::kMagic), sizeof snapshot::kMagic});
    header.u32(snapshot::kVersion);
    header.u32(0);  // flags
    header.bytes(module.content_sha256);
    header.bytes(module.code_sha256);
    header.u64(body.size());
    header.u32(crc32(body));
    header.u32(crc32(header.data()));
    std::copy(header.data().begin(), header.data().end(), out.begin());
    return out;
  }

  const InstanceImpl& inst_;
  const SnapshotOptions& options_;
  std::unordered_map<const FuncInst*, uint32_t> func_index_;
  SnapshotWriter out_;
};

}  // namespace

Result<std::vector<uint8_t>> Instance::snapshot(const SnapshotOptions& options) const {
  return guard_host_memory("writing the snapshot", [&] { return Writer(*inst_, options).run(); });
}

}  // namespace waspvm
