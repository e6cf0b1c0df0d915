#include "spectest/runner.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>

#include "spectest/json.h"
#include "spectest/spec_values.h"
#include "spectest/spectest_host.h"

namespace waspvm::spectest {
namespace {

enum class Verdict { Pass, Fail, Skip };

struct CommandResult {
  Verdict verdict = Verdict::Pass;
  std::string detail;  // Fail: "expected ..., got ..."; Skip: the reason
};

CommandResult pass() { return {Verdict::Pass, ""}; }
CommandResult fail(std::string detail) { return {Verdict::Fail, std::move(detail)}; }
CommandResult skip(std::string reason) { return {Verdict::Skip, std::move(reason)}; }

// What performing an action (invoke or get) produced.
struct ActionResult {
  enum class Kind { Error, Returned, Trapped };
  Kind kind = Kind::Error;
  std::string error;  // Kind::Error: why the action could not be performed
  std::vector<Value> values;
  Trap trap;
};

ActionResult action_error(std::string message) {
  ActionResult r;
  r.error = std::move(message);
  return r;
}

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

Result<std::vector<uint8_t>> read_binary(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot open " + path.string());
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error("cannot read " + path.string());
  return bytes;
}

// An instance slot: the instance, or why there is none.
struct InstanceSlot {
  std::optional<Instance> instance;
  std::string why_missing;
};

class FileRunner {
 public:
  FileRunner(std::filesystem::path dir, std::string file_key, const RunOptions& options, SpecSummary& summary)
      : dir_(std::move(dir)),
        file_key_(std::move(file_key)),
        options_(options),
        summary_(summary),
        engine_(options.config),
        linker_(engine_) {
    current_.why_missing = "no module has been defined yet";
    define_spectest_module(linker_, options.verbose ? options.log : nullptr);
  }

  void run_all(const json::Value& commands) {
    for (const json::Value& cmd : commands.items()) {
      int64_t line = cmd.is_object() ? cmd.get_int("line").value_or(0) : 0;
      std::optional<std::string> type = cmd.is_object() ? cmd.get_string("type") : std::nullopt;
      if (!type) {
        record("command", line, fail("expected a command object with a \"type\", got something else"));
        continue;
      }
      record(*type, line, run_command(cmd, *type));
    }
    report_stale_expected_failures();
  }

 private:
  CommandResult run_command(const json::Value& cmd, const std::string& type) {
    if (type == "module") return run_module(cmd);
    if (type == "register") return run_register(cmd);
    if (type == "action") return run_action(cmd);
    if (type == "assert_return") return run_assert_return(cmd);
    if (type == "assert_trap" && cmd.find("action") == nullptr) return run_module_failure(cmd, type);
    if (type == "assert_trap" || type == "assert_exhaustion") return run_assert_trap(cmd, type);
    if (type == "assert_invalid" || type == "assert_malformed") return run_assert_invalid(cmd);
    if (type == "assert_unlinkable" || type == "assert_uninstantiable") return run_module_failure(cmd, type);
    return fail("expected a known command type, got " + in_quotes(type));
  }

  // ---- modules

  Result<std::vector<uint8_t>> read_module_file(const json::Value& cmd) const {
    auto filename = cmd.get_string("filename");
    if (!filename) return make_error("the command names no module file");
    return read_binary(dir_ / *filename);
  }

  CommandResult run_module(const json::Value& cmd) {
    auto name = cmd.get_string("name");
    int64_t line = cmd.get_int("line").value_or(0);
    InstanceSlot slot;
    slot.why_missing = "the module at line " + std::to_string(line) + " failed to load";
    CommandResult result = pass();
    auto bytes = read_module_file(cmd);
    if (!bytes.ok()) {
      result = fail("expected a module, got " + bytes.error().message);
    } else if (auto module = Module::compile(engine_, bytes.value()); !module.ok()) {
      result = fail("expected a valid module, got compile error: " + module.error().message);
    } else if (auto instance = linker_.instantiate(module.value()); !instance.ok()) {
      result = fail("expected instantiation to succeed, got error: " + instance.error().message);
    } else {
      slot.instance = std::move(instance.value());
    }
    current_ = slot;
    if (name) named_[*name] = slot;
    return result;
  }

