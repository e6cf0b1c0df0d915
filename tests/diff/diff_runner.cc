// waspvm_diff_run: runs a module the way tests/diff/run_node.js runs it in V8
// and prints the same canonical transcript (format in tests/diff/README.md),
// so that the two can be compared line by line.
//
//   waspvm_diff_run [--gas N] [--dump-memory DIR] FILE.wasm
//       prints FILE.wasm's transcript on stdout
//   waspvm_diff_run --check [--gas N] DIR
//       runs every DIR/*.wasm and compares its transcript with DIR/*.expected
//       (recorded from node); prints each difference and the totals, and
//       exits non-zero if any module differs
//
// The module's imports must all be the "fuzzing-support" log functions of
// binaryen's translate-to-fuzz, with their exact types: any other import is an
// error (exit status 3), never a silent skip. Uses only the public API.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "waspvm/waspvm.h"

namespace {

using waspvm::ExternKind;
using waspvm::ValType;
using waspvm::Value;

// Each call's budget. Bulk memory and table operations are charged per byte
// or element before their bounds check, so an out-of-bounds memory.fill of
// 2^32-1 bytes costs that much gas before it traps (as it traps in V8): the
// budget covers one such charge plus 10^8 for everything else.
constexpr uint64_t kDefaultGas = (1ull << 32) + 100'000'000;
constexpr const char* kHangLimitInitializer = "hangLimitInitializer";

std::string hex_bits(uint64_t bits, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*" PRIx64, digits, bits);
  return buf;
}

// A value as the transcript shows it. Every NaN is "nan": V8 and WaspVM may
// legitimately produce different NaN payloads (and signs).
std::string format_value(const Value& v) {
  switch (v.type()) {
    case ValType::I32: return "i32 " + std::to_string(v.i32());
    case ValType::I64: return "i64 " + std::to_string(v.i64());
    case ValType::F32: {
      uint32_t bits = static_cast<uint32_t>(v.bits());
      bool nan = (bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu) != 0;
      return nan ? "f32 nan" : "f32 " + hex_bits(bits, 8);
    }
    case ValType::F64: {
      uint64_t bits = v.bits();
      bool nan =
          (bits & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (bits & 0x000fffffffffffffull) != 0;
      return nan ? "f64 nan" : "f64 " + hex_bits(bits, 16);
    }
    case ValType::FuncRef: return v.is_null() ? "funcref null" : "funcref func";
    case ValType::ExternRef: return v.is_null() ? "externref null" : "externref extern";
    case ValType::V128: return "v128 ?";
  }
  return "?";
}

// The trap classes both runners map their engine's traps to. V8 reports a
// null table entry and a signature mismatch of call_indirect with one message,
// so they are one class here too. V8 tells a float-to-int overflow
// ("float unrepresentable in integer range") from a division overflow, which
// WaspVM's trap codes do not (both are "integer overflow"): the opcode at the
// trap's offset in the module does.
std::string trap_class(const waspvm::Trap& trap, std::span<const uint8_t> bytes) {
  using waspvm::TrapCode;
  if (trap.code == TrapCode::IntegerOverflow && !trap.backtrace.empty()) {
    uint32_t at = trap.backtrace.front().wasm_offset;
    // i32.trunc_f32_s (0xa8) .. i64.trunc_f64_u (0xb1)
    if (at < bytes.size() && bytes[at] >= 0xa8 && bytes[at] <= 0xb1) return "conversion";
  }
  switch (trap.code) {
    case TrapCode::Unreachable: return "unreachable";
    case TrapCode::IntegerDivideByZero: return "div-by-zero";
    case TrapCode::IntegerOverflow: return "int-overflow";
    case TrapCode::InvalidConversion: return "conversion";
    case TrapCode::MemoryOutOfBounds: return "memory-oob";
    case TrapCode::TableOutOfBounds: return "table-oob";
    case TrapCode::UndefinedElement: return "table-oob";
    case TrapCode::UninitializedElement: return "indirect-call";
    case TrapCode::IndirectCallTypeMismatch: return "indirect-call";
    case TrapCode::CallStackExhausted: return "stack-exhausted";
    case TrapCode::ValueStackExhausted: return "stack-exhausted";
    case TrapCode::NullFunctionReference: return "null-ref";
    default: return "other " + trap.message;
  }
}

// Two 32-bit hashes of a memory's bytes (FNV-1a and a multiply-xorshift), as
// run_node.js computes them with Math.imul.
std::string hash_bytes(const uint8_t* data, uint64_t size) {
  uint32_t h1 = 2166136261u, h2 = 0x12345678u;
  for (uint64_t i = 0; i < size; ++i) {
    h1 = (h1 ^ data[i]) * 16777619u;
    h2 = (h2 ^ data[i]) * 0x5bd1e995u;
    h2 ^= h2 >> 13;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08" PRIx32 "%08" PRIx32, h1, h2);
  return buf;
}

Value zero_of(ValType t) {
  switch (t) {
    case ValType::I32: return Value::i32(0);
    case ValType::I64: return Value::i64(0);
    case ValType::F32: return Value::f32_bits(0);
    case ValType::F64: return Value::f64_bits(0);
    default: return Value::null(t);
  }
}

struct RunResult {
  std::string transcript;
  int status = 0;  // 0: ran; 2: unreadable or not compiled; 3: unsupported import
  bool out_of_gas = false;
  std::string error;  // for status != 0, and compile/instantiate errors (stderr)
};

// The log imports of binaryen's fuzzing support, by name and parameter type.
std::optional<ValType> log_param(std::string_view name) {
  if (name == "log-i32") return ValType::I32;
  if (name == "log-i64") return ValType::I64;
  if (name == "log-f32") return ValType::F32;
  if (name == "log-f64") return ValType::F64;
  return std::nullopt;
}

RunResult run_module(std::span<const uint8_t> bytes, uint64_t gas, const std::string& dump_dir) {
  RunResult r;
  std::string& out = r.transcript;
  waspvm::Config config;
  config.metering = true;
  config.tail_call = false;  // the generator does not enable tail calls
  waspvm::Engine engine(config);

  waspvm::Result<waspvm::Module> module = waspvm::Module::compile(engine, bytes);
  if (!module.ok()) {
    out += "compile-error\n";
    r.error = module.error().message;
    return r;
  }

  waspvm::Linker linker(engine);
  for (const waspvm::ImportInfo& imp : module->imports()) {
    std::optional<ValType> param =
        imp.module == "fuzzing-support" && imp.kind == ExternKind::Func ? log_param(imp.name) : std::nullopt;
    if (!param || imp.func != waspvm::FuncType{{*param}, {}}) {
      r.status = 3;
      r.error = "unsupported import " + imp.module + "." + imp.name + " (" + waspvm::to_string(imp.kind) +
                (imp.kind == ExternKind::Func ? " " + waspvm::to_string(imp.func) : std::string()) + ")";
      return r;
    }
    std::string label = imp.name;
    waspvm::HostFunction body = [&out, label](waspvm::Caller&, std::span<const Value> args,
                                              std::span<Value>) -> waspvm::Result<void> {
      std::string v = format_value(args[0]);
      out += label + " " + v.substr(v.find(' ') + 1) + "\n";
      return {};
    };
    linker.define(imp.module, imp.name, waspvm::Extern::of(waspvm::Func::create(engine, imp.func, body)));
  }

  waspvm::Result<waspvm::Instance> instance = linker.instantiate(*module);
  if (!instance.ok()) {
    out += "instantiate-error\n";
    r.error = instance.error().message;
    return r;
  }
  out += "instantiated\n";

  std::vector<waspvm::ExportInfo> exports = module->exports();
  bool has_hang_limit = std::any_of(exports.begin(), exports.end(), [](const waspvm::ExportInfo& e) {
    return e.kind == ExternKind::Func && e.name == kHangLimitInitializer && e.func.params.empty();
  });
  waspvm::CallOptions options;
  options.gas_limit = gas;
  options.on_out_of_gas = waspvm::OutOfGas::Trap;

  // An out-of-gas stop ends the transcript: the rest would diverge.
  auto call = [&](const std::string& name, const std::vector<Value>& args, bool quiet) -> bool {
    waspvm::Result<waspvm::Outcome> o = instance->call(name, args, options);
    if (!o.ok()) {
      out += "call-error\n";
      r.error = "call " + name + ": " + o.error().message;
      return false;
    }
    if (o->trapped() && o->trap().code == waspvm::TrapCode::OutOfGas) {
      out += "out-of-gas\n";
      r.out_of_gas = true;
      return false;
    }
    if (quiet && o->returned()) return true;
    if (o->trapped()) {
      out += "trap " + trap_class(o->trap(), bytes) + "\n";
    } else {
      out += "result";
      for (const Value& v : o->values()) out += " " + format_value(v);
      out += "\n";
    }
    return true;
  };

  for (const waspvm::ExportInfo& e : exports) {
    if (e.kind != ExternKind::Func) continue;
    // As binaryen's own JS wrapper does: reset the hang limit before each call.
    if (has_hang_limit && !call(kHangLimitInitializer, {}, true)) return r;
    out += "call " + e.name + "\n";
    std::vector<Value> args;
    for (ValType t : e.func.params) args.push_back(zero_of(t));
    if (!call(e.name, args, false)) return r;
  }

  for (const waspvm::ExportInfo& e : exports) {
    if (e.kind == ExternKind::Memory) {
      std::optional<waspvm::Memory> mem = instance->memory(e.name);
      out += "memory " + e.name + " pages " + std::to_string(mem->pages()) + " hash " +
             hash_bytes(mem->data(), mem->size()) + "\n";
      if (!dump_dir.empty()) {
        std::ofstream f(dump_dir + "/" + e.name + ".waspvm.bin", std::ios::binary);
        f.write(reinterpret_cast<const char*>(mem->data()), static_cast<std::streamsize>(mem->size()));
      }
    } else if (e.kind == ExternKind::Global) {
      std::optional<waspvm::Global> g = instance->global(e.name);
      out += "global " + e.name + " " + format_value(g->get()) + "\n";
    } else if (e.kind == ExternKind::Table) {
      std::optional<waspvm::Table> t = instance->table(e.name);
      std::string cells;
      for (uint64_t i = 0; i < t->size(); ++i) {
        waspvm::Result<Value> v = t->get(i);
        cells += !v.ok() ? '?' : v->is_null() ? 'n' : 'r';
      }
      out += "table " + e.name + " size " + std::to_string(t->size()) + " " + cells + "\n";
    }
  }
  return r;
}

std::optional<std::vector<uint8_t>> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The first line where two transcripts differ (1-based), with both lines.
std::string first_difference(const std::string& got, const std::string& want) {
  std::istringstream a(got), b(want);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool ha = static_cast<bool>(std::getline(a, la));
    bool hb = static_cast<bool>(std::getline(b, lb));
    if (!ha && !hb) return "";
    if (!ha) la = "<end>";
    if (!hb) lb = "<end>";
    if (la != lb) return "line " + std::to_string(line) + ": waspvm '" + la + "', expected '" + lb + "'";
  }
}

int check_corpus(const std::string& dir, uint64_t gas) {
  std::vector<std::filesystem::path> modules;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == ".wasm") modules.push_back(entry.path());
  if (ec) {
    std::fprintf(stderr, "error: cannot list %s: %s\n", dir.c_str(), ec.message().c_str());
    return 2;
  }
  std::sort(modules.begin(), modules.end());
  int passed = 0, failed = 0;
  for (const auto& path : modules) {
    std::filesystem::path expected_path = path;
    expected_path.replace_extension(".expected");
    std::optional<std::vector<uint8_t>> bytes = read_file(path.string());
    std::optional<std::vector<uint8_t>> expected = read_file(expected_path.string());
    std::string why;
    if (!bytes) {
      why = "cannot read the module";
    } else if (!expected) {
      why = "no expected transcript " + expected_path.filename().string();
    } else {
      RunResult r = run_module(*bytes, gas, "");
      std::string want(expected->begin(), expected->end());
      if (r.status != 0)
        why = r.error;
      else if (r.out_of_gas)
        why = "out of gas (expected transcripts are of modules that finish)";
      else
        why = first_difference(r.transcript, want);
    }
    if (why.empty()) {
      ++passed;
    } else {
      ++failed;
      std::printf("DIFFERS %s: %s\n", path.filename().c_str(), why.c_str());
    }
  }
  std::printf("diff_corpus: checked %zu modules of %s against their V8 transcripts\n", modules.size(),
              dir.c_str());
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 && !modules.empty() ? 0 : 1;
}

int usage() {
  std::fprintf(stderr,
               "usage: waspvm_diff_run [--gas N] [--dump-memory DIR] FILE.wasm\n"
               "       waspvm_diff_run --check [--gas N] DIR\n");
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t gas = kDefaultGas;
  bool check = false;
  std::string dump_dir, target;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--check") {
      check = true;
    } else if (a == "--gas" && i + 1 < argc) {
      gas = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--dump-memory" && i + 1 < argc) {
      dump_dir = argv[++i];
    } else if (!a.empty() && a[0] != '-' && target.empty()) {
      target = a;
    } else {
      return usage();
    }
  }
  if (target.empty()) return usage();
  if (check) return check_corpus(target, gas);

  std::optional<std::vector<uint8_t>> bytes = read_file(target);
  if (!bytes) {
    std::fprintf(stderr, "error: cannot read %s\n", target.c_str());
    return 2;
  }
  RunResult r = run_module(*bytes, gas, dump_dir);
  std::fwrite(r.transcript.data(), 1, r.transcript.size(), stdout);
  if (!r.error.empty()) std::fprintf(stderr, "waspvm_diff_run: %s\n", r.error.c_str());
  return r.status;
}
