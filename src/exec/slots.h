// Conversions between C++ values and 64-bit slots, and the adapters that
// apply a numeric:: semantics function to slot operands.
#pragma once
#include <bit>
#include <cstdint>
#include <type_traits>

#include "exec/isa.h"
#include "numeric/numeric.h"

namespace waspvm {

template <class T>
inline T from_slot(uint64_t s) {
  if constexpr (std::is_same_v<T, uint32_t>)
    return static_cast<uint32_t>(s);
  else if constexpr (std::is_same_v<T, uint64_t>)
    return s;
  else if constexpr (std::is_same_v<T, float>)
    return std::bit_cast<float>(static_cast<uint32_t>(s));
  else {
    static_assert(std::is_same_v<T, double>);
    return std::bit_cast<double>(s);
  }
}

// The slot of a value of type `type` with these bits: an i32 or f32 slot
// keeps its upper half zero (values from the host or a snapshot may not).
inline uint64_t slot_of(ValType type, uint64_t bits) {
  return type == ValType::I32 || type == ValType::F32 ? static_cast<uint32_t>(bits) : bits;
}

template <class T>
inline uint64_t to_slot(T v) {
  if constexpr (std::is_same_v<T, uint32_t>)
    return v;
  else if constexpr (std::is_same_v<T, uint64_t>)
    return v;
  else if constexpr (std::is_same_v<T, float>)
    return std::bit_cast<uint32_t>(v);
  else {
    static_assert(std::is_same_v<T, double>);
    return std::bit_cast<uint64_t>(v);
  }
}

template <class F>
struct FnTraits;
template <class R, class... A>
struct FnTraits<R (*)(A...)> {
  using result = R;
  static constexpr size_t arity = sizeof...(A);
  template <size_t I>
  using arg = std::tuple_element_t<I, std::tuple<A...>>;
};

// The immediate second operand: 32 bits, sign-extended for 64-bit operators.
template <class T>
inline T from_immediate(uint32_t imm) {
  if constexpr (std::is_same_v<T, uint64_t>)
    return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(imm)));
  else
    return from_slot<T>(imm);
}

// Where an operator's second operand comes from.
enum class Operand2 : uint8_t {
  Slot,   // [op, dst, a] or [op, dst, a, b]
  Imm32,  // [op, dst, a, imm]      (from_immediate)
  Imm64,  // [op, dst, a, lo, hi]   (the slot representation lo | hi << 32)
};

template <class R>
struct IsChecked : std::false_type {};
template <class T>
struct IsChecked<numeric::Checked<T>> : std::true_type {};

// Applies a numeric:: operator to its operands and writes its result.
// Returns the words consumed, or 0 (with *trap set) if it trapped; for an
// operator that cannot trap the check folds away. Only binary operators have
// immediate forms: the unary ones' are never emitted.
#if defined(__GNUC__)
#define WASP_ALWAYS_INLINE [[gnu::always_inline]] inline
#else
#define WASP_ALWAYS_INLINE inline
#endif

// (Always inlined: the interpreter loop is one huge function, past the
// compiler's inlining budget, and a call per instruction would cost more
// than the instruction.)
template <auto Fn, Operand2 Second>
WASP_ALWAYS_INLINE uint32_t apply(uint64_t* fp, const CodeWord* pc, TrapCode* trap) {
  using T = FnTraits<decltype(Fn)>;
  constexpr uint32_t length = T::arity == 1 ? 3 : Second == Operand2::Imm64 ? 5 : 4;
  if constexpr (T::arity == 1 && Second != Operand2::Slot) {
    *trap = TrapCode::Unreachable;  // never emitted
    return 0;
  } else {
    using A = typename T::template arg<0>;
    typename T::result r;
    if constexpr (T::arity == 1) {
      r = Fn(from_slot<A>(fp[pc[2]]));
    } else {
      using B = typename T::template arg<1>;
      if constexpr (Second == Operand2::Slot)
        r = Fn(from_slot<A>(fp[pc[2]]), from_slot<B>(fp[pc[3]]));
      else if constexpr (Second == Operand2::Imm32)
        r = Fn(from_slot<A>(fp[pc[2]]), from_immediate<B>(pc[3]));
      else
        r = Fn(from_slot<A>(fp[pc[2]]), from_slot<B>(pc[3] | (static_cast<uint64_t>(pc[4]) << 32)));
    }
    if constexpr (IsChecked<typename T::result>::value) {
      if (!r.ok) {
        *trap = r.trap;
        return 0;
      }
      fp[pc[1]] = to_slot(r.value);
    } else {
      fp[pc[1]] = to_slot(r);
    }
    return length;
  }
}

template <auto Fn>
using StoredType = typename FnTraits<decltype(Fn)>::template arg<1>;

}  // namespace waspvm
