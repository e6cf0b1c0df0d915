// Instance::clone: a new instance with copies of everything the original
// owns, its execution state included, so a suspended call can go on in each
// copy independently (multi-shot continuations). See docs/architecture.md.
#include <cstring>
#include <unordered_map>

#include "base/host_memory.h"
#include "exec/interpreter.h"
#include "runtime/runtime_internal.h"

namespace waspvm {

namespace {

// The clone's objects before they join a group.
struct CloneParts : Allocation {
  // The original's own functions -> the clone's: function references to them
  // are remapped wherever they are copied.
  std::unordered_map<uint64_t, uint64_t> func_map;

  uint64_t remap(uint64_t bits) const {
    auto it = func_map.find(bits);
    return it == func_map.end() ? bits : it->second;
  }
  uint64_t remap(uint64_t bits, ValType type) const { return type == ValType::FuncRef ? remap(bits) : bits; }
};

uint64_t ref_bits(const FuncInst* f) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(f)); }

void clone_funcs(const InstanceImpl& src, CloneParts& parts) {
  InstanceImpl& dst = *parts.instance;
  const uint32_t imported = src.module->desc.num_imported_funcs;
  for (uint32_t i = 0; i < src.funcs.size(); ++i) {
    if (i < imported) {
      dst.funcs.push_back(src.funcs[i]);
      continue;
    }
    auto f = std::make_unique<FuncInst>(*src.funcs[i]);
    f->instance = &dst;
    parts.func_map.emplace(ref_bits(src.funcs[i]), ref_bits(f.get()));
    dst.funcs.push_back(f.get());
    parts.funcs.push_back(std::move(f));
  }
}

Result<void> clone_data(const InstanceImpl& src, CloneParts& parts) {
  InstanceImpl& dst = *parts.instance;
  const ModuleDesc& desc = src.module->desc;
  for (uint32_t i = 0; i < src.tables.size(); ++i) {
    if (i < desc.num_imported_tables) {
      dst.tables.push_back(src.tables[i]);
      continue;
    }
    auto t = std::make_unique<TableInst>(*src.tables[i]);
    for (uint64_t& e : t->elems) e = parts.remap(e, t->type.elem);
    dst.tables.push_back(t.get());
    parts.tables.push_back(std::move(t));
  }
  for (uint32_t i = 0; i < src.memories.size(); ++i) {
    const MemoryInst& from = *src.memories[i];
    if (i < desc.num_imported_memories) {
      dst.memories.push_back(src.memories[i]);
      continue;
    }
    auto m = std::make_unique<MemoryInst>(from.type, from.limit_pages);
    if (!m->allocated_ok() || m->grow(from.pages() - m->pages()) < 0)
      return Error{"clone: memory allocation failed: " + std::to_string(from.pages()) + " pages"};
    if (from.size > 0) std::memcpy(m->data, from.data, from.size);
    dst.memories.push_back(m.get());
    parts.memories.push_back(std::move(m));
  }
  for (uint32_t i = 0; i < src.globals.size(); ++i) {
    if (i < desc.num_imported_globals) {
      dst.globals.push_back(src.globals[i]);
      continue;
    }
    auto g = std::make_unique<GlobalInst>(*src.globals[i]);
    g->bits = parts.remap(g->bits, g->type.type);
    dst.globals.push_back(g.get());
    parts.globals.push_back(std::move(g));
  }
  dst.elem_segments = src.elem_segments;
  for (size_t i = 0; i < dst.elem_segments.size(); ++i)
    for (uint64_t& e : dst.elem_segments[i]) e = parts.remap(e, desc.elems[i].type);
  dst.data_dropped = src.data_dropped;
  return {};
}

// The frames and slots of a suspended call (an idle instance has none).
// The frames' slot maps say which slots hold function references, which are
// remapped, and which hold nothing, which are cleared.
Result<void> clone_stack(const InstanceImpl& src, CloneParts& parts) {
  if (!src.stack || !src.stack->suspension) return {};
  const ExecStack& from = *src.stack;
  auto st = std::make_unique<ExecStack>();
  auto remap_func = [&](const FuncInst* f) {
    return reinterpret_cast<const FuncInst*>(static_cast<uintptr_t>(parts.remap(ref_bits(f))));
  };
  const uint64_t used = slots_in_use(from);
  auto kinds = suspended_slot_kinds(from, used);
  if (!kinds) return Error{"clone: " + kinds.error().message};
  st->slots.assign(from.slots.begin(), from.slots.begin() + static_cast<ptrdiff_t>(used));
  st->slots.resize(std::max<uint64_t>(used, 1024));
  for (uint64_t i = 0; i < kinds->size(); ++i) {
    if ((*kinds)[i] == SlotKind::FuncRef) st->slots[i] = parts.remap(st->slots[i]);
    if ((*kinds)[i] == SlotKind::Dead) st->slots[i] = 0;
  }
  st->frames.assign(from.frames.begin(), from.frames.begin() + static_cast<ptrdiff_t>(from.depth));
  st->depth = from.depth;
  for (Frame& f : st->frames) f.func = remap_func(f.func);
  Suspension s = *from.suspension;
  s.func = remap_func(s.func);
  if (s.yield.host != nullptr) s.yield.host = remap_func(s.yield.host);
  st->suspension = s;
  parts.instance->stack = std::move(st);
  return {};
}

bool imports_refer_back(const InstanceImpl& inst) {
  const ModuleDesc& desc = inst.module->desc;
  if (desc.num_imported_tables > 0) return true;
  for (uint32_t i = 0; i < desc.num_imported_globals; ++i)
    if (is_ref(desc.globals[i].type)) return true;
  return false;
}

Result<Instance> clone_of(const Instance& original) {
  const InstanceImpl& src = *original.impl();
  if (src.stack && src.stack->depth > 0 && !src.stack->suspension)
    return Error{"clone: a call is running in the instance"};
  CloneParts parts;
  InstanceImpl& dst = *parts.instance;
  dst.module = src.module;
  dst.limits = src.limits;
  dst.host_state = src.host_state;  // shared: the host's objects cannot be copied
  clone_funcs(src, parts);
  WASP_TRY(clone_data(src, parts));
  WASP_TRY(clone_stack(src, parts));

  // Ownership as at instantiation: imported tables and reference globals can
  // come to hold the clone's functions, so the clone joins their group (the
  // original's); otherwise it gets a group of its own that keeps the
  // original's alive (the imports, and anything the copied references name).
  std::shared_ptr<Group> src_root = group_of(src);
  const bool joins = imports_refer_back(src);
  std::shared_ptr<Group> root = joins ? src_root : make_group();
  dst.used_groups = src.used_groups;
  if (!joins) dst.used_groups.push_back(src_root);
  return Instance(root, commit(parts, root));
}

}  // namespace

Result<Instance> Instance::clone() const {
  return guard_host_memory("cloning the instance", [&] { return clone_of(*this); });
}

}  // namespace waspvm
