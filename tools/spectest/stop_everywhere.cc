#include "spectest/stop_everywhere.h"

#include <optional>
#include <string>
#include <vector>

#include "spectest/spec_values.h"

namespace waspvm::spectest {
namespace {

// Stops per call; after these the call runs to its end in one go (some spec
// calls run millions of blocks).
constexpr uint64_t kMaxStops = 64;
// Gas for a slice that is meant to stop by interrupt, not for lack of gas.
constexpr uint64_t kInterruptSliceGas = 8;
constexpr uint64_t kPlenty = uint64_t{1} << 60;

// Externrefs are this process's values either way.
SnapshotOptions snapshot_options() {
  SnapshotOptions options;
  options.encode_externref = [](uint64_t value) -> Result<uint64_t> { return value; };
  return options;
}

RestoreOptions restore_options() {
  RestoreOptions options;
  options.decode_externref = [](uint64_t token) -> Result<uint64_t> { return token; };
  return options;
}

// An outcome, comparable across instances: function references are another
// instance's objects in a copy, so only their nullness counts.
std::string outcome_text(const Outcome& outcome) {
  std::string text;
  if (outcome.trapped()) {
    text = "trap \"" + outcome.trap().message + "\"";
  } else if (outcome.suspended()) {
    text = std::string("suspended (") + suspend_reason_name(outcome.suspend_reason()) + ")";
  } else {
    text = "(";
    for (const Value& v : outcome.values()) {
      if (text.size() > 1) text += ", ";
      if (v.type() == ValType::FuncRef)
        text += v.bits() == 0 ? "funcref:null" : "funcref:non-null";
      else
        text += describe(v);
    }
    text += ")";
  }
  return text + ", gas " + std::to_string(outcome.total_gas_used());
}

bool names_a_foreign_function(const Error& error) {
  return error.message.find("outside the instance's function space") != std::string::npos;
}

// An instance's state as an idle snapshot; none when it holds a reference
// to another instance's function (which a snapshot refuses).
Result<std::optional<std::vector<uint8_t>>> state_of(const Instance& instance) {
  auto state = instance.snapshot(snapshot_options());
  if (!state && names_a_foreign_function(state.error())) return std::optional<std::vector<uint8_t>>{};
  if (!state) return make_error("snapshot after the call: " + state.error().message);
  return std::optional{std::move(*state)};
}

// How a copy of the suspended call ended: its outcome and its state after.
struct CopyEnd {
  std::string what;  // "the instance restored at stop 4", ...
  std::string outcome;
  std::optional<std::vector<uint8_t>> state;
};

Result<CopyEnd> finish_copy(const Instance& copy, std::string what) {
  auto out = copy.resume(ResumeOptions{kPlenty, OutOfGas::Suspend});
  if (!out) return make_error(what + ": resume: " + out.error().message);
  auto state = state_of(copy);
  if (!state) return make_error(what + ": " + state.error().message);
  return CopyEnd{std::move(what), outcome_text(*out), std::move(*state)};
}

// One stop of the original: the snapshot round trip, and (when `finish`)
// the restored instance and a clone finishing the call.
Result<void> check_stop(const Instance& instance, const Module& module, const Linker& linker, uint64_t stop,
                        bool finish, std::vector<CopyEnd>& ends, StopCounts& counts) {
  const std::string where = "stop " + std::to_string(stop);
  auto bytes = instance.snapshot(snapshot_options());
  if (!bytes && names_a_foreign_function(bytes.error())) {
    ++counts.refused;
  } else {
    if (!bytes) return make_error(where + ": snapshot: " + bytes.error().message);
    auto restored = linker.restore(module, *bytes, restore_options());
    if (!restored) return make_error(where + ": restore: " + restored.error().message);
    auto again = restored->snapshot(snapshot_options());
    if (!again) return make_error(where + ": snapshot of the restored instance: " + again.error().message);
    if (*again != *bytes) return make_error(where + ": the restored instance snapshots to other bytes");
    if (finish) {
      auto restored_end = finish_copy(*restored, "the instance restored at " + where);
      if (!restored_end) return restored_end.error();
      ends.push_back(std::move(*restored_end));
    }
  }
  if (!finish) return {};
  auto clone = instance.clone();
  if (!clone) return make_error(where + ": clone: " + clone.error().message);
  auto clone_end = finish_copy(*clone, "the clone made at " + where);
  if (!clone_end) return clone_end.error();
  ends.push_back(std::move(*clone_end));
  return {};
}

bool is_power_of_two(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

}  // namespace

bool copies_are_isolated(const Module& module) {
  for (const ImportInfo& import : module.imports())
    if (import.kind != ExternKind::Func || import.module != "spectest") return false;
  return true;
}

Result<Outcome> call_stopping_everywhere(const Func& func, const Linker& linker, std::span<const Value> args,
                                         StopCounts& counts) {
  std::optional<Instance> owner = func.instance();
  if (!owner) return func.call(args);
  const Instance& instance = *owner;
  const Module module = instance.module();
  const bool isolated = copies_are_isolated(module);
  std::vector<CopyEnd> ends;
  auto out = func.call(args, CallOptions{1, OutOfGas::Suspend});
  for (uint64_t stop = 1; out && out->suspended(); ++stop) {
    (out->suspend_reason() == SuspendReason::Interrupted ? counts.interrupted : counts.out_of_gas)++;
    if (auto checked =
            check_stop(instance, module, linker, stop, isolated && is_power_of_two(stop), ends, counts);
        !checked) {
      instance.cancel();
      return checked.error();
    }
    // Alternately: one more unit of gas, or an interrupt at the next safe
    // point (with a little gas, which may run out first).
    if (stop >= kMaxStops) {
      out = instance.resume(ResumeOptions{kPlenty, std::nullopt});
    } else if (stop % 2 == 0) {
      out = instance.resume(ResumeOptions{1, std::nullopt});
    } else {
      instance.interrupt_handle().interrupt();
      out = instance.resume(ResumeOptions{kInterruptSliceGas, std::nullopt});
    }
  }
  if (!out) return out;
  const std::string expected = outcome_text(*out);
  if (ends.empty()) return out;
  auto state = state_of(instance);
  if (!state) return state.error();
  for (const CopyEnd& end : ends) {
    if (end.outcome != expected) return make_error(end.what + " ended " + end.outcome + ", not " + expected);
    if (end.state != *state) return make_error(end.what + " ended in another state");
    ++counts.copies_finished;
  }
  return out;
}

}  // namespace waspvm::spectest
