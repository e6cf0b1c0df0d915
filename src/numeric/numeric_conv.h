// Conversions: float -> int truncation (trapping and saturating), int -> float conversion,
// promote/demote, reinterpret. Part of numeric.h; include that instead.
#pragma once
#ifndef WASP_NUMERIC_INSIDE_NUMERIC_H
#error "include numeric/numeric.h, not numeric/numeric_conv.h"
#endif

#include <bit>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace waspvm::numeric {

namespace detail {

enum class TruncClass { InRange, NaN, Below, Above };

// Where float x falls for truncation to Int: InRange means trunc(x) is representable, so the
// C++ conversion is defined (this includes x in (-1, 0] for unsigned Int).
template <class Int, class Float>
inline TruncClass classify_trunc(Float x) {
  constexpr int kValueBits = std::numeric_limits<Int>::digits;  // 31, 32, 63 or 64
  // 2^kValueBits, one past the largest value; exact in both float formats.
  constexpr Float kLimit = static_cast<Float>(uint64_t{1} << (kValueBits - 1)) * Float(2);
  if (std::isnan(x)) return TruncClass::NaN;
  if (!(x < kLimit)) return TruncClass::Above;
  if constexpr (std::is_signed_v<Int>) {
    // Representable iff trunc(x) >= -kLimit, i.e. x > -kLimit - 1. When the float cannot hold
    // -kLimit - 1 (its ulp there is >= 1), no float lies strictly between it and -kLimit.
    if constexpr (std::numeric_limits<Float>::digits > kValueBits) {
      if (!(x > -kLimit - Float(1))) return TruncClass::Below;
    } else {
      if (!(x >= -kLimit)) return TruncClass::Below;
    }
  } else {
    if (!(x > Float(-1))) return TruncClass::Below;
  }
  return TruncClass::InRange;
}

// Int is the signed or unsigned C++ type that gives the wasm operator's range; the result is
// its bit pattern in the wasm value type U (uint32_t or uint64_t).
template <class Int, class U, class Float>
inline Checked<U> trunc_checked(Float x) {
  switch (classify_trunc<Int>(x)) {
    case TruncClass::InRange: return checked_ok(static_cast<U>(static_cast<Int>(x)));
    case TruncClass::NaN: return checked_trap<U>(TrapCode::InvalidConversion);
    case TruncClass::Below:
    case TruncClass::Above: break;
  }
  return checked_trap<U>(TrapCode::IntegerOverflow);
}

template <class Int, class U, class Float>
inline U trunc_saturating(Float x) {
  switch (classify_trunc<Int>(x)) {
    case TruncClass::InRange: return static_cast<U>(static_cast<Int>(x));
    case TruncClass::NaN: return 0;
    case TruncClass::Below: return static_cast<U>(std::numeric_limits<Int>::min());
    case TruncClass::Above: break;
  }
  return static_cast<U>(std::numeric_limits<Int>::max());
}

inline constexpr uint64_t kTwoPow53 = uint64_t{1} << 53;

// Correctly rounded u64 -> f32 that does not trust the compiler's own conversion (which may go
// through double and round twice). Values below 2^53 convert to double exactly. Larger ones are
// first cut to 53 bits rounding to odd (dropped bits fold into a sticky low bit); the one
// rounding to 24 bits that follows is then the correct one, since 53 >= 24 + 2.
inline float u64_to_f32(uint64_t v) {
  if (v < kTwoPow53) return static_cast<float>(static_cast<double>(v));
  const int shift = static_cast<int>(std::bit_width(v)) - 53;  // 1..11
  const uint64_t dropped = v & ((uint64_t{1} << shift) - 1);
  const uint64_t kept = (v >> shift) | (dropped != 0 ? 1 : 0);
  return static_cast<float>(static_cast<double>(kept) * static_cast<double>(uint64_t{1} << shift));
}

// Correctly rounded u64 -> f64: both halves convert exactly and hi * 2^32 is exact, so the
// addition is the only rounding.
inline double u64_to_f64(uint64_t v) {
  if (v < kTwoPow53) return static_cast<double>(v);
  const double high = static_cast<double>(static_cast<uint32_t>(v >> 32)) * 0x1p32;
  const double low = static_cast<double>(static_cast<uint32_t>(v));
  return high + low;
}

// Signed conversions round the magnitude: round-to-nearest-even is symmetric.
inline uint64_t magnitude(uint64_t v) { return as_signed(v) < 0 ? 0 - v : v; }

}  // namespace detail

