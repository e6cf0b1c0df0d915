// Helpers shared by the API tests: loading the test modules that the build
// compiles from tests/api/wat/*.wat, and calling exports in one line.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "waspvm/waspvm.h"

#ifndef WASP_API_WASM_DIR
#error "WASP_API_WASM_DIR must name the directory of the compiled test modules"
#endif

namespace waspvm::api_test {

// The bytes of tests/api/wat/<name>.wat, as compiled by wat2wasm --debug-names.
inline std::vector<uint8_t> read_test_wasm(std::string_view name) {
  std::string path = std::string(WASP_API_WASM_DIR) + "/" + std::string(name) + ".wasm";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot open test module " << path;
    return {};
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline Result<Module> compile_test_module(const Engine& engine, std::string_view name) {
  std::vector<uint8_t> bytes = read_test_wasm(name);
  return Module::compile(engine, bytes);
}

inline Result<Instance> instantiate_test_module(const Linker& linker, std::string_view name) {
  Result<Module> module = compile_test_module(linker.engine(), name);
  if (!module.ok()) return make_error("compile " + std::string(name) + ": " + module.error().message);
  return linker.instantiate(*module);
}

// The values an export returned; an error if the call could not be made or trapped.
inline Result<std::vector<Value>> call_values(const Instance& instance, std::string_view export_name,
                                              const std::vector<Value>& args) {
  Result<Outcome> outcome = instance.call(export_name, args);
  if (!outcome.ok()) return outcome.error();
  if (outcome->trapped()) return make_error("unexpected trap: " + outcome->trap().message);
  return outcome->values();
}

// The trap an export raised; an error if the call could not be made or returned.
inline Result<Trap> call_trap(const Instance& instance, std::string_view export_name,
                              const std::vector<Value>& args) {
  Result<Outcome> outcome = instance.call(export_name, args);
  if (!outcome.ok()) return outcome.error();
  if (!outcome->trapped()) return make_error("returned instead of trapping");
  return outcome->trap();
}

inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

inline std::vector<uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

}  // namespace waspvm::api_test
