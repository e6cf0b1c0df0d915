// `waspvm run [--invoke NAME] FILE.wasm [ARGS...]`
#include <bit>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "waspvm/waspvm.h"

namespace waspvm::cli {
namespace {

// Splits a leading '-' or '+' off `text`; returns true if it was '-'.
bool take_sign(std::string_view& text) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    bool negative = text.front() == '-';
    text.remove_prefix(1);
    return negative;
  }
  return false;
}

// Decimal or 0x-hex, signed or unsigned, for an integer of `bits` bits.
std::optional<uint64_t> parse_integer(std::string_view text, int bits) {
  bool negative = take_sign(text);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  uint64_t max_unsigned =
      bits == 32 ? std::numeric_limits<uint32_t>::max() : std::numeric_limits<uint64_t>::max();
  uint64_t max_negative = uint64_t{1} << (bits - 1);  // |INT_MIN|
  if (negative) {
    if (magnitude > max_negative) return std::nullopt;
    return (0 - magnitude) & max_unsigned;
  }
  if (magnitude > max_unsigned) return std::nullopt;
  return magnitude;
}

template <class Float>
std::optional<Float> parse_float(std::string_view text) {
  std::string_view rest = text;
  bool negative = take_sign(rest);
  Float value = 0;
  const char* first = rest.data();
  const char* last = rest.data() + rest.size();
  if (rest.empty() || rest.front() == '-' || rest.front() == '+') return std::nullopt;
  std::from_chars_result r;
  if (rest.size() > 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X')) {
    r = std::from_chars(first + 2, last, value, std::chars_format::hex);
  } else {
    // from_chars reads "nan", "inf" and "infinity" itself.
    r = std::from_chars(first, last, value, std::chars_format::general);
  }
  if (r.ec != std::errc() || r.ptr != last) return std::nullopt;
  return negative ? -value : value;
}

std::optional<Value> parse_argument(std::string_view text, ValType type) {
  switch (type) {
    case ValType::I32:
      if (auto v = parse_integer(text, 32))
        return Value::i32(static_cast<int32_t>(static_cast<uint32_t>(*v)));
      return std::nullopt;
    case ValType::I64:
      if (auto v = parse_integer(text, 64)) return Value::i64(static_cast<int64_t>(*v));
      return std::nullopt;
    case ValType::F32:
      if (auto v = parse_float<float>(text)) return Value::f32_bits(std::bit_cast<uint32_t>(*v));
      return std::nullopt;
    case ValType::F64:
      if (auto v = parse_float<double>(text)) return Value::f64_bits(std::bit_cast<uint64_t>(*v));
      return std::nullopt;
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (text == "null") return Value::null(type);
      return std::nullopt;
    case ValType::V128: return std::nullopt;
  }
  return std::nullopt;
}

// The shortest text that reads back to the same float; NaNs show a payload
// other than the canonical one, as "nan:0x...".
template <class Float, class Bits>
std::string format_float(Bits bits) {
  Float f = std::bit_cast<Float>(bits);
  if (std::isnan(f)) {
    constexpr int kMantissaBits = std::numeric_limits<Float>::digits - 1;
    Bits payload = bits & ((Bits{1} << kMantissaBits) - 1);
    std::string out = std::signbit(f) ? "-nan" : "nan";
    if (payload != (Bits{1} << (kMantissaBits - 1))) {
      char hex[32];
      auto [end, ec] = std::to_chars(hex, hex + sizeof hex, payload, 16);
      (void)ec;  // 32 characters always hold the payload
      out += ":0x" + std::string(hex, end);
    }
    return out;
  }
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, f);
  (void)ec;  // 64 characters always hold the shortest form
  return std::string(buffer, end);
}

std::string format_result(const Value& v) {
  switch (v.type()) {
    case ValType::I32: return std::to_string(v.i32());
    case ValType::I64: return std::to_string(v.i64());
    case ValType::F32: return format_float<float>(static_cast<uint32_t>(v.bits()));
    case ValType::F64: return format_float<double>(v.bits());
    default: return v.to_string();
  }
}

std::string type_list(const std::vector<ValType>& types) {
  std::string out;
  for (size_t i = 0; i < types.size(); ++i) out += (i ? ", " : "") + std::string(to_string(types[i]));
  return out;
}

std::optional<std::vector<uint8_t>> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return bytes;
}

struct RunArgs {
  std::optional<std::string> invoke;
  std::string file;
  std::vector<std::string_view> values;
};

