// Checksums and digests for snapshots: CRC-32 (detects every single-byte
// change) and SHA-256 (names a module by its content).
#pragma once
#include <array>
#include <cstdint>
#include <span>

namespace waspvm {

// CRC-32 (ISO-HDLC, the polynomial of zlib and PNG); `crc` continues an
// earlier one over more bytes.
uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc = 0);

using Sha256Digest = std::array<uint8_t, 32>;

// SHA-256 (FIPS 180-4), fed in pieces.
class Sha256 {
 public:
  Sha256();
  void update(std::span<const uint8_t> bytes);
  Sha256Digest finish();

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buffer_[64];
  uint64_t length_ = 0;  // bytes so far
};

Sha256Digest sha256(std::span<const uint8_t> bytes);

}  // namespace waspvm
