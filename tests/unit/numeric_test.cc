// Table-driven tests of src/numeric: every Simple/Trapping row of opcodes.def appears in at
// least one table (checked below), every Load/Store row is checked for its byte footprint.
// Floats are written and compared as bit patterns so NaN payloads and zero signs are exact.
#include "numeric/numeric.h"

#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace waspvm::numeric;  // NOLINT(build/namespaces): the functions under test
using waspvm::TrapCode;

// Keeps the optimizer from folding a call on constant inputs, so the tests see run-time behaviour.
template <class T>
T opaque(T v) {
  volatile T copy = v;
  return copy;
}

constexpr uint32_t b32(float v) { return std::bit_cast<uint32_t>(v); }
constexpr uint64_t b64(double v) { return std::bit_cast<uint64_t>(v); }
float f32(uint32_t bits) { return opaque(std::bit_cast<float>(bits)); }
double f64(uint64_t bits) { return opaque(std::bit_cast<double>(bits)); }

// f32 bit patterns.
constexpr uint32_t kF32PosZero = 0x0000'0000u, kF32NegZero = 0x8000'0000u;
constexpr uint32_t kF32Inf = 0x7F80'0000u, kF32NegInf = 0xFF80'0000u;
constexpr uint32_t kF32QNaN = 0x7FC0'0000u, kF32NegQNaN = 0xFFC0'0000u;
constexpr uint32_t kF32QNaNPayload = 0x7FC1'2345u;  // quiet, non-canonical payload
constexpr uint32_t kF32SNaN = 0x7FA0'0001u, kF32NegSNaN = 0xFF80'0001u;
constexpr uint32_t kF32Max = 0x7F7F'FFFFu, kF32MinSubnormal = 0x0000'0001u;
// f64 bit patterns.
constexpr uint64_t kF64PosZero = 0, kF64NegZero = 0x8000'0000'0000'0000u;
constexpr uint64_t kF64Inf = 0x7FF0'0000'0000'0000u, kF64NegInf = 0xFFF0'0000'0000'0000u;
constexpr uint64_t kF64QNaN = 0x7FF8'0000'0000'0000u, kF64NegQNaN = 0xFFF8'0000'0000'0000u;
constexpr uint64_t kF64QNaNPayload = 0x7FF8'0000'0012'3456u;
constexpr uint64_t kF64SNaN = 0x7FF4'0000'0000'0001u, kF64NegSNaN = 0xFFF0'0000'0000'0001u;
constexpr uint64_t kF64Max = 0x7FEF'FFFF'FFFF'FFFFu, kF64MinSubnormal = 1;

// What a float result must be: exactly these bits, or any NaN of a class the spec allows.
enum class Want { Bits, CanonicalNan, ArithmeticNan };