std::optional<RunArgs> parse_run_args(std::span<const std::string_view> args) {
  RunArgs out;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.empty() || arg.front() != '-') break;
    if (arg == "--invoke" && i + 1 < args.size()) {
      out.invoke = std::string(args[++i]);
    } else if (arg.substr(0, 9) == "--invoke=") {
      out.invoke = std::string(arg.substr(9));
    } else {
      std::cerr << "error: run: unknown option or missing value: " << arg << " (see waspvm --help)\n";
      return std::nullopt;
    }
  }
  if (i >= args.size()) {
    std::cerr << "error: run: no module file given (see waspvm --help)\n";
    return std::nullopt;
  }
  out.file = std::string(args[i++]);
  out.values.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  return out;
}

// Explains a failed instantiation; with imports, says that none are provided.
void report_instantiation_error(const Module& module, const std::string& file, const Error& error) {
  std::cerr << "error: cannot instantiate " << file << ": " << error.message << "\n";
  std::vector<ImportInfo> imports = module.imports();
  if (imports.empty()) return;
  std::cerr << "note: `waspvm run` provides no imports yet (WASI is not supported); the module imports:\n";
  for (const ImportInfo& import : imports) {
    std::cerr << "  " << import.module << "." << import.name << " (" << to_string(import.kind) << ")\n";
  }
}

// The function to call: --invoke NAME, else `_start`.
std::optional<Func> find_function(const Instance& instance, const Module& module, const RunArgs& run) {
  std::string name = run.invoke.value_or("_start");
  if (auto func = instance.func(name)) return func;
  std::cerr << "error: " << run.file << " exports no function named \"" << name << "\"";
  std::string exported;
  for (const ExportInfo& e : module.exports()) {
    if (e.kind == ExternKind::Func) exported += (exported.empty() ? "" : ", ") + e.name;
  }
  if (!run.invoke) std::cerr << "; choose one with --invoke NAME";
  std::cerr << " (exported functions: " << (exported.empty() ? "none" : exported) << ")\n";
  return std::nullopt;
}

// One frame per line, innermost first. Runs of identical frames (deep
// recursion) are folded, and at most kMaxBacktraceLines lines are printed.
void print_backtrace(const std::vector<FrameInfo>& frames) {
  constexpr size_t kMaxBacktraceLines = 64;
  size_t lines = 0;
  for (size_t i = 0; i < frames.size();) {
    if (lines == kMaxBacktraceLines) {
      std::cerr << "  ... " << frames.size() - i << " more frames\n";
      return;
    }
    std::string text = frames[i].to_string();
    size_t run = 1;
    while (i + run < frames.size() && frames[i + run].to_string() == text) ++run;
    std::cerr << "  " << text << "\n";
    ++lines;
    if (run > 2) {
      std::cerr << "  ... the frame above repeated " << run - 1 << " more times\n";
      ++lines;
    } else if (run == 2) {
      std::cerr << "  " << text << "\n";
      ++lines;
    }
    i += run;
  }
}

}  // namespace

int run_command(std::span<const std::string_view> args) {
  std::optional<RunArgs> run = parse_run_args(args);
  if (!run) return kExitUsage;
  std::optional<std::vector<uint8_t>> bytes = read_file(run->file);
  if (!bytes) {
    std::cerr << "error: cannot read " << run->file << "\n";
    return kExitError;
  }
  Engine engine;
  auto module = Module::compile(engine, *bytes);
  if (!module.ok()) {
    std::cerr << "error: " << run->file << ": " << module.error().message << "\n";
    return kExitInvalid;
  }
  Linker linker(engine);
  auto instance = linker.instantiate(module.value());
  if (!instance.ok()) {
    report_instantiation_error(module.value(), run->file, instance.error());
    return kExitError;
  }
  std::optional<Func> func = find_function(instance.value(), module.value(), *run);
  if (!func) return kExitError;

  const FuncType& type = func->type();
  if (run->values.size() != type.params.size()) {
    std::cerr << "error: the function takes " << type.params.size() << " argument(s) ("
              << type_list(type.params) << "), got " << run->values.size() << "\n";
    return kExitUsage;
  }
  std::vector<Value> values;
  for (size_t i = 0; i < type.params.size(); ++i) {
    std::optional<Value> v = parse_argument(run->values[i], type.params[i]);
    if (!v) {
      std::cerr << "error: argument " << i + 1 << ": cannot read \"" << run->values[i] << "\" as "
                << to_string(type.params[i]) << "\n";
      return kExitUsage;
    }
    values.push_back(*v);
  }

  auto outcome = func->call(values);
  if (!outcome.ok()) {
    std::cerr << "error: " << outcome.error().message << "\n";
    return kExitError;
  }
  if (outcome->trapped()) {
    const Trap& trap = outcome->trap();
    std::cerr << "trap: " << trap.message << "\n";
    print_backtrace(trap.backtrace);
    return kExitTrap;
  }
  for (const Value& v : outcome->values()) std::cout << format_result(v) << "\n";
  return kExitOk;
}

}  // namespace waspvm::cli