  CommandResult run_register(const json::Value& cmd) {
    auto as = cmd.get_string("as");
    if (!as) return fail("expected an \"as\" name, got none");
    auto slot = find_slot(cmd.get_string("name"));
    if (!slot.ok()) return fail("expected a module to register, got " + slot.error().message);
    linker_.define_instance(*as, *slot.value().instance);
    return pass();
  }

  CommandResult run_assert_invalid(const json::Value& cmd) {
    if (cmd.get_string("module_type").value_or("binary") == "text") return skip("text module");
    std::string expected = cmd.get_string("text").value_or("");
    auto bytes = read_module_file(cmd);
    if (!bytes.ok()) return fail("expected error " + in_quotes(expected) + ", got " + bytes.error().message);
    auto module = Module::compile(engine_, bytes.value());
    if (module.ok()) return fail("expected error " + in_quotes(expected) + ", got a valid module");
    note_message_mismatch(cmd, expected, module.error().message);
    return pass();
  }

  // assert_unlinkable, assert_uninstantiable: compiles, then instantiation fails.
  CommandResult run_module_failure(const json::Value& cmd, const std::string& type) {
    if (cmd.get_string("module_type").value_or("binary") == "text") return skip("text module");
    std::string expected = cmd.get_string("text").value_or("");
    std::string what = (type == "assert_unlinkable" ? "link error " : "trap ") + in_quotes(expected);
    auto bytes = read_module_file(cmd);
    if (!bytes.ok()) return fail("expected " + what + ", got " + bytes.error().message);
    auto module = Module::compile(engine_, bytes.value());
    if (!module.ok()) return fail("expected " + what + ", got compile error: " + module.error().message);
    auto instance = linker_.instantiate(module.value());
    if (instance.ok()) return fail("expected " + what + ", got a successful instantiation");
    note_message_mismatch(cmd, expected, instance.error().message);
    return pass();
  }

  // ---- actions

  // The instance named `name` ("$M"), or the current one.
  Result<InstanceSlot> find_slot(const std::optional<std::string>& name) const {
    const InstanceSlot* slot = &current_;
    if (name) {
      auto it = named_.find(*name);
      if (it == named_.end()) return make_error("no module named " + *name);
      slot = &it->second;
    }
    if (!slot->instance) {
      return make_error("no instance" + (name ? " for " + *name : std::string()) + " (" + slot->why_missing +
                        ")");
    }
    return *slot;
  }

  ActionResult perform(const json::Value& cmd) {
    const json::Value* action = cmd.find("action");
    if (action == nullptr || !action->is_object()) return action_error("the command has no action");
    auto slot = find_slot(action->get_string("module"));
    if (!slot.ok()) return action_error(slot.error().message);
    const Instance& instance = *slot.value().instance;
    auto field = action->get_string("field");
    auto type = action->get_string("type");
    if (!field || !type) return action_error("the action has no \"type\" or \"field\"");
    if (*type == "get") {
      auto global = instance.global(*field);
      if (!global) return action_error("no exported global named " + in_quotes(*field));
      ActionResult r;
      r.kind = ActionResult::Kind::Returned;
      r.values.push_back(global->get());
      return r;
    }
    if (*type != "invoke") return action_error("unknown action type " + in_quotes(*type));
    std::vector<Value> args;
    if (const json::Value* list = action->find("args"); list != nullptr && list->is_array()) {
      for (const json::Value& arg : list->items()) {
        auto value = parse_argument(arg);
        if (!value.ok()) return action_error(value.error().message);
        args.push_back(value.value());
      }
    }
    Result<Outcome> outcome = Error{"unknown export function: " + in_quotes(*field)};
    if (!options_.stop_everywhere) {
      outcome = instance.call(*field, args);
    } else if (auto func = instance.func(*field)) {
      outcome = call_stopping_everywhere(*func, linker_, args, summary_.stops);
    }
    if (!outcome.ok())
      return action_error("cannot call " + in_quotes(*field) + ": " + outcome.error().message);
    ActionResult r;
    if (outcome->trapped()) {
      r.kind = ActionResult::Kind::Trapped;
      r.trap = outcome->trap();
    } else {
      r.kind = ActionResult::Kind::Returned;
      r.values = outcome->values();
    }
    return r;
  }

