// Shared by the translator tests: a module built by hand (TestModule), a
// runner that instantiates it (Runner), and the opcode bytes they use.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compile/translator.h"
#include "opcode_bytes.h"
#include "waspvm/waspvm.h"

namespace waspvm {
namespace {

constexpr ValType I32 = ValType::I32;
constexpr ValType I64 = ValType::I64;
constexpr ValType F32 = ValType::F32;
constexpr ValType F64 = ValType::F64;

// Builds a ModuleDesc by hand: types, imported functions and defined bodies.
// Body bytes are the instructions only (ending in `end`); a few padding bytes
// come first so that byte offsets are not trivially zero.
class TestModule {
 public:
  TestModule() { desc.bytes = {0, 'a', 's', 'm', 1, 0, 0, 0}; }

  uint32_t type(std::vector<ValType> params, std::vector<ValType> results) {
    desc.types.push_back(FuncType{std::move(params), std::move(results)});
    return static_cast<uint32_t>(desc.types.size() - 1);
  }
  void import_func(uint32_t type_index) {
    desc.func_types.push_back(type_index);
    ++desc.num_imported_funcs;
  }
  // Returns the defined index.
  uint32_t func(uint32_t type_index, std::vector<LocalRun> locals, const std::vector<uint8_t>& body) {
    FuncBody f;
    f.type = type_index;
    for (const LocalRun& run : locals) f.num_locals += run.count;
    f.locals = std::move(locals);
    f.code_begin = static_cast<uint32_t>(desc.bytes.size());
    desc.bytes.insert(desc.bytes.end(), body.begin(), body.end());
    f.code_end = static_cast<uint32_t>(desc.bytes.size());
    desc.funcs.push_back(f);
    desc.func_types.push_back(type_index);
    return static_cast<uint32_t>(desc.funcs.size() - 1);
  }

  // The module as a wasm binary (types, functions, defined memories, code),
  // each defined function exported as "f<defined index>". No imports.
  std::vector<uint8_t> binary() const {
    std::vector<uint8_t> out = {0, 'a', 's', 'm', 1, 0, 0, 0};
    auto section = [&out](uint8_t id, const std::vector<uint8_t>& content) {
      out.push_back(id);
      leb(out, static_cast<uint32_t>(content.size()));
      out.insert(out.end(), content.begin(), content.end());
    };
    std::vector<uint8_t> types, funcs, exports, code;
    leb(types, static_cast<uint32_t>(desc.types.size()));
    for (const FuncType& type : desc.types) {
      types.push_back(0x60);
      for (const auto* list : {&type.params, &type.results}) {
        leb(types, static_cast<uint32_t>(list->size()));
        for (ValType v : *list) types.push_back(static_cast<uint8_t>(v));
      }
    }
    leb(funcs, static_cast<uint32_t>(desc.funcs.size()));
    leb(exports, static_cast<uint32_t>(desc.funcs.size()));
    leb(code, static_cast<uint32_t>(desc.funcs.size()));
    for (uint32_t i = 0; i < desc.funcs.size(); ++i) {
      const FuncBody& f = desc.funcs[i];
      leb(funcs, f.type);
      std::string name = "f" + std::to_string(i);
      leb(exports, static_cast<uint32_t>(name.size()));
      exports.insert(exports.end(), name.begin(), name.end());
      exports.push_back(0x00);  // func
      leb(exports, desc.num_imported_funcs + i);
      std::vector<uint8_t> entry;
      leb(entry, static_cast<uint32_t>(f.locals.size()));
      for (const LocalRun& run : f.locals) {
        leb(entry, run.count);
        entry.push_back(static_cast<uint8_t>(run.type));
      }
      entry.insert(entry.end(), desc.bytes.begin() + f.code_begin, desc.bytes.begin() + f.code_end);
      leb(code, static_cast<uint32_t>(entry.size()));
      code.insert(code.end(), entry.begin(), entry.end());
    }
    section(1, types);
    section(3, funcs);
    if (!desc.memories.empty()) {
      std::vector<uint8_t> memories;
      leb(memories, static_cast<uint32_t>(desc.memories.size()));
      for (const MemoryType& memory : desc.memories) {
        memories.push_back(0x00);  // no maximum
        leb(memories, static_cast<uint32_t>(memory.limits.min));
      }
      section(5, memories);
    }
    section(7, exports);
    section(10, code);
    return out;
  }

  // The translation before the peephole pass, unless `joining` is On (what the
  // engine runs; Runner always runs that).
  CompiledFunc translate(uint32_t defined_index, PairJoining joining = PairJoining::Off) {
    Result<CompiledFunc> result = translate_function(desc, defined_index, joining);
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
    return result.ok() ? std::move(result).value() : CompiledFunc{};
  }

  ModuleDesc desc;

 private:
  static void leb(std::vector<uint8_t>& out, uint32_t v) {
    do {
      uint8_t byte = v & 0x7F;
      v >>= 7;
      out.push_back(static_cast<uint8_t>(byte | (v != 0 ? 0x80 : 0)));
    } while (v != 0);
  }
};

// Compiles and instantiates a TestModule through the public API.
class Runner {
 public:
  explicit Runner(const TestModule& m) {
    std::vector<uint8_t> bytes = m.binary();
    Result<Module> module = Module::compile(engine_, bytes);
    EXPECT_TRUE(module.ok()) << (module.ok() ? "" : module.error().message);
    if (!module.ok()) return;
    Linker linker(engine_);
    Result<Instance> instance = linker.instantiate(*module);
    EXPECT_TRUE(instance.ok()) << (instance.ok() ? "" : instance.error().message);
    if (instance.ok()) instance_.emplace(std::move(instance).value());
  }

  // The single result of calling "f<defined_index>"; 0xDEAD... on any failure.
  uint64_t call(uint32_t defined_index, std::vector<Value> args) {
    constexpr uint64_t kFailed = 0xDEADDEADDEADDEADull;
    if (!instance_) return kFailed;
    Result<Outcome> outcome = instance_->call("f" + std::to_string(defined_index), args);
    EXPECT_TRUE(outcome.ok()) << (outcome.ok() ? "" : outcome.error().message);
    if (!outcome.ok()) return kFailed;
    EXPECT_TRUE(outcome->returned()) << (outcome->trapped() ? outcome->trap().message : "");
    if (!outcome->returned() || outcome->values().size() != 1) return kFailed;
    return outcome->values()[0].bits();
  }
  int32_t call_i32(uint32_t defined_index, std::vector<Value> args) {
    return static_cast<int32_t>(call(defined_index, std::move(args)));
  }
  int64_t call_i64(uint32_t defined_index, std::vector<Value> args) {
    return static_cast<int64_t>(call(defined_index, std::move(args)));
  }
  // The trap message of calling "f<defined_index>"; "<returned>" if it returned.
  std::string trap_message(uint32_t defined_index, std::vector<Value> args) {
    if (!instance_) return "<no instance>";
    Result<Outcome> outcome = instance_->call("f" + std::to_string(defined_index), args);
    EXPECT_TRUE(outcome.ok()) << (outcome.ok() ? "" : outcome.error().message);
    if (!outcome.ok()) return "<error>";
    return outcome->trapped() ? outcome->trap().message : "<returned>";
  }

 private:
  Engine engine_;
  std::optional<Instance> instance_;
};

}  // namespace
}  // namespace waspvm
