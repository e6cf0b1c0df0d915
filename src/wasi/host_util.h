// Internal helpers shared by the fd_* and path_* functions.
#pragma once
#include <sys/stat.h>
#include <time.h>

#include <cerrno>
#include <cstdint>

#include "wasi/guest_memory.h"

namespace waspvm::wasi {

// Retries a system call interrupted by a signal.
template <class F>
auto retry_eintr(F f) {
  decltype(f()) r;
  do r = f();
  while (r < 0 && errno == EINTR);
  return r;
}

// WASI timestamps (u64 nanoseconds) and host timespecs; times before 1970 are 0.
uint64_t nanoseconds(const struct timespec& t);
struct timespec timespec_from_ns(uint64_t ns);

// Writes a WASI filestat for `st` at `ptr` (FAULT if out of bounds).
uint32_t store_filestat(const GuestMemory& memory, uint32_t ptr, const struct stat& st);
// A filestat of a descriptor with no host file behind it (callback stdio).
uint32_t store_filestat_of_type(const GuestMemory& memory, uint32_t ptr, uint8_t filetype);

// The futimens/utimensat times for fd/path_filestat_set_times (INVAL for
// contradictory flags, e.g. both ATIM and ATIM_NOW).
uint32_t times_from_wasi(uint64_t atim, uint64_t mtim, uint32_t fst_flags, struct timespec times[2]);

}  // namespace waspvm::wasi
