// ByteReader: bounds-checked reads of bytes and LEB128 integers, for the
// decoder and the code reader. Errors carry the spec's wording and an offset.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>

#include "waspvm/result.h"

namespace waspvm {

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t begin, size_t end) : data_(data), pos_(begin), end_(end) {}

  size_t pos() const { return pos_; }
  size_t end() const { return end_; }
  bool at_end() const { return pos_ >= end_; }
  size_t remaining() const { return end_ - pos_; }
  void seek(size_t pos) { pos_ = pos; }

  Result<uint8_t> u8() {
    if (pos_ >= end_) return eof();
    return data_[pos_++];
  }
  Result<uint32_t> u32() { return leb_unsigned<uint32_t>(32); }
  Result<uint64_t> u64() { return leb_unsigned<uint64_t>(64); }
  Result<int32_t> s32() {
    auto r = leb_signed(32);
    if (!r) return r.error();
    return static_cast<int32_t>(*r);
  }
  Result<int64_t> s33() { return leb_signed(33); }
  Result<int64_t> s64() { return leb_signed(64); }
  Result<uint32_t> fixed32() {
    if (remaining() < 4) return eof();
    uint32_t v;
    std::memcpy(&v, data_ + pos_, 4);
    pos_ += 4;
    return v;
  }
  Result<uint64_t> fixed64() {
    if (remaining() < 8) return eof();
    uint64_t v;
    std::memcpy(&v, data_ + pos_, 8);
    pos_ += 8;
    return v;
  }

  Error error(const std::string& what) const { return error_at(pos_, what); }
  static Error error_at(size_t offset, const std::string& what) {
    return Error{what + " at offset " + std::to_string(offset)};
  }

 private:
  Error eof() const { return error("unexpected end"); }

  template <class T>
  Result<T> leb_unsigned(unsigned bits) {
    T result = 0;
    unsigned shift = 0;
    size_t start = pos_;
    for (;;) {
      if (pos_ >= end_) return eof();
      uint8_t byte = data_[pos_++];
      if (shift + 7 >= bits && shift < bits) {
        // Last permitted byte: no continuation, unused bits must be zero.
        unsigned used = bits - shift;
        if (byte & 0x80) return error_at(start, "integer representation too long");
        if (used < 7 && (byte >> used) != 0) return error_at(start, "integer too large");
        result |= static_cast<T>(byte) << shift;
        return result;
      }
      result |= static_cast<T>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) return result;
      shift += 7;
    }
  }

  Result<int64_t> leb_signed(unsigned bits) {
    uint64_t result = 0;
    unsigned shift = 0;
    size_t start = pos_;
    for (;;) {
      if (pos_ >= end_) return eof();
      uint8_t byte = data_[pos_++];
      if (shift + 7 >= bits) {
        // Last permitted byte: no continuation; unused bits must sign-extend.
        unsigned used = bits - shift;  // 1..7 bits of payload here
        if (byte & 0x80) return error_at(start, "integer representation too long");
        int8_t sbyte = static_cast<int8_t>(byte << 1) >> 1;  // sign-extend 7 bits
        int64_t top = static_cast<int64_t>(sbyte) >> (used - 1);
        if (used < 7 && top != 0 && top != -1) return error_at(start, "integer too large");
        result |= static_cast<uint64_t>(static_cast<int64_t>(sbyte)) << shift;
        return static_cast<int64_t>(result);
      }
      result |= static_cast<uint64_t>(byte & 0x7F) << shift;
      shift += 7;
      if (!(byte & 0x80)) {
        if (shift < 64 && (byte & 0x40)) result |= ~uint64_t{0} << shift;
        return static_cast<int64_t>(result);
      }
    }
  }

  const uint8_t* data_;
  size_t pos_;
  size_t end_;
};

}  // namespace waspvm
