// Host errno -> WASI errno.
#pragma once
#include <cerrno>
#include <cstdint>

namespace waspvm::wasi {

// Maps a host errno from a system call to the WASI errno (unknown ones: IO).
uint32_t errno_from_host(int host_errno);
// The same for an error of the sandbox resolver, whose "the path would leave
// the directory" (kEscapeErrno) is WASI NOTCAPABLE.
uint32_t errno_from_resolver(int host_errno);
// The WASI errno of the system call that just failed.
inline uint32_t host_error() { return errno_from_host(errno); }

}  // namespace waspvm::wasi
