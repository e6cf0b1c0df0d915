// Float operators (f32 and f64): comparisons, sign operations, rounding, arithmetic, min/max,
// plus NaN canonicalization for determinism mode. Part of numeric.h; include that instead.
//
// NaN rules (spec 4.3.3): a NaN result must be an arithmetic NaN (quiet bit set). Hardware
// arithmetic already quiets signalling inputs; where a library call decides instead (rounding),
// NaN inputs are quieted here explicitly. abs/neg/copysign are bit operations that keep payloads.
#pragma once
#ifndef WASP_NUMERIC_INSIDE_NUMERIC_H
#error "include numeric/numeric.h, not numeric/numeric_float.h"
#endif

#include <bit>
#include <cmath>
#include <cstdint>

namespace waspvm::numeric {

namespace detail {

inline constexpr uint32_t kF32SignBit = 0x8000'0000u;
inline constexpr uint32_t kF32QuietBit = 0x0040'0000u;
inline constexpr uint32_t kF32CanonicalNan = 0x7FC0'0000u;
inline constexpr uint64_t kF64SignBit = 0x8000'0000'0000'0000u;
inline constexpr uint64_t kF64QuietBit = 0x0008'0000'0000'0000u;
inline constexpr uint64_t kF64CanonicalNan = 0x7FF8'0000'0000'0000u;

constexpr uint32_t bits(float v) { return std::bit_cast<uint32_t>(v); }
constexpr uint64_t bits(double v) { return std::bit_cast<uint64_t>(v); }
constexpr float f32_from_bits(uint32_t v) { return std::bit_cast<float>(v); }
constexpr double f64_from_bits(uint64_t v) { return std::bit_cast<double>(v); }

// Bit tests, usable in constant expressions (std::isnan is not constexpr in C++20).
constexpr bool is_nan(float v) { return (bits(v) & ~kF32SignBit) > 0x7F80'0000u; }
constexpr bool is_nan(double v) { return (bits(v) & ~kF64SignBit) > 0x7FF0'0000'0000'0000u; }
constexpr float quieted(float nan) { return f32_from_bits(bits(nan) | kF32QuietBit); }
constexpr double quieted(double nan) { return f64_from_bits(bits(nan) | kF64QuietBit); }

// Round to nearest, ties to even, without depending on the current rounding mode.
template <class Float, class Int>
inline Float round_half_even(Float v, Float integral_threshold) {
  if (std::isnan(v)) return quieted(v);
  // From the threshold (2^23 for f32, 2^52 for f64) on, every value, and infinity, is integral.
  if (!(std::fabs(v) < integral_threshold)) return v;
  const Float truncated = std::trunc(v);
  const Float fraction = std::fabs(v - truncated);  // exact below the threshold
  const bool odd = (static_cast<Int>(truncated) & 1) != 0;
  Float rounded = truncated;
  if (fraction > Float(0.5) || (fraction == Float(0.5) && odd)) rounded += std::copysign(Float(1), v);
  return std::copysign(rounded, v);  // -0.4 rounds to -0, not +0
}

// wasm min/max: NaN if either operand is NaN (a + b lets the hardware pick one and quiet it),
// and -0 < +0 (equal operands differ at most in the sign of zero, so combine the bits).
template <class Float>
inline Float wasm_min(Float a, Float b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return std::bit_cast<Float>(bits(a) | bits(b));
  return a < b ? a : b;
}
template <class Float>
inline Float wasm_max(Float a, Float b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return std::bit_cast<Float>(bits(a) & bits(b));
  return a > b ? a : b;
}

}  // namespace detail

// ---- comparisons (false whenever an operand is NaN, except ne) ----
constexpr uint32_t f32_eq(float a, float b) { return a == b; }
constexpr uint32_t f32_ne(float a, float b) { return a != b; }
constexpr uint32_t f32_lt(float a, float b) { return a < b; }
constexpr uint32_t f32_gt(float a, float b) { return a > b; }
constexpr uint32_t f32_le(float a, float b) { return a <= b; }
constexpr uint32_t f32_ge(float a, float b) { return a >= b; }
constexpr uint32_t f64_eq(double a, double b) { return a == b; }
constexpr uint32_t f64_ne(double a, double b) { return a != b; }
constexpr uint32_t f64_lt(double a, double b) { return a < b; }
constexpr uint32_t f64_gt(double a, double b) { return a > b; }
constexpr uint32_t f64_le(double a, double b) { return a <= b; }
constexpr uint32_t f64_ge(double a, double b) { return a >= b; }

// ---- sign operations: pure bit manipulation, NaN payloads untouched ----
constexpr float f32_abs(float a) { return detail::f32_from_bits(detail::bits(a) & ~detail::kF32SignBit); }
constexpr float f32_neg(float a) { return detail::f32_from_bits(detail::bits(a) ^ detail::kF32SignBit); }
constexpr float f32_copysign(float a, float b) {
  return detail::f32_from_bits((detail::bits(a) & ~detail::kF32SignBit) |
                               (detail::bits(b) & detail::kF32SignBit));
}
constexpr double f64_abs(double a) { return detail::f64_from_bits(detail::bits(a) & ~detail::kF64SignBit); }
constexpr double f64_neg(double a) { return detail::f64_from_bits(detail::bits(a) ^ detail::kF64SignBit); }
constexpr double f64_copysign(double a, double b) {
  return detail::f64_from_bits((detail::bits(a) & ~detail::kF64SignBit) |
                               (detail::bits(b) & detail::kF64SignBit));
}

// ---- rounding to integral values (exact operations; zero signs kept) ----
inline float f32_ceil(float a) { return std::isnan(a) ? detail::quieted(a) : std::ceil(a); }
inline float f32_floor(float a) { return std::isnan(a) ? detail::quieted(a) : std::floor(a); }
inline float f32_trunc(float a) { return std::isnan(a) ? detail::quieted(a) : std::trunc(a); }
inline float f32_nearest(float a) { return detail::round_half_even<float, int32_t>(a, 0x1p23f); }
inline double f64_ceil(double a) { return std::isnan(a) ? detail::quieted(a) : std::ceil(a); }
inline double f64_floor(double a) { return std::isnan(a) ? detail::quieted(a) : std::floor(a); }
inline double f64_trunc(double a) { return std::isnan(a) ? detail::quieted(a) : std::trunc(a); }
inline double f64_nearest(double a) { return detail::round_half_even<double, int64_t>(a, 0x1p52); }

// ---- arithmetic: IEEE 754 operations, round to nearest even ----
inline float f32_sqrt(float a) { return std::sqrt(a); }
inline float f32_add(float a, float b) { return a + b; }
inline float f32_sub(float a, float b) { return a - b; }
inline float f32_mul(float a, float b) { return a * b; }
inline float f32_div(float a, float b) { return a / b; }
inline float f32_min(float a, float b) { return detail::wasm_min(a, b); }
inline float f32_max(float a, float b) { return detail::wasm_max(a, b); }
inline double f64_sqrt(double a) { return std::sqrt(a); }
inline double f64_add(double a, double b) { return a + b; }
inline double f64_sub(double a, double b) { return a - b; }
inline double f64_mul(double a, double b) { return a * b; }
inline double f64_div(double a, double b) { return a / b; }
inline double f64_min(double a, double b) { return detail::wasm_min(a, b); }
inline double f64_max(double a, double b) { return detail::wasm_max(a, b); }

// ---- determinism mode: every NaN becomes the positive canonical quiet NaN ----
constexpr float canonical_nan_f32(float a) {
  return detail::is_nan(a) ? detail::f32_from_bits(detail::kF32CanonicalNan) : a;
}
constexpr double canonical_nan_f64(double a) {
  return detail::is_nan(a) ? detail::f64_from_bits(detail::kF64CanonicalNan) : a;
}

}  // namespace waspvm::numeric
