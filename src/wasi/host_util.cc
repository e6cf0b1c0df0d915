#include "wasi/host_util.h"

#include <cstring>

#include "wasi/abi.h"
#include "wasi/state.h"

namespace waspvm::wasi {
uint64_t nanoseconds(const struct timespec& t) {
  if (t.tv_sec < 0) return 0;
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(t.tv_nsec);
}

struct timespec timespec_from_ns(uint64_t ns) {
  struct timespec t;
  t.tv_sec = static_cast<time_t>(ns / 1'000'000'000u);
  t.tv_nsec = static_cast<long>(ns % 1'000'000'000u);
  return t;
}

uint32_t store_filestat(const GuestMemory& memory, uint32_t ptr, const struct stat& st) {
  uint8_t* out = memory.at(ptr, layout::kFilestatSize);
  if (out == nullptr) return kFault;
  std::memset(out, 0, layout::kFilestatSize);
  put_le<uint64_t>(out + layout::kFilestatDev, static_cast<uint64_t>(st.st_dev));
  put_le<uint64_t>(out + layout::kFilestatIno, static_cast<uint64_t>(st.st_ino));
  out[layout::kFilestatFiletype] = filetype_from_mode(st.st_mode);
  put_le<uint64_t>(out + layout::kFilestatNlink, static_cast<uint64_t>(st.st_nlink));
  put_le<uint64_t>(out + layout::kFilestatSize_, static_cast<uint64_t>(st.st_size));
  put_le<uint64_t>(out + layout::kFilestatAtim, nanoseconds(st.st_atim));
  put_le<uint64_t>(out + layout::kFilestatMtim, nanoseconds(st.st_mtim));
  put_le<uint64_t>(out + layout::kFilestatCtim, nanoseconds(st.st_ctim));
  return kSuccess;
}

uint32_t store_filestat_of_type(const GuestMemory& memory, uint32_t ptr, uint8_t filetype) {
  uint8_t* out = memory.at(ptr, layout::kFilestatSize);
  if (out == nullptr) return kFault;
  std::memset(out, 0, layout::kFilestatSize);
  out[layout::kFilestatFiletype] = filetype;
  return kSuccess;
}

uint32_t times_from_wasi(uint64_t atim, uint64_t mtim, uint32_t fst_flags, struct timespec times[2]) {
  using namespace fstflag;
  if (fst_flags & ~uint32_t{kAtim | kAtimNow | kMtim | kMtimNow}) return kInval;
  if ((fst_flags & kAtim) && (fst_flags & kAtimNow)) return kInval;
  if ((fst_flags & kMtim) && (fst_flags & kMtimNow)) return kInval;
  times[0] = timespec_from_ns(atim);
  times[1] = timespec_from_ns(mtim);
  if (fst_flags & kAtimNow) times[0].tv_nsec = UTIME_NOW;
  if (!(fst_flags & (kAtim | kAtimNow))) times[0].tv_nsec = UTIME_OMIT;
  if (fst_flags & kMtimNow) times[1].tv_nsec = UTIME_NOW;
  if (!(fst_flags & (kMtim | kMtimNow))) times[1].tv_nsec = UTIME_OMIT;
  return kSuccess;
}

}  // namespace waspvm::wasi
