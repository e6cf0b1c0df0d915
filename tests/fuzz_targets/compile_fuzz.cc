// Fuzz target for Module::compile (decode, validate, translate): no input
// may crash, hang or make the host allocate without bound. An input is a
// binary module, compiled with every feature on (tail calls), metered and
// not: whether it compiles, and the error if not, cannot depend on
// metering (only the translation differs); a module that compiles without
// tail calls must compile with them. A module that compiles is introspected
// and instantiated (every import given, small limits, the start function
// under a gas budget), which must succeed or fail cleanly.
//
// Built two ways (tests/fuzz_targets/CMakeLists.txt):
//   compile_fuzz_test  the plain driver (fuzz_driver.cc) for ctest
//                      (fuzz_compile): seeds, regressions, N mutations;
//   compile_fuzzer     libFuzzer (-DWASP_FUZZERS=ON); scripts/fuzz.sh.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_driver.h"
#include "fuzz_imports.h"

namespace {

using namespace wasp_fuzz;

struct Counts {
  uint64_t inputs = 0, compiled = 0, rejected = 0, instantiated = 0, instantiate_errors = 0;
} counts;
bool last_accepted = false;  // the last input compiled

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "compile_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  ++counts.inputs;
  last_accepted = false;
  // A fresh engine per input: nothing (such as interned types) carries over.
  Engine metered(full_config(true));
  Result<Module> module = Module::compile(metered, bytes);
  {
    Engine plain(full_config(false));
    Result<Module> unmetered = Module::compile(plain, bytes);
    if (module.ok() != unmetered.ok())
      fail("metering changed whether the module compiles",
           module.ok() ? unmetered.error().message : module.error().message);
    if (!module.ok() && module.error().message != unmetered.error().message)
      fail("metering changed the error", module.error().message + " / " + unmetered.error().message);
  }
  if (!module.ok()) {
    if (module.error().message.empty()) fail("an error without a message", "");
    Config no_tail = full_config(false);
    no_tail.tail_call = false;
    Engine older(no_tail);
    Result<Module> without = Module::compile(older, bytes);
    if (without.ok()) fail("compiles without tail calls but not with them", module.error().message);
    ++counts.rejected;
    return 0;
  }
  ++counts.compiled;
  last_accepted = true;
  (void)module->imports();
  (void)module->exports();
  Linker linker(metered);
  define_imports(linker, metered, *module);
  Result<Instance> instance = linker.instantiate(*module, small_limits());
  if (instance.ok()) {
    ++counts.instantiated;
    (void)instance->inspect().to_string();
  } else {
    ++counts.instantiate_errors;
    if (instance.error().message.empty()) fail("an instantiation error without a message", "");
  }
  return 0;
}

bool wasp_fuzz_accepted() { return last_accepted; }

std::string wasp_fuzz_summary() {
  char line[256];
  std::snprintf(line, sizeof line,
                "%" PRIu64 " inputs: %" PRIu64 " compiled, %" PRIu64 " rejected; %" PRIu64
                " instantiated, %" PRIu64 " failed to instantiate",
                counts.inputs, counts.compiled, counts.rejected, counts.instantiated,
                counts.instantiate_errors);
  return line;
}

std::string wasp_fuzz_check_seeds() {
  if (counts.compiled == 0) return "no seed compiled";
  if (counts.rejected == 0) return "no seed was rejected (the spec suite's malformed and invalid modules?)";
  if (counts.instantiated == 0) return "no seed instantiated";
  if (counts.instantiate_errors == 0)
    return "no seed failed to instantiate (the spec suite's link and trap tests?)";
  return "";
}
