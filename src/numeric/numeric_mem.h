// Loads and stores: little-endian accesses at an already bounds-checked host address, any
// alignment. Part of numeric.h; include that instead.
#pragma once
#ifndef WASP_NUMERIC_INSIDE_NUMERIC_H
#error "include numeric/numeric.h, not numeric/numeric_mem.h"
#endif

#include <bit>
#include <cstdint>
#include <cstring>

namespace waspvm::numeric {

namespace detail {

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big,
              "mixed-endian hosts are not supported");

template <class U>
constexpr U byte_swap(U v) {
  U swapped = 0;
  for (size_t i = 0; i < sizeof(U); ++i) {
    swapped = static_cast<U>((swapped << 8) | (v & 0xFF));
    v = static_cast<U>(v >> 8);
  }
  return swapped;
}

template <class U>
inline U load_le(const uint8_t* p) {
  U v;
  std::memcpy(&v, p, sizeof(U));
  if constexpr (std::endian::native == std::endian::big) v = byte_swap(v);
  return v;
}

template <class U>
inline void store_le(uint8_t* p, U v) {
  if constexpr (std::endian::native == std::endian::big) v = byte_swap(v);
  std::memcpy(p, &v, sizeof(U));
}

}  // namespace detail

// ---- loads ----
inline uint32_t i32_load(const uint8_t* p) { return detail::load_le<uint32_t>(p); }
inline uint64_t i64_load(const uint8_t* p) { return detail::load_le<uint64_t>(p); }
inline float f32_load(const uint8_t* p) { return std::bit_cast<float>(detail::load_le<uint32_t>(p)); }
inline double f64_load(const uint8_t* p) { return std::bit_cast<double>(detail::load_le<uint64_t>(p)); }
inline uint32_t i32_load8_s(const uint8_t* p) {
  return static_cast<uint32_t>(int32_t{static_cast<int8_t>(p[0])});
}
inline uint32_t i32_load8_u(const uint8_t* p) { return p[0]; }
inline uint32_t i32_load16_s(const uint8_t* p) {
  return static_cast<uint32_t>(int32_t{static_cast<int16_t>(detail::load_le<uint16_t>(p))});
}
inline uint32_t i32_load16_u(const uint8_t* p) { return detail::load_le<uint16_t>(p); }
inline uint64_t i64_load8_s(const uint8_t* p) {
  return static_cast<uint64_t>(int64_t{static_cast<int8_t>(p[0])});
}
inline uint64_t i64_load8_u(const uint8_t* p) { return p[0]; }
inline uint64_t i64_load16_s(const uint8_t* p) {
  return static_cast<uint64_t>(int64_t{static_cast<int16_t>(detail::load_le<uint16_t>(p))});
}
inline uint64_t i64_load16_u(const uint8_t* p) { return detail::load_le<uint16_t>(p); }
inline uint64_t i64_load32_s(const uint8_t* p) {
  return static_cast<uint64_t>(int64_t{static_cast<int32_t>(detail::load_le<uint32_t>(p))});
}
inline uint64_t i64_load32_u(const uint8_t* p) { return detail::load_le<uint32_t>(p); }

// ---- stores (narrow stores keep the low bytes) ----
inline void i32_store(uint8_t* p, uint32_t v) { detail::store_le(p, v); }
inline void i64_store(uint8_t* p, uint64_t v) { detail::store_le(p, v); }
inline void f32_store(uint8_t* p, float v) { detail::store_le(p, std::bit_cast<uint32_t>(v)); }
inline void f64_store(uint8_t* p, double v) { detail::store_le(p, std::bit_cast<uint64_t>(v)); }
inline void i32_store8(uint8_t* p, uint32_t v) { p[0] = static_cast<uint8_t>(v); }
inline void i32_store16(uint8_t* p, uint32_t v) { detail::store_le(p, static_cast<uint16_t>(v)); }
inline void i64_store8(uint8_t* p, uint64_t v) { p[0] = static_cast<uint8_t>(v); }
inline void i64_store16(uint8_t* p, uint64_t v) { detail::store_le(p, static_cast<uint16_t>(v)); }
inline void i64_store32(uint8_t* p, uint64_t v) { detail::store_le(p, static_cast<uint32_t>(v)); }

}  // namespace waspvm::numeric
