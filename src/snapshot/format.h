// The snapshot format (docs/snapshot-format.md): constants and the byte
// writer and bounds-checked reader its two sides share.
#pragma once
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "runtime/objects.h"

namespace waspvm::snapshot {

constexpr char kMagic[8] = {'W', 'A', 'S', 'P', 'S', 'N', 'A', 'P'};
constexpr uint32_t kVersion = 2;
// Version 1 refused frames of functions that may hold references; otherwise
// it is read the same way.
constexpr uint32_t kOldestVersion = 1;
// magic, version, flags, module SHA-256, code SHA-256, body length, body
// CRC-32, header CRC-32.
constexpr size_t kHeaderSize = 8 + 4 + 4 + 32 + 32 + 8 + 4 + 4;

enum class RefKind : uint8_t { Null = 0, Func = 1, Extern = 2 };

// Little-endian fixed-width integers appended to a byte vector.
class ByteWriter {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  std::vector<uint8_t>& data() { return out_; }

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> out_;
};

// Reads what ByteWriter wrote; a read past the end fails the reader (and
// returns 0), which the caller checks with ok() before using what it read.
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> in) : in_(in) {}
  uint8_t u8() { return static_cast<uint8_t>(get(1)); }
  uint32_t u32() { return static_cast<uint32_t>(get(4)); }
  uint64_t u64() { return get(8); }
  std::span<const uint8_t> bytes(uint64_t n) {
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return {};
    }
    auto out = in_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  bool ok() const { return ok_; }
  uint64_t remaining() const { return in_.size() - pos_; }
  bool at_end() const { return pos_ == in_.size(); }
  // Any byte left unread, or a read past the end.
  bool failed_or_trailing() const { return !ok_ || pos_ != in_.size(); }

 private:
  uint64_t get(int n) {
    if (!ok_ || static_cast<size_t>(n) > in_.size() - pos_) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t{in_[pos_ + i]} << (8 * i);
    pos_ += n;
    return v;
  }
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// The SHA-256 of the module's bytes and of its compiled code, computed once.
void ensure_digests(const ModuleImpl& module);

}  // namespace waspvm::snapshot
