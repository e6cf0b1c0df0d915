// Conversions between C++ values and 64-bit slots, and the adapters that
// apply a numeric:: semantics function to slot operands.
#pragma once
#include <bit>
#include <cstdint>
#include <type_traits>

#include "exec/isa.h"

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

// Applies a pure operator: [op, dst, a] or [op, dst, a, b]. Returns the words consumed.
template <auto Fn>
inline uint32_t apply_pure(uint64_t* fp, const CodeWord* pc) {
  using T = FnTraits<decltype(Fn)>;
  if constexpr (T::arity == 1) {
    fp[pc[1]] = to_slot(Fn(from_slot<typename T::template arg<0>>(fp[pc[2]])));
    return 3;
  } else {
    fp[pc[1]] = to_slot(Fn(from_slot<typename T::template arg<0>>(fp[pc[2]]),
                           from_slot<typename T::template arg<1>>(fp[pc[3]])));
    return 4;
  }
}

// Applies an operator that may trap; returns 0 (and sets *trap) if it trapped.
template <auto Fn>
inline uint32_t apply_checked(uint64_t* fp, const CodeWord* pc, TrapCode* trap) {
  using T = FnTraits<decltype(Fn)>;
  if constexpr (T::arity == 1) {
    auto r = Fn(from_slot<typename T::template arg<0>>(fp[pc[2]]));
    if (!r.ok) {
      *trap = r.trap;
      return 0;
    }
    fp[pc[1]] = to_slot(r.value);
    return 3;
  } else {
    auto r = Fn(from_slot<typename T::template arg<0>>(fp[pc[2]]),
                from_slot<typename T::template arg<1>>(fp[pc[3]]));
    if (!r.ok) {
      *trap = r.trap;
      return 0;
    }
    fp[pc[1]] = to_slot(r.value);
    return 4;
  }
}

// The immediate second operand: 32 bits, sign-extended for 64-bit operators.
template <class T>
inline T from_immediate(uint32_t imm) {
  if constexpr (std::is_same_v<T, uint64_t>)
    return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(imm)));
  else
    return from_slot<T>(imm);
}

// [op, dst, a, imm]: a binary operator whose second operand is an immediate.
template <auto Fn>
inline uint32_t apply_pure_imm(uint64_t* fp, const CodeWord* pc) {
  using T = FnTraits<decltype(Fn)>;
  if constexpr (T::arity == 2) {
    fp[pc[1]] = to_slot(Fn(from_slot<typename T::template arg<0>>(fp[pc[2]]),
                           from_immediate<typename T::template arg<1>>(pc[3])));
  }
  return 4;
}

template <auto Fn>
inline uint32_t apply_checked_imm(uint64_t* fp, const CodeWord* pc, TrapCode* trap) {
  using T = FnTraits<decltype(Fn)>;
  if constexpr (T::arity == 2) {
    auto r = Fn(from_slot<typename T::template arg<0>>(fp[pc[2]]),
                from_immediate<typename T::template arg<1>>(pc[3]));
    if (!r.ok) {
      *trap = r.trap;
      return 0;
    }
    fp[pc[1]] = to_slot(r.value);
  }
  return 4;
}

// [op, dst, a, lo, hi]: the second operand is the 64-bit immediate lo | hi << 32.
template <auto Fn>
inline uint32_t apply_pure_imm64(uint64_t* fp, const CodeWord* pc) {
  using T = FnTraits<decltype(Fn)>;
  if constexpr (T::arity == 2) {
    uint64_t bits = pc[3] | (static_cast<uint64_t>(pc[4]) << 32);
    fp[pc[1]] = to_slot(
        Fn(from_slot<typename T::template arg<0>>(fp[pc[2]]), from_slot<typename T::template arg<1>>(bits)));
  }
  return 5;
}

template <auto Fn>
inline uint32_t apply_checked_imm64(uint64_t* fp, const CodeWord* pc, TrapCode* trap) {
  using T = FnTraits<decltype(Fn)>;
  if constexpr (T::arity == 2) {
    uint64_t bits = pc[3] | (static_cast<uint64_t>(pc[4]) << 32);
    auto r =
        Fn(from_slot<typename T::template arg<0>>(fp[pc[2]]), from_slot<typename T::template arg<1>>(bits));
    if (!r.ok) {
      *trap = r.trap;
      return 0;
    }
    fp[pc[1]] = to_slot(r.value);
  }
  return 5;
}

template <auto Fn>
using StoredType = typename FnTraits<decltype(Fn)>::template arg<1>;

}  // namespace waspvm
