// Linker: import resolution and instantiation (the spec's "instantiate").
#include <algorithm>
#include <cstring>

#include "base/host_memory.h"
#include "exec/interpreter.h"
#include "runtime/const_eval.h"
#include "runtime/runtime_internal.h"

namespace waspvm {

namespace {

std::string quoted(std::string_view module, std::string_view name) {
  // Built by appending: `"\"" + std::string(...)` trips GCC 12's -Wrestrict false positive at -O3.
  std::string s = "\"";
  s.append(module).append("\" \"").append(name).append("\"");
  return s;
}

std::string limits_string(const Limits& l) {
  std::string s = std::to_string(l.min);
  if (l.max) s += ".." + std::to_string(*l.max);
  return s;
}

// The spec's limits subtyping: `actual` (of the provided object) matches `expected` (of the import).
bool limits_match(const Limits& actual, const Limits& expected) {
  if (actual.min < expected.min) return false;
  if (!expected.max) return true;
  return actual.max && *actual.max <= *expected.max;
}

std::string describe(ExternKind kind, const Import& imp, const ModuleDesc& desc) {
  switch (kind) {
    case ExternKind::Func: return "func " + to_string(desc.types[imp.func_type]);
    case ExternKind::Table:
      return std::string("table ") + to_string(imp.table.elem) + " " + limits_string(imp.table.limits);
    case ExternKind::Memory: return "memory " + limits_string(imp.memory.limits);
    case ExternKind::Global: break;
  }
  return std::string("global ") + (imp.global.mut ? "(mut " : "(") + to_string(imp.global.type) + ")";
}

// The provided object's type, as an Import record, so both sides print alike.
Import actual_type(const Extern& ext) {
  Import a;
  a.kind = ext.kind;
  if (ext.table) a.table = ext.table->type();
  if (ext.memory) a.memory = ext.memory->type();
  if (ext.global) a.global = ext.global->type();
  return a;
}

bool extern_present(const Extern& ext) {
  switch (ext.kind) {
    case ExternKind::Func: return ext.func && ext.func->inst();
    case ExternKind::Table: return ext.table && ext.table->inst();
    case ExternKind::Memory: return ext.memory && ext.memory->inst();
    case ExternKind::Global: break;
  }
  return ext.global && ext.global->inst();
}

// Whether an instance of `from` uses `target` (both roots), directly or
// through other groups it uses.
bool group_uses(const std::shared_ptr<Group>& from, const Group* target) {
  std::vector<std::shared_ptr<Group>> pending{from};
  std::vector<const Group*> seen;
  while (!pending.empty()) {
    std::shared_ptr<Group> g = group_root(pending.back());
    pending.pop_back();
    if (g.get() == target) return true;
    if (std::find(seen.begin(), seen.end(), g.get()) != seen.end()) continue;
    seen.push_back(g.get());
    for (const auto& instance : g->instances)
      for (const auto& used : instance->used_groups) pending.push_back(used);
  }
  return false;
}

// Whether importing `ext` lets it come to hold references to the importer.
bool imports_can_refer_back(const Extern& ext) {
  switch (ext.kind) {
    case ExternKind::Table: return true;
    case ExternKind::Global: return is_ref(ext.global->type().type);
    case ExternKind::Func:
    case ExternKind::Memory: return false;
  }
  return true;
}

const std::shared_ptr<Group>& extern_group(const Extern& ext) {
  switch (ext.kind) {
    case ExternKind::Func: return ext.func->group();
    case ExternKind::Table: return ext.table->group();
    case ExternKind::Memory: return ext.memory->group();
    case ExternKind::Global: break;
  }
  return ext.global->group();
}

Result<void> check_import(const ModuleImpl& mod, const Import& imp, const Extern& ext) {
  const ModuleDesc& desc = mod.desc;
  auto incompatible = [&](std::string got) {
    return Error{"incompatible import type for " + quoted(imp.module, imp.name) + ": expected " +
                 describe(imp.kind, imp, desc) + ", got " + got};
  };
  if (!extern_present(ext)) return incompatible("an empty handle");
  if (ext.kind != imp.kind) return incompatible(to_string(ext.kind));
  switch (imp.kind) {
    case ExternKind::Func: {
      const FuncInst& f = *ext.func->inst();
      if (f.type != desc.types[imp.func_type]) return incompatible("func " + to_string(f.type));
      if (f.type_id != mod.type_ids[imp.func_type]) return incompatible("a function of another engine");
      return {};
    }
    case ExternKind::Table: {
      TableType t = ext.table->type();
      if (t.elem != imp.table.elem || !limits_match(t.limits, imp.table.limits))
        return incompatible(describe(ExternKind::Table, actual_type(ext), desc));
      return {};
    }
    case ExternKind::Memory: {
      if (!ext.memory->inst()->allocated_ok()) return incompatible("a memory whose allocation failed");
      if (!limits_match(ext.memory->type().limits, imp.memory.limits))
        return incompatible(describe(ExternKind::Memory, actual_type(ext), desc));
      return {};
    }
    case ExternKind::Global: {
      GlobalType g = ext.global->type();
      if (g.type != imp.global.type || g.mut != imp.global.mut)
        return incompatible(describe(ExternKind::Global, actual_type(ext), desc));
      return {};
    }
  }
  return {};
}

// The objects a new instance defines, built before they join a group so that
// an allocation failure leaves nothing behind.

void add_imports(InstanceImpl& inst, const std::vector<const Extern*>& resolved) {
  for (const Extern* ext : resolved) {
    switch (ext->kind) {
      case ExternKind::Func: inst.funcs.push_back(ext->func->inst()); break;
      case ExternKind::Table: inst.tables.push_back(ext->table->inst()); break;
      case ExternKind::Memory: inst.memories.push_back(ext->memory->inst()); break;
      case ExternKind::Global: inst.globals.push_back(ext->global->inst()); break;
    }
  }
}

// Index spaces (imports first), then global values and element segments.
Result<void> allocate(const std::shared_ptr<const ModuleImpl>& module,
                      const std::vector<const Extern*>& resolved, Allocation& a) {
  const ModuleDesc& desc = module->desc;
  InstanceImpl& inst = *a.instance;
  inst.module = module;
  add_imports(inst, resolved);

  for (uint32_t i = 0; i < desc.funcs.size(); ++i) {
    auto f = std::make_unique<FuncInst>();
    uint32_t func_index = desc.num_imported_funcs + i;
    f->type = desc.func_type(func_index);
    f->type_id = module->type_ids[desc.func_types[func_index]];
    f->instance = &inst;
    f->code = &module->code[i];
    f->func_index = func_index;
    inst.funcs.push_back(f.get());
    a.funcs.push_back(std::move(f));
  }
  for (size_t i = desc.num_imported_tables; i < desc.tables.size(); ++i) {
    const TableType& type = desc.tables[i];
    if (type.limits.min > inst.limits.max_table_elements)
      return Error{
          "table of " + std::to_string(type.limits.min) + " elements exceeds the instance's limit of " +
              std::to_string(inst.limits.max_table_elements) + " (InstanceLimits::max_table_elements)",
          ErrorKind::Limit};
    auto t = std::make_unique<TableInst>();
    t->type = type;
    t->limit_elements = inst.limits.max_table_elements;
    t->elems.assign(type.limits.min, 0);
    inst.tables.push_back(t.get());
    a.tables.push_back(std::move(t));
  }
  for (size_t i = desc.num_imported_memories; i < desc.memories.size(); ++i) {
    if (desc.memories[i].limits.min > inst.limits.max_memory_pages)
      return Error{"memory of " + std::to_string(desc.memories[i].limits.min) +
                       " pages exceeds the instance's limit of " +
                       std::to_string(inst.limits.max_memory_pages) + " (InstanceLimits::max_memory_pages)",
                   ErrorKind::Limit};
    auto m = std::make_unique<MemoryInst>(desc.memories[i], inst.limits.max_memory_pages);
    if (!m->allocated_ok())
      return Error{"memory allocation failed (out of host memory): " +
                       std::to_string(desc.memories[i].limits.min) + " pages",
                   ErrorKind::Limit};
    inst.memories.push_back(m.get());
    a.memories.push_back(std::move(m));
  }
  // Globals in order: an initializer may read the globals before it.
  for (const GlobalDef& def : desc.global_defs) {
    auto value = eval_const_expr(def.init, inst);
    if (!value) return value.error();
    auto g = std::make_unique<GlobalInst>();
    g->type = def.type;
    g->bits = *value;
    inst.globals.push_back(g.get());
    a.globals.push_back(std::move(g));
  }
  inst.elem_segments.resize(desc.elems.size());
  for (size_t i = 0; i < desc.elems.size(); ++i) {
    for (const ConstExpr& item : desc.elems[i].items) {
      auto ref = eval_const_expr(item, inst);
      if (!ref) return ref.error();
      inst.elem_segments[i].push_back(*ref);
    }
  }
  inst.data_dropped.assign(desc.datas.size(), 0);
  return {};
}

// Active element segments (table.init + elem.drop), declarative drops, then
// active data segments (memory.init + data.drop). Writes before a failing
// segment stay, as in Wasm 2.0.
Result<void> init_segments(InstanceImpl& inst) {
  const ModuleDesc& desc = inst.module->desc;
  for (size_t i = 0; i < desc.elems.size(); ++i) {
    const ElemSegment& seg = desc.elems[i];
    if (seg.mode == SegmentMode::Passive) continue;
    if (seg.mode == SegmentMode::Active) {
      auto offset = eval_const_expr(seg.offset, inst);
      if (!offset) return offset.error();
      const std::vector<uint64_t>& items = inst.elem_segments[i];
      std::vector<uint64_t>& elems = inst.tables[seg.table]->elems;
      uint64_t start = static_cast<uint32_t>(*offset);
      if (start > elems.size() || items.size() > elems.size() - start)
        return Error{trap_message(TrapCode::TableOutOfBounds)};
      std::copy(items.begin(), items.end(), elems.begin() + static_cast<ptrdiff_t>(start));
    }
    inst.elem_segments[i].clear();
    inst.elem_segments[i].shrink_to_fit();
  }
  for (size_t i = 0; i < desc.datas.size(); ++i) {
    const DataSegment& seg = desc.datas[i];
    if (seg.mode != SegmentMode::Active) continue;
    auto offset = eval_const_expr(seg.offset, inst);
    if (!offset) return offset.error();
    MemoryInst& mem = *inst.memories[seg.memory];
    uint64_t start = static_cast<uint32_t>(*offset);
    uint64_t length = seg.data_end - seg.data_begin;
    if (start > mem.size || length > mem.size - start)
      return Error{trap_message(TrapCode::MemoryOutOfBounds)};
    // The one copy of a segment's bytes: from the module straight into memory.
    mem.prefault(start, length);
    if (length > 0) std::memcpy(mem.data + start, desc.bytes.data() + seg.data_begin, length);
    inst.data_dropped[i] = 1;
  }
  return {};
}

}  // namespace

InstanceImpl* commit(Allocation& a, const std::shared_ptr<Group>& root) {
  InstanceImpl* inst = a.instance.get();
  inst->group = root.get();
  root->instances.push_back(std::move(a.instance));
  for (auto& f : a.funcs) root->funcs.push_back(std::move(f));
  for (auto& t : a.tables) root->tables.push_back(std::move(t));
  for (auto& m : a.memories) root->memories.push_back(std::move(m));
  for (auto& g : a.globals) root->globals.push_back(std::move(g));
  return inst;
}

Linker::Linker(const Engine& engine) : engine_(engine) {}

void Linker::define(std::string module, std::string name, Extern value) {
  // A later definition of the same name replaces the earlier one.
  for (Entry& e : entries_) {
    if (e.module == module && e.name == name) {
      e.value = std::move(value);
      return;
    }
  }
  entries_.push_back(Entry{std::move(module), std::move(name), std::move(value)});
}

void Linker::add_instance_state(std::string key, std::function<std::shared_ptr<void>()> factory) {
  for (auto& entry : state_factories_) {
    if (entry.first == key) {
      entry.second = std::move(factory);
      return;
    }
  }
  state_factories_.emplace_back(std::move(key), std::move(factory));
}

void Linker::define_instance(std::string module, const Instance& instance) {
  for (const Export& exp : instance.impl()->module->desc.exports)
    define(module, exp.name, export_handle(instance.group(), *instance.impl(), exp));
}

const Extern* Linker::find(std::string_view module, std::string_view name) const {
  for (const Entry& e : entries_)
    if (e.module == module && e.name == name) return &e.value;
  return nullptr;
}

Result<Instance> Linker::instantiate(const Module& module) const {
  return instantiate(module, engine_.config().limits);
}

Result<Instance> Linker::instantiate(const Module& module, const InstanceLimits& limits) const {
  return guard_host_memory("instantiating the module", [&] { return instantiate_guarded(module, limits); });
}

Result<Instance> Linker::instantiate_guarded(const Module& module, const InstanceLimits& limits) const {
  auto as_link_error = [](Error e) {
    if (e.kind == ErrorKind::Other) e.kind = ErrorKind::Link;
    return e;
  };
  auto linked = link(module, limits);
  if (!linked) return as_link_error(linked.error());
  Instance instance = std::move(linked.value());
  InstanceImpl* inst = instance.impl();
  const ModuleDesc& desc = inst->module->desc;
  if (auto initialized = init_segments(*inst); !initialized.ok()) return as_link_error(initialized.error());
  if (desc.start) {
    Outcome outcome = invoke(inst->funcs[*desc.start], {});
    if (outcome.trapped()) return Error{outcome.trap().message, ErrorKind::Link};
    if (outcome.suspended()) {
      instance.cancel();
      return Error{std::string("start function stopped: ") + suspend_reason_name(outcome.suspend_reason()),
                   ErrorKind::Link};
    }
  }
  return instance;
}

Result<Instance> Linker::link(const Module& module, const InstanceLimits& limits) const {
  const std::shared_ptr<const ModuleImpl>& mod = module.impl();
  if (mod->engine != engine_.impl())
    return Error{"the module was compiled by another engine than the linker's"};
  const ModuleDesc& desc = mod->desc;

  std::vector<const Extern*> resolved;
  resolved.reserve(desc.imports.size());
  for (const Import& imp : desc.imports) {
    const Extern* ext = find(imp.module, imp.name);
    if (ext == nullptr) return Error{"unknown import: " + quoted(imp.module, imp.name)};
    WASP_TRY(check_import(*mod, imp, *ext));
    resolved.push_back(ext);
  }

  Allocation allocation;
  allocation.instance->limits = limits;
  WASP_TRY(allocate(mod, resolved, allocation));

  // The new instance joins (and ties together) the groups of the tables and
  // reference globals it imports: those can come to hold references to its
  // functions. Functions, memories and numeric globals hold no references
  // back, so their groups are only kept alive (used_groups); that keeps
  // instances made by one linker independent of each other.
  std::shared_ptr<Group> root;
  for (const Extern* ext : resolved) {
    if (!imports_can_refer_back(*ext)) continue;
    root = root ? merge_groups(root, extern_group(*ext)) : group_root(extern_group(*ext));
  }
  if (!root) root = make_group();
  InstanceImpl* inst = commit(allocation, root);
  for (const Extern* ext : resolved) {
    if (imports_can_refer_back(*ext)) continue;
    std::shared_ptr<Group> used = group_root(extern_group(*ext));
    if (used == root) continue;
    if (group_uses(used, root.get())) {
      // Using it would close a cycle of shared_ptrs (a leak): join it instead.
      root = merge_groups(root, used);
      continue;
    }
    bool known = std::any_of(inst->used_groups.begin(), inst->used_groups.end(),
                             [&](const auto& g) { return group_root(g) == used; });
    if (!known) inst->used_groups.push_back(std::move(used));
  }
  for (const auto& [key, factory] : state_factories_) inst->host_state.emplace_back(key, factory());
  return Instance(root, inst);
}

}  // namespace waspvm
