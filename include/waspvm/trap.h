// Trap codes, with the spec's messages in include/waspvm/traps.def.
#pragma once
#include <cstdint>

namespace waspvm {

enum class TrapCode : uint8_t {
#define WASP_TRAP(ident, message) ident,
#include "waspvm/traps.def"
};
const char* trap_message(TrapCode code);

}  // namespace waspvm
