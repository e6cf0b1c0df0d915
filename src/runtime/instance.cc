// Instance: exports and calls.
#include "runtime/runtime_internal.h"

namespace waspvm {

Extern export_handle(const std::shared_ptr<Group>& group, const InstanceImpl& inst, const Export& exp) {
  switch (exp.kind) {
    case ExternKind::Func: return Extern::of(Func(group, inst.funcs[exp.index]));
    case ExternKind::Table: return Extern::of(Table(group, inst.tables[exp.index]));
    case ExternKind::Memory: return Extern::of(Memory(group, inst.memories[exp.index]));
    case ExternKind::Global: break;
  }
  return Extern::of(Global(group, inst.globals[exp.index]));
}

std::optional<Extern> Instance::get_export(std::string_view name) const {
  const Export* exp = find_export(inst_->module->desc, name);
  if (exp == nullptr) return std::nullopt;
  return export_handle(group_, *inst_, *exp);
}

std::optional<Func> Instance::func(std::string_view name) const {
  auto e = get_export(name);
  if (!e || e->kind != ExternKind::Func) return std::nullopt;
  return e->func;
}

std::optional<Memory> Instance::memory(std::string_view name) const {
  auto e = get_export(name);
  if (!e || e->kind != ExternKind::Memory) return std::nullopt;
  return e->memory;
}

std::optional<Table> Instance::table(std::string_view name) const {
  auto e = get_export(name);
  if (!e || e->kind != ExternKind::Table) return std::nullopt;
  return e->table;
}

std::optional<Global> Instance::global(std::string_view name) const {
  auto e = get_export(name);
  if (!e || e->kind != ExternKind::Global) return std::nullopt;
  return e->global;
}

Module Instance::module() const { return Module(inst_->module); }

void* Instance::state(std::string_view key) const {
  if (inst_ == nullptr) return nullptr;
  for (const auto& [name, state] : inst_->host_state)
    if (name == key) return state.get();
  return nullptr;
}

}  // namespace waspvm
