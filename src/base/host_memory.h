// The host running out of memory, as an error instead of an exception.
#pragma once
#include <new>
#include <stdexcept>
#include <string>

#include "waspvm/result.h"

namespace waspvm {

inline Error out_of_host_memory(const char* while_doing) {
  return Error{std::string("out of host memory while ") + while_doing, ErrorKind::Limit};
}

// Runs `body` (which returns a Result). The host's allocator failing inside
// it (std::bad_alloc, or std::length_error from a container asked for more
// than it can hold) becomes an ErrorKind::Limit error naming what was being
// done. Each public entry point that allocates runs its work through this, so
// an exception never reaches the embedder; the code inside leaves its objects
// consistent (RAII), which is what makes the error safe to return.
template <class Body>
auto guard_host_memory(const char* while_doing, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return out_of_host_memory(while_doing);
  } catch (const std::length_error&) {
    return out_of_host_memory(while_doing);
  }
}

}  // namespace waspvm
