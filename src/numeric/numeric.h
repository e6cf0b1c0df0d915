// Pure WebAssembly numeric semantics: one inline function per Simple, Trapping, Load and Store
// row of opcodes.def, named by the row's semantics_fn column. No dispatch, no state; the
// interpreter, constant evaluation and the unit tests all call these.
//
// Value types: i32 -> uint32_t, i64 -> uint64_t, f32 -> float, f64 -> double.
// Comparisons and eqz return uint32_t 0/1. Trapping operations return Checked<T>.
// Loads read from / stores write to a host pointer already bounds-checked by the caller;
// wasm memory is little-endian whatever the host is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "waspvm/trap.h"

#if defined(__FLT_EVAL_METHOD__) && __FLT_EVAL_METHOD__ != 0
// x87 excess precision would double-round every float operation (and quiet sNaN payloads).
#error "WaspVM numeric semantics need FLT_EVAL_METHOD == 0 (on 32-bit x86: -msse2 -mfpmath=sse)"
#endif
#if defined(__FAST_MATH__) || (defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__)
#error "WaspVM numeric semantics need IEEE NaN and infinity handling: do not build with -ffast-math"
#endif
static_assert(std::numeric_limits<float>::is_iec559 && std::numeric_limits<double>::is_iec559,
              "WebAssembly needs IEEE 754 binary32/binary64 floats");

namespace waspvm::numeric {

// The result of an operation that may trap: `value` is meaningful only when `ok`,
// `trap` only when !ok.
template <class T>
struct Checked {
  T value;
  TrapCode trap;
  bool ok;
};

template <class T>
constexpr Checked<T> checked_ok(T value) {
  return Checked<T>{value, TrapCode::Unreachable, true};
}

template <class T>
constexpr Checked<T> checked_trap(TrapCode code) {
  return Checked<T>{T{}, code, false};
}

}  // namespace waspvm::numeric

// The parts, in dependency order (conv uses int and float helpers); each expects the declarations above.
#define WASP_NUMERIC_INSIDE_NUMERIC_H 1
// clang-format off
#include "numeric/numeric_int.h"
#include "numeric/numeric_float.h"
#include "numeric/numeric_conv.h"
#include "numeric/numeric_mem.h"
// clang-format on
#undef WASP_NUMERIC_INSIDE_NUMERIC_H

// Compile-time proof that every Simple/Trapping/Load/Store row of opcodes.def has its function
// here, with the signature its params/results columns describe. A missing function is an
// "undeclared identifier" error; a wrong signature fails the static_assert naming the function.
namespace waspvm::numeric::detail {

template <class T>
constexpr char type_char() {
  if constexpr (std::is_same_v<T, uint32_t>) return 'i';
  if constexpr (std::is_same_v<T, uint64_t>) return 'I';
  if constexpr (std::is_same_v<T, float>) return 'f';
  if constexpr (std::is_same_v<T, double>) return 'F';
  return '?';
}

template <class T>
struct CheckedTraits {
  static constexpr bool is_checked = false;
  using Value = T;
};
template <class T>
struct CheckedTraits<Checked<T>> {
  static constexpr bool is_checked = true;
  using Value = T;
};

constexpr bool same_text(const char* a, const char* b) {
  for (; *a != '\0' && *a == *b; ++a, ++b) {
  }
  return *a == *b;
}

template <class R, class... Args>
constexpr bool pure_signature_is(R (*)(Args...), bool trapping, const char* params, const char* results) {
  using Traits = CheckedTraits<R>;
  const char param_chars[] = {type_char<Args>()..., '\0'};
  const char result_chars[] = {type_char<typename Traits::Value>(), '\0'};
  return Traits::is_checked == trapping && same_text(param_chars, params) && same_text(result_chars, results);
}

template <class R>
constexpr bool load_signature_is(R (*)(const uint8_t*), const char* params, const char* results, int bytes) {
  const char result_chars[] = {type_char<R>(), '\0'};
  return same_text(params, "i") && same_text(result_chars, results) && bytes > 0 &&
         static_cast<size_t>(bytes) <= sizeof(R);
}

template <class V>
constexpr bool store_signature_is(void (*)(uint8_t*, V), const char* params, const char* results, int bytes) {
  const char param_chars[] = {'i', type_char<V>(), '\0'};
  return same_text(param_chars, params) && same_text(results, "") && bytes > 0 &&
         static_cast<size_t>(bytes) <= sizeof(V);
}

#define WASP_NUMERIC_CHECK_Simple(fn, params, results, bytes)                      \
  static_assert(pure_signature_is(&::waspvm::numeric::fn, false, params, results), \
                "numeric::" #fn " does not match its opcodes.def row");
#define WASP_NUMERIC_CHECK_Trapping(fn, params, results, bytes)                   \
  static_assert(pure_signature_is(&::waspvm::numeric::fn, true, params, results), \
                "numeric::" #fn " does not match its opcodes.def row");
#define WASP_NUMERIC_CHECK_Load(fn, params, results, bytes)                        \
  static_assert(load_signature_is(&::waspvm::numeric::fn, params, results, bytes), \
                "numeric::" #fn " does not match its opcodes.def row");
#define WASP_NUMERIC_CHECK_Store(fn, params, results, bytes)                        \
  static_assert(store_signature_is(&::waspvm::numeric::fn, params, results, bytes), \
                "numeric::" #fn " does not match its opcodes.def row");
#define WASP_NUMERIC_CHECK_Special(fn, params, results, bytes)
#define WASP_OP(ident, prefix, code, text, imm, cls, params, results, fn, bytes) \
  WASP_NUMERIC_CHECK_##cls(fn, params, results, bytes)
#include "defs/opcodes.def"
#undef WASP_NUMERIC_CHECK_Simple
#undef WASP_NUMERIC_CHECK_Trapping
#undef WASP_NUMERIC_CHECK_Load
#undef WASP_NUMERIC_CHECK_Store
#undef WASP_NUMERIC_CHECK_Special

}  // namespace waspvm::numeric::detail
