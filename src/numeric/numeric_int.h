// Integer operators (i32 and i64): comparisons, bit counts, arithmetic, division, shifts,
// rotates, sign extension. Part of numeric.h; include that instead.
#pragma once
#ifndef WASP_NUMERIC_INSIDE_NUMERIC_H
#error "include numeric/numeric.h, not numeric/numeric_int.h"
#endif

#include <bit>
#include <cstdint>
#include <limits>

namespace waspvm::numeric {

namespace detail {
// Signed views. C++20 defines unsigned -> signed conversion as modular, and >> of a negative
// value as arithmetic, so these are portable and free of UB.
constexpr int32_t as_signed(uint32_t v) { return static_cast<int32_t>(v); }
constexpr int64_t as_signed(uint64_t v) { return static_cast<int64_t>(v); }
}  // namespace detail

// ---- i32 comparisons ----
constexpr uint32_t i32_eqz(uint32_t a) { return a == 0; }
constexpr uint32_t i32_eq(uint32_t a, uint32_t b) { return a == b; }
constexpr uint32_t i32_ne(uint32_t a, uint32_t b) { return a != b; }
constexpr uint32_t i32_lt_s(uint32_t a, uint32_t b) { return detail::as_signed(a) < detail::as_signed(b); }
constexpr uint32_t i32_lt_u(uint32_t a, uint32_t b) { return a < b; }
constexpr uint32_t i32_gt_s(uint32_t a, uint32_t b) { return detail::as_signed(a) > detail::as_signed(b); }
constexpr uint32_t i32_gt_u(uint32_t a, uint32_t b) { return a > b; }
constexpr uint32_t i32_le_s(uint32_t a, uint32_t b) { return detail::as_signed(a) <= detail::as_signed(b); }
constexpr uint32_t i32_le_u(uint32_t a, uint32_t b) { return a <= b; }
constexpr uint32_t i32_ge_s(uint32_t a, uint32_t b) { return detail::as_signed(a) >= detail::as_signed(b); }
constexpr uint32_t i32_ge_u(uint32_t a, uint32_t b) { return a >= b; }

// ---- i64 comparisons (results are i32) ----
constexpr uint32_t i64_eqz(uint64_t a) { return a == 0; }
constexpr uint32_t i64_eq(uint64_t a, uint64_t b) { return a == b; }
constexpr uint32_t i64_ne(uint64_t a, uint64_t b) { return a != b; }
constexpr uint32_t i64_lt_s(uint64_t a, uint64_t b) { return detail::as_signed(a) < detail::as_signed(b); }
constexpr uint32_t i64_lt_u(uint64_t a, uint64_t b) { return a < b; }
constexpr uint32_t i64_gt_s(uint64_t a, uint64_t b) { return detail::as_signed(a) > detail::as_signed(b); }
constexpr uint32_t i64_gt_u(uint64_t a, uint64_t b) { return a > b; }
constexpr uint32_t i64_le_s(uint64_t a, uint64_t b) { return detail::as_signed(a) <= detail::as_signed(b); }
constexpr uint32_t i64_le_u(uint64_t a, uint64_t b) { return a <= b; }
constexpr uint32_t i64_ge_s(uint64_t a, uint64_t b) { return detail::as_signed(a) >= detail::as_signed(b); }
constexpr uint32_t i64_ge_u(uint64_t a, uint64_t b) { return a >= b; }

// ---- bit counts (defined for 0: the full width) ----
constexpr uint32_t i32_clz(uint32_t a) { return static_cast<uint32_t>(std::countl_zero(a)); }
constexpr uint32_t i32_ctz(uint32_t a) { return static_cast<uint32_t>(std::countr_zero(a)); }
constexpr uint32_t i32_popcnt(uint32_t a) { return static_cast<uint32_t>(std::popcount(a)); }
constexpr uint64_t i64_clz(uint64_t a) { return static_cast<uint64_t>(std::countl_zero(a)); }
constexpr uint64_t i64_ctz(uint64_t a) { return static_cast<uint64_t>(std::countr_zero(a)); }
constexpr uint64_t i64_popcnt(uint64_t a) { return static_cast<uint64_t>(std::popcount(a)); }

// ---- wrapping arithmetic (unsigned, so overflow is defined) ----
constexpr uint32_t i32_add(uint32_t a, uint32_t b) { return a + b; }
constexpr uint32_t i32_sub(uint32_t a, uint32_t b) { return a - b; }
constexpr uint32_t i32_mul(uint32_t a, uint32_t b) { return a * b; }
constexpr uint64_t i64_add(uint64_t a, uint64_t b) { return a + b; }
constexpr uint64_t i64_sub(uint64_t a, uint64_t b) { return a - b; }
constexpr uint64_t i64_mul(uint64_t a, uint64_t b) { return a * b; }

// ---- division: traps on zero divisor, and div_s on INT_MIN / -1 (whose quotient overflows).
// rem_s of INT_MIN by -1 is 0 in wasm but UB in C++, so any -1 divisor is answered directly.
constexpr Checked<uint32_t> i32_div_s(uint32_t a, uint32_t b) {
  if (b == 0) return checked_trap<uint32_t>(TrapCode::IntegerDivideByZero);
  if (a == 0x8000'0000u && b == 0xFFFF'FFFFu) return checked_trap<uint32_t>(TrapCode::IntegerOverflow);
  return checked_ok(static_cast<uint32_t>(detail::as_signed(a) / detail::as_signed(b)));
}
constexpr Checked<uint32_t> i32_div_u(uint32_t a, uint32_t b) {
  if (b == 0) return checked_trap<uint32_t>(TrapCode::IntegerDivideByZero);
  return checked_ok(a / b);
}
constexpr Checked<uint32_t> i32_rem_s(uint32_t a, uint32_t b) {
  if (b == 0) return checked_trap<uint32_t>(TrapCode::IntegerDivideByZero);
  if (b == 0xFFFF'FFFFu) return checked_ok(uint32_t{0});
  return checked_ok(static_cast<uint32_t>(detail::as_signed(a) % detail::as_signed(b)));
}
constexpr Checked<uint32_t> i32_rem_u(uint32_t a, uint32_t b) {
  if (b == 0) return checked_trap<uint32_t>(TrapCode::IntegerDivideByZero);
  return checked_ok(a % b);
}
constexpr Checked<uint64_t> i64_div_s(uint64_t a, uint64_t b) {
  if (b == 0) return checked_trap<uint64_t>(TrapCode::IntegerDivideByZero);
  if (a == 0x8000'0000'0000'0000u && b == 0xFFFF'FFFF'FFFF'FFFFu) {
    return checked_trap<uint64_t>(TrapCode::IntegerOverflow);
  }
  return checked_ok(static_cast<uint64_t>(detail::as_signed(a) / detail::as_signed(b)));
}
constexpr Checked<uint64_t> i64_div_u(uint64_t a, uint64_t b) {
  if (b == 0) return checked_trap<uint64_t>(TrapCode::IntegerDivideByZero);
  return checked_ok(a / b);
}
constexpr Checked<uint64_t> i64_rem_s(uint64_t a, uint64_t b) {
  if (b == 0) return checked_trap<uint64_t>(TrapCode::IntegerDivideByZero);
  if (b == 0xFFFF'FFFF'FFFF'FFFFu) return checked_ok(uint64_t{0});
  return checked_ok(static_cast<uint64_t>(detail::as_signed(a) % detail::as_signed(b)));
}
constexpr Checked<uint64_t> i64_rem_u(uint64_t a, uint64_t b) {
  if (b == 0) return checked_trap<uint64_t>(TrapCode::IntegerDivideByZero);
  return checked_ok(a % b);
}

// ---- bitwise ----
constexpr uint32_t i32_and(uint32_t a, uint32_t b) { return a & b; }
constexpr uint32_t i32_or(uint32_t a, uint32_t b) { return a | b; }
constexpr uint32_t i32_xor(uint32_t a, uint32_t b) { return a ^ b; }
constexpr uint64_t i64_and(uint64_t a, uint64_t b) { return a & b; }
constexpr uint64_t i64_or(uint64_t a, uint64_t b) { return a | b; }
constexpr uint64_t i64_xor(uint64_t a, uint64_t b) { return a ^ b; }

// ---- shifts and rotates: the count is taken modulo the width ----
constexpr uint32_t i32_shl(uint32_t a, uint32_t b) { return a << (b & 31); }
constexpr uint32_t i32_shr_s(uint32_t a, uint32_t b) {
  return static_cast<uint32_t>(detail::as_signed(a) >> (b & 31));
}
constexpr uint32_t i32_shr_u(uint32_t a, uint32_t b) { return a >> (b & 31); }
constexpr uint32_t i32_rotl(uint32_t a, uint32_t b) { return std::rotl(a, static_cast<int>(b & 31)); }
constexpr uint32_t i32_rotr(uint32_t a, uint32_t b) { return std::rotr(a, static_cast<int>(b & 31)); }
constexpr uint64_t i64_shl(uint64_t a, uint64_t b) { return a << (b & 63); }
constexpr uint64_t i64_shr_s(uint64_t a, uint64_t b) {
  return static_cast<uint64_t>(detail::as_signed(a) >> (b & 63));
}
constexpr uint64_t i64_shr_u(uint64_t a, uint64_t b) { return a >> (b & 63); }
constexpr uint64_t i64_rotl(uint64_t a, uint64_t b) { return std::rotl(a, static_cast<int>(b & 63)); }
constexpr uint64_t i64_rotr(uint64_t a, uint64_t b) { return std::rotr(a, static_cast<int>(b & 63)); }

// ---- width changes and sign extension ----
constexpr uint32_t i32_wrap_i64(uint64_t a) { return static_cast<uint32_t>(a); }
constexpr uint64_t i64_extend_i32_s(uint32_t a) {
  return static_cast<uint64_t>(int64_t{detail::as_signed(a)});
}
constexpr uint64_t i64_extend_i32_u(uint32_t a) { return uint64_t{a}; }
constexpr uint32_t i32_extend8_s(uint32_t a) {
  return static_cast<uint32_t>(int32_t{static_cast<int8_t>(a)});
}
constexpr uint32_t i32_extend16_s(uint32_t a) {
  return static_cast<uint32_t>(int32_t{static_cast<int16_t>(a)});
}
constexpr uint64_t i64_extend8_s(uint64_t a) {
  return static_cast<uint64_t>(int64_t{static_cast<int8_t>(a)});
}
constexpr uint64_t i64_extend16_s(uint64_t a) {
  return static_cast<uint64_t>(int64_t{static_cast<int16_t>(a)});
}
constexpr uint64_t i64_extend32_s(uint64_t a) {
  return static_cast<uint64_t>(int64_t{static_cast<int32_t>(a)});
}

}  // namespace waspvm::numeric
