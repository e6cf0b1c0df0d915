#include "wasi/guest_memory.h"

#include <cstring>

#include "wasi/abi.h"

namespace waspvm::wasi {

uint32_t read_iovecs(const GuestMemory& memory, uint32_t iovs, uint32_t iovs_len,
                     std::vector<GuestBuffer>& out) {
  out.clear();
  if (!memory.in_bounds(iovs, uint64_t{iovs_len} * layout::kIovecSize)) return kFault;
  constexpr uint64_t kMaxTotal = 0x7fffffff;
  uint64_t total = 0;
  for (uint32_t i = 0; i < iovs_len; ++i) {
    GuestBuffer buffer;
    uint64_t entry = iovs + uint64_t{i} * layout::kIovecSize;
    if (!memory.load(entry, buffer.ptr) || !memory.load(entry + 4, buffer.len)) return kFault;
    if (!memory.in_bounds(buffer.ptr, buffer.len)) return kFault;
    if (out.size() == kMaxIovecs || total == kMaxTotal) continue;  // still checked, not used
    if (buffer.len > kMaxTotal - total) buffer.len = static_cast<uint32_t>(kMaxTotal - total);
    total += buffer.len;
    out.push_back(buffer);
  }
  return kSuccess;
}

uint32_t read_path(const GuestMemory& memory, uint32_t ptr, uint32_t len, std::string& out) {
  const uint8_t* bytes = memory.at(ptr, len);
  if (bytes == nullptr) return kFault;
  constexpr uint32_t kMaxPath = 4096;  // the host's PATH_MAX, NUL included
  if (len >= kMaxPath) return kNameTooLong;
  if (std::memchr(bytes, 0, len) != nullptr) return kInval;
  out.assign(reinterpret_cast<const char*>(bytes), len);
  return kSuccess;
}

}  // namespace waspvm::wasi
