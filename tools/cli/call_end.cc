#include "cli/call_end.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <iostream>
#include <limits>

#include "cli/commands.h"
#include "waspvm/wasi.h"

namespace waspvm::cli {

namespace {

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

}  // namespace

std::string format_result(const Value& v) {
  switch (v.type()) {
    case ValType::I32: return std::to_string(v.i32());
    case ValType::I64: return std::to_string(v.i64());
    case ValType::F32: return format_float<float>(static_cast<uint32_t>(v.bits()));
    case ValType::F64: return format_float<double>(v.bits());
    default: return v.to_string();
  }
}

// One frame per line, innermost first. Runs of identical frames (deep
// recursion) are folded, and at most kMaxBacktraceLines lines are printed.
void print_backtrace(const Trap& trap) {
  constexpr size_t kMaxBacktraceLines = 64;
  const std::vector<FrameInfo>& frames = trap.backtrace;
  size_t lines = 0;
  for (size_t i = 0; i < frames.size();) {
    if (lines == kMaxBacktraceLines) {
      std::cerr << "  ... " << frames.size() - i + trap.omitted_frames << " more frames\n";
      return;
    }
    if (trap.omitted_frames > 0 && i == trap.omitted_at) {
      std::cerr << "  ... " << trap.omitted_frames << " frames omitted\n";
      ++lines;
    }
    std::string text = frames[i].to_string();
    size_t run = 1;
    const size_t run_end = trap.omitted_frames > 0 && i < trap.omitted_at ? trap.omitted_at : frames.size();
    while (i + run < run_end && frames[i + run].to_string() == text) ++run;
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

namespace {

// Saves the suspended call for `waspvm resume`; false (reported) if it cannot be.
bool save_snapshot(const Instance& instance, const CallEnd& end) {
  if (auto wasi_ok = wasi::check_snapshot(instance); !wasi_ok.ok()) {
    std::cerr << "error: cannot save a snapshot: " << wasi_ok.error().message << "\n";
    return false;
  }
  auto bytes = instance.snapshot();
  if (!bytes.ok()) {
    std::cerr << "error: cannot save a snapshot: " << bytes.error().message << "\n";
    return false;
  }
  RunSnapshot file = *end.context;
  file.snapshot = std::move(*bytes);
  if (auto written = write_run_snapshot(*end.snapshot_out, file); !written.ok()) {
    std::cerr << "error: " << written.error().message << "\n";
    return false;
  }
  return true;
}

}  // namespace

int finish(const Instance& instance, const Outcome& outcome, const CallEnd& end) {
  std::cout.flush();
  if (end.report_gas) std::cerr << "gas used: " << outcome.total_gas_used() << "\n";
  if (std::optional<int32_t> code = wasi::exit_code(outcome)) return *code & 0xff;
  if (outcome.trapped()) {
    const Trap& trap = outcome.trap();
    std::cerr << "trap: " << trap.message << "\n";
    print_backtrace(trap);
    return trap.code == TrapCode::OutOfGas ? kExitOutOfGas : kExitTrap;
  }
  if (outcome.suspended()) {
    // (Only running out of gas suspends a run: no host function yields.)
    std::cerr << "suspended: " << suspend_reason_name(outcome.suspend_reason()) << "\n";
    if (end.snapshot_out) {
      if (!save_snapshot(instance, end)) return kExitError;
      std::cerr << "saved to " << *end.snapshot_out << " (continue with `waspvm resume " << *end.snapshot_out
                << " --gas N`)\n";
    } else {
      std::cerr << instance.inspect().to_string();
    }
    return kExitOutOfGas;
  }
  if (end.print_results) {
    for (const Value& v : outcome.values()) std::cout << format_result(v) << "\n";
    std::cout.flush();
  }
  return kExitOk;
}

}  // namespace waspvm::cli