  static bool args_use_v128(const json::Value& cmd) {
    const json::Value* action = cmd.find("action");
    const json::Value* args = action ? action->find("args") : nullptr;
    if (args == nullptr) return false;
    for (const json::Value& arg : args->items()) {
      if (is_v128(arg)) return true;
    }
    return false;
  }

  static std::string got(const ActionResult& r) {
    switch (r.kind) {
      case ActionResult::Kind::Error: return r.error;
      case ActionResult::Kind::Trapped: return "trap " + in_quotes(r.trap.message);
      case ActionResult::Kind::Returned: return describe(std::span<const Value>(r.values));
    }
    return "?";
  }

  CommandResult run_action(const json::Value& cmd) {
    if (args_use_v128(cmd)) return skip("SIMD");
    ActionResult r = perform(cmd);
    if (r.kind == ActionResult::Kind::Returned) return pass();
    return fail("expected the action to complete, got " + got(r));
  }

  CommandResult run_assert_return(const json::Value& cmd) {
    if (args_use_v128(cmd)) return skip("SIMD");
    std::vector<ExpectedValue> expected;
    if (const json::Value* list = cmd.find("expected"); list != nullptr && list->is_array()) {
      for (const json::Value& item : list->items()) {
        if (is_v128(item)) return skip("SIMD");
        auto value = parse_expected(item);
        if (!value.ok()) return fail("expected a well-formed command, got " + value.error().message);
        expected.push_back(value.value());
      }
    }
    ActionResult r = perform(cmd);
    std::string want = describe(std::span<const ExpectedValue>(expected));
    if (r.kind != ActionResult::Kind::Returned) return fail("expected " + want + ", got " + got(r));
    bool same = r.values.size() == expected.size();
    for (size_t i = 0; same && i < expected.size(); ++i) same = matches(expected[i], r.values[i]);
    if (same) return pass();
    return fail("expected " + want + ", got " + got(r));
  }

  CommandResult run_assert_trap(const json::Value& cmd, const std::string& type) {
    if (args_use_v128(cmd)) return skip("SIMD");
    std::string fallback = type == "assert_exhaustion" ? "call stack exhausted" : "";
    std::string expected = cmd.get_string("text").value_or(fallback);
    ActionResult r = perform(cmd);
    if (r.kind == ActionResult::Kind::Trapped && r.trap.message.find(expected) != std::string::npos) {
      return pass();
    }
    return fail("expected trap " + in_quotes(expected) + ", got " + got(r));
  }

  // ---- bookkeeping

  void log(const std::string& line) const {
    if (options_.verbose && options_.log) *options_.log << line << '\n';
  }

  void note_message_mismatch(const json::Value& cmd, const std::string& expected, const std::string& actual) {
    if (actual.find(expected) != std::string::npos) return;
    log(file_key_ + ":" + std::to_string(cmd.get_int("line").value_or(0)) + ": passed, but the message " +
        in_quotes(actual) + " does not contain " + in_quotes(expected));
  }

  void record(const std::string& type, int64_t line, const CommandResult& result) {
    std::string key = file_key_ + ":" + std::to_string(line);
    auto listed = options_.expected_failures.find(key);
    bool is_listed = listed != options_.expected_failures.end();
    if (is_listed) seen_keys_.insert(key);
    switch (result.verdict) {
      case Verdict::Skip:
        ++summary_.skipped;
        log(key + ": " + type + ": skipped (" + result.detail + ")");
        return;
      case Verdict::Pass:
        if (is_listed) {
          ++summary_.failed;
          summary_.failures.push_back(
              key + ": " + type + ": unexpectedly passed (listed as an expected failure: " + listed->second +
              ")");
        } else if (type != "register") {  // a register is not a test unless it fails
          ++summary_.passed;
        }
        return;
      case Verdict::Fail:
        if (is_listed) {
          ++summary_.expected_failed;
          summary_.expected_failure_notes.push_back("expected failure " + key + ": " + listed->second);
          log(key + ": " + type + ": " + result.detail + " (expected failure)");
        } else {
          ++summary_.failed;
          summary_.failures.push_back(key + ": " + type + ": " + result.detail);
        }
        return;
    }
  }

