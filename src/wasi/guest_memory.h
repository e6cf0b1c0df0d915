// Bounds-checked access to the calling instance's linear memory. Every
// pointer and length from the guest goes through here: out of bounds is WASI
// FAULT. Values are little-endian whatever the host.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "waspvm/waspvm.h"

namespace waspvm::wasi {

class GuestMemory {
 public:
  // The caller's memory exported as "memory", else its memory 0 (else none:
  // every access faults).
  explicit GuestMemory(const Caller& caller) {
    memory_ = caller.memory("memory");
    if (!memory_) memory_ = caller.memory(0);
  }

  bool in_bounds(uint64_t ptr, uint64_t len) const {
    if (!memory_) return false;
    uint64_t size = memory_->size();
    return ptr <= size && len <= size - ptr;
  }
  // [ptr, ptr + len) in host memory, or null when out of bounds. Valid until
  // the memory grows (no wasm code runs inside a WASI call).
  uint8_t* at(uint64_t ptr, uint64_t len) const {
    if (!in_bounds(ptr, len)) return nullptr;
    return memory_->data() + ptr;
  }

  template <class T>
  bool store(uint64_t ptr, T value) const {
    uint8_t* p = at(ptr, sizeof(T));
    if (p == nullptr) return false;
    for (size_t i = 0; i < sizeof(T); ++i)
      p[i] = static_cast<uint8_t>(static_cast<uint64_t>(value) >> (8 * i));
    return true;
  }
  template <class T>
  bool load(uint64_t ptr, T& value) const {
    const uint8_t* p = at(ptr, sizeof(T));
    if (p == nullptr) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    value = static_cast<T>(v);
    return true;
  }

 private:
  std::optional<Memory> memory_;
};

// Little-endian stores into a host buffer (for structures assembled before copying).
template <class T>
inline void put_le(uint8_t* p, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<uint8_t>(static_cast<uint64_t>(value) >> (8 * i));
}

// One guest buffer of an iovec array, already bounds-checked.
struct GuestBuffer {
  uint32_t ptr = 0;
  uint32_t len = 0;
};

// Reads the (ptr u32, len u32) array at `iovs`: every entry and every buffer
// must lie in memory (else FAULT). At most kMaxIovecs buffers are kept (a
// shorter transfer is allowed); their total is capped at 2^31 - 1 bytes so a
// count always fits the u32 result.
inline constexpr uint32_t kMaxIovecs = 1024;
uint32_t read_iovecs(const GuestMemory& memory, uint32_t iovs, uint32_t iovs_len,
                     std::vector<GuestBuffer>& out);

// A path argument: FAULT out of bounds, NAMETOOLONG from 4096 bytes, INVAL if
// it contains a NUL byte (the host could not represent it).
uint32_t read_path(const GuestMemory& memory, uint32_t ptr, uint32_t len, std::string& out);

}  // namespace waspvm::wasi
