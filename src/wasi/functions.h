// Internal: how the WASI functions are defined in a linker. Each function is
// a plain C++ function taking the call context and the wasm parameters and
// returning the WASI errno.
#pragma once
#include <cstdint>
#include <string>

#include "wasi/abi.h"
#include "wasi/guest_memory.h"
#include "wasi/state.h"
#include "waspvm/waspvm.h"

namespace waspvm::wasi {

// The Instance::state key of the WASI state.
inline constexpr const char* kStateKey = "wasi_snapshot_preview1";

struct WasiCall {
  Caller& caller;
  WasiState& state;
  GuestMemory memory;
};

// Defines `name` in wasi_snapshot_preview1 from `impl`; the wasm signature is
// the parameters after the context, with an i32 errno result.
template <class... Args>
void define_wasi(Linker& linker, const char* name, uint32_t (*impl)(WasiCall&, Args...)) {
  linker.func(kModuleName, name, [impl, name](Caller& caller, Args... args) -> Result<uint32_t> {
    auto* state = static_cast<WasiState*>(caller.state(kStateKey));
    if (state == nullptr)
      return make_error(std::string("wasi: ") + name +
                        " called without WASI state (instance made by another linker)");
    WasiCall call{caller, *state, GuestMemory(caller)};
    return impl(call, args...);
  });
}

void define_fd_functions(Linker& linker);
void define_path_functions(Linker& linker);
void define_clock_poll_random_functions(Linker& linker);  // also args, environ, proc, sched, sock

}  // namespace waspvm::wasi
