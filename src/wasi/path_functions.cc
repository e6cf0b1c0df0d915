// The path_* functions of wasi_snapshot_preview1. Every path goes through the
// sandbox resolver (wasi/sandbox.h): nothing here touches a guest path with a
// system call that could follow it outside the directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "wasi/errno_map.h"
#include "wasi/functions.h"
#include "wasi/host_util.h"
#include "wasi/sandbox.h"

namespace waspvm::wasi {
namespace {

// The directory descriptor `fd` with `rights`, for a path operation.
uint32_t directory(WasiCall& call, uint32_t fd, uint64_t rights, FdEntry*& entry) {
  if (uint32_t e = call.state.lookup(fd, rights, entry)) return e;
  if (entry->kind != FdEntry::Kind::Host || entry->filetype != kFiletypeDirectory) return kNotDir;
  return kSuccess;
}

// A path resolved to (parent directory, final component) beneath a directory.
struct Parent {
  UniqueFd dir;
  // The name for the *at() call, never with a trailing '/' (the resolver
  // has checked that a "name/" is a directory or does not exist).
  std::string name;
  bool trailing_slash = false;  // the path ended in '/'
};

uint32_t resolve_parent(const FdEntry& base, const std::string& path, Parent& out) {
  if (path.empty()) return kNoEnt;
  ResolvedParent r = resolve_parent_beneath(base.host_fd, path);
  if (r.error != 0) {
    if (r.dirfd >= 0) ::close(r.dirfd);
    return errno_from_resolver(r.error);
  }
  out.dir = UniqueFd(r.dirfd);
  out.name = std::move(r.name);
  out.trailing_slash = r.must_be_dir;
  return kSuccess;
}

// For the calls that make a new name that is not a directory (path_symlink,
// path_link): a "name/" can only name a directory, so, as symlinkat(2) and
// linkat(2) on Linux, it is ENOENT when nothing has that name and EEXIST
// when a directory has (the resolver has already made a file there
// ENOTDIR). Success when the path has no trailing slash.
uint32_t check_new_non_directory(const Parent& parent) {
  if (!parent.trailing_slash) return kSuccess;
  struct stat st;
  if (::fstatat(parent.dir.get(), parent.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return kExist;
  return errno == ENOENT ? kNoEnt : host_error();
}

// Opens `path` beneath the directory with the resolver (O_CLOEXEC added there).
uint32_t open_path(const FdEntry& base, const std::string& path, int flags, mode_t mode, bool follow,
                   UniqueFd& out) {
  if (path.empty()) return kNoEnt;
  Resolved r = open_beneath(base.host_fd, path, flags, mode, follow);
  if (r.error != 0) {
    if (r.fd >= 0) ::close(r.fd);
    return errno_from_resolver(r.error);
  }
  out = UniqueFd(r.fd);
  return kSuccess;
}

// The directory `fd` (with `rights`) and the guest path at path_ptr, in the
// order every path function checks them.
uint32_t directory_and_path(WasiCall& call, uint32_t fd, uint64_t rights, uint32_t path_ptr,
                            uint32_t path_len, FdEntry*& base, std::string& path) {
  if (uint32_t e = directory(call, fd, rights, base)) return e;
  return read_path(call.memory, path_ptr, path_len, path);
}

// The same, resolved to its parent directory (for the functions with no other argument to check).
uint32_t parent_of_path(WasiCall& call, uint32_t fd, uint64_t rights, uint32_t path_ptr, uint32_t path_len,
                        Parent& parent) {
  FdEntry* base;
  std::string path;
  if (uint32_t e = directory_and_path(call, fd, rights, path_ptr, path_len, base, path)) return e;
  return resolve_parent(*base, path, parent);
}

bool ends_with_slash(const std::string& path) { return !path.empty() && path.back() == '/'; }

std::string proc_fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// ---------------------------------------------------------------- open

// The open(2) access mode for the rights asked for, whatever the oflags: a
// directory opened with a write right fails with EISDIR from the kernel, with
// or without O_DIRECTORY, as open(2) and wasmtime do.
int access_mode(uint64_t rights) {
  bool read = rights & (right::kFdRead | right::kFdReaddir);
  bool write = rights & (right::kFdWrite | right::kFdAllocate | right::kFdFilestatSetSize);
  return write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
}

uint32_t path_open(WasiCall& call, uint32_t fd, uint32_t dirflags, uint32_t path_ptr, uint32_t path_len,
                   uint32_t oflags, uint64_t rights_base, uint64_t rights_inheriting, uint32_t fdflags,
                   uint32_t fd_ptr) {
  uint64_t needed = right::kPathOpen;
  if (oflags & oflag::kCreat) needed |= right::kPathCreateFile;
  if (oflags & oflag::kTrunc) needed |= right::kPathFilestatSetSize;
  FdEntry* parent;
  std::string path;
  if (uint32_t e = directory_and_path(call, fd, needed, path_ptr, path_len, parent, path)) return e;
  if (!call.memory.in_bounds(fd_ptr, 4)) return kFault;
  if ((oflags & ~uint32_t{oflag::kAll}) || (fdflags & ~uint32_t{fdflag::kAll})) return kInval;
  if ((oflags & oflag::kCreat) && (oflags & oflag::kDirectory)) return kInval;
  if (call.state.open_count() >= call.state.config().max_open_fds) return kMfile;

  // Rights come from the parent's inheriting rights (preview1: intersection).
  uint64_t base = rights_base & parent->rights_inheriting;
  uint64_t inheriting = rights_inheriting & parent->rights_inheriting;
  int flags = access_mode(base) | O_NOCTTY;
  if (oflags & oflag::kCreat) flags |= O_CREAT;
  if (oflags & oflag::kDirectory) flags |= O_DIRECTORY;
  if (oflags & oflag::kExcl) flags |= O_EXCL;
  if (oflags & oflag::kTrunc) flags |= O_TRUNC;
  if (fdflags & fdflag::kAppend) flags |= O_APPEND;
  if (fdflags & fdflag::kDsync) flags |= O_DSYNC;
  if (fdflags & fdflag::kNonblock) flags |= O_NONBLOCK;
  if (fdflags & fdflag::kRsync) flags |= O_RSYNC;
  if (fdflags & fdflag::kSync) flags |= O_SYNC;

  UniqueFd opened;
  bool follow = dirflags & kLookupSymlinkFollow;
  if (uint32_t e = open_path(*parent, path, flags, 0666, follow, opened)) return e;
  struct stat st;
  if (::fstat(opened.get(), &st) != 0) return host_error();

  FdEntry entry;
  entry.host_fd = opened.get();
  entry.owned = std::move(opened);
  entry.filetype = filetype_from_mode(st.st_mode);
  // Rights that cannot apply to this kind of file are dropped.
  entry.rights_base = base & (S_ISDIR(st.st_mode) ? right::kDirectoryBase : right::kRegularFileBase);
  entry.rights_inheriting = inheriting;
  uint32_t new_fd = 0;
  if (uint32_t e = call.state.insert(std::move(entry), new_fd)) return e;
  call.memory.store<uint32_t>(fd_ptr, new_fd);
  return kSuccess;
}

// ---------------------------------------------------------------- directories, files, links

uint32_t path_create_directory(WasiCall& call, uint32_t fd, uint32_t path_ptr, uint32_t path_len) {
  Parent parent;
  if (uint32_t e = parent_of_path(call, fd, right::kPathCreateDirectory, path_ptr, path_len, parent))
    return e;
  return ::mkdirat(parent.dir.get(), parent.name.c_str(), 0777) == 0 ? kSuccess : host_error();
}

uint32_t path_remove_directory(WasiCall& call, uint32_t fd, uint32_t path_ptr, uint32_t path_len) {
  Parent parent;
  if (uint32_t e = parent_of_path(call, fd, right::kPathRemoveDirectory, path_ptr, path_len, parent))
    return e;
  return ::unlinkat(parent.dir.get(), parent.name.c_str(), AT_REMOVEDIR) == 0 ? kSuccess : host_error();
}

uint32_t path_unlink_file(WasiCall& call, uint32_t fd, uint32_t path_ptr, uint32_t path_len) {
  Parent parent;
  if (uint32_t e = parent_of_path(call, fd, right::kPathUnlinkFile, path_ptr, path_len, parent)) return e;
  return ::unlinkat(parent.dir.get(), parent.name.c_str(), 0) == 0 ? kSuccess : host_error();
}

uint32_t path_rename(WasiCall& call, uint32_t fd, uint32_t old_ptr, uint32_t old_len, uint32_t new_fd,
                     uint32_t new_ptr, uint32_t new_len) {
  FdEntry *old_base, *new_base;
  if (uint32_t e = directory(call, fd, right::kPathRenameSource, old_base)) return e;
  if (uint32_t e = directory(call, new_fd, right::kPathRenameTarget, new_base)) return e;
  std::string old_path, new_path;
  if (uint32_t e = read_path(call.memory, old_ptr, old_len, old_path)) return e;
  if (uint32_t e = read_path(call.memory, new_ptr, new_len, new_path)) return e;
  Parent from, to;
  if (uint32_t e = resolve_parent(*old_base, old_path, from)) return e;
  if (uint32_t e = resolve_parent(*new_base, new_path, to)) return e;
  int r = ::renameat(from.dir.get(), from.name.c_str(), to.dir.get(), to.name.c_str());
  return r == 0 ? kSuccess : host_error();
}

uint32_t path_symlink(WasiCall& call, uint32_t target_ptr, uint32_t target_len, uint32_t fd,
                      uint32_t path_ptr, uint32_t path_len) {
  FdEntry* base;
  if (uint32_t e = directory(call, fd, right::kPathSymlink, base)) return e;
  std::string target, path;
  if (uint32_t e = read_path(call.memory, target_ptr, target_len, target)) return e;
  if (uint32_t e = read_path(call.memory, path_ptr, path_len, path)) return e;
  if (target.empty()) return kNoEnt;
  // Stored verbatim; the resolver keeps relative targets from escaping when
  // they are followed, and an absolute one could never be followed.
  if (target.front() == '/') return kNotCapable;
  Parent parent;
  if (uint32_t e = resolve_parent(*base, path, parent)) return e;
  if (uint32_t e = check_new_non_directory(parent)) return e;
  return ::symlinkat(target.c_str(), parent.dir.get(), parent.name.c_str()) == 0 ? kSuccess : host_error();
}

uint32_t path_readlink(WasiCall& call, uint32_t fd, uint32_t path_ptr, uint32_t path_len, uint32_t buf,
                       uint32_t buf_len, uint32_t bufused_ptr) {
  FdEntry* base;
  std::string path;
  if (uint32_t e = directory_and_path(call, fd, right::kPathReadlink, path_ptr, path_len, base, path))
    return e;
  if (!call.memory.in_bounds(buf, buf_len) || !call.memory.in_bounds(bufused_ptr, 4)) return kFault;
  Parent parent;
  if (uint32_t e = resolve_parent(*base, path, parent)) return e;
  char target[4096];
  ssize_t n = ::readlinkat(parent.dir.get(), parent.name.c_str(), target, sizeof target);
  if (n < 0) return host_error();
  // A target longer than the buffer is cut (bufused == buf_len).
  size_t copied = std::min<size_t>(static_cast<size_t>(n), buf_len);
  std::memcpy(call.memory.at(buf, buf_len), target, copied);
  call.memory.store<uint32_t>(bufused_ptr, static_cast<uint32_t>(copied));
  return kSuccess;
}

uint32_t path_link(WasiCall& call, uint32_t old_fd, uint32_t old_flags, uint32_t old_ptr, uint32_t old_len,
                   uint32_t new_fd, uint32_t new_ptr, uint32_t new_len) {
  FdEntry *old_base, *new_base;
  if (uint32_t e = directory(call, old_fd, right::kPathLinkSource, old_base)) return e;
  if (uint32_t e = directory(call, new_fd, right::kPathLinkTarget, new_base)) return e;
  std::string old_path, new_path;
  if (uint32_t e = read_path(call.memory, old_ptr, old_len, old_path)) return e;
  if (uint32_t e = read_path(call.memory, new_ptr, new_len, new_path)) return e;
  Parent to;
  if (uint32_t e = resolve_parent(*new_base, new_path, to)) return e;
  if (uint32_t e = check_new_non_directory(to)) return e;
  if (!(old_flags & kLookupSymlinkFollow)) {
    Parent from;
    if (uint32_t e = resolve_parent(*old_base, old_path, from)) return e;
    int r = ::linkat(from.dir.get(), from.name.c_str(), to.dir.get(), to.name.c_str(), 0);
    return r == 0 ? kSuccess : host_error();
  }
  // Following the source: the resolver opens the final file beneath the
  // directory; the link is made to that very file through /proc (linkat's
  // AT_EMPTY_PATH needs a capability).
  UniqueFd source;
  if (uint32_t e = open_path(*old_base, old_path, O_PATH, 0, true, source)) return e;
  int r = ::linkat(AT_FDCWD, proc_fd_path(source.get()).c_str(), to.dir.get(), to.name.c_str(),
                   AT_SYMLINK_FOLLOW);
  return r == 0 ? kSuccess : host_error();
}

// ---------------------------------------------------------------- filestat

uint32_t path_filestat_get(WasiCall& call, uint32_t fd, uint32_t flags, uint32_t path_ptr, uint32_t path_len,
                           uint32_t buf_ptr) {
  FdEntry* base;
  std::string path;
  if (uint32_t e = directory_and_path(call, fd, right::kPathFilestatGet, path_ptr, path_len, base, path))
    return e;
  if (!call.memory.in_bounds(buf_ptr, layout::kFilestatSize)) return kFault;
  struct stat st;
  if ((flags & kLookupSymlinkFollow) || ends_with_slash(path)) {
    UniqueFd file;
    if (uint32_t e = open_path(*base, path, O_PATH, 0, true, file)) return e;
    if (::fstat(file.get(), &st) != 0) return host_error();
  } else {
    Parent parent;
    if (uint32_t e = resolve_parent(*base, path, parent)) return e;
    if (::fstatat(parent.dir.get(), parent.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return host_error();
  }
  return store_filestat(call.memory, buf_ptr, st);
}

uint32_t path_filestat_set_times(WasiCall& call, uint32_t fd, uint32_t flags, uint32_t path_ptr,
                                 uint32_t path_len, uint64_t atim, uint64_t mtim, uint32_t fst_flags) {
  FdEntry* base;
  std::string path;
  if (uint32_t e = directory_and_path(call, fd, right::kPathFilestatSetTimes, path_ptr, path_len, base, path))
    return e;
  struct timespec times[2];
  if (uint32_t e = times_from_wasi(atim, mtim, fst_flags, times)) return e;
  if ((flags & kLookupSymlinkFollow) || ends_with_slash(path)) {
    UniqueFd file;
    if (uint32_t e = open_path(*base, path, O_PATH, 0, true, file)) return e;
    if (::utimensat(file.get(), "", times, AT_EMPTY_PATH) == 0) return kSuccess;
    if (errno != EINVAL) return host_error();
    // Kernels before AT_EMPTY_PATH support in utimensat: through /proc.
    return ::utimensat(AT_FDCWD, proc_fd_path(file.get()).c_str(), times, 0) == 0 ? kSuccess : host_error();
  }
  Parent parent;
  if (uint32_t e = resolve_parent(*base, path, parent)) return e;
  int r = ::utimensat(parent.dir.get(), parent.name.c_str(), times, AT_SYMLINK_NOFOLLOW);
  return r == 0 ? kSuccess : host_error();
}

}  // namespace

void define_path_functions(Linker& linker) {
  define_wasi(linker, "path_create_directory", path_create_directory);
  define_wasi(linker, "path_filestat_get", path_filestat_get);
  define_wasi(linker, "path_filestat_set_times", path_filestat_set_times);
  define_wasi(linker, "path_link", path_link);
  define_wasi(linker, "path_open", path_open);
  define_wasi(linker, "path_readlink", path_readlink);
  define_wasi(linker, "path_remove_directory", path_remove_directory);
  define_wasi(linker, "path_rename", path_rename);
  define_wasi(linker, "path_symlink", path_symlink);
  define_wasi(linker, "path_unlink_file", path_unlink_file);
}

}  // namespace waspvm::wasi