// ---- trapping truncation: NaN -> InvalidConversion, out of range -> IntegerOverflow ----
inline Checked<uint32_t> i32_trunc_f32_s(float a) { return detail::trunc_checked<int32_t, uint32_t>(a); }
inline Checked<uint32_t> i32_trunc_f32_u(float a) { return detail::trunc_checked<uint32_t, uint32_t>(a); }
inline Checked<uint32_t> i32_trunc_f64_s(double a) { return detail::trunc_checked<int32_t, uint32_t>(a); }
inline Checked<uint32_t> i32_trunc_f64_u(double a) { return detail::trunc_checked<uint32_t, uint32_t>(a); }
inline Checked<uint64_t> i64_trunc_f32_s(float a) { return detail::trunc_checked<int64_t, uint64_t>(a); }
inline Checked<uint64_t> i64_trunc_f32_u(float a) { return detail::trunc_checked<uint64_t, uint64_t>(a); }
inline Checked<uint64_t> i64_trunc_f64_s(double a) { return detail::trunc_checked<int64_t, uint64_t>(a); }
inline Checked<uint64_t> i64_trunc_f64_u(double a) { return detail::trunc_checked<uint64_t, uint64_t>(a); }

// ---- saturating truncation: NaN -> 0, out of range -> the nearest bound ----
inline uint32_t i32_trunc_sat_f32_s(float a) { return detail::trunc_saturating<int32_t, uint32_t>(a); }
inline uint32_t i32_trunc_sat_f32_u(float a) { return detail::trunc_saturating<uint32_t, uint32_t>(a); }
inline uint32_t i32_trunc_sat_f64_s(double a) { return detail::trunc_saturating<int32_t, uint32_t>(a); }
inline uint32_t i32_trunc_sat_f64_u(double a) { return detail::trunc_saturating<uint32_t, uint32_t>(a); }
inline uint64_t i64_trunc_sat_f32_s(float a) { return detail::trunc_saturating<int64_t, uint64_t>(a); }
inline uint64_t i64_trunc_sat_f32_u(float a) { return detail::trunc_saturating<uint64_t, uint64_t>(a); }
inline uint64_t i64_trunc_sat_f64_s(double a) { return detail::trunc_saturating<int64_t, uint64_t>(a); }
inline uint64_t i64_trunc_sat_f64_u(double a) { return detail::trunc_saturating<uint64_t, uint64_t>(a); }

// ---- int -> float. i32 -> f64 is exact; i32 -> f32 rounds once, from the exact double. ----
inline float f32_convert_i32_s(uint32_t a) {
  return static_cast<float>(static_cast<double>(detail::as_signed(a)));
}
inline float f32_convert_i32_u(uint32_t a) { return static_cast<float>(static_cast<double>(a)); }
inline float f32_convert_i64_s(uint64_t a) {
  const float rounded = detail::u64_to_f32(detail::magnitude(a));
  return detail::as_signed(a) < 0 ? -rounded : rounded;
}
inline float f32_convert_i64_u(uint64_t a) { return detail::u64_to_f32(a); }
inline double f64_convert_i32_s(uint32_t a) { return static_cast<double>(detail::as_signed(a)); }
inline double f64_convert_i32_u(uint32_t a) { return static_cast<double>(a); }
inline double f64_convert_i64_s(uint64_t a) {
  const double rounded = detail::u64_to_f64(detail::magnitude(a));
  return detail::as_signed(a) < 0 ? -rounded : rounded;
}
inline double f64_convert_i64_u(uint64_t a) { return detail::u64_to_f64(a); }

// ---- float <-> float. NaNs are built bit by bit (quiet, sign and top payload bits kept, as
// hardware does) so no compiler or library choice can let a signalling NaN through. ----
inline float f32_demote_f64(double a) {
  if (detail::is_nan(a)) {
    const uint64_t b = detail::bits(a);
    const auto sign = static_cast<uint32_t>(b >> 32) & detail::kF32SignBit;
    const auto payload = static_cast<uint32_t>((b & 0x000F'FFFF'FFFF'FFFFu) >> 29);
    return detail::f32_from_bits(sign | detail::kF32CanonicalNan | payload);
  }
  return static_cast<float>(a);
}
inline double f64_promote_f32(float a) {
  if (detail::is_nan(a)) {
    const uint32_t b = detail::bits(a);
    const uint64_t sign = uint64_t{b & detail::kF32SignBit} << 32;
    const uint64_t payload = uint64_t{b & 0x007F'FFFFu} << 29;
    return detail::f64_from_bits(sign | detail::kF64CanonicalNan | payload);
  }
  return static_cast<double>(a);
}

// ---- reinterpret: the same bits ----
constexpr uint32_t i32_reinterpret_f32(float a) { return std::bit_cast<uint32_t>(a); }
constexpr uint64_t i64_reinterpret_f64(double a) { return std::bit_cast<uint64_t>(a); }
constexpr float f32_reinterpret_i32(uint32_t a) { return std::bit_cast<float>(a); }
constexpr double f64_reinterpret_i64(uint64_t a) { return std::bit_cast<double>(a); }

}  // namespace waspvm::numeric