  // An entry for this file that matched no command would hide nothing and
  // mislead readers of the list, so it is a failure.
  void report_stale_expected_failures() {
    std::string prefix = file_key_ + ":";
    for (auto it = options_.expected_failures.lower_bound(prefix);
         it != options_.expected_failures.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      if (seen_keys_.count(it->first)) continue;
      ++summary_.failed;
      summary_.failures.push_back(it->first + ": the expected-failures entry matches no command");
    }
  }

  std::filesystem::path dir_;
  std::string file_key_;
  const RunOptions& options_;
  SpecSummary& summary_;
  Engine engine_;
  Linker linker_;
  InstanceSlot current_;
  std::map<std::string, InstanceSlot> named_;
  std::set<std::string> seen_keys_;
};

std::string trim(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return "";
  size_t end = s.find_last_not_of(" \t\r");
  return std::string(s.substr(begin, end - begin + 1));
}

// "dir/file.wast:123": a path, a colon, and a decimal line number.
bool is_valid_key(std::string_view key) {
  size_t colon = key.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == key.size()) return false;
  for (char c : key.substr(colon + 1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

void SpecSummary::add(const SpecSummary& other) {
  passed += other.passed;
  failed += other.failed;
  skipped += other.skipped;
  expected_failed += other.expected_failed;
  failures.insert(failures.end(), other.failures.begin(), other.failures.end());
  expected_failure_notes.insert(expected_failure_notes.end(), other.expected_failure_notes.begin(),
                                other.expected_failure_notes.end());
  stops.out_of_gas += other.stops.out_of_gas;
  stops.interrupted += other.stops.interrupted;
  stops.copies_finished += other.stops.copies_finished;
  stops.refused += other.stops.refused;
}

std::string spec_file_key(std::string_view source_filename) {
  std::string_view s = source_filename;
  while (s.substr(0, 2) == "./") s.remove_prefix(2);
  constexpr std::string_view kSuite = "spec-testsuite/";
  if (size_t at = s.rfind(kSuite); at != std::string_view::npos)
    return std::string(s.substr(at + kSuite.size()));
  if (s.substr(0, 10) == "proposals/") return std::string(s);
  if (size_t at = s.rfind("/proposals/"); at != std::string_view::npos) return std::string(s.substr(at + 1));
  if (!s.empty() && s.front() == '/') {
    std::filesystem::path p(s);
    return (p.parent_path().filename() / p.filename()).string();
  }
  return std::string(s);
}

std::string totals_line(const SpecSummary& summary) {
  return std::to_string(summary.passed) + " passed, " + std::to_string(summary.failed) + " failed, " +
         std::to_string(summary.skipped) + " skipped";
}

SpecSummary run_spec_json(const std::string& json_path, const RunOptions& options) {
  SpecSummary summary;
  auto document = json::parse_file(json_path);
  if (!document.ok()) {
    ++summary.failed;
    summary.failures.push_back(json_path + ": cannot load: " + document.error().message);
    return summary;
  }
  const json::Value* commands = document->is_object() ? document->find("commands") : nullptr;
  if (commands == nullptr || !commands->is_array()) {
    ++summary.failed;
    summary.failures.push_back(json_path + ": cannot load: no \"commands\" array");
    return summary;
  }
  std::string source = document->get_string("source_filename").value_or(json_path);
  std::filesystem::path dir = std::filesystem::path(json_path).parent_path();
  FileRunner runner(dir, spec_file_key(source), options, summary);
  runner.run_all(*commands);
  return summary;
}

Result<ExpectedFailures> load_expected_failures(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error("cannot open " + path);
  ExpectedFailures out;
  std::string raw;
  int line_number = 0;
  while (std::getline(in, raw)) {
    ++line_number;
    std::string line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    size_t space = line.find_first_of(" \t");
    std::string key = line.substr(0, space);
    std::string reason = space == std::string::npos ? "" : trim(std::string_view(line).substr(space));
    std::string where = path + ":" + std::to_string(line_number) + ": ";
    if (!is_valid_key(key) || reason.empty()) {
      return make_error(where + "expected \"dir/file.wast:LINE  reason\", got " + in_quotes(line));
    }
    if (!out.emplace(key, reason).second) return make_error(where + "duplicate entry " + key);
  }
  if (in.bad()) return make_error("cannot read " + path);
  return out;
}

}  // namespace waspvm::spectest