bool matches(uint32_t got, uint32_t want, Want kind) {
  switch (kind) {
    case Want::Bits: return got == want;
    case Want::CanonicalNan: return (got & 0x7FFF'FFFFu) == kF32QNaN;
    case Want::ArithmeticNan: return (got & 0x7FC0'0000u) == kF32QNaN;
  }
  return false;
}
bool matches(uint64_t got, uint64_t want, Want kind) {
  switch (kind) {
    case Want::Bits: return got == want;
    case Want::CanonicalNan: return (got & 0x7FFF'FFFF'FFFF'FFFFu) == kF64QNaN;
    case Want::ArithmeticNan: return (got & 0x7FF8'0000'0000'0000u) == kF64QNaN;
  }
  return false;
}

#define FN(f) #f, &f

// ============================== integer tables ==============================

struct I32Unary {
  const char* name;
  uint32_t (*fn)(uint32_t);
  uint32_t a, want;
};
struct I32Binary {
  const char* name;
  uint32_t (*fn)(uint32_t, uint32_t);
  uint32_t a, b, want;
};
struct I64Unary {
  const char* name;
  uint64_t (*fn)(uint64_t);
  uint64_t a, want;
};
struct I64Binary {
  const char* name;
  uint64_t (*fn)(uint64_t, uint64_t);
  uint64_t a, b, want;
};
struct I64Compare {
  const char* name;
  uint32_t (*fn)(uint64_t, uint64_t);
  uint64_t a, b;
  uint32_t want;
};
struct I64ToI32 {
  const char* name;
  uint32_t (*fn)(uint64_t);
  uint64_t a;
  uint32_t want;
};
struct I32ToI64 {
  const char* name;
  uint64_t (*fn)(uint32_t);
  uint32_t a;
  uint64_t want;
};

const I32Unary kI32Unary[] = {
    {FN(i32_eqz), 0, 1},
    {FN(i32_eqz), 1, 0},
    {FN(i32_eqz), 0x8000'0000u, 0},
    {FN(i32_clz), 0, 32},
    {FN(i32_clz), 1, 31},
    {FN(i32_clz), 0x8000'0000u, 0},
    {FN(i32_clz), 0xFFFF'FFFFu, 0},
    {FN(i32_clz), 0x0000'8000u, 16},
    {FN(i32_ctz), 0, 32},
    {FN(i32_ctz), 1, 0},
    {FN(i32_ctz), 0x8000'0000u, 31},
    {FN(i32_ctz), 0x0001'0000u, 16},
    {FN(i32_popcnt), 0, 0},
    {FN(i32_popcnt), 0xFFFF'FFFFu, 32},
    {FN(i32_popcnt), 0x8000'8000u, 2},
    {FN(i32_popcnt), 0xDEAD'BEEFu, 24},
    {FN(i32_extend8_s), 0x7F, 0x7F},
    {FN(i32_extend8_s), 0x80, 0xFFFF'FF80u},
    {FN(i32_extend8_s), 0x1234'5680u, 0xFFFF'FF80u},
    {FN(i32_extend8_s), 0xFFFF'FF00u, 0},
    {FN(i32_extend16_s), 0x7FFF, 0x7FFF},
    {FN(i32_extend16_s), 0x8000, 0xFFFF'8000u},
    {FN(i32_extend16_s), 0x1234'8001u, 0xFFFF'8001u},
    {FN(i32_extend16_s), 0xFFFF'0000u, 0},
};

const I32Binary kI32Binary[] = {
    {FN(i32_eq), 5, 5, 1},
    {FN(i32_eq), 5, 6, 0},
    {FN(i32_ne), 5, 5, 0},
    {FN(i32_ne), 5, 6, 1},
    {FN(i32_lt_s), 0x8000'0000u, 1, 1},
    {FN(i32_lt_u), 0x8000'0000u, 1, 0},
    {FN(i32_lt_s), 1, 1, 0},
    {FN(i32_lt_u), 1, 2, 1},
    {FN(i32_gt_s), 0x8000'0000u, 1, 0},
    {FN(i32_gt_u), 0x8000'0000u, 1, 1},
    {FN(i32_gt_s), 0xFFFF'FFFFu, 0xFFFF'FFFEu, 1},
    {FN(i32_gt_u), 1, 1, 0},
    {FN(i32_le_s), 0xFFFF'FFFFu, 0, 1},
    {FN(i32_le_u), 0xFFFF'FFFFu, 0, 0},
    {FN(i32_le_s), 7, 7, 1},
    {FN(i32_le_u), 7, 7, 1},
    {FN(i32_ge_s), 0xFFFF'FFFFu, 0, 0},
    {FN(i32_ge_u), 0xFFFF'FFFFu, 0, 1},
    {FN(i32_ge_s), 7, 7, 1},
    {FN(i32_ge_u), 6, 7, 0},
    {FN(i32_add), 0x7FFF'FFFFu, 1, 0x8000'0000u},
    {FN(i32_add), 0xFFFF'FFFFu, 1, 0},
    {FN(i32_sub), 0x8000'0000u, 1, 0x7FFF'FFFFu},
    {FN(i32_sub), 0, 1, 0xFFFF'FFFFu},
    {FN(i32_mul), 0x1'0000u, 0x1'0000u, 0},
    {FN(i32_mul), 0x8000'0000u, 0xFFFF'FFFFu, 0x8000'0000u},
    {FN(i32_mul), 0x0123'4567u, 0x7654'3210u, 0x358E'7470u},
    {FN(i32_mul), 0xFFFF'FFFFu, 0xFFFF'FFFFu, 1},
    {FN(i32_and), 0xF0F0'F0F0u, 0xFF00'FF00u, 0xF000'F000u},
    {FN(i32_or), 0xF0F0'F0F0u, 0xFF00'FF00u, 0xFFF0'FFF0u},
    {FN(i32_xor), 0xF0F0'F0F0u, 0xFF00'FF00u, 0x0FF0'0FF0u},
    {FN(i32_shl), 1, 31, 0x8000'0000u},
    {FN(i32_shl), 1, 32, 1},
    {FN(i32_shl), 1, 33, 2},
    {FN(i32_shl), 1, 0xFFFF'FFFFu, 0x8000'0000u},
    {FN(i32_shr_s), 0x8000'0000u, 31, 0xFFFF'FFFFu},
    {FN(i32_shr_s), 0x8000'0000u, 32, 0x8000'0000u},
    {FN(i32_shr_s), 0x7FFF'FFFFu, 30, 1},
    {FN(i32_shr_s), 0xFFFF'FFF0u, 0xFFFF'FFE2u, 0xFFFF'FFFCu},
    {FN(i32_shr_u), 0x8000'0000u, 31, 1},
    {FN(i32_shr_u), 0x8000'0000u, 32, 0x8000'0000u},
    {FN(i32_shr_u), 0xFFFF'FFFFu, 33, 0x7FFF'FFFFu},
    {FN(i32_rotl), 0x8000'0001u, 1, 3},
    {FN(i32_rotl), 0x1234'5678u, 0, 0x1234'5678u},
    {FN(i32_rotl), 0x1234'5678u, 32, 0x1234'5678u},
    {FN(i32_rotl), 0x1234'5678u, 36, 0x2345'6781u},
    {FN(i32_rotl), 0x1234'5678u, 0xFFFF'FFFCu, 0x8123'4567u},
    {FN(i32_rotr), 0x8000'0001u, 1, 0xC000'0000u},
    {FN(i32_rotr), 0x1234'5678u, 32, 0x1234'5678u},
    {FN(i32_rotr), 0x1234'5678u, 36, 0x8123'4567u},
    {FN(i32_rotr), 0x1234'5678u, 0xFFFF'FFFCu, 0x2345'6781u},
};

const I64Unary kI64Unary[] = {
    {FN(i64_clz), 0, 64},
    {FN(i64_clz), 1, 63},
    {FN(i64_clz), 0x8000'0000'0000'0000u, 0},
    {FN(i64_clz), 0x0000'0001'0000'0000u, 31},
    {FN(i64_ctz), 0, 64},
    {FN(i64_ctz), 1, 0},
    {FN(i64_ctz), 0x8000'0000'0000'0000u, 63},
    {FN(i64_ctz), 0x0000'0001'0000'0000u, 32},
    {FN(i64_popcnt), 0, 0},
    {FN(i64_popcnt), ~uint64_t{0}, 64},
    {FN(i64_popcnt), 0x8000'0000'0000'0001u, 2},
    {FN(i64_extend8_s), 0x7F, 0x7F},
    {FN(i64_extend8_s), 0x80, 0xFFFF'FFFF'FFFF'FF80u},
    {FN(i64_extend8_s), 0x0123'4567'89AB'CD80u, 0xFFFF'FFFF'FFFF'FF80u},
    {FN(i64_extend16_s), 0x7FFF, 0x7FFF},
    {FN(i64_extend16_s), 0x8000, 0xFFFF'FFFF'FFFF'8000u},
    {FN(i64_extend16_s), 0xFFFF'FFFF'FFFF'0000u, 0},
    {FN(i64_extend32_s), 0x7FFF'FFFFu, 0x7FFF'FFFFu},
    {FN(i64_extend32_s), 0x8000'0000u, 0xFFFF'FFFF'8000'0000u},
    {FN(i64_extend32_s), 0x1234'5678'8765'4321u, 0xFFFF'FFFF'8765'4321u},
    {FN(i64_extend32_s), 0xFFFF'FFFF'0000'0000u, 0},
};

const I64Binary kI64Binary[] = {
    {FN(i64_add), 0x7FFF'FFFF'FFFF'FFFFu, 1, 0x8000'0000'0000'0000u},
    {FN(i64_add), ~uint64_t{0}, 1, 0},
    {FN(i64_sub), 0, 1, ~uint64_t{0}},
    {FN(i64_sub), 0x8000'0000'0000'0000u, 1, 0x7FFF'FFFF'FFFF'FFFFu},
    {FN(i64_mul), 0x1'0000'0000u, 0x1'0000'0000u, 0},
    {FN(i64_mul), 0x0123'4567'89AB'CDEFu, 0xFEDC'BA98'7654'3210u, 0x2236'D88F'E561'8CF0u},
    {FN(i64_mul), 0x8000'0000'0000'0000u, ~uint64_t{0}, 0x8000'0000'0000'0000u},
    {FN(i64_and), 0xF0F0u, 0xFF00u, 0xF000u},
    {FN(i64_or), 0xF0F0u, 0xFF00u, 0xFFF0u},
    {FN(i64_xor), 0xF0F0'0000'0000'0000u, 0xFF00'0000'0000'0000u, 0x0FF0'0000'0000'0000u},
    {FN(i64_shl), 1, 63, 0x8000'0000'0000'0000u},
    {FN(i64_shl), 1, 64, 1},
    {FN(i64_shl), 1, 65, 2},
    {FN(i64_shl), 1, 0x1'0000'0020u, 0x1'0000'0000u},
    {FN(i64_shr_s), 0x8000'0000'0000'0000u, 63, ~uint64_t{0}},
    {FN(i64_shr_s), 0x8000'0000'0000'0000u, 64, 0x8000'0000'0000'0000u},
    {FN(i64_shr_s), 0x7FFF'FFFF'FFFF'FFFFu, 62, 1},
    {FN(i64_shr_u), 0x8000'0000'0000'0000u, 63, 1},
    {FN(i64_shr_u), ~uint64_t{0}, 0xFFFF'FFFF'FFFF'FFC1u, 0x7FFF'FFFF'FFFF'FFFFu},
    {FN(i64_rotl), 0x8000'0000'0000'0001u, 1, 3},
    {FN(i64_rotl), 0x0123'4567'89AB'CDEFu, 64, 0x0123'4567'89AB'CDEFu},
    {FN(i64_rotl), 0x0123'4567'89AB'CDEFu, 68, 0x1234'5678'9ABC'DEF0u},
    {FN(i64_rotl), 0x0123'4567'89AB'CDEFu, ~uint64_t{0} - 3, 0xF012'3456'789A'BCDEu},
    {FN(i64_rotr), 0x8000'0000'0000'0001u, 1, 0xC000'0000'0000'0000u},
    {FN(i64_rotr), 0x0123'4567'89AB'CDEFu, 68, 0xF012'3456'789A'BCDEu},
    {FN(i64_rotr), 0x0123'4567'89AB'CDEFu, 0, 0x0123'4567'89AB'CDEFu},
};

const I64Compare kI64Compare[] = {
    {FN(i64_eq), 1, 1, 1},
    {FN(i64_eq), 0x1'0000'0001u, 1, 0},
    {FN(i64_ne), 1, 1, 0},
    {FN(i64_ne), 0x1'0000'0001u, 1, 1},
    {FN(i64_lt_s), 0x8000'0000'0000'0000u, 1, 1},
    {FN(i64_lt_u), 0x8000'0000'0000'0000u, 1, 0},
    {FN(i64_gt_s), 0x8000'0000'0000'0000u, 1, 0},
    {FN(i64_gt_u), 0x8000'0000'0000'0000u, 1, 1},
    {FN(i64_le_s), ~uint64_t{0}, 0, 1},
    {FN(i64_le_u), ~uint64_t{0}, 0, 0},
    {FN(i64_le_u), 3, 3, 1},
    {FN(i64_ge_s), ~uint64_t{0}, 0, 0},
    {FN(i64_ge_u), ~uint64_t{0}, 0, 1},
    {FN(i64_ge_s), 3, 3, 1},
};

const I64ToI32 kI64ToI32[] = {
    {FN(i64_eqz), 0, 1},
    {FN(i64_eqz), 0x1'0000'0000u, 0},
    {FN(i32_wrap_i64), 0x1234'5678'9ABC'DEF0u, 0x9ABC'DEF0u},
    {FN(i32_wrap_i64), 0xFFFF'FFFF'0000'0000u, 0},
};

const I32ToI64 kI32ToI64[] = {
    {FN(i64_extend_i32_s), 0x7FFF'FFFFu, 0x7FFF'FFFFu},
    {FN(i64_extend_i32_s), 0x8000'0000u, 0xFFFF'FFFF'8000'0000u},
    {FN(i64_extend_i32_u), 0x8000'0000u, 0x8000'0000u},
    {FN(i64_extend_i32_u), 0xFFFF'FFFFu, 0xFFFF'FFFFu},
};

// Trapping integer operators: `ok` with a value, or the trap.
struct I32Trapping {
  const char* name;
  Checked<uint32_t> (*fn)(uint32_t, uint32_t);
  uint32_t a, b;
  Checked<uint32_t> want;
};
struct I64Trapping {
  const char* name;
  Checked<uint64_t> (*fn)(uint64_t, uint64_t);
  uint64_t a, b;
  Checked<uint64_t> want;
};

constexpr auto kDivZero = TrapCode::IntegerDivideByZero;
constexpr auto kOverflow = TrapCode::IntegerOverflow;
constexpr auto kInvalid = TrapCode::InvalidConversion;

const I32Trapping kI32Trapping[] = {
    {FN(i32_div_s), 7, 2, checked_ok(3u)},
    {FN(i32_div_s), static_cast<uint32_t>(-7), 2, checked_ok(0xFFFF'FFFDu)},
    {FN(i32_div_s), 7, static_cast<uint32_t>(-2), checked_ok(0xFFFF'FFFDu)},
    {FN(i32_div_s), 1, 0, checked_trap<uint32_t>(kDivZero)},
    {FN(i32_div_s), 0, 0, checked_trap<uint32_t>(kDivZero)},
    {FN(i32_div_s), 0x8000'0000u, 0xFFFF'FFFFu, checked_trap<uint32_t>(kOverflow)},
    {FN(i32_div_s), 0x8000'0000u, 1, checked_ok(0x8000'0000u)},
    {FN(i32_div_s), 0x8000'0000u, 2, checked_ok(0xC000'0000u)},
    {FN(i32_div_u), 0x8000'0000u, 0xFFFF'FFFFu, checked_ok(0u)},
    {FN(i32_div_u), 0xFFFF'FFFFu, 2, checked_ok(0x7FFF'FFFFu)},
    {FN(i32_div_u), 1, 0, checked_trap<uint32_t>(kDivZero)},
    {FN(i32_rem_s), 0x8000'0000u, 0xFFFF'FFFFu, checked_ok(0u)},
    {FN(i32_rem_s), 7, 0xFFFF'FFFFu, checked_ok(0u)},
    {FN(i32_rem_s), static_cast<uint32_t>(-7), 2, checked_ok(0xFFFF'FFFFu)},
    {FN(i32_rem_s), 7, static_cast<uint32_t>(-2), checked_ok(1u)},
    {FN(i32_rem_s), 1, 0, checked_trap<uint32_t>(kDivZero)},
    {FN(i32_rem_u), 0x8000'0000u, 0xFFFF'FFFFu, checked_ok(0x8000'0000u)},
    {FN(i32_rem_u), 7, 3, checked_ok(1u)},
    {FN(i32_rem_u), 1, 0, checked_trap<uint32_t>(kDivZero)},
};

constexpr uint64_t kI64Min = 0x8000'0000'0000'0000u;
constexpr uint64_t kAllOnes = ~uint64_t{0};

const I64Trapping kI64Trapping[] = {
    {FN(i64_div_s), 7, 2, checked_ok(uint64_t{3})},
    {FN(i64_div_s), static_cast<uint64_t>(-7), 2, checked_ok(static_cast<uint64_t>(-3))},
    {FN(i64_div_s), 1, 0, checked_trap<uint64_t>(kDivZero)},
    {FN(i64_div_s), kI64Min, kAllOnes, checked_trap<uint64_t>(kOverflow)},
    {FN(i64_div_s), kI64Min, 2, checked_ok(0xC000'0000'0000'0000u)},
    {FN(i64_div_u), kI64Min, kAllOnes, checked_ok(uint64_t{0})},
    {FN(i64_div_u), kAllOnes, 2, checked_ok(0x7FFF'FFFF'FFFF'FFFFu)},
    {FN(i64_div_u), 1, 0, checked_trap<uint64_t>(kDivZero)},
    {FN(i64_rem_s), kI64Min, kAllOnes, checked_ok(uint64_t{0})},
    {FN(i64_rem_s), static_cast<uint64_t>(-7), 2, checked_ok(kAllOnes)},
    {FN(i64_rem_s), 1, 0, checked_trap<uint64_t>(kDivZero)},
    {FN(i64_rem_u), kI64Min, kAllOnes, checked_ok(kI64Min)},
    {FN(i64_rem_u), 1, 0, checked_trap<uint64_t>(kDivZero)},
};

// ============================== float tables ==============================

struct F32Unary {
  const char* name;
  float (*fn)(float);
  uint32_t a, want;
  Want kind;
};
struct F32Binary {
  const char* name;
  float (*fn)(float, float);
  uint32_t a, b, want;
  Want kind;
};
struct F32Compare {
  const char* name;
  uint32_t (*fn)(float, float);
  uint32_t a, b, want;
};
struct F64Unary {
  const char* name;
  double (*fn)(double);
  uint64_t a, want;
  Want kind;
};
struct F64Binary {
  const char* name;
  double (*fn)(double, double);
  uint64_t a, b, want;
  Want kind;
};
struct F64Compare {
  const char* name;
  uint32_t (*fn)(double, double);
  uint64_t a, b;
  uint32_t want;
};

constexpr Want kBits = Want::Bits, kCanon = Want::CanonicalNan, kArith = Want::ArithmeticNan;

const F32Unary kF32Unary[] = {
    // Sign operations keep NaN payloads, including signalling ones.
    {FN(f32_abs), kF32NegZero, kF32PosZero, kBits},
    {FN(f32_abs), b32(-1.5f), b32(1.5f), kBits},
    {FN(f32_abs), kF32NegQNaN, kF32QNaN, kBits},
    {FN(f32_abs), kF32NegSNaN, 0x7F80'0001u, kBits},
    {FN(f32_abs), kF32SNaN, kF32SNaN, kBits},
    {FN(f32_abs), kF32NegInf, kF32Inf, kBits},
    {FN(f32_neg), kF32PosZero, kF32NegZero, kBits},
    {FN(f32_neg), kF32SNaN, 0xFFA0'0001u, kBits},
    {FN(f32_neg), kF32NegQNaN, kF32QNaN, kBits},
    {FN(f32_neg), kF32QNaNPayload, 0xFFC1'2345u, kBits},
    // Rounding keeps the sign of zero; NaN in gives an arithmetic NaN out.
    {FN(f32_ceil), b32(-0.5f), kF32NegZero, kBits},
    {FN(f32_ceil), b32(0.5f), b32(1.0f), kBits},
    {FN(f32_ceil), b32(-1.5f), b32(-1.0f), kBits},
    {FN(f32_ceil), kF32MinSubnormal, b32(1.0f), kBits},
    {FN(f32_ceil), kF32NegInf, kF32NegInf, kBits},
    {FN(f32_ceil), kF32SNaN, 0, kArith},
    {FN(f32_ceil), kF32Max, kF32Max, kBits},
    {FN(f32_ceil), kF32NegZero, kF32NegZero, kBits},
    {FN(f32_floor), b32(0.5f), kF32PosZero, kBits},
    {FN(f32_floor), b32(-0.5f), b32(-1.0f), kBits},
    {FN(f32_floor), kF32NegZero, kF32NegZero, kBits},
    {FN(f32_floor), kF32SNaN, 0, kArith},
    {FN(f32_floor), 0x8000'0001u, b32(-1.0f), kBits},
    {FN(f32_trunc), b32(-0.9f), kF32NegZero, kBits},
    {FN(f32_trunc), b32(1.9f), b32(1.0f), kBits},
    {FN(f32_trunc), b32(-1.9f), b32(-1.0f), kBits},
    {FN(f32_trunc), kF32NegSNaN, 0, kArith},
    {FN(f32_trunc), kF32Inf, kF32Inf, kBits},
    {FN(f32_nearest), b32(0.5f), kF32PosZero, kBits},
    {FN(f32_nearest), b32(-0.5f), kF32NegZero, kBits},
    {FN(f32_nearest), b32(1.5f), b32(2.0f), kBits},
    {FN(f32_nearest), b32(2.5f), b32(2.0f), kBits},
    {FN(f32_nearest), b32(-1.5f), b32(-2.0f), kBits},
    {FN(f32_nearest), b32(-2.5f), b32(-2.0f), kBits},
    {FN(f32_nearest), b32(3.5f), b32(4.0f), kBits},
    {FN(f32_nearest), b32(-0.3f), kF32NegZero, kBits},
    {FN(f32_nearest), b32(0.49999997f), kF32PosZero, kBits},
    {FN(f32_nearest), b32(0.50000006f), b32(1.0f), kBits},
    {FN(f32_nearest), b32(4194303.5f), b32(4194304.0f), kBits},
    {FN(f32_nearest), b32(4194302.5f), b32(4194302.0f), kBits},
    {FN(f32_nearest), b32(8388607.5f), b32(8388608.0f), kBits},  // 2^23 - 0.5: the last fractional value
    {FN(f32_nearest), b32(8388609.0f), b32(8388609.0f), kBits},
    {FN(f32_nearest), b32(-8388607.5f), b32(-8388608.0f), kBits},
    {FN(f32_nearest), kF32NegInf, kF32NegInf, kBits},
    {FN(f32_nearest), kF32NegZero, kF32NegZero, kBits},
    {FN(f32_nearest), kF32MinSubnormal, kF32PosZero, kBits},
    {FN(f32_nearest), kF32SNaN, 0, kArith},
    {FN(f32_nearest), kF32QNaNPayload, kF32QNaNPayload, kBits},
    {FN(f32_sqrt), b32(4.0f), b32(2.0f), kBits},
    {FN(f32_sqrt), kF32NegZero, kF32NegZero, kBits},
    {FN(f32_sqrt), b32(-1.0f), 0, kCanon},
    {FN(f32_sqrt), kF32NegInf, 0, kCanon},
    {FN(f32_sqrt), kF32Inf, kF32Inf, kBits},
    {FN(f32_sqrt), kF32SNaN, 0, kArith},
    {FN(f32_sqrt), b32(2.0f), 0x3FB5'04F3u, kBits},
};

const F32Binary kF32Binary[] = {
    {FN(f32_add), b32(1.0f), b32(0x1p-24f), b32(1.0f), kBits},  // tie, to even
    {FN(f32_add), b32(1.0f), b32(0x1.8p-24f), 0x3F80'0001u, kBits},
    {FN(f32_add), kF32NegZero, kF32PosZero, kF32PosZero, kBits},
    {FN(f32_add), kF32NegZero, kF32NegZero, kF32NegZero, kBits},
    {FN(f32_add), kF32Inf, kF32NegInf, 0, kCanon},
    {FN(f32_add), kF32SNaN, b32(1.0f), 0, kArith},
    {FN(f32_add), kF32Max, kF32Max, kF32Inf, kBits},
    {FN(f32_sub), kF32Inf, kF32Inf, 0, kCanon},
    {FN(f32_sub), b32(1.0f), b32(1.0f), kF32PosZero, kBits},
    {FN(f32_sub), kF32NegZero, kF32PosZero, kF32NegZero, kBits},
    {FN(f32_sub), b32(1.0f), kF32SNaN, 0, kArith},
    {FN(f32_mul), kF32Inf, kF32PosZero, 0, kCanon},
    {FN(f32_mul), b32(-2.0f), kF32PosZero, kF32NegZero, kBits},
    {FN(f32_mul), kF32MinSubnormal, b32(0.5f), kF32PosZero, kBits},
    {FN(f32_mul), kF32QNaN, kF32QNaN, 0, kCanon},
    {FN(f32_div), kF32PosZero, kF32PosZero, 0, kCanon},
    {FN(f32_div), b32(1.0f), kF32NegZero, kF32NegInf, kBits},
    {FN(f32_div), b32(1.0f), b32(3.0f), 0x3EAA'AAABu, kBits},
    {FN(f32_div), kF32Inf, kF32Inf, 0, kCanon},
    // min/max: NaN wins, and -0 < +0 in both operand orders.
    {FN(f32_min), kF32NegZero, kF32PosZero, kF32NegZero, kBits},
    {FN(f32_min), kF32PosZero, kF32NegZero, kF32NegZero, kBits},
    {FN(f32_min), kF32PosZero, kF32PosZero, kF32PosZero, kBits},
    {FN(f32_min), b32(1.0f), b32(2.0f), b32(1.0f), kBits},
    {FN(f32_min), b32(2.0f), b32(1.0f), b32(1.0f), kBits},
    {FN(f32_min), kF32NegInf, kF32Max, kF32NegInf, kBits},
    {FN(f32_min), kF32QNaN, b32(1.0f), 0, kCanon},
    {FN(f32_min), b32(1.0f), kF32NegQNaN, 0, kCanon},
    {FN(f32_min), kF32SNaN, b32(1.0f), 0, kArith},
    {FN(f32_min), b32(1.0f), kF32SNaN, 0, kArith},
    {FN(f32_min), kF32NegInf, kF32QNaNPayload, 0, kArith},
    {FN(f32_max), kF32NegZero, kF32PosZero, kF32PosZero, kBits},
    {FN(f32_max), kF32PosZero, kF32NegZero, kF32PosZero, kBits},
    {FN(f32_max), kF32NegZero, kF32NegZero, kF32NegZero, kBits},
    {FN(f32_max), b32(-1.0f), b32(-2.0f), b32(-1.0f), kBits},
    {FN(f32_max), kF32Inf, kF32Max, kF32Inf, kBits},
    {FN(f32_max), kF32Inf, kF32QNaN, 0, kCanon},
    {FN(f32_max), kF32NegSNaN, kF32Inf, 0, kArith},
    // copysign: bits only.
    {FN(f32_copysign), b32(1.5f), kF32NegZero, b32(-1.5f), kBits},
    {FN(f32_copysign), b32(-1.5f), kF32PosZero, b32(1.5f), kBits},
    {FN(f32_copysign), kF32SNaN, b32(-1.0f), 0xFFA0'0001u, kBits},
    {FN(f32_copysign), kF32NegQNaN, kF32QNaN, kF32QNaN, kBits},
    {FN(f32_copysign), b32(2.0f), kF32NegQNaN, b32(-2.0f), kBits},
};

const F32Compare kF32Compare[] = {
    {FN(f32_eq), kF32NegZero, kF32PosZero, 1},
    {FN(f32_eq), kF32QNaN, kF32QNaN, 0},
    {FN(f32_eq), b32(1.0f), b32(1.0f), 1},
    {FN(f32_ne), kF32QNaN, kF32QNaN, 1},
    {FN(f32_ne), kF32NegZero, kF32PosZero, 0},
    {FN(f32_lt), kF32NegZero, kF32PosZero, 0},
    {FN(f32_lt), kF32NegInf, kF32MinSubnormal, 1},
    {FN(f32_lt), kF32QNaN, kF32Inf, 0},
    {FN(f32_gt), kF32Inf, kF32Max, 1},
    {FN(f32_gt), kF32Inf, kF32SNaN, 0},
    {FN(f32_le), kF32NegZero, kF32PosZero, 1},
    {FN(f32_le), kF32QNaN, kF32QNaN, 0},
    {FN(f32_ge), kF32PosZero, kF32NegZero, 1},
    {FN(f32_ge), kF32NegInf, kF32QNaN, 0},
};

const F64Unary kF64Unary[] = {
    {FN(f64_abs), kF64NegZero, kF64PosZero, kBits},
    {FN(f64_abs), kF64NegSNaN, 0x7FF0'0000'0000'0001u, kBits},
    {FN(f64_abs), kF64NegQNaN, kF64QNaN, kBits},
    {FN(f64_neg), kF64PosZero, kF64NegZero, kBits},
    {FN(f64_neg), kF64SNaN, 0xFFF4'0000'0000'0001u, kBits},
    {FN(f64_neg), kF64QNaNPayload, 0xFFF8'0000'0012'3456u, kBits},
    {FN(f64_ceil), b64(-0.5), kF64NegZero, kBits},
    {FN(f64_ceil), b64(0.5), b64(1.0), kBits},
    {FN(f64_ceil), kF64MinSubnormal, b64(1.0), kBits},
    {FN(f64_ceil), kF64SNaN, 0, kArith},
    {FN(f64_floor), b64(-0.5), b64(-1.0), kBits},
    {FN(f64_floor), kF64NegZero, kF64NegZero, kBits},
    {FN(f64_floor), kF64SNaN, 0, kArith},
    {FN(f64_floor), kF64Max, kF64Max, kBits},
    {FN(f64_trunc), b64(-0.9), kF64NegZero, kBits},
    {FN(f64_trunc), b64(-1.9), b64(-1.0), kBits},
    {FN(f64_trunc), kF64NegSNaN, 0, kArith},
    {FN(f64_nearest), b64(0.5), kF64PosZero, kBits},
    {FN(f64_nearest), b64(-0.5), kF64NegZero, kBits},
    {FN(f64_nearest), b64(1.5), b64(2.0), kBits},
    {FN(f64_nearest), b64(2.5), b64(2.0), kBits},
    {FN(f64_nearest), b64(-2.5), b64(-2.0), kBits},
    {FN(f64_nearest), b64(-3.5), b64(-4.0), kBits},
    {FN(f64_nearest), b64(0.49999999999999994), kF64PosZero, kBits},
    {FN(f64_nearest), b64(4503599627370495.5), b64(4503599627370496.0), kBits},  // 2^52 - 0.5
    {FN(f64_nearest), b64(4503599627370497.0), b64(4503599627370497.0), kBits},
    {FN(f64_nearest), b64(-2251799813685247.5), b64(-2251799813685248.0), kBits},
    {FN(f64_nearest), b64(-2251799813685246.5), b64(-2251799813685246.0), kBits},
    {FN(f64_nearest), kF64NegZero, kF64NegZero, kBits},
    {FN(f64_nearest), kF64Inf, kF64Inf, kBits},
    {FN(f64_nearest), kF64SNaN, 0, kArith},
    {FN(f64_nearest), b64(-0.3), kF64NegZero, kBits},
    {FN(f64_sqrt), b64(4.0), b64(2.0), kBits},
    {FN(f64_sqrt), kF64NegZero, kF64NegZero, kBits},
    {FN(f64_sqrt), b64(-1.0), 0, kCanon},
    {FN(f64_sqrt), kF64SNaN, 0, kArith},
    {FN(f64_sqrt), b64(2.0), 0x3FF6'A09E'667F'3BCDu, kBits},
};

const F64Binary kF64Binary[] = {
    {FN(f64_add), b64(1.0), b64(0x1p-53), b64(1.0), kBits},
    {FN(f64_add), b64(1.0), b64(0x1.8p-53), 0x3FF0'0000'0000'0001u, kBits},
    {FN(f64_add), kF64NegZero, kF64PosZero, kF64PosZero, kBits},
    {FN(f64_add), kF64Inf, kF64NegInf, 0, kCanon},
    {FN(f64_add), kF64SNaN, b64(1.0), 0, kArith},
    {FN(f64_add), kF64Max, kF64Max, kF64Inf, kBits},
    {FN(f64_sub), kF64NegZero, kF64PosZero, kF64NegZero, kBits},
    {FN(f64_sub), kF64Inf, kF64Inf, 0, kCanon},
    {FN(f64_mul), kF64Inf, kF64NegZero, 0, kCanon},
    {FN(f64_mul), b64(-2.0), kF64PosZero, kF64NegZero, kBits},
    {FN(f64_mul), kF64SNaN, b64(2.0), 0, kArith},
    {FN(f64_div), kF64NegZero, kF64PosZero, 0, kCanon},
    {FN(f64_div), b64(-1.0), kF64PosZero, kF64NegInf, kBits},
    {FN(f64_div), b64(1.0), b64(3.0), 0x3FD5'5555'5555'5555u, kBits},
    {FN(f64_min), kF64NegZero, kF64PosZero, kF64NegZero, kBits},
    {FN(f64_min), kF64PosZero, kF64NegZero, kF64NegZero, kBits},
    {FN(f64_min), b64(-1.0), b64(1.0), b64(-1.0), kBits},
    {FN(f64_min), kF64QNaN, kF64NegInf, 0, kCanon},
    {FN(f64_min), kF64NegInf, kF64SNaN, 0, kArith},
    {FN(f64_min), kF64QNaNPayload, b64(0.0), 0, kArith},
    {FN(f64_max), kF64NegZero, kF64PosZero, kF64PosZero, kBits},
    {FN(f64_max), kF64PosZero, kF64NegZero, kF64PosZero, kBits},
    {FN(f64_max), kF64NegZero, kF64NegZero, kF64NegZero, kBits},
    {FN(f64_max), b64(-1.0), b64(1.0), b64(1.0), kBits},
    {FN(f64_max), kF64Inf, kF64NegQNaN, 0, kCanon},
    {FN(f64_max), kF64SNaN, kF64Inf, 0, kArith},
    {FN(f64_copysign), b64(1.5), kF64NegZero, b64(-1.5), kBits},
    {FN(f64_copysign), kF64SNaN, b64(-1.0), 0xFFF4'0000'0000'0001u, kBits},
    {FN(f64_copysign), kF64NegQNaN, kF64PosZero, kF64QNaN, kBits},
    {FN(f64_copysign), b64(-3.0), kF64QNaN, b64(3.0), kBits},
};

const F64Compare kF64Compare[] = {
    {FN(f64_eq), kF64NegZero, kF64PosZero, 1}, {FN(f64_eq), kF64QNaN, kF64QNaN, 0},
    {FN(f64_ne), kF64QNaN, kF64QNaN, 1},       {FN(f64_ne), b64(1.0), b64(1.0), 0},
    {FN(f64_lt), kF64NegZero, kF64PosZero, 0}, {FN(f64_lt), b64(1.0), kF64Inf, 1},
    {FN(f64_lt), kF64SNaN, kF64Inf, 0},        {FN(f64_gt), kF64Inf, kF64Max, 1},
    {FN(f64_gt), kF64QNaN, kF64NegInf, 0},     {FN(f64_le), kF64PosZero, kF64NegZero, 1},
    {FN(f64_le), kF64QNaN, kF64QNaN, 0},       {FN(f64_ge), kF64NegZero, kF64PosZero, 1},
    {FN(f64_ge), kF64Inf, kF64QNaN, 0},
};

// ============================== conversion tables ==============================

// A truncation case serves both the trapping and the saturating operator: `outcome` is what the
// trapping one does, `value` its result when ok and the saturating result in every case.
enum class Outcome { Ok, Overflow, Invalid };
template <class Float, class U>
struct TruncCase {
  const char* name;
  Checked<U> (*trapping)(Float);
  const char* sat_name;
  U (*saturating)(Float);
  Float input;
  Outcome outcome;
  U value;
};
#define TRUNC(int_t, float_t, sign) \
  FN(int_t##_trunc_##float_t##_##sign), FN(int_t##_trunc_sat_##float_t##_##sign)

using F32ToI32 = TruncCase<float, uint32_t>;
using F64ToI32 = TruncCase<double, uint32_t>;
using F32ToI64 = TruncCase<float, uint64_t>;
using F64ToI64 = TruncCase<double, uint64_t>;
constexpr auto kOk = Outcome::Ok, kOver = Outcome::Overflow, kNaN = Outcome::Invalid;
constexpr float kF32NaN = std::bit_cast<float>(kF32QNaN);
constexpr double kF64NaN = std::bit_cast<double>(kF64QNaN);
constexpr float kF32Infinity = std::bit_cast<float>(kF32Inf);
constexpr double kF64Infinity = std::bit_cast<double>(kF64Inf);

const F32ToI32 kF32ToI32[] = {
    {TRUNC(i32, f32, s), -2147483648.0f, kOk, 0x8000'0000u},
    {TRUNC(i32, f32, s), std::bit_cast<float>(0xCF00'0001u), kOver, 0x8000'0000u},  // next below -2^31
    {TRUNC(i32, f32, s), 2147483520.0f, kOk, 0x7FFF'FF80u},                         // largest below 2^31
    {TRUNC(i32, f32, s), 2147483648.0f, kOver, 0x7FFF'FFFFu},
    {TRUNC(i32, f32, s), -1.9f, kOk, 0xFFFF'FFFFu},
    {TRUNC(i32, f32, s), -0.9f, kOk, 0},
    {TRUNC(i32, f32, s), -0.0f, kOk, 0},
    {TRUNC(i32, f32, s), 1.9f, kOk, 1},
    {TRUNC(i32, f32, s), kF32Infinity, kOver, 0x7FFF'FFFFu},
    {TRUNC(i32, f32, s), -kF32Infinity, kOver, 0x8000'0000u},
    {TRUNC(i32, f32, s), kF32NaN, kNaN, 0},
    {TRUNC(i32, f32, s), -kF32NaN, kNaN, 0},
    {TRUNC(i32, f32, u), -0.9f, kOk, 0},
    {TRUNC(i32, f32, u), std::bit_cast<float>(0xBF7F'FFFFu), kOk, 0},
    {TRUNC(i32, f32, u), -1.0f, kOver, 0},
    {TRUNC(i32, f32, u), -0.0f, kOk, 0},
    {TRUNC(i32, f32, u), 2147483648.0f, kOk, 0x8000'0000u},
    {TRUNC(i32, f32, u), 4294967040.0f, kOk, 0xFFFF'FF00u},  // largest below 2^32
    {TRUNC(i32, f32, u), 4294967296.0f, kOver, 0xFFFF'FFFFu},
    {TRUNC(i32, f32, u), kF32Infinity, kOver, 0xFFFF'FFFFu},
    {TRUNC(i32, f32, u), -kF32Infinity, kOver, 0},
    {TRUNC(i32, f32, u), kF32NaN, kNaN, 0},
};

const F64ToI32 kF64ToI32[] = {
    {TRUNC(i32, f64, s), -2147483648.9, kOk, 0x8000'0000u},
    {TRUNC(i32, f64, s), std::bit_cast<double>(0xC1E0'0000'001F'FFFFu), kOk,
     0x8000'0000u},  // next above -2^31-1
    {TRUNC(i32, f64, s), -2147483649.0, kOver, 0x8000'0000u},
    {TRUNC(i32, f64, s), 2147483647.9, kOk, 0x7FFF'FFFFu},
    {TRUNC(i32, f64, s), std::bit_cast<double>(0x41DF'FFFF'FFFF'FFFFu), kOk,
     0x7FFF'FFFFu},  // next below 2^31
    {TRUNC(i32, f64, s), 2147483648.0, kOver, 0x7FFF'FFFFu},
    {TRUNC(i32, f64, s), -0.9999999999999999, kOk, 0},
    {TRUNC(i32, f64, s), -1.0, kOk, 0xFFFF'FFFFu},
    {TRUNC(i32, f64, s), kF64NaN, kNaN, 0},
    {TRUNC(i32, f64, s), -kF64Infinity, kOver, 0x8000'0000u},
    {TRUNC(i32, f64, u), -0.9999999999999999, kOk, 0},
    {TRUNC(i32, f64, u), -1.0, kOver, 0},
    {TRUNC(i32, f64, u), 4294967295.9, kOk, 0xFFFF'FFFFu},
    {TRUNC(i32, f64, u), std::bit_cast<double>(0x41EF'FFFF'FFFF'FFFFu), kOk,
     0xFFFF'FFFFu},  // next below 2^32
    {TRUNC(i32, f64, u), 4294967296.0, kOver, 0xFFFF'FFFFu},
    {TRUNC(i32, f64, u), 1e300, kOver, 0xFFFF'FFFFu},
    {TRUNC(i32, f64, u), kF64NaN, kNaN, 0},
    {TRUNC(i32, f64, u), -kF64NaN, kNaN, 0},
};

const F32ToI64 kF32ToI64[] = {
    {TRUNC(i64, f32, s), -9223372036854775808.0f, kOk, kI64Min},
    {TRUNC(i64, f32, s), std::bit_cast<float>(0xDF00'0001u), kOver, kI64Min},
    {TRUNC(i64, f32, s), std::bit_cast<float>(0x5EFF'FFFFu), kOk, 0x7FFF'FF80'0000'0000u},
    {TRUNC(i64, f32, s), 9223372036854775808.0f, kOver, 0x7FFF'FFFF'FFFF'FFFFu},
    {TRUNC(i64, f32, s), -1.5f, kOk, kAllOnes},
    {TRUNC(i64, f32, s), kF32NaN, kNaN, 0},
    {TRUNC(i64, f32, u), -0.9f, kOk, 0},
    {TRUNC(i64, f32, u), -1.0f, kOver, 0},
    {TRUNC(i64, f32, u), std::bit_cast<float>(0x5F7F'FFFFu), kOk, 0xFFFF'FF00'0000'0000u},
    {TRUNC(i64, f32, u), 18446744073709551616.0f, kOver, kAllOnes},
    {TRUNC(i64, f32, u), kF32Infinity, kOver, kAllOnes},
    {TRUNC(i64, f32, u), kF32NaN, kNaN, 0},
};

const F64ToI64 kF64ToI64[] = {
    {TRUNC(i64, f64, s), -9223372036854775808.0, kOk, kI64Min},
    {TRUNC(i64, f64, s), std::bit_cast<double>(0xC3E0'0000'0000'0001u), kOver, kI64Min},
    {TRUNC(i64, f64, s), std::bit_cast<double>(0x43DF'FFFF'FFFF'FFFFu), kOk, 0x7FFF'FFFF'FFFF'FC00u},
    {TRUNC(i64, f64, s), 9223372036854775808.0, kOver, 0x7FFF'FFFF'FFFF'FFFFu},
    {TRUNC(i64, f64, s), -kF64Infinity, kOver, kI64Min},
    {TRUNC(i64, f64, s), kF64NaN, kNaN, 0},
    {TRUNC(i64, f64, u), -0.9999999999999999, kOk, 0},
    {TRUNC(i64, f64, u), -1.0, kOver, 0},
    {TRUNC(i64, f64, u), std::bit_cast<double>(0x43EF'FFFF'FFFF'FFFFu), kOk, 0xFFFF'FFFF'FFFF'F800u},
    {TRUNC(i64, f64, u), 18446744073709551616.0, kOver, kAllOnes},
    {TRUNC(i64, f64, u), 9223372036854775808.0, kOk, kI64Min},
    {TRUNC(i64, f64, u), -kF64NaN, kNaN, 0},
};

struct I32ToF32 {
  const char* name;
  float (*fn)(uint32_t);
  uint32_t a, want;
};
struct I64ToF32 {
  const char* name;
  float (*fn)(uint64_t);
  uint64_t a;
  uint32_t want;
};
struct I32ToF64 {
  const char* name;
  double (*fn)(uint32_t);
  uint32_t a;
  uint64_t want;
};
struct I64ToF64 {
  const char* name;
  double (*fn)(uint64_t);
  uint64_t a, want;
};

const I32ToF32 kI32ToF32[] = {
    {FN(f32_convert_i32_s), 0x7FFF'FFFFu, b32(2147483648.0f)},
    {FN(f32_convert_i32_s), 0x8000'0000u, 0xCF00'0000u},
    {FN(f32_convert_i32_s), 16777217, b32(16777216.0f)},
    {FN(f32_convert_i32_s), 16777219, b32(16777220.0f)},
    {FN(f32_convert_i32_s), static_cast<uint32_t>(-16777219), b32(-16777220.0f)},
    {FN(f32_convert_i32_s), 0, kF32PosZero},
    {FN(f32_convert_i32_u), 0xFFFF'FFFFu, b32(4294967296.0f)},
    {FN(f32_convert_i32_u), 0x8000'0080u, 0x4F00'0000u},
    {FN(f32_convert_i32_u), 0x8000'0081u, 0x4F00'0001u},
    {FN(f32_convert_i32_u), 0x8000'0180u, 0x4F00'0002u},
};

const I64ToF32 kI64ToF32[] = {
    {FN(f32_convert_i64_u), 0x8000'0080'0000'0001u, 0x5F00'0001u},  // just above a tie: double rounding fails
    {FN(f32_convert_i64_u), 0x0020'0000'2000'0001u, 0x5A00'0001u},  // likewise, just above 2^53
    {FN(f32_convert_i64_u), 0x8000'0080'0000'0000u, 0x5F00'0000u},  // exact tie, to even
    {FN(f32_convert_i64_u), 0x8000'0180'0000'0000u, 0x5F00'0002u},  // exact tie, to even (up)
    {FN(f32_convert_i64_u), kAllOnes, b32(18446744073709551616.0f)},
    {FN(f32_convert_i64_u), 0, kF32PosZero},
    {FN(f32_convert_i64_u), 16777217, b32(16777216.0f)},
    {FN(f32_convert_i64_s), 0x7FFF'FF40'0000'0001u, 0x5EFF'FFFFu},
    {FN(f32_convert_i64_s), kI64Min, 0xDF00'0000u},
    {FN(f32_convert_i64_s), kAllOnes, b32(-1.0f)},
    {FN(f32_convert_i64_s), 0x0020'0000'2000'0001u, 0x5A00'0001u},
    {FN(f32_convert_i64_s), static_cast<uint64_t>(-0x0020'0000'2000'0001), 0xDA00'0001u},
};

const I32ToF64 kI32ToF64[] = {
    {FN(f64_convert_i32_s), 0x8000'0000u, b64(-2147483648.0)},
    {FN(f64_convert_i32_s), 0xFFFF'FFFFu, b64(-1.0)},
    {FN(f64_convert_i32_u), 0xFFFF'FFFFu, b64(4294967295.0)},
    {FN(f64_convert_i32_u), 0x8000'0000u, b64(2147483648.0)},
};

const I64ToF64 kI64ToF64[] = {
    {FN(f64_convert_i64_u), kAllOnes, b64(18446744073709551616.0)},
    {FN(f64_convert_i64_u), 0x8000'0000'0000'0401u, 0x43E0'0000'0000'0001u},
    {FN(f64_convert_i64_u), 0x8000'0000'0000'0400u, 0x43E0'0000'0000'0000u},
    {FN(f64_convert_i64_u), 0x8000'0000'0000'0C00u, 0x43E0'0000'0000'0002u},
    {FN(f64_convert_i64_u), 0x0020'0000'0000'0001u, 0x4340'0000'0000'0000u},
    {FN(f64_convert_i64_u), 0x0020'0000'0000'0003u, 0x4340'0000'0000'0002u},
    {FN(f64_convert_i64_u), 0x001F'FFFF'FFFF'FFFFu, b64(9007199254740991.0)},
    {FN(f64_convert_i64_s), kI64Min, 0xC3E0'0000'0000'0000u},
    {FN(f64_convert_i64_s), static_cast<uint64_t>(-0x0020'0000'0000'0003), 0xC340'0000'0000'0002u},
    {FN(f64_convert_i64_s), 0x7FFF'FFFF'FFFF'FDFFu, 0x43DF'FFFF'FFFF'FFFFu},
    {FN(f64_convert_i64_s), 0x7FFF'FFFF'FFFF'FE00u, 0x43E0'0000'0000'0000u},
    {FN(f64_convert_i64_s), 0, kF64PosZero},
};

struct F64ToF32 {
  const char* name;
  float (*fn)(double);
  uint64_t a;
  uint32_t want;
  Want kind;
};
struct F32ToF64 {
  const char* name;
  double (*fn)(float);
  uint32_t a;
  uint64_t want;
  Want kind;
};

const F64ToF32 kF64ToF32[] = {
    {FN(f32_demote_f64), b64(1.0 + 0x1p-24), b32(1.0f), kBits},
    {FN(f32_demote_f64), b64(1.0 + 0x1p-24 + 0x1p-50), 0x3F80'0001u, kBits},
    {FN(f32_demote_f64), b64(1.0 + 0x1.8p-23), 0x3F80'0002u, kBits},
    {FN(f32_demote_f64), kF64Max, kF32Inf, kBits},
    {FN(f32_demote_f64), kF64MinSubnormal, kF32PosZero, kBits},
    {FN(f32_demote_f64), kF64NegZero, kF32NegZero, kBits},
    {FN(f32_demote_f64), b64(0x1.fffffefp127), kF32Max, kBits},
    {FN(f32_demote_f64), b64(0x1.ffffffp127), kF32Inf, kBits},
    {FN(f32_demote_f64), kF64QNaN, kF32QNaN, kBits},
    {FN(f32_demote_f64), kF64NegQNaN, kF32NegQNaN, kBits},
    {FN(f32_demote_f64), kF64SNaN, 0, kArith},
    {FN(f32_demote_f64), 0x7FF0'0000'0000'0001u, 0, kArith},
    {FN(f32_demote_f64), 0x7FF4'0000'2000'0000u, 0x7FE0'0001u, kBits},  // top payload bits kept, quieted
};

const F32ToF64 kF32ToF64[] = {
    {FN(f64_promote_f32), b32(1.5f), b64(1.5), kBits},
    {FN(f64_promote_f32), kF32NegZero, kF64NegZero, kBits},
    {FN(f64_promote_f32), kF32MinSubnormal, b64(0x1p-149), kBits},
    {FN(f64_promote_f32), kF32NegInf, kF64NegInf, kBits},
    {FN(f64_promote_f32), kF32QNaN, kF64QNaN, kBits},
    {FN(f64_promote_f32), kF32NegQNaN, kF64NegQNaN, kBits},
    {FN(f64_promote_f32), kF32SNaN, 0x7FFC'0000'2000'0000u, kBits},
    {FN(f64_promote_f32), 0x7F80'0001u, 0, kArith},
};

// ============================== table runners ==============================

template <class Case, class Run>
void run_table(const Case& table, Run run) {
  for (const auto& c : table) {
    SCOPED_TRACE(testing::Message() << c.name << " case #" << (&c - std::begin(table)));
    run(c);
  }
}

std::string hex(uint64_t v) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(v));
  return buffer;
}

TEST(NumericInt, UnaryAndBinary) {
  run_table(kI32Unary, [](const I32Unary& c) { EXPECT_EQ(c.fn(opaque(c.a)), c.want); });
  run_table(kI32Binary, [](const I32Binary& c) { EXPECT_EQ(c.fn(opaque(c.a), opaque(c.b)), c.want); });
  run_table(kI64Unary, [](const I64Unary& c) { EXPECT_EQ(c.fn(opaque(c.a)), c.want); });
  run_table(kI64Binary, [](const I64Binary& c) { EXPECT_EQ(c.fn(opaque(c.a), opaque(c.b)), c.want); });
  run_table(kI64Compare, [](const I64Compare& c) { EXPECT_EQ(c.fn(opaque(c.a), opaque(c.b)), c.want); });
  run_table(kI64ToI32, [](const I64ToI32& c) { EXPECT_EQ(c.fn(opaque(c.a)), c.want); });
  run_table(kI32ToI64, [](const I32ToI64& c) { EXPECT_EQ(c.fn(opaque(c.a)), c.want); });
}

template <class T>
void expect_checked(const Checked<T>& got, const Checked<T>& want) {
  ASSERT_EQ(got.ok, want.ok);
  if (want.ok) {
    EXPECT_EQ(got.value, want.value);
  } else {
    EXPECT_EQ(got.trap, want.trap);
  }
}

TEST(NumericInt, Trapping) {
  run_table(kI32Trapping,
            [](const I32Trapping& c) { expect_checked(c.fn(opaque(c.a), opaque(c.b)), c.want); });
  run_table(kI64Trapping,
            [](const I64Trapping& c) { expect_checked(c.fn(opaque(c.a), opaque(c.b)), c.want); });
}

TEST(NumericInt, CheckedHelpers) {
  constexpr Checked<uint32_t> ok = checked_ok(7u);
  static_assert(ok.ok && ok.value == 7);
  constexpr Checked<uint64_t> trap = checked_trap<uint64_t>(TrapCode::IntegerOverflow);
  static_assert(!trap.ok && trap.trap == TrapCode::IntegerOverflow);
  // Integer semantics are usable in constant expressions (constant folding).
  static_assert(i32_rotl(0x8000'0001u, 33) == 3 && i64_clz(0) == 64 && !i32_div_s(1, 0).ok);
}

TEST(NumericFloat, F32) {
  run_table(kF32Unary, [](const F32Unary& c) {
    const uint32_t got = b32(c.fn(f32(c.a)));
    EXPECT_TRUE(matches(got, c.want, c.kind)) << "got " << hex(got) << " want " << hex(c.want);
  });
  run_table(kF32Binary, [](const F32Binary& c) {
    const uint32_t got = b32(c.fn(f32(c.a), f32(c.b)));
    EXPECT_TRUE(matches(got, c.want, c.kind)) << "got " << hex(got) << " want " << hex(c.want);
  });
  run_table(kF32Compare, [](const F32Compare& c) { EXPECT_EQ(c.fn(f32(c.a), f32(c.b)), c.want); });
}

TEST(NumericFloat, F64) {
  run_table(kF64Unary, [](const F64Unary& c) {
    const uint64_t got = b64(c.fn(f64(c.a)));
    EXPECT_TRUE(matches(got, c.want, c.kind)) << "got " << hex(got) << " want " << hex(c.want);
  });
  run_table(kF64Binary, [](const F64Binary& c) {
    const uint64_t got = b64(c.fn(f64(c.a), f64(c.b)));
    EXPECT_TRUE(matches(got, c.want, c.kind)) << "got " << hex(got) << " want " << hex(c.want);
  });
  run_table(kF64Compare, [](const F64Compare& c) { EXPECT_EQ(c.fn(f64(c.a), f64(c.b)), c.want); });
}

TEST(NumericFloat, NearestIgnoresRoundingOfNeighbours) {
  // Every f32 of the form k + 0.5 in a band: even neighbour chosen, sign of zero kept.
  for (int32_t k = -2000; k <= 2000; ++k) {
    const float half = static_cast<float>(k) + 0.5f;
    const int32_t even = (k % 2 == 0) ? k : k + 1;
    const float got = f32_nearest(opaque(half));
    EXPECT_EQ(got, static_cast<float>(even)) << half;
    if (even == 0) {
      EXPECT_EQ(std::signbit(got), half < 0) << half;
    }
    EXPECT_EQ(f64_nearest(opaque(static_cast<double>(half))), static_cast<double>(even)) << half;
  }
}

TEST(NumericFloat, CanonicalNan) {
  const uint32_t f32_inputs[] = {kF32QNaN, kF32NegQNaN, kF32SNaN, kF32NegSNaN, kF32QNaNPayload, 0xFFFF'FFFFu};
  for (uint32_t in : f32_inputs) EXPECT_EQ(b32(canonical_nan_f32(f32(in))), kF32QNaN) << hex(in);
  const uint32_t f32_kept[] = {kF32PosZero, kF32NegZero, kF32Inf, kF32NegInf, kF32Max, kF32MinSubnormal};
  for (uint32_t in : f32_kept) EXPECT_EQ(b32(canonical_nan_f32(f32(in))), in) << hex(in);
  const uint64_t f64_inputs[] = {kF64QNaN, kF64NegQNaN, kF64SNaN, kF64NegSNaN, kF64QNaNPayload, kAllOnes};
  for (uint64_t in : f64_inputs) EXPECT_EQ(b64(canonical_nan_f64(f64(in))), kF64QNaN) << hex(in);
  const uint64_t f64_kept[] = {kF64PosZero, kF64NegZero, kF64Inf, kF64NegInf, kF64Max, kF64MinSubnormal};
  for (uint64_t in : f64_kept) EXPECT_EQ(b64(canonical_nan_f64(f64(in))), in) << hex(in);
}

template <class Float, class U>
void run_trunc_table(const TruncCase<Float, U>& c) {
  const Checked<U> got = c.trapping(opaque(c.input));
  switch (c.outcome) {
    case Outcome::Ok:
      ASSERT_TRUE(got.ok);
      EXPECT_EQ(got.value, c.value);
      break;
    case Outcome::Overflow:
      ASSERT_FALSE(got.ok);
      EXPECT_EQ(got.trap, kOverflow);
      break;
    case Outcome::Invalid:
      ASSERT_FALSE(got.ok);
      EXPECT_EQ(got.trap, kInvalid);
      break;
  }
  SCOPED_TRACE(c.sat_name);
  EXPECT_EQ(c.saturating(opaque(c.input)), c.value);
}

TEST(NumericConv, Truncation) {
  run_table(kF32ToI32, run_trunc_table<float, uint32_t>);
  run_table(kF64ToI32, run_trunc_table<double, uint32_t>);
  run_table(kF32ToI64, run_trunc_table<float, uint64_t>);
  run_table(kF64ToI64, run_trunc_table<double, uint64_t>);
}

TEST(NumericConv, IntToFloat) {
  run_table(kI32ToF32, [](const I32ToF32& c) { EXPECT_EQ(b32(c.fn(opaque(c.a))), c.want) << hex(c.a); });
  run_table(kI64ToF32, [](const I64ToF32& c) { EXPECT_EQ(b32(c.fn(opaque(c.a))), c.want) << hex(c.a); });
  run_table(kI32ToF64, [](const I32ToF64& c) { EXPECT_EQ(b64(c.fn(opaque(c.a))), c.want) << hex(c.a); });
  run_table(kI64ToF64, [](const I64ToF64& c) { EXPECT_EQ(b64(c.fn(opaque(c.a))), c.want) << hex(c.a); });
}

// Reference rounding of an integer magnitude to a float with `mantissa_bits` (24 or 53) significant
// bits, ties to even, done in integer arithmetic only; returns the IEEE bit pattern.
uint64_t reference_round(uint64_t v, int mantissa_bits, int exponent_bias) {
  if (v == 0) return 0;
  int exponent = std::bit_width(v) - 1;
  uint64_t significand = v;
  if (exponent >= mantissa_bits) {
    const int shift = exponent - (mantissa_bits - 1);
    const uint64_t rest = v & ((uint64_t{1} << shift) - 1);
    const uint64_t half = uint64_t{1} << (shift - 1);
    significand = v >> shift;
    if (rest > half || (rest == half && (significand & 1) != 0)) ++significand;
    if (significand >> mantissa_bits) {  // carried into a new bit
      significand >>= 1;
      ++exponent;
    }
  } else {
    significand <<= (mantissa_bits - 1 - exponent);
  }
  const uint64_t fraction = significand & ((uint64_t{1} << (mantissa_bits - 1)) - 1);
  return (static_cast<uint64_t>(exponent + exponent_bias) << (mantissa_bits - 1)) | fraction;
}

TEST(NumericConv, I64ToFloatMatchesIntegerReference) {
  std::mt19937_64 random(12345);
  for (int i = 0; i < 200000; ++i) {
    // Vary the width so every exponent is covered, and force tie / near-tie low bits often.
    uint64_t v = random() >> (random() % 64);
    if (i % 3 == 0) v = (v & ~uint64_t{0xFFF}) | (random() % 2 ? 0x400 : 0x401);
    if (i % 5 == 0) v = (v | (uint64_t{1} << 39)) & ~((uint64_t{1} << 39) - 2);
    const uint64_t f32_want = reference_round(v, 24, 127);
    ASSERT_EQ(b32(f32_convert_i64_u(opaque(v))), f32_want) << hex(v);
    ASSERT_EQ(b64(f64_convert_i64_u(opaque(v))), reference_round(v, 53, 1023)) << hex(v);
    const uint64_t negated = 0 - v;
    if (v != 0 && v <= kI64Min) {
      ASSERT_EQ(b32(f32_convert_i64_s(opaque(negated))), f32_want | 0x8000'0000u) << hex(negated);
    }
  }
}

TEST(NumericConv, FloatToFloatAndReinterpret) {
  run_table(kF64ToF32, [](const F64ToF32& c) {
    const uint32_t got = b32(c.fn(f64(c.a)));
    EXPECT_TRUE(matches(got, c.want, c.kind)) << "got " << hex(got);
  });
  run_table(kF32ToF64, [](const F32ToF64& c) {
    const uint64_t got = b64(c.fn(f32(c.a)));
    EXPECT_TRUE(matches(got, c.want, c.kind)) << "got " << hex(got);
  });
  // Reinterpretation keeps every bit, signalling NaNs included.
  const uint32_t patterns32[] = {kF32SNaN, kF32NegSNaN, kF32QNaNPayload, kF32NegZero, 0x1234'5678u};
  for (uint32_t p : patterns32) {
    EXPECT_EQ(i32_reinterpret_f32(f32_reinterpret_i32(opaque(p))), p) << hex(p);
    EXPECT_EQ(b32(f32_reinterpret_i32(opaque(p))), p);
  }
  const uint64_t patterns64[] = {kF64SNaN, kF64NegSNaN, kF64QNaNPayload, kF64NegZero, 0x0123'4567'89AB'CDEFu};
  for (uint64_t p : patterns64) {
    EXPECT_EQ(i64_reinterpret_f64(f64_reinterpret_i64(opaque(p))), p) << hex(p);
    EXPECT_EQ(b64(f64_reinterpret_i64(opaque(p))), p);
  }
}

// ============================== memory ==============================

TEST(NumericMem, LittleEndianAnyAlignment) {
  alignas(8) uint8_t memory[16] = {0xFF, 0x01, 0x02, 0x03, 0x04, 0x85, 0x86, 0x87, 0x88, 0xFF};
  const uint8_t* p = memory + 1;  // misaligned on purpose
  EXPECT_EQ(i32_load(p), 0x0403'0201u);
  EXPECT_EQ(i64_load(p), 0x8887'8685'0403'0201u);
  EXPECT_EQ(i32_load8_s(p + 4), 0xFFFF'FF85u);
  EXPECT_EQ(i32_load8_u(p + 4), 0x85u);
  EXPECT_EQ(i32_load16_s(p + 4), 0xFFFF'8685u);
  EXPECT_EQ(i32_load16_u(p + 4), 0x8685u);
  EXPECT_EQ(i32_load16_s(p), 0x0201u);
  EXPECT_EQ(i64_load8_s(p + 4), 0xFFFF'FFFF'FFFF'FF85u);
  EXPECT_EQ(i64_load8_u(p + 4), 0x85u);
  EXPECT_EQ(i64_load16_s(p + 4), 0xFFFF'FFFF'FFFF'8685u);
  EXPECT_EQ(i64_load16_u(p + 4), 0x8685u);
  EXPECT_EQ(i64_load32_s(p + 4), 0xFFFF'FFFF'8887'8685u);
  EXPECT_EQ(i64_load32_u(p + 4), 0x8887'8685u);
  EXPECT_EQ(i64_load32_s(p), 0x0403'0201u);

  uint8_t out[12] = {};
  i64_store(out + 3, 0x0807'0605'0403'0201u);
  EXPECT_EQ(out[3], 0x01);
  EXPECT_EQ(out[10], 0x08);
  i32_store(out + 1, 0xA4A3'A2A1u);
  EXPECT_EQ(out[1], 0xA1);
  EXPECT_EQ(out[4], 0xA4);
  EXPECT_EQ(out[5], 0x03);  // untouched
}

TEST(NumericMem, FloatBitsSurviveMemory) {
  uint8_t memory[9] = {};
  const uint32_t patterns32[] = {kF32SNaN, kF32NegSNaN, kF32QNaNPayload, kF32NegZero, b32(1.5f)};
  for (uint32_t p : patterns32) {
    f32_store(memory + 1, f32(p));
    EXPECT_EQ(i32_load(memory + 1), p);
    EXPECT_EQ(b32(f32_load(memory + 1)), p);
  }
  const uint64_t patterns64[] = {kF64SNaN, kF64NegSNaN, kF64QNaNPayload, kF64NegZero, b64(-2.25)};
  for (uint64_t p : patterns64) {
    f64_store(memory + 1, f64(p));
    EXPECT_EQ(i64_load(memory + 1), p);
    EXPECT_EQ(b64(f64_load(memory + 1)), p);
  }
  EXPECT_EQ(memory[1], 0x00);  // -2.25 = 0xC002000000000000, little-endian
  EXPECT_EQ(memory[8], 0xC0);
}

template <class T>
std::array<uint8_t, sizeof(T)> bytes_of(T value) {
  return std::bit_cast<std::array<uint8_t, sizeof(T)>>(value);
}

// Each Load row reads exactly its access_bytes: later bytes do not matter, the last one does.
template <class R>
void check_load_footprint(const char* name, R (*load)(const uint8_t*), int bytes) {
  SCOPED_TRACE(name);
  uint8_t a[8], b[8];
  for (int i = 0; i < 8; ++i) {
    a[i] = static_cast<uint8_t>(0x11 * (i + 1));
    b[i] = i < bytes ? a[i] : static_cast<uint8_t>(~a[i]);
  }
  EXPECT_EQ(bytes_of(load(a)), bytes_of(load(b)));
  b[bytes - 1] = static_cast<uint8_t>(~b[bytes - 1]);
  EXPECT_NE(bytes_of(load(a)), bytes_of(load(b)));
}

// Each Store row writes exactly its access_bytes, the low bytes of the value, in order.
template <class V>
void check_store_footprint(const char* name, void (*store)(uint8_t*, V), int bytes) {
  SCOPED_TRACE(name);
  using Bits = std::conditional_t<sizeof(V) == 4, uint32_t, uint64_t>;
  const Bits pattern = static_cast<Bits>(0x4847'4645'4443'4241u);  // bytes 0x41, 0x42, ... in order
  uint8_t memory[12];
  std::memset(memory, 0xAA, sizeof memory);
  store(memory + 2, std::bit_cast<V>(pattern));
  for (int i = 0; i < 12; ++i) {
    const int offset = i - 2;
    const uint8_t want = (offset >= 0 && offset < bytes) ? static_cast<uint8_t>(0x41 + offset) : 0xAA;
    EXPECT_EQ(memory[i], want) << "byte " << i;
  }
}

TEST(NumericMem, EveryRowAccessesItsBytes) {
  int rows = 0;
#define WASP_MEM_TEST_Load(fn, bytes) check_load_footprint(#fn, &fn, bytes), ++rows;
#define WASP_MEM_TEST_Store(fn, bytes) check_store_footprint(#fn, &fn, bytes), ++rows;
#define WASP_MEM_TEST_Simple(fn, bytes)
#define WASP_MEM_TEST_Trapping(fn, bytes)
#define WASP_MEM_TEST_Special(fn, bytes)
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) \
  WASP_MEM_TEST_##cls(fn, bytes)
#include "defs/opcodes.def"
  EXPECT_GE(rows, 23);  // Wasm 2.0 has 14 loads and 9 stores
}

// ============================== coverage of the opcode table ==============================

template <class Table>
void collect_names(const Table& table, std::set<std::string>& names) {
  for (const auto& c : table) names.insert(c.name);
}

template <class Table>
void collect_trunc_names(const Table& table, std::set<std::string>& names) {
  for (const auto& c : table) {
    names.insert(c.name);
    names.insert(c.sat_name);
  }
}

TEST(NumericTable, EverySimpleAndTrappingRowIsTested) {
  std::set<std::string> tested;
  collect_names(kI32Unary, tested);
  collect_names(kI32Binary, tested);
  collect_names(kI64Unary, tested);
  collect_names(kI64Binary, tested);
  collect_names(kI64Compare, tested);
  collect_names(kI64ToI32, tested);
  collect_names(kI32ToI64, tested);
  collect_names(kI32Trapping, tested);
  collect_names(kI64Trapping, tested);
  collect_names(kF32Unary, tested);
  collect_names(kF32Binary, tested);
  collect_names(kF32Compare, tested);
  collect_names(kF64Unary, tested);
  collect_names(kF64Binary, tested);
  collect_names(kF64Compare, tested);
  collect_names(kI32ToF32, tested);
  collect_names(kI64ToF32, tested);
  collect_names(kI32ToF64, tested);
  collect_names(kI64ToF64, tested);
  collect_names(kF64ToF32, tested);
  collect_names(kF32ToF64, tested);
  collect_trunc_names(kF32ToI32, tested);
  collect_trunc_names(kF64ToI32, tested);
  collect_trunc_names(kF32ToI64, tested);
  collect_trunc_names(kF64ToI64, tested);
  tested.insert("i32_reinterpret_f32");  // FloatToFloatAndReinterpret
  tested.insert("i64_reinterpret_f64");
  tested.insert("f32_reinterpret_i32");
  tested.insert("f64_reinterpret_i64");

  std::vector<std::string> pure_rows;
#define WASP_ROW_Simple(fn) pure_rows.push_back(#fn);
#define WASP_ROW_Trapping(fn) pure_rows.push_back(#fn);
#define WASP_ROW_Load(fn)
#define WASP_ROW_Store(fn)
#define WASP_ROW_Special(fn)
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) WASP_ROW_##cls(fn)
#include "defs/opcodes.def"
  for (const std::string& fn : pure_rows) EXPECT_TRUE(tested.count(fn)) << fn << " has no table case";
  EXPECT_GE(pure_rows.size(), 136u);  // Wasm 2.0 numeric operators, without SIMD
}

}  // namespace
