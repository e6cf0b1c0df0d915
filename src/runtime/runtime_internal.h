// Helpers shared by the runtime's .cc files (not part of any contract).
#pragma once
#include <cstdint>
#include <memory>
#include <string_view>

#include "runtime/objects.h"

namespace waspvm {

// A fresh, empty group (for host-created objects and new instances).
inline std::shared_ptr<Group> make_group() { return std::make_shared<Group>(); }

// The owning root group of an instance (groups always live in shared_ptrs).
inline std::shared_ptr<Group> group_of(const InstanceImpl& inst) {
  return group_root(inst.group->shared_from_this());
}

// The export of that name, or null.
inline const Export* find_export(const ModuleDesc& desc, std::string_view name) {
  for (const Export& e : desc.exports)
    if (e.name == name) return &e;
  return nullptr;
}

// A new instance's objects before they join a group (instantiation, clone).
struct Allocation {
  std::unique_ptr<InstanceImpl> instance = std::make_unique<InstanceImpl>();
  std::vector<std::unique_ptr<FuncInst>> funcs;
  std::vector<std::unique_ptr<TableInst>> tables;
  std::vector<std::unique_ptr<MemoryInst>> memories;
  std::vector<std::unique_ptr<GlobalInst>> globals;
};
// Moves the allocation into `root`; returns the instance, now owned by the group.
InstanceImpl* commit(Allocation& a, const std::shared_ptr<Group>& root);

// A handle to export `exp` of `inst`, sharing `group`.
Extern export_handle(const std::shared_ptr<Group>& group, const InstanceImpl& inst, const Export& exp);

}  // namespace waspvm
