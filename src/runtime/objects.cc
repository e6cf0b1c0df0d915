// Runtime objects: linear memories, tables, groups, instances.
#include "runtime/objects.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <iterator>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <vector>

#include "exec/interpreter.h"  // ExecStack must be complete for ~InstanceImpl
#include "runtime/runtime_internal.h"

namespace waspvm {

// ---------------------------------------------------------------- MemoryInst

namespace {

// Address space held by full reservations, all memories together.
std::atomic<uint64_t> g_full_reserved{0};

// A geometric reservation has room for at least this many pages beyond the
// initial size (else twice the initial size).
constexpr uint64_t kMinGeometricPages = 16;

// Full reservations of dropped memories, kept for the next memories of the
// same size. Unmapping a reservation whose pages were touched frees its
// page tables too, the largest part of dropping a used instance (about 5 us
// of 6.5 here); returning its pages with MADV_DONTNEED keeps the page tables
// and the mapping, and the next memory takes it without mmap or munmap. The
// pages read as zero again, as a fresh mapping's do. Bounded (kMaxPooled
// reservations, each holding only page tables), so a host that drops many
// instances at once keeps little.
class ReservationPool {
 public:
  struct Entry {
    uint8_t* data;
    uint64_t reserved;
    uint64_t committed;  // read/write from data; the rest is PROT_NONE
  };
  static constexpr size_t kMaxPooled = 1024;

  // A pooled reservation of `reserved` bytes with [0, committed) read/write, or none.
  std::optional<Entry> take(uint64_t reserved, uint64_t committed) {
    std::optional<Entry> found;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = std::find_if(entries_.rbegin(), entries_.rend(),
                             [&](const Entry& e) { return e.reserved == reserved; });
      if (it == entries_.rend()) return std::nullopt;
      found = *it;
      entries_.erase(std::next(it).base());
    }
    Entry& e = *found;
    const int protect_ok =
        e.committed < committed
            ? mprotect(e.data + e.committed, committed - e.committed, PROT_READ | PROT_WRITE)
        : e.committed > committed ? mprotect(e.data + committed, e.committed - committed, PROT_NONE)
                                  : 0;
    if (protect_ok != 0) {
      munmap(e.data, e.reserved);
      g_full_reserved.fetch_sub(e.reserved);
      return std::nullopt;
    }
    e.committed = committed;
    return found;
  }

  // Keeps a dropped memory's reservation (its pages returned to the system);
  // false if the pool is full or the pages cannot be returned.
  bool give(const Entry& e) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (entries_.size() >= kMaxPooled) return false;
    }
    if (e.committed > 0 && madvise(e.data, e.committed, MADV_DONTNEED) != 0) return false;
    std::lock_guard<std::mutex> lock(mutex_);
    if (entries_.size() >= kMaxPooled) return false;
    entries_.push_back(e);
    return true;
  }

 private:
  std::mutex mutex_;
  std::vector<Entry> entries_;
};

// Never destroyed: a memory may be dropped during static destruction (the
// pooled mappings go with the process).
ReservationPool& reservation_pool() {
  static ReservationPool* pool = new ReservationPool;
  return *pool;
}

}  // namespace

// 64 TiB: half of what x86-64 and AArch64 Linux give a process, 16,384
// memories of 4 GiB; the rest stays for geometric reservations and the host.
uint64_t MemoryInst::full_reservation_budget = uint64_t{64} << 40;
bool MemoryInst::reuse_reservations = true;
#if defined(__linux__) && defined(MREMAP_MAYMOVE)
bool MemoryInst::relocate_by_copy = false;
#else
bool MemoryInst::relocate_by_copy = true;
#endif

