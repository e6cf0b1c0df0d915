// `waspvm run [--dir HOST[::GUEST]]... [--env NAME[=VALUE]]... [--invoke NAME]
//             [--gas N [--on-out-of-gas=trap|suspend]] FILE.wasm [ARGS...]`:
// runs a module with WASI preview1, wasmtime-style, optionally with a gas budget.
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/call_end.h"
#include "cli/commands.h"
#include "cli/file_bytes.h"
#include "wasi/sandbox.h"
#include "waspvm/wasi.h"
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

std::string type_list(const std::vector<ValType>& types) {
  std::string out;
  for (size_t i = 0; i < types.size(); ++i) out += (i ? ", " : "") + std::string(to_string(types[i]));
  return out;
}

struct RunArgs {
  bool help = false;
  std::optional<std::string> invoke;
  std::optional<uint64_t> gas;  // --gas: metering on, with this budget
  OutOfGas on_out_of_gas = OutOfGas::Trap;
  std::optional<std::string> snapshot_out;  // save the call when the budget runs out
  std::vector<wasi::PreopenDir> dirs;
  std::vector<std::pair<std::string, std::string>> env;
  std::string file;
  std::vector<std::string_view> values;  // after FILE: the program's arguments
};

// The value of option `name` at args[i], given as "NAME VALUE" or "NAME=VALUE";
// advances i past it. Null when args[i] is not that option.
std::optional<std::string_view> option_value(std::span<const std::string_view> args, size_t& i,
                                             std::string_view name, bool& missing) {
  std::string_view arg = args[i];
  if (arg == name) {
    if (i + 1 >= args.size()) {
      missing = true;
      return std::nullopt;
    }
    return args[++i];
  }
  if (arg.size() > name.size() && arg.substr(0, name.size()) == name && arg[name.size()] == '=') {
    return arg.substr(name.size() + 1);
  }
  return std::nullopt;
}

// "--dir HOST[::GUEST]": GUEST defaults to HOST.
bool add_dir(std::string_view spec, RunArgs& out) {
  size_t split = spec.find("::");
  std::string_view host = spec.substr(0, split);
  std::string_view guest = split == std::string_view::npos ? host : spec.substr(split + 2);
  if (host.empty() || guest.empty()) {
    std::cerr << "error: run: --dir needs HOST or HOST::GUEST, got \"" << spec << "\"\n";
    return false;
  }
  out.dirs.push_back({std::string(host), std::string(guest)});
  return true;
}

// "--env NAME=VALUE", or "--env NAME" for the host's value of NAME (left out
// when the host has none). A later NAME replaces an earlier one.
bool add_env(std::string_view spec, RunArgs& out) {
  size_t split = spec.find('=');
  std::string name(spec.substr(0, split));
  if (name.empty()) {
    std::cerr << "error: run: --env needs NAME=VALUE, got \"" << spec << "\"\n";
    return false;
  }
  std::optional<std::string> value;
  if (split != std::string_view::npos) {
    value = std::string(spec.substr(split + 1));
  } else if (const char* host_value = std::getenv(name.c_str())) {
    value = host_value;
  }
  std::erase_if(out.env, [&](const auto& entry) { return entry.first == name; });
  if (value) out.env.emplace_back(std::move(name), std::move(*value));
  return true;
}

// "--gas N": a decimal budget.
bool set_gas(std::string_view text, RunArgs& out) {
  uint64_t gas = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), gas);
  if (error != std::errc() || end != text.data() + text.size()) {
    std::cerr << "error: run: --gas needs a decimal number, got \"" << text << "\"\n";
    return false;
  }
  out.gas = gas;
  return true;
}

bool set_out_of_gas(std::string_view text, RunArgs& out) {
  if (text == "trap") {
    out.on_out_of_gas = OutOfGas::Trap;
  } else if (text == "suspend") {
    out.on_out_of_gas = OutOfGas::Suspend;
  } else {
    std::cerr << "error: run: --on-out-of-gas needs trap or suspend, got \"" << text << "\"\n";
    return false;
  }
  return true;
}

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
    if (arg == "--help" || arg == "-h") {
      out.help = true;
      return out;
    }
    bool missing = false;
    if (auto value = option_value(args, i, "--invoke", missing)) {
      out.invoke = std::string(*value);
    } else if (auto dir = option_value(args, i, "--dir", missing)) {
      if (!add_dir(*dir, out)) return std::nullopt;
    } else if (auto env = option_value(args, i, "--env", missing)) {
      if (!add_env(*env, out)) return std::nullopt;
    } else if (auto gas = option_value(args, i, "--gas", missing)) {
      if (!set_gas(*gas, out)) return std::nullopt;
    } else if (auto mode = option_value(args, i, "--on-out-of-gas", missing)) {
      if (!set_out_of_gas(*mode, out)) return std::nullopt;
    } else if (auto path = option_value(args, i, "--snapshot-out", missing)) {
      out.snapshot_out = std::string(*path);
    } else {
      std::cerr << "error: run: " << (missing ? "missing value for option " : "unknown option ") << arg
                << " (see waspvm --help)\n";
      return std::nullopt;
    }
  }
  if (i >= args.size()) {
    std::cerr << "error: run: no module file given (see waspvm --help)\n";
    return std::nullopt;
  }
  if (out.snapshot_out) {
    if (!out.gas) {
      std::cerr << "error: run: --snapshot-out needs --gas (the call is saved when its budget runs out)\n";
      return std::nullopt;
    }
    out.on_out_of_gas = OutOfGas::Suspend;
  }
  out.file = std::string(args[i++]);
  out.values.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  return out;
}

