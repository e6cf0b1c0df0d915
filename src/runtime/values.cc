// Values, trap messages and backtrace frames.
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "runtime/objects.h"

namespace waspvm {

// to_string(ValType / FuncType / ExternKind) live in decode/module.cc.

const char* trap_message(TrapCode code) {
  switch (code) {
    // clang-format off
#define WASP_TRAP(ident, message) case TrapCode::ident: return message;
#include "waspvm/traps.def"
    // clang-format on
  }
  return "unknown trap";
}

// ---------------------------------------------------------------- Value

Value Value::f32(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return Value(ValType::F32, bits);
}

Value Value::f64(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return Value(ValType::F64, bits);
}

Value Value::funcref(const Func& f) {
  return Value(ValType::FuncRef, static_cast<uint64_t>(reinterpret_cast<uintptr_t>(f.inst())));
}

float Value::f32() const {
  uint32_t bits = static_cast<uint32_t>(bits_);
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

double Value::f64() const {
  double v;
  std::memcpy(&v, &bits_, sizeof v);
  return v;
}

std::string Value::to_string() const {
  char buf[64];
  switch (type_) {
    case ValType::I32: std::snprintf(buf, sizeof buf, "i32:%" PRId32, i32()); return buf;
    case ValType::I64: std::snprintf(buf, sizeof buf, "i64:%" PRId64, i64()); return buf;
    case ValType::F32:
      // %.9g round-trips every float; the bits disambiguate NaN payloads.
      std::snprintf(buf, sizeof buf, "f32:%.9g (0x%08" PRIx32 ")", static_cast<double>(f32()),
                    static_cast<uint32_t>(bits_));
      return buf;
    case ValType::F64:
      std::snprintf(buf, sizeof buf, "f64:%.17g (0x%016" PRIx64 ")", f64(), bits_);
      return buf;
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (bits_ == 0) return std::string(waspvm::to_string(type_)) + ":null";
      std::snprintf(buf, sizeof buf, "%s:0x%" PRIx64, waspvm::to_string(type_), bits_);
      return buf;
    case ValType::V128: break;
  }
  return std::string(waspvm::to_string(type_)) + ":?";
}

// ---------------------------------------------------------------- FrameInfo

std::string FrameInfo::to_string() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "func %" PRIu32, func_index);
  std::string who = func_name.empty() ? std::string(buf) : func_name + " (" + buf + ")";
  std::snprintf(buf, sizeof buf, " at offset 0x%" PRIx32, wasm_offset);
  return who + buf;
}

}  // namespace waspvm
