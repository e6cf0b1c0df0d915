// The fd_* functions of wasi_snapshot_preview1.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <span>
#include <vector>

#include "wasi/errno_map.h"
#include "wasi/functions.h"
#include "wasi/host_util.h"

namespace waspvm::wasi {
namespace {

constexpr uint64_t kMaxFileOffset = static_cast<uint64_t>(std::numeric_limits<off_t>::max());

// ---------------------------------------------------------------- read, write

enum class Direction { Read, Write };

// readv/writev, or preadv/pwritev at `offset` when given.
ssize_t host_transfer(int fd, const std::vector<struct iovec>& iov, const off_t* offset,
                      Direction direction) {
  const int count = static_cast<int>(iov.size());
  if (direction == Direction::Read)
    return offset ? retry_eintr([&] { return ::preadv(fd, iov.data(), count, *offset); })
                  : retry_eintr([&] { return ::readv(fd, iov.data(), count); });
  return offset ? retry_eintr([&] { return ::pwritev(fd, iov.data(), count, *offset); })
                : retry_eintr([&] { return ::writev(fd, iov.data(), count); });
}

// Fills the guest buffers from the stdin callback (none: stdin is empty).
uint32_t read_from_source(WasiCall& call, const std::vector<GuestBuffer>& buffers, uint64_t& total) {
  const InputSource& source = call.state.config().stdin_source;
  for (const GuestBuffer& b : buffers) {
    if (!source) break;
    uint8_t* data = call.memory.at(b.ptr, b.len);  // re-fetched: the callback may do anything
    if (data == nullptr) return kFault;
    size_t n = std::min<size_t>(source(std::span<uint8_t>(data, b.len)), b.len);
    total += n;
    if (n < b.len) break;  // a short read ends the call
  }
  return kSuccess;
}

// Hands the guest buffers to the stdout/stderr callback (none: discarded)
// in one call, as writev(2) writes them at once: a sink shared by guests on
// several threads receives each fd_write whole. A bad buffer writes nothing.
uint32_t write_to_sink(WasiCall& call, const FdEntry& entry, const std::vector<GuestBuffer>& buffers,
                       uint64_t& total) {
  const OutputSink& sink =
      entry.kind == FdEntry::Kind::Stderr ? call.state.config().stderr_sink : call.state.config().stdout_sink;
  std::span<const uint8_t> only;  // the one non-empty buffer, if just one
  size_t non_empty = 0;
  uint64_t bytes = 0;
  for (const GuestBuffer& b : buffers) {
    const uint8_t* data = call.memory.at(b.ptr, b.len);
    if (data == nullptr) return kFault;
    if (b.len == 0) continue;
    only = std::span<const uint8_t>(data, b.len);
    ++non_empty;
    bytes += b.len;
  }
  total += bytes;
  if (!sink || non_empty == 0) return kSuccess;
  if (non_empty == 1) {
    sink(only);
    return kSuccess;
  }
  std::vector<uint8_t> joined;
  joined.reserve(bytes);
  for (const GuestBuffer& b : buffers) {
    const uint8_t* data = call.memory.at(b.ptr, b.len);
    joined.insert(joined.end(), data, data + b.len);
  }
  sink(joined);
  return kSuccess;
}

// fd_read, fd_pread, fd_write and fd_pwrite: moves data between the guest
// buffers and the host fd (at `offset` when given) or the stdio callbacks,
// and stores the byte count at `count_ptr`.
uint32_t transfer(WasiCall& call, uint32_t fd, Direction direction, uint32_t iovs, uint32_t iovs_len,
                  const uint64_t* offset, uint32_t count_ptr) {
  uint64_t rights = direction == Direction::Read ? right::kFdRead : right::kFdWrite;
  if (offset) rights |= right::kFdSeek;
  FdEntry* entry;
  if (uint32_t e = call.state.lookup(fd, rights, entry)) return e;
  if (offset && *offset > kMaxFileOffset) return kInval;
  std::vector<GuestBuffer> buffers;
  if (uint32_t e = read_iovecs(call.memory, iovs, iovs_len, buffers)) return e;
  if (!call.memory.in_bounds(count_ptr, 4)) return kFault;
  uint64_t total = 0;
  if (entry->kind == FdEntry::Kind::Host) {
    std::vector<struct iovec> iov;
    iov.reserve(buffers.size());
    for (const GuestBuffer& b : buffers) iov.push_back({call.memory.at(b.ptr, b.len), b.len});
    const off_t at = offset ? static_cast<off_t>(*offset) : 0;
    ssize_t n = host_transfer(entry->host_fd, iov, offset ? &at : nullptr, direction);
    if (n < 0) return host_error();
    total = static_cast<uint64_t>(n);
  } else {
    if (offset) return kSpipe;
    uint32_t e = direction == Direction::Read ? read_from_source(call, buffers, total)
                                              : write_to_sink(call, *entry, buffers, total);
    if (e != kSuccess) return e;
  }
  call.memory.store<uint32_t>(count_ptr, static_cast<uint32_t>(total));
  return kSuccess;
}

uint32_t fd_read(WasiCall& call, uint32_t fd, uint32_t iovs, uint32_t iovs_len, uint32_t nread_ptr) {
  return transfer(call, fd, Direction::Read, iovs, iovs_len, nullptr, nread_ptr);
}

uint32_t fd_pread(WasiCall& call, uint32_t fd, uint32_t iovs, uint32_t iovs_len, uint64_t offset,
                  uint32_t nread_ptr) {
  return transfer(call, fd, Direction::Read, iovs, iovs_len, &offset, nread_ptr);
}

uint32_t fd_write(WasiCall& call, uint32_t fd, uint32_t iovs, uint32_t iovs_len, uint32_t nwritten_ptr) {
  return transfer(call, fd, Direction::Write, iovs, iovs_len, nullptr, nwritten_ptr);
}

uint32_t fd_pwrite(WasiCall& call, uint32_t fd, uint32_t iovs, uint32_t iovs_len, uint64_t offset,
                   uint32_t nwritten_ptr) {
  return transfer(call, fd, Direction::Write, iovs, iovs_len, &offset, nwritten_ptr);
}

// ---------------------------------------------------------------- position, size, sync

uint32_t fd_seek(WasiCall& call, uint32_t fd, int64_t offset, uint32_t whence, uint32_t newoffset_ptr) {
  // Asking for the current position needs only FD_TELL.
  uint64_t needed = (offset == 0 && whence == kWhenceCur) ? right::kFdTell : right::kFdSeek;
  FdEntry* entry;
  if (uint32_t e = call.state.lookup(fd, needed, entry)) return e;
  int host_whence;
  switch (whence) {
    case kWhenceSet: host_whence = SEEK_SET; break;
    case kWhenceCur: host_whence = SEEK_CUR; break;
    case kWhenceEnd: host_whence = SEEK_END; break;
    default: return kInval;
  }
  if (!call.memory.in_bounds(newoffset_ptr, 8)) return kFault;
  if (entry->kind != FdEntry::Kind::Host) return kSpipe;
  off_t position = ::lseek(entry->host_fd, static_cast<off_t>(offset), host_whence);
  if (position < 0) return host_error();
  call.memory.store<uint64_t>(newoffset_ptr, static_cast<uint64_t>(position));
  return kSuccess;
}

uint32_t fd_tell(WasiCall& call, uint32_t fd, uint32_t offset_ptr) {
  FdEntry* entry;
  if (uint32_t e = call.state.lookup(fd, right::kFdTell, entry)) return e;
  if (!call.memory.in_bounds(offset_ptr, 8)) return kFault;
  if (entry->kind != FdEntry::Kind::Host) return kSpipe;
  off_t position = ::lseek(entry->host_fd, 0, SEEK_CUR);
  if (position < 0) return host_error();
  call.memory.store<uint64_t>(offset_ptr, static_cast<uint64_t>(position));
  return kSuccess;
}

uint32_t fd_advise(WasiCall& call, uint32_t fd, uint64_t offset, uint64_t len, uint32_t advice) {
  FdEntry* entry;
  if (uint32_t e = call.state.lookup(fd, right::kFdAdvise, entry)) return e;
  static constexpr int kHostAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                        POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
  if (advice >= std::size(kHostAdvice) || offset > kMaxFileOffset || len > kMaxFileOffset) return kInval;
  if (entry->kind != FdEntry::Kind::Host) return kSpipe;
  if (entry->filetype == kFiletypeDirectory) return kBadf;  // advice is for file data
  int r = ::posix_fadvise(entry->host_fd, static_cast<off_t>(offset), static_cast<off_t>(len),
                          kHostAdvice[advice]);
  return errno_from_host(r);  // posix_fadvise returns the error
}

uint32_t fd_allocate(WasiCall& call, uint32_t fd, uint64_t offset, uint64_t len) {
  FdEntry* entry;
  if (uint32_t e = call.state.lookup(fd, right::kFdAllocate, entry)) return e;
  if (offset > kMaxFileOffset || len > kMaxFileOffset) return kInval;
  if (len > kMaxFileOffset - offset) return kFbig;
  if (entry->kind != FdEntry::Kind::Host) return kSpipe;
  int r = ::posix_fallocate(entry->host_fd, static_cast<off_t>(offset), static_cast<off_t>(len));
  return errno_from_host(r);  // posix_fallocate returns the error
}

uint32_t fd_datasync(WasiCall& call, uint32_t fd) {
  FdEntry* entry;
  if (uint32_t e = call.state.lookup(fd, right::kFdDatasync, entry)) return e;
  if (entry->kind != FdEntry::Kind::Host) return kSuccess;  // nothing buffered on our side
  return retry_eintr([&] { return ::fdatasync(entry->host_fd); }) == 0 ? kSuccess : host_error();
}

uint32_t fd_sync(WasiCall& call, uint32_t fd) {
  FdEntry* entry;
  if (uint32_t e = call.state.lookup(fd, right::kFdSync, entry)) return e;
  if (entry->kind != FdEntry::Kind::Host) return kSuccess;
  return retry_eintr([&] { return ::fsync(entry->host_fd); }) == 0 ? kSuccess : host_error();
}

// ---------------------------------------------------------------- fdstat, filestat

uint16_t fdflags_from_host(int flags) {
  uint16_t out = 0;
  if (flags & O_APPEND) out |= fdflag::kAppend;
  if (flags & O_NONBLOCK) out |= fdflag::kNonblock;
  if ((flags & O_SYNC) == O_SYNC) out |= fdflag::kSync;
  if (flags & O_DSYNC) out |= fdflag::kDsync;
#if O_RSYNC != O_SYNC
  if ((flags & O_RSYNC) == O_RSYNC) out |= fdflag::kRsync;
#endif
  return out;
}

uint32_t fd_fdstat_get(WasiCall& call, uint32_t fd, uint32_t buf_ptr) {
  FdEntry* entry = call.state.find(fd);
  if (entry == nullptr) return kBadf;
  uint8_t* out = call.memory.at(buf_ptr, layout::kFdstatSize);
  if (out == nullptr) return kFault;
  uint16_t flags = entry->fdflags;
  if (entry->kind == FdEntry::Kind::Host) {
    int host_flags = ::fcntl(entry->host_fd, F_GETFL);
    if (host_flags < 0) return host_error();
    flags = fdflags_from_host(host_flags);
  }
  std::memset(out, 0, layout::kFdstatSize);
  out[layout::kFdstatFiletype] = entry->filetype;
  put_le<uint16_t>(out + layout::kFdstatFlags, flags);
  put_le<uint64_t>(out + layout::kFdstatRightsBase, entry->rights_base);
  put_le<uint64_t>(out + layout::kFdstatRightsInheriting, entry->rights_inheriting);
  return kSuccess;
}

uint32_t fd_fdstat_set_flags(WasiCall& call, uint32_t fd, uint32_t flags) {
  FdEntry* entry;
  if (uint32_t e = call.state.lookup(fd, right::kFdFdstatSetFlags, entry)) return e;
  if (flags & ~uint32_t{fdflag::kAll}) return kInval;
  // Linux cannot change the sync modes of an open descriptor.
  if (flags & (fdflag::kDsync | fdflag::kRsync | fdflag::kSync)) return kNotSup;
  if (entry->kind != FdEntry::Kind::Host) {
    entry->fdflags = static_cast<uint16_t>(flags);
    return kSuccess;
  }
  int host_flags = ::fcntl(entry->host_fd, F_GETFL);
  if (host_flags < 0) return host_error();
  int wanted = host_flags & ~(O_APPEND | O_NONBLOCK);
  if (flags & fdflag::kAppend) wanted |= O_APPEND;
  if (flags & fdflag::kNonblock) wanted |= O_NONBLOCK;
  if (wanted == host_flags) return kSuccess;
  // The host's own stdio (inherited, not owned) is shared with the host: leave its flags alone.
  if (entry->owned.get() < 0) return kNotSup;
  return ::fcntl(entry->host_fd, F_SETFL, wanted) == 0 ? kSuccess : host_error();
}

uint32_t fd_fdstat_set_rights(WasiCall& call, uint32_t fd, uint64_t base, uint64_t inheriting) {
  FdEntry* entry = call.state.find(fd);
  if (entry == nullptr) return kBadf;
  // Rights can only be dropped.
  if ((base & ~entry->rights_base) || (inheriting & ~entry->rights_inheriting)) return kNotCapable;
  entry->rights_base = base;
  entry->rights_inheriting = inheriting;
  return kSuccess;
}

uint32_t fd_filestat_get(WasiCall& call, uint32_t fd, uint32_t buf_ptr) {
  FdEntry* entry;
  if (uint32_t e = call.state.lookup(fd, right::kFdFilestatGet, entry)) return e;
  if (!call.memory.in_bounds(buf_ptr, layout::kFilestatSize)) return kFault;
  if (entry->kind != FdEntry::Kind::Host)
    return store_filestat_of_type(call.memory, buf_ptr, entry->filetype);
  struct stat st;
  if (::fstat(entry->host_fd, &st) != 0) return host_error();
  return store_filestat(call.memory, buf_ptr, st);
}

uint32_t fd_filestat_set_size(WasiCall& call, uint32_t fd, uint64_t size) {
  FdEntry* entry;
  if (uint32_t e = call.state.lookup(fd, right::kFdFilestatSetSize, entry)) return e;
  if (size > kMaxFileOffset) return kInval;
  if (entry->kind != FdEntry::Kind::Host) return kInval;
  return retry_eintr([&] { return ::ftruncate(entry->host_fd, static_cast<off_t>(size)); }) == 0
             ? kSuccess
             : host_error();
}

uint32_t fd_filestat_set_times(WasiCall& call, uint32_t fd, uint64_t atim, uint64_t mtim,
                               uint32_t fst_flags) {
  FdEntry* entry;
  if (uint32_t e = call.state.lookup(fd, right::kFdFilestatSetTimes, entry)) return e;
  struct timespec times[2];
  if (uint32_t e = times_from_wasi(atim, mtim, fst_flags, times)) return e;
  if (entry->kind != FdEntry::Kind::Host) return kSuccess;  // a callback has no times to set
  return ::futimens(entry->host_fd, times) == 0 ? kSuccess : host_error();
}

// ---------------------------------------------------------------- close, renumber, prestat

uint32_t fd_close(WasiCall& call, uint32_t fd) { return call.state.close(fd); }

uint32_t fd_renumber(WasiCall& call, uint32_t from, uint32_t to) { return call.state.renumber(from, to); }

uint32_t fd_prestat_get(WasiCall& call, uint32_t fd, uint32_t buf_ptr) {
  FdEntry* entry = call.state.find(fd);
  if (entry == nullptr || !entry->is_preopen) return kBadf;
  uint8_t* out = call.memory.at(buf_ptr, layout::kPrestatSize);
  if (out == nullptr) return kFault;
  std::memset(out, 0, layout::kPrestatSize);
  out[0] = kPreopentypeDir;
  put_le<uint32_t>(out + 4, static_cast<uint32_t>(entry->preopen_name.size()));
  return kSuccess;
}

uint32_t fd_prestat_dir_name(WasiCall& call, uint32_t fd, uint32_t path_ptr, uint32_t path_len) {
  FdEntry* entry = call.state.find(fd);
  if (entry == nullptr || !entry->is_preopen) return kBadf;
  const std::string& name = entry->preopen_name;
  uint8_t* out = call.memory.at(path_ptr, path_len);
  if (out == nullptr) return kFault;
  if (path_len < name.size()) return kNameTooLong;
  std::memcpy(out, name.data(), name.size());
  return kSuccess;
}

// ---------------------------------------------------------------- readdir

uint8_t filetype_from_dirent(int dir_fd, const struct dirent& d) {
  switch (d.d_type) {
    case DT_REG: return kFiletypeRegularFile;
    case DT_DIR: return kFiletypeDirectory;
    case DT_LNK: return kFiletypeSymbolicLink;
    case DT_CHR: return kFiletypeCharacterDevice;
    case DT_BLK: return kFiletypeBlockDevice;
    case DT_SOCK: return kFiletypeSocketStream;
    case DT_FIFO: return kFiletypeUnknown;
    default: {
      struct stat st;
      if (::fstatat(dir_fd, d.d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return kFiletypeUnknown;
      return filetype_from_mode(st.st_mode);
    }
  }
}

// Reads the whole directory through a descriptor of its own (so the guest's
// descriptor keeps no hidden position).
uint32_t read_listing(int host_fd, std::vector<DirEntry>& listing) {
  listing.clear();
  int fd = ::openat(host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return host_error();
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    uint32_t e = host_error();
    ::close(fd);
    return e;
  }
  errno = 0;
  while (const struct dirent* d = ::readdir(dir)) {
    listing.push_back({d->d_name, static_cast<uint64_t>(d->d_ino), filetype_from_dirent(::dirfd(dir), *d)});
    errno = 0;
  }
  uint32_t e = errno ? host_error() : kSuccess;
  ::closedir(dir);
  return e;
}

// Cookies are entry indexes; cookie 0 re-reads the directory. Entries are
// written back to back, the last one cut at the end of the buffer (the guest
// sees bufused == buf_len and asks again from that entry's cookie).
uint32_t fd_readdir(WasiCall& call, uint32_t fd, uint32_t buf, uint32_t buf_len, uint64_t cookie,
                    uint32_t bufused_ptr) {
  FdEntry* entry;
  if (uint32_t e = call.state.lookup(fd, right::kFdReaddir, entry)) return e;
  uint8_t* out = call.memory.at(buf, buf_len);
  if (out == nullptr || !call.memory.in_bounds(bufused_ptr, 4)) return kFault;
  if (entry->kind != FdEntry::Kind::Host || entry->filetype != kFiletypeDirectory) return kNotDir;
  if (cookie == 0 || !entry->has_listing) {
    if (uint32_t e = read_listing(entry->host_fd, entry->listing)) return e;
    entry->has_listing = true;
  }
  uint64_t used = 0;
  for (uint64_t i = cookie; i < entry->listing.size() && used < buf_len; ++i) {
    const DirEntry& d = entry->listing[i];
    uint8_t header[layout::kDirentSize] = {};
    put_le<uint64_t>(header, i + 1);
    put_le<uint64_t>(header + 8, d.ino);
    put_le<uint32_t>(header + 16, static_cast<uint32_t>(d.name.size()));
    header[20] = d.filetype;
    uint64_t n = std::min<uint64_t>(sizeof header, buf_len - used);
    std::memcpy(out + used, header, n);
    used += n;
    n = std::min<uint64_t>(d.name.size(), buf_len - used);
    std::memcpy(out + used, d.name.data(), n);
    used += n;
  }
  call.memory.store<uint32_t>(bufused_ptr, static_cast<uint32_t>(used));
  return kSuccess;
}

}  // namespace

void define_fd_functions(Linker& linker) {
  define_wasi(linker, "fd_advise", fd_advise);
  define_wasi(linker, "fd_allocate", fd_allocate);
  define_wasi(linker, "fd_close", fd_close);
  define_wasi(linker, "fd_datasync", fd_datasync);
  define_wasi(linker, "fd_fdstat_get", fd_fdstat_get);
  define_wasi(linker, "fd_fdstat_set_flags", fd_fdstat_set_flags);
  define_wasi(linker, "fd_fdstat_set_rights", fd_fdstat_set_rights);
  define_wasi(linker, "fd_filestat_get", fd_filestat_get);
  define_wasi(linker, "fd_filestat_set_size", fd_filestat_set_size);
  define_wasi(linker, "fd_filestat_set_times", fd_filestat_set_times);
  define_wasi(linker, "fd_pread", fd_pread);
  define_wasi(linker, "fd_prestat_get", fd_prestat_get);
  define_wasi(linker, "fd_prestat_dir_name", fd_prestat_dir_name);
  define_wasi(linker, "fd_pwrite", fd_pwrite);
  define_wasi(linker, "fd_read", fd_read);
  define_wasi(linker, "fd_readdir", fd_readdir);
  define_wasi(linker, "fd_renumber", fd_renumber);
  define_wasi(linker, "fd_seek", fd_seek);
  define_wasi(linker, "fd_sync", fd_sync);
  define_wasi(linker, "fd_tell", fd_tell);
  define_wasi(linker, "fd_write", fd_write);
}

}  // namespace waspvm::wasi