wasi::WasiConfig make_wasi_config(const RunArgs& run) {
  wasi::WasiConfig config;
  config.args.push_back(run.file);
  for (std::string_view value : run.values) config.args.emplace_back(value);
  config.env = run.env;
  config.preopens = run.dirs;
  config.inherit_stdio = true;
  return config;
}

// Explains a failed instantiation, naming the imports that WASI does not provide.
void report_instantiation_error(const Module& module, const std::string& file, const Error& error) {
  std::cerr << "error: cannot instantiate " << file << ": " << error.message << "\n";
  std::vector<std::string> others;
  for (const ImportInfo& import : module.imports()) {
    if (import.module == "wasi_snapshot_preview1") continue;
    others.push_back(import.module + "." + import.name + " (" + std::string(to_string(import.kind)) + ")");
  }
  if (others.empty()) return;
  std::cerr
      << "note: `waspvm run` provides only WASI preview1 (module \"wasi_snapshot_preview1\"); the module "
         "also imports:\n";
  for (const std::string& import : others) std::cerr << "  " << import << "\n";
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

// The values for --invoke's function, parsed by its parameter types.
std::optional<std::vector<Value>> invoke_arguments(const Func& func, const RunArgs& run) {
  const FuncType& type = func.type();
  if (run.values.size() != type.params.size()) {
    std::cerr << "error: the function takes " << type.params.size() << " argument(s) ("
              << type_list(type.params) << "), got " << run.values.size() << "\n";
    return std::nullopt;
  }
  std::vector<Value> values;
  for (size_t i = 0; i < type.params.size(); ++i) {
    std::optional<Value> v = parse_argument(run.values[i], type.params[i]);
    if (!v) {
      std::cerr << "error: argument " << i + 1 << ": cannot read \"" << run.values[i] << "\" as "
                << to_string(type.params[i]) << "\n";
      return std::nullopt;
    }
    values.push_back(*v);
  }
  return values;
}

}  // namespace

int run_command(std::span<const std::string_view> args) {
  std::optional<RunArgs> run = parse_run_args(args);
  if (!run) return kExitUsage;
  if (run->help) {
    std::cout << help_text();
    return kExitOk;
  }
  // WASPVM_FORCE_PATH_WALK=1: resolve guest paths by the portable component
  // walk even where openat2 exists (the escape tests run both ways).
  if (const char* walk = std::getenv("WASPVM_FORCE_PATH_WALK"); walk && std::string_view(walk) == "1") {
    wasi::set_force_component_walk(true);
  }
  wasi::WasiConfig wasi_config = make_wasi_config(*run);
  // WASI would leave out a --dir it cannot open; say so instead.
  if (auto checked = wasi::check_config(wasi_config); !checked.ok()) {
    std::cerr << "error: --dir: " << checked.error().message << "\n";
    return kExitError;
  }
  std::optional<FileBytes> bytes = read_file_bytes(run->file);
  if (!bytes) {
    std::cerr << "error: cannot read " << run->file << "\n";
    return kExitError;
  }
  Config config;
  config.metering = run->gas.has_value();
  Engine engine(config);
  auto module = Module::compile(engine, *bytes);
  if (!module.ok()) {
    std::cerr << "error: " << run->file << ": " << module.error().message << "\n";
    return status_for(module.error(), kExitInvalid);
  }
  Linker linker(engine);
  wasi::add_to_linker(linker, wasi_config);  // (a copy: a snapshot file records it too)
  auto instance = linker.instantiate(module.value());
  if (!instance.ok()) {
    report_instantiation_error(module.value(), run->file, instance.error());
    return status_for(instance.error(), kExitError);
  }
  std::optional<Func> func = find_function(instance.value(), module.value(), *run);
  if (!func) return kExitError;

  // Without --invoke the arguments after FILE are the program's (argv);
  // with it they are also the function's parameters.
  std::vector<Value> values;
  if (run->invoke) {
    std::optional<std::vector<Value>> parsed = invoke_arguments(*func, *run);
    if (!parsed) return kExitUsage;
    values = std::move(*parsed);
  } else if (!func->type().params.empty()) {
    std::cerr << "error: _start takes parameters (" << type_list(func->type().params)
              << "); call a function with --invoke NAME\n";
    return kExitError;
  }
  CallOptions options;
  options.gas_limit = run->gas;
  options.on_out_of_gas = run->on_out_of_gas;
  auto outcome = func->call(values, options);
  if (!outcome.ok()) {
    std::cerr << "error: " << outcome.error().message << "\n";
    return status_for(outcome.error(), kExitError);
  }
  // What a snapshot file needs besides the snapshot (copied only if asked for).
  std::optional<RunSnapshot> context;
  if (run->snapshot_out) {
    context = RunSnapshot{{}, wasi_config.args, wasi_config.env, wasi_config.preopens, run->invoke, {}};
    context->module = bytes->to_vector();
  }
  CallEnd end{run->gas.has_value(), run->invoke.has_value(), run->snapshot_out,
              context ? &*context : nullptr};
  return finish(instance.value(), outcome.value(), end);
}

}  // namespace waspvm::cli
