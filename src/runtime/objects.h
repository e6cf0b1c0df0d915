// Runtime objects behind the public handles. Internal; see docs/architecture.md.
//
// Ownership: every runtime object belongs to exactly one Group. Instantiating
// a module that imports objects of other groups merges those groups into one
// (union-find: a merged group forwards to its root and hands over its objects).
// Public handles hold a shared_ptr to a group, so an object lives as long as
// any handle to anything linked with it, and references between linked
// objects (a funcref in an imported table, say) can never dangle.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "decode/module.h"
#include "exec/isa.h"
#include "waspvm/waspvm.h"

namespace waspvm {

// Interns function types so that call_indirect compares one integer.
class TypeRegistry {
 public:
  uint32_t intern(const FuncType& type);
  FuncType get(uint32_t id) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::vector<ValType>, std::vector<ValType>>, uint32_t> ids_;
  std::vector<FuncType> types_;
};

struct EngineImpl {
  Config config;
  TypeRegistry types;
};

struct ModuleImpl {
  std::shared_ptr<EngineImpl> engine;
  ModuleDesc desc;
  std::vector<CompiledFunc> code;  // one per defined function
  std::vector<uint32_t> type_ids;  // canonical id of every entry of desc.types
  // SHA-256 of the module's bytes, and of its internal code (which depends
  // on the engine's settings and the translator): what a snapshot names.
  // Computed on first use (module_digests, snapshot/).
  mutable std::once_flag digests_once;
  mutable std::array<uint8_t, 32> content_sha256{};
  mutable std::array<uint8_t, 32> code_sha256{};
};

struct MemoryInst {
  MemoryType type;
  uint8_t* data = nullptr;
  uint64_t size = 0;  // bytes, a multiple of kPageSize
  // Bytes of address space mapped at `data`: [0, size) read/write, the rest
  // PROT_NONE, where grow commits in place. Normally the whole range the
  // memory may ever need (so `data` never moves); when that cannot be had, a
  // smaller range that grow enlarges geometrically by moving the mapping
  // (docs/architecture.md, "Memories"). 0 only while `data` is null.
  uint64_t reserved = 0;
  uint64_t limit_pages = kMaxPages;  // the defining instance's InstanceLimits::max_memory_pages
  // How often grow moved the mapping, and the bytes it copied doing so (none
  // with mremap): for the tests, which check that growing page by page
  // costs O(pages) in every case.
  uint64_t relocations = 0;
  uint64_t bytes_copied = 0;

  // Process-wide policy, settable by tests: the address space that full
  // reservations may hold together (beyond it, memories reserve
  // geometrically), and whether a move copies instead of using mremap (the
  // portable path, which non-Linux systems always take), and whether a new
  // memory may take the full reservation of a dropped one (see
  // ReservationPool in objects.cc).
  static uint64_t full_reservation_budget;
  static bool relocate_by_copy;
  static bool reuse_reservations;

  explicit MemoryInst(MemoryType t, uint64_t limit_pages = kMaxPages);
  ~MemoryInst();
  MemoryInst(const MemoryInst&) = delete;
  MemoryInst& operator=(const MemoryInst&) = delete;
  uint64_t pages() const { return size / kPageSize; }
  uint64_t max_pages() const;
  // Returns the old size in pages, or -1 if the memory cannot grow by delta.
  int64_t grow(uint64_t delta_pages);
  bool allocated_ok() const { return size == 0 || data != nullptr; }
  // A hint before writing [offset, offset + length) (in bounds) in one go,
  // such as a data segment: on Linux, faults the pages in with one call
  // (MADV_POPULATE_WRITE) instead of one page fault per 4 KiB page, which
  // here is most of the cost of copying megabytes. Does nothing elsewhere,
  // for small ranges, or if the kernel refuses.
  void prefault(uint64_t offset, uint64_t length);

 private:
  bool counted_full_ = false;  // a full reservation, counted against the budget
  uint64_t full_reservation() const;
  // Maps `reserve` bytes of address space at a new place, [0, committed)
  // read/write; null if the system refuses.
  static uint8_t* map_reservation(uint64_t reserve, uint64_t committed);
  // Makes `reserved` at least `needed` bytes (growing it geometrically),
  // moving the mapping and keeping its contents.
  bool relocate(uint64_t needed);
};

// Reference slots: 0 is null; a funcref is a FuncInst*; an externref is the host's value.
struct TableInst {
  TableType type;
  std::vector<uint64_t> elems;
  // The defining instance's InstanceLimits::max_table_elements (host-made
  // tables: the default).
  uint64_t limit_elements = kMaxTableElements;
  uint64_t max_size() const;
  // Returns the old size, or -1 if the table cannot grow by delta.
  int64_t grow(uint64_t delta, uint64_t init);
};

struct GlobalInst {
  GlobalType type;
  uint64_t bits = 0;  // slot representation of the value
};

struct FuncInst {
  FuncType type;
  uint32_t type_id = 0;                // canonical (TypeRegistry) id of `type`
  InstanceImpl* instance = nullptr;    // wasm function: its instance; host function: null
  const CompiledFunc* code = nullptr;  // wasm function: its code
  uint32_t func_index = 0;             // wasm function: index in its module's function space
  HostFunction host;                   // host function: its body
  bool is_host() const { return instance == nullptr; }
};

struct ExecStack;       // exec/interpreter.h
struct InterruptState;  // exec/interpreter.h

struct InstanceImpl {
  std::shared_ptr<const ModuleImpl> module;
  Group* group = nullptr;  // the group that owns this instance (merge_groups keeps it current)
  // Index spaces (imports first), pointing at objects owned by some group.
  std::vector<FuncInst*> funcs;
  std::vector<TableInst*> tables;
  std::vector<MemoryInst*> memories;
  std::vector<GlobalInst*> globals;
  // Element segments as reference values (evaluated at instantiation); a
  // dropped segment is cleared. Data segments: dropped flags.
  std::vector<std::vector<uint64_t>> elem_segments;
  std::vector<uint8_t> data_dropped;
  std::unique_ptr<ExecStack> stack;  // created on first call
  InstanceLimits limits;
  std::shared_ptr<InterruptState> interrupt;  // shared with InterruptHandles
  // Groups this instance uses without belonging to them: the owners of the
  // functions, memories and numeric globals it imports (which can never come
  // to hold references back to it). Never the instance's own group.
  std::vector<std::shared_ptr<Group>> used_groups;
  // Host state by key (Linker::add_instance_state).
  std::vector<std::pair<std::string, std::shared_ptr<void>>> host_state;
  InstanceImpl();
  ~InstanceImpl();
};

// enable_shared_from_this: an InstanceImpl knows its Group only by raw pointer,
// and Caller::instance() must hand out an owning handle from it.
struct Group : std::enable_shared_from_this<Group> {
  std::shared_ptr<Group> merged_into;  // non-null once merged into another group
  std::vector<std::unique_ptr<InstanceImpl>> instances;
  std::vector<std::unique_ptr<FuncInst>> funcs;
  std::vector<std::unique_ptr<MemoryInst>> memories;
  std::vector<std::unique_ptr<TableInst>> tables;
  std::vector<std::unique_ptr<GlobalInst>> globals;
};

// Follows merges to the group that owns objects now.
std::shared_ptr<Group> group_root(std::shared_ptr<Group> g);
// Merges b's root into a's root (if different); returns the root.
std::shared_ptr<Group> merge_groups(std::shared_ptr<Group> a, std::shared_ptr<Group> b);

}  // namespace waspvm
