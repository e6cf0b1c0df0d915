// Runtime objects: linear memories, tables, groups, instances.
#include "runtime/objects.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>

#include "exec/interpreter.h"  // ExecStack must be complete for ~InstanceImpl
#include "runtime/runtime_internal.h"

namespace waspvm {

namespace {

// A read/write anonymous mapping of `bytes` (> 0), or null.
uint8_t* map_committed(uint64_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
}

}  // namespace

// ---------------------------------------------------------------- MemoryInst

MemoryInst::MemoryInst(MemoryType t, uint64_t limit) : type(t), limit_pages(limit) {
  const uint64_t min_pages = type.limits.min;
  if (min_pages > max_pages()) {
    // Cannot exist (min above max or above 4 GiB): report through allocated_ok().
    size = kPageSize;
    return;
  }
  size = min_pages * kPageSize;

  // Reserve the whole range the memory may ever need, so that it grows in
  // place and `data` never moves. At least one page, so `data` is never null.
  const uint64_t reserve = std::max<uint64_t>(max_pages(), 1) * kPageSize;
  void* p = mmap(nullptr, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p != MAP_FAILED) {
    if (size > 0 && mprotect(p, size, PROT_READ | PROT_WRITE) != 0) {
      munmap(p, reserve);
      return;  // data stays null: allocation failed
    }
    data = static_cast<uint8_t*>(p);
    reserved = reserve;
    return;
  }
  // No address space for the reservation: commit exactly what is needed.
  if (size > 0) data = map_committed(size);
}

MemoryInst::~MemoryInst() {
  if (reserved > 0) {
    munmap(data, reserved);
  } else if (data != nullptr) {
    munmap(data, size);
  }
}

uint64_t MemoryInst::max_pages() const {
  return std::min({type.limits.max.value_or(kMaxPages), kMaxPages, limit_pages});
}

int64_t MemoryInst::grow(uint64_t delta_pages) {
  const uint64_t old_pages = pages();
  if (!allocated_ok() || old_pages > max_pages() || delta_pages > max_pages() - old_pages) return -1;
  if (delta_pages == 0) return static_cast<int64_t>(old_pages);
  const uint64_t new_size = (old_pages + delta_pages) * kPageSize;
  if (reserved > 0) {
    if (mprotect(data + size, new_size - size, PROT_READ | PROT_WRITE) != 0) return -1;
  } else {
    uint8_t* fresh = map_committed(new_size);
    if (fresh == nullptr) return -1;
    if (data != nullptr) {
      std::memcpy(fresh, data, size);
      munmap(data, size);
    }
    data = fresh;
  }
  size = new_size;
  return static_cast<int64_t>(old_pages);
}

void MemoryInst::prefault(uint64_t offset, uint64_t length) {
#ifdef MADV_POPULATE_WRITE
  constexpr uint64_t kMinBytes = 64 * 1024;  // below, the call costs about what it saves
  if (length < kMinBytes || data == nullptr) return;
  // Whole wasm pages: a multiple of the system page size, and within `size`.
  const uint64_t begin = offset / kPageSize * kPageSize;
  const uint64_t end = std::min(size, (offset + length + kPageSize - 1) / kPageSize * kPageSize);
  (void)madvise(data + begin, end - begin, MADV_POPULATE_WRITE);
#else
  (void)offset;
  (void)length;
#endif
}

// ---------------------------------------------------------------- TableInst

uint64_t TableInst::max_size() const {
  return std::min<uint64_t>({type.limits.max.value_or(0xFFFFFFFFu), 0xFFFFFFFFu, limit_elements});
}

int64_t TableInst::grow(uint64_t delta, uint64_t init) {
  const uint64_t old_size = elems.size();
  if (old_size > max_size() || delta > max_size() - old_size) return -1;
  elems.resize(old_size + delta, init);
  return static_cast<int64_t>(old_size);
}

// ---------------------------------------------------------------- groups

std::shared_ptr<Group> group_root(std::shared_ptr<Group> g) {
  // Read-only on purpose (no path compression): linked instances may run on
  // different threads, and concurrent reads of a shared_ptr are safe.
  while (g->merged_into) g = g->merged_into;
  return g;
}

namespace {

template <class T>
void move_all(std::vector<std::unique_ptr<T>>& from, std::vector<std::unique_ptr<T>>& to) {
  to.reserve(to.size() + from.size());
  for (auto& p : from) to.push_back(std::move(p));
  from.clear();
}

}  // namespace

std::shared_ptr<Group> merge_groups(std::shared_ptr<Group> a, std::shared_ptr<Group> b) {
  std::shared_ptr<Group> ra = group_root(std::move(a));
  std::shared_ptr<Group> rb = group_root(std::move(b));
  if (ra == rb) return ra;
  for (auto& inst : rb->instances) inst->group = ra.get();
  move_all(rb->instances, ra->instances);
  move_all(rb->funcs, ra->funcs);
  move_all(rb->memories, ra->memories);
  move_all(rb->tables, ra->tables);
  move_all(rb->globals, ra->globals);
  rb->merged_into = ra;
  // A group an instance used from outside may now be its own: drop the
  // reference, or the group would keep itself alive.
  for (auto& inst : ra->instances) {
    auto& used = inst->used_groups;
    used.erase(std::remove_if(used.begin(), used.end(), [&](const auto& g) { return group_root(g) == ra; }),
               used.end());
  }
  return ra;
}

// ---------------------------------------------------------------- InstanceImpl

InstanceImpl::InstanceImpl() : interrupt(std::make_shared<InterruptState>()) {}
InstanceImpl::~InstanceImpl() = default;

}  // namespace waspvm