uint8_t* MemoryInst::map_reservation(uint64_t reserve, uint64_t committed) {
  void* p = mmap(nullptr, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  if (committed > 0 && mprotect(p, committed, PROT_READ | PROT_WRITE) != 0) {
    munmap(p, reserve);
    return nullptr;
  }
  return static_cast<uint8_t*>(p);
}

uint64_t MemoryInst::full_reservation() const { return std::max<uint64_t>(max_pages(), 1) * kPageSize; }

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
  const uint64_t full = full_reservation();
  // A pooled reservation is still counted in g_full_reserved.
  std::optional<ReservationPool::Entry> pooled;
  if (reuse_reservations && g_full_reserved.load() <= full_reservation_budget)
    pooled = reservation_pool().take(full, size);
  if (pooled) {
    data = pooled->data;
    reserved = full;
    counted_full_ = true;
    return;
  }
  if (g_full_reserved.fetch_add(full) + full <= full_reservation_budget &&
      (data = map_reservation(full, size)) != nullptr) {
    reserved = full;
    counted_full_ = true;
    return;
  }
  g_full_reserved.fetch_sub(full);
  // No address space for it (ulimit -v, or very many memories): room to
  // grow geometrically, or less and less down to the initial size.
  uint64_t reserve = std::min(full, std::max(2 * size, size + kMinGeometricPages * kPageSize));
  for (;;) {
    if ((data = map_reservation(reserve, size)) != nullptr) {
      reserved = reserve;
      return;
    }
    const uint64_t smaller = std::max({size, kPageSize, reserve / 2 / kPageSize * kPageSize});
    if (smaller == reserve) return;  // data stays null: allocation failed
    reserve = smaller;
  }
}

MemoryInst::~MemoryInst() {
  if (data == nullptr) return;
  if (counted_full_ && reservation_pool().give({data, reserved, size})) return;
  munmap(data, reserved);
  if (counted_full_) g_full_reserved.fetch_sub(reserved);
}

uint64_t MemoryInst::max_pages() const {
  return std::min({type.limits.max.value_or(kMaxPages), kMaxPages, limit_pages});
}

bool MemoryInst::relocate(uint64_t needed) {
  // Twice the address space (at most the full range), else just enough.
  const uint64_t full = full_reservation();
  const uint64_t targets[2] = {std::min(full, std::max(needed, 2 * reserved)), needed};
  for (uint64_t target : targets) {
    if (target < needed) continue;
#if defined(__linux__) && defined(MREMAP_MAYMOVE)
    if (!relocate_by_copy && size > 0) {
      // mremap moves the page tables, not the bytes. It moves one mapping
      // of one protection: give up the PROT_NONE tail first, then move the
      // read/write part into a range of `target` bytes (the new part comes
      // read/write and zeroed) and protect what is not yet committed.
      if (reserved > size) {
        munmap(data + size, reserved - size);
        reserved = size;
      }
      void* p = mremap(data, size, target, MREMAP_MAYMOVE);
      if (p == MAP_FAILED) continue;
      data = static_cast<uint8_t*>(p);
      reserved = target;
      ++relocations;
      // (If this fails the tail stays read/write, which only costs the
      // guard: every access is bounds-checked against `size` anyway.)
      (void)mprotect(data + size, target - size, PROT_NONE);
      return true;
    }
#endif
    // Portable: a new reservation and one copy of the used part.
    uint8_t* fresh = map_reservation(target, size);
    if (fresh == nullptr) continue;
    if (size > 0) std::memcpy(fresh, data, size);
    bytes_copied += size;
    if (data != nullptr) munmap(data, reserved);
    data = fresh;
    reserved = target;
    ++relocations;
    return true;
  }
  return false;
}

int64_t MemoryInst::grow(uint64_t delta_pages) {
  const uint64_t old_pages = pages();
  if (!allocated_ok() || old_pages > max_pages() || delta_pages > max_pages() - old_pages) return -1;
  if (delta_pages == 0) return static_cast<int64_t>(old_pages);
  const uint64_t new_size = (old_pages + delta_pages) * kPageSize;
  if (new_size > reserved && !relocate(new_size)) return -1;
  if (mprotect(data + size, new_size - size, PROT_READ | PROT_WRITE) != 0) return -1;
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
  try {
    elems.resize(old_size + delta, init);
  } catch (const std::bad_alloc&) {
    return -1;  // the host is out of memory: the grow fails, as the spec allows
  } catch (const std::length_error&) {
    return -1;
  }
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
