// Shared by the compile and run fuzz targets: small instance limits, and a
// linker that gives any module every import it asks for, made through the
// public API: host functions of any signature (returning zeros and nulls,
// or doing what a HostHooks says), and memories, tables and globals of the
// imported types, kept small.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "waspvm/waspvm.h"

namespace wasp_fuzz {

using namespace waspvm;

// Each input runs in bounded time and memory: a call's budget, the start
// function's too (InstanceLimits::gas), and small stacks, memories and tables.
constexpr uint64_t kCallGas = 20000;
constexpr uint64_t kMaxPages = 16;               // 1 MiB per memory
constexpr uint64_t kMaxImportedPages = 4;        // an imported memory's minimum we create
constexpr uint64_t kImportedGrowth = 4;          // pages it may grow by
constexpr uint64_t kMaxTableElements = 4096;     // per table
constexpr uint64_t kMaxImportedElements = 1024;  // an imported table's minimum we create

inline InstanceLimits small_limits() {
  InstanceLimits limits;
  limits.gas = kCallGas;
  limits.max_call_depth = 1000;
  limits.max_value_stack_slots = 1 << 16;  // 512 KiB
  limits.max_host_reentry = 4;
  limits.max_memory_pages = kMaxPages;
  limits.max_table_elements = kMaxTableElements;
  return limits;
}

inline Value zero_of(ValType t) {
  switch (t) {
    case ValType::I32: return Value::i32(0);
    case ValType::I64: return Value::i64(0);
    case ValType::F32: return Value::f32_bits(0);
    case ValType::F64: return Value::f64_bits(0);
    case ValType::FuncRef:
    case ValType::ExternRef: return Value::null(t);
    case ValType::V128: break;
  }
  return Value::i32(0);
}

// What a host function does beyond writing zero results; none: nothing.
// Return an error to trap or suspend the call (Caller::yield).
using HostHooks = std::function<Result<void>(Caller&, const FuncType&)>;

// The limits of an object made for an import of `want`: its minimum (if at
// most `max_min`), and a maximum at most `growth` above it that the import
// still accepts. None when the minimum is too large.
inline std::optional<Limits> small_limits_for(const Limits& want, uint64_t max_min, uint64_t growth) {
  if (want.min > max_min) return std::nullopt;
  uint64_t max = want.min + growth;
  if (want.max) max = std::min(max, *want.max);
  if (max < want.min) return std::nullopt;  // invalid; validation rejects it
  return Limits{want.min, max};
}

// Defines every import of `module` in `linker`. An import whose minimum
// size is too large for the caps is left out (instantiation then fails
// cleanly, as it must); returns how many were.
inline uint32_t define_imports(Linker& linker, const Engine& engine, const Module& module,
                               const HostHooks& hooks = {}) {
  uint32_t left_out = 0;
  for (const ImportInfo& imp : module.imports()) {
    switch (imp.kind) {
      case ExternKind::Func: {
        FuncType type = imp.func;
        HostFunction body = [type, hooks](Caller& caller, std::span<const Value>,
                                          std::span<Value> results) -> Result<void> {
          for (size_t i = 0; i < results.size() && i < type.results.size(); ++i)
            results[i] = zero_of(type.results[i]);
          if (hooks) return hooks(caller, type);
          return {};
        };
        linker.define(imp.module, imp.name, Extern::of(Func::create(engine, imp.func, std::move(body))));
        break;
      }
      case ExternKind::Memory: {
        std::optional<Limits> l = small_limits_for(imp.memory.limits, kMaxImportedPages, kImportedGrowth);
        if (!l) {
          ++left_out;
          break;
        }
        linker.define(imp.module, imp.name, Extern::of(Memory::create(engine, MemoryType{*l})));
        break;
      }
      case ExternKind::Table: {
        std::optional<Limits> l = small_limits_for(imp.table.limits, kMaxImportedElements, 64);
        if (!l) {
          ++left_out;
          break;
        }
        linker.define(
            imp.module, imp.name,
            Extern::of(Table::create(engine, TableType{imp.table.elem, *l}, Value::null(imp.table.elem))));
        break;
      }
      case ExternKind::Global:
        if (imp.global.type == ValType::V128) {
          ++left_out;
          break;
        }
        linker.define(imp.module, imp.name,
                      Extern::of(Global::create(engine, imp.global, zero_of(imp.global.type))));
        break;
    }
  }
  return left_out;
}

// Every feature the engine has (tail calls; the rest of Wasm 2.0 but SIMD
// is always on), with or without metering.
inline Config full_config(bool metering) {
  Config config;
  config.tail_call = true;
  config.metering = metering;
  config.limits = small_limits();
  return config;
}

}  // namespace wasp_fuzz
