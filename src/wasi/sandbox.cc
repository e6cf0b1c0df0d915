// The sandbox path resolver.
//
// Two implementations with the same results:
//
//  * openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS (Linux 5.6+):
//    the kernel resolves the whole path and refuses, with EXDEV, anything
//    that would leave the start directory, races included. If the syscall is
//    missing (ENOSYS) or filtered (EPERM from a seccomp profile) this is
//    detected once and the process falls back to the walk.
//
//  * A component walk in user space, for other systems and as that fallback.
//    It keeps a stack of directory descriptors, from the start directory
//    down to the current one. Every component is opened relative to the top
//    descriptor with O_NOFOLLOW (so the kernel never follows a symlink for
//    us), ".." pops the stack instead of asking the kernel for the parent,
//    and a symlink is read with readlinkat and its target spliced into the
//    rest of the path, to be walked by the same rules (an absolute target is
//    an escape). Popping past the start directory is an escape.
//
// Why descriptors and never a re-resolved string: a path string is looked up
// again from the start each time, so a directory renamed between two lookups
// (by another guest thread or a host process) could make "x/.." name a
// directory outside the sandbox. Descriptors stay bound to the directories
// actually opened, and ".." comes from our own stack, which only ever holds
// the start directory and directories opened beneath it by name. The worst a
// concurrent rename can do is make a lookup fail or name another directory
// that is still beneath the start.
#include "wasi/sandbox.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <vector>

#if defined(__linux__)
#include <sys/syscall.h>
#if defined(SYS_openat2)
#define WASP_HAVE_OPENAT2 1
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#endif
#endif
#endif

namespace waspvm::wasi {
namespace {

// Linux's MAXSYMLINKS: a path may expand this many symlinks, not one more.
constexpr int kMaxSymlinkExpansions = 40;

// How intermediate directories are opened: only for lookups where possible.
#if defined(O_PATH)
constexpr int kLookupOpenFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#else
constexpr int kLookupOpenFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#endif

std::atomic<bool> g_force_component_walk{false};

// Whether errno `err`, from an O_NOFOLLOW open, may mean "that is a symlink"
// (Linux and macOS say ELOOP, or ENOTDIR with O_DIRECTORY; FreeBSD EMLINK;
// NetBSD EFTYPE). readlinkat then tells for sure.
bool may_be_symlink(int err) {
  if (err == ELOOP || err == ENOTDIR || err == EMLINK) return true;
#if defined(EFTYPE)
  if (err == EFTYPE) return true;
#endif
  return false;
}

bool is_dot(std::string_view name) { return name == "."; }
bool is_dot_dot(std::string_view name) { return name == ".."; }

// Reads the symlink `name` in `dirfd` into `target`; returns 0 or an errno
// (EINVAL when it is not a symlink).
int read_link(int dirfd, const char* name, std::string* target) {
  char buffer[PATH_MAX];
  ssize_t length = readlinkat(dirfd, name, buffer, sizeof buffer);
  if (length < 0) return errno;
  if (static_cast<size_t>(length) >= sizeof buffer) return ENAMETOOLONG;
  target->assign(buffer, static_cast<size_t>(length));
  return 0;
}

// Checks shared by both entry points; returns 0 or the errno to report.
int check_guest_path(std::string_view path) {
  if (path.empty()) return ENOENT;
  if (path.find('\0') != std::string_view::npos) return EINVAL;
  if (path.front() == '/') return kEscapeErrno;
  if (path.size() >= PATH_MAX) return ENAMETOOLONG;
  return 0;
}

#if defined(O_PATH)
// A file opened with O_PATH | O_NOFOLLOW may be the symlink itself rather
// than an error: the contract says a final symlink that is not followed
// gives ELOOP, whichever way it was opened.
int refuse_symlink_fd(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return err;
  }
  if (S_ISLNK(st.st_mode)) {
    close(fd);
    return ELOOP;
  }
  return 0;
}
#endif

// The descriptors from the start directory (not owned) down to the current
// directory (owned, closed on destruction).
class DirStack {
 public:
  explicit DirStack(int start_fd) : fds_{start_fd} {}
  ~DirStack() {
    for (size_t i = 1; i < fds_.size(); ++i) close(fds_[i]);
  }
  DirStack(const DirStack&) = delete;
  DirStack& operator=(const DirStack&) = delete;

  int top() const { return fds_.back(); }
  void push(int fd) { fds_.push_back(fd); }
  // False, and nothing done, at the start directory.
  bool pop() {
    if (fds_.size() == 1) return false;
    close(fds_.back());
    fds_.pop_back();
    return true;
  }
  // Hands the current directory to the caller: a descriptor it owns (a
  // duplicate when that is the start directory), or -1 with errno set.
  int release_top() {
    if (fds_.size() == 1) return fcntl(fds_[0], F_DUPFD_CLOEXEC, 0);
    int fd = fds_.back();
    fds_.pop_back();
    return fd;
  }

 private:
  std::vector<int> fds_;
};

// The user-space walk: consumes a path component by component.
class Walk {
 public:
  Walk(int start_fd, std::string_view path) : dirs_(start_fd), rest_(path) {}

  // Walks every component but the final one (following symlinks while they
  // stay beneath the start, popping for ".."). On success dirs().top() holds
  // final_name() (a name, "." or ".."), and trailing_slash() says whether the
  // path ended in '/'. Returns 0 or an errno.
  int to_final() {
    for (;;) {
      size_t slash = rest_.find('/');
      if (slash == std::string::npos) {
        final_ = rest_;
        trailing_slash_ = false;
        rest_.clear();
        return 0;
      }
      std::string name = rest_.substr(0, slash);
      size_t next = rest_.find_first_not_of('/', slash);
      if (next == std::string::npos) {
        final_ = std::move(name);
        trailing_slash_ = true;
        rest_.clear();
        return 0;
      }
      rest_.erase(0, next);
      if (int err = enter(name)) return err;
    }
  }

  // Replaces the final component by `target`, the symlink it named, so that
  // to_final() walks on through it.
  int splice_final(const std::string& target) { return splice(target, trailing_slash_ ? "/" : ""); }

  // Resolves a final "." or ".." to "." in the directory it names.
  int settle_final_dots() {
    if (is_dot_dot(final_)) {
      if (!dirs_.pop()) return kEscapeErrno;
      final_ = ".";
    }
    return 0;
  }

  DirStack& dirs() { return dirs_; }
  const std::string& final_name() const { return final_; }
  bool trailing_slash() const { return trailing_slash_; }

 private:
  // Steps into the intermediate component `name` (rest_ holds what follows).
  int enter(const std::string& name) {
    if (is_dot(name)) return 0;
    if (is_dot_dot(name)) return dirs_.pop() ? 0 : kEscapeErrno;
    int fd = openat(dirs_.top(), name.c_str(), kLookupOpenFlags);
    if (fd >= 0) {
      // O_DIRECTORY | O_NOFOLLOW already guarantee a directory, not a link.
      dirs_.push(fd);
      return 0;
    }
    int err = errno;
    if (!may_be_symlink(err)) return err;
    std::string target;
    int link_err = read_link(dirs_.top(), name.c_str(), &target);
    if (link_err == EINVAL) return err;  // not a symlink: a file (ENOTDIR)
    if (link_err != 0) return link_err;
    return splice(target, "/");
  }

  // Puts a symlink's target in front of the rest of the path.
  int splice(const std::string& target, std::string_view separator) {
    if (++expansions_ > kMaxSymlinkExpansions) return ELOOP;
    if (target.empty()) return ENOENT;
    if (target.front() == '/') return kEscapeErrno;
    std::string spliced;
    spliced.reserve(target.size() + separator.size() + rest_.size());
    spliced.append(target).append(separator).append(rest_);
    rest_ = std::move(spliced);
    return 0;
  }

  DirStack dirs_;
  std::string rest_;  // the unwalked path; begins with a component
  std::string final_;
  bool trailing_slash_ = false;
  int expansions_ = 0;
};

Resolved open_by_walk(int dirfd, std::string_view path, int flags, mode_t mode, bool follow_final_symlink) {
  Walk walk(dirfd, path);
  for (;;) {
    if (int err = walk.to_final()) return {-1, err};
    if (int err = walk.settle_final_dots()) return {-1, err};
    const std::string& name = walk.final_name();
    bool trailing_slash = walk.trailing_slash();
    // As open(2): creating "name/" is refused, and "name/" must be (and
    // follows a symlink to) a directory.
    if (trailing_slash && (flags & O_CREAT)) return {-1, EISDIR};
    int open_flags = flags | O_CLOEXEC | O_NOFOLLOW | (trailing_slash ? O_DIRECTORY : 0);
    int parent = walk.dirs().top();
    int fd = openat(parent, name.c_str(), open_flags, mode);
    int err = fd >= 0 ? 0 : errno;
#if defined(O_PATH)
    if (fd >= 0 && (flags & O_PATH)) err = refuse_symlink_fd(fd);
#endif
    if (err == 0) return {fd, 0};
    if (is_dot(name) || !may_be_symlink(err)) return {-1, err};
    std::string target;
    int link_err = read_link(parent, name.c_str(), &target);
    if (link_err != 0) return {-1, err};  // not a symlink after all
    if (!follow_final_symlink && !trailing_slash) return {-1, ELOOP};
    if (int splice_err = walk.splice_final(target)) return {-1, splice_err};
  }
}

ResolvedParent parent_by_walk(int dirfd, std::string_view path) {
  ResolvedParent result;
  Walk walk(dirfd, path);
  int err = walk.to_final();
  if (err == 0) err = walk.settle_final_dots();
  if (err != 0) {
    result.error = err;
    return result;
  }
  int fd = walk.dirs().release_top();
  if (fd < 0) {
    result.error = errno;
    return result;
  }
  result.dirfd = fd;
  result.name = walk.final_name();
  result.must_be_dir = walk.trailing_slash();
  return result;
}

#if defined(WASP_HAVE_OPENAT2)

#if !defined(RESOLVE_BENEATH)
struct open_how {
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};
constexpr uint64_t RESOLVE_NO_MAGICLINKS = 0x02;
constexpr uint64_t RESOLVE_BENEATH = 0x08;
#endif

// Whether openat2 works here: unknown until a call tells.
enum class Openat2State : int { kUnknown, kWorks, kUnavailable };
std::atomic<Openat2State> g_openat2_state{Openat2State::kUnknown};

// How often a lookup that met a concurrent rename (EAGAIN) is retried before
// this call falls back to the walk.
constexpr int kOpenat2Retries = 4;

long raw_openat2(int dirfd, const char* path, uint64_t flags, uint64_t mode) {
  struct open_how how = {};
  how.flags = flags;
  how.mode = mode;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

// Tells an EPERM from a seccomp filter (every openat2 call refused) from an
// EPERM of the file itself, with a call that cannot be refused otherwise.
bool openat2_is_filtered() {
  struct open_how how = {};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
  if (fd >= 0) {
    close(static_cast<int>(fd));
    g_openat2_state.store(Openat2State::kWorks, std::memory_order_relaxed);
    return false;
  }
  return errno == EPERM || errno == ENOSYS;
}

// Opens with openat2. Returns false when openat2 cannot decide (missing,
// filtered, or racing renames): the caller then uses the walk.
bool try_openat2(int dirfd, const std::string& path, int flags, mode_t mode, Resolved* out) {
  if (g_force_component_walk.load(std::memory_order_relaxed)) return false;
  Openat2State state = g_openat2_state.load(std::memory_order_relaxed);
  if (state == Openat2State::kUnavailable) return false;
  // openat2 refuses a mode without O_CREAT or O_TMPFILE (open(2) ignores it).
  bool creates = (flags & O_CREAT) != 0;
#if defined(O_TMPFILE)
  creates = creates || (flags & O_TMPFILE) == O_TMPFILE;
#endif
  uint64_t how_mode = creates ? static_cast<uint64_t>(mode) : 0;
  for (int attempt = 0; attempt < kOpenat2Retries; ++attempt) {
    long fd = raw_openat2(dirfd, path.c_str(), static_cast<uint64_t>(flags), how_mode);
    if (fd >= 0) {
      g_openat2_state.store(Openat2State::kWorks, std::memory_order_relaxed);
      *out = {static_cast<int>(fd), 0};
      return true;
    }
    int err = errno;
    if (err == EAGAIN) continue;
    bool unavailable =
        err == ENOSYS || (err == EPERM && state != Openat2State::kWorks && openat2_is_filtered());
    if (unavailable) {
      g_openat2_state.store(Openat2State::kUnavailable, std::memory_order_relaxed);
      return false;
    }
    *out = {-1, err};
    return true;
  }
  return false;
}

ResolvedParent parent_by_openat2_or_walk(int dirfd, std::string_view path);

// Whether the final component of `path` (no trailing slash) is a symlink.
bool final_is_symlink(int dirfd, std::string_view path) {
  ResolvedParent parent = parent_by_openat2_or_walk(dirfd, path);
  if (parent.error != 0) return false;
  struct stat st;
  bool is_symlink = !parent.must_be_dir &&
                    fstatat(parent.dirfd, parent.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                    S_ISLNK(st.st_mode);
  close(parent.dirfd);
  return is_symlink;
}

Resolved open_by_openat2_or_walk(int dirfd, std::string_view path, int flags, mode_t mode, bool follow) {
  std::string path_string(path);
  int open_flags = flags | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
  Resolved result;
  if (!try_openat2(dirfd, path_string, open_flags, mode, &result)) {
    return open_by_walk(dirfd, path, flags, mode, follow);
  }
  if (result.error == 0 && !follow && (flags & O_PATH)) {
    if (int err = refuse_symlink_fd(result.fd)) return {-1, err};
  }
  // With O_DIRECTORY the kernel reports a final symlink not followed as
  // ENOTDIR; the contract (and the walk) say ELOOP.
  if (result.error == ENOTDIR && !follow && (flags & O_DIRECTORY) && final_is_symlink(dirfd, path)) {
    result.error = ELOOP;
  }
  return result;
}

// Splits `path` (checked, relative) at its final component, as the walk
// does: "a/b/" is ("a", "b", trailing slash); "a//b" is ("a/", "b").
struct PathSplit {
  std::string_view prefix;  // empty when the path is a single component
  std::string_view final;
  bool trailing_slash = false;
};
PathSplit split_final(std::string_view path) {
  PathSplit split;
  size_t end = path.find_last_not_of('/') + 1;  // path does not start with '/'
  split.trailing_slash = end < path.size();
  size_t slash = path.rfind('/', end - 1);
  size_t begin = slash == std::string_view::npos ? 0 : slash + 1;
  split.prefix = path.substr(0, begin);
  split.final = path.substr(begin, end - begin);
  return split;
}

ResolvedParent parent_by_openat2_or_walk(int dirfd, std::string_view path) {
  PathSplit split = split_final(path);
  ResolvedParent result;
  result.must_be_dir = split.trailing_slash;
  bool dots = is_dot(split.final) || is_dot_dot(split.final);
  // A final "." or ".." names a directory: open the whole path. Otherwise
  // open the directory holding the final component.
  std::string_view directory = dots ? path : split.prefix;
  result.name = dots ? "." : std::string(split.final);
  if (directory.empty()) {
    result.dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (result.dirfd < 0) result.error = errno;
    return result;
  }
  Resolved opened;
  if (!try_openat2(dirfd, std::string(directory), O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &opened)) {
    return parent_by_walk(dirfd, path);
  }
  result.dirfd = opened.fd;
  result.error = opened.error;
  if (result.error != 0) result.name.clear();
  return result;
}

#endif  // WASP_HAVE_OPENAT2

}  // namespace

void set_force_component_walk(bool force) { g_force_component_walk.store(force, std::memory_order_relaxed); }

Resolved open_beneath(int dirfd, std::string_view path, int flags, mode_t mode, bool follow_final_symlink) {
  if (int err = check_guest_path(path)) return {-1, err};
  if (flags & O_NOFOLLOW) follow_final_symlink = false;  // the same thing, said twice
#if defined(WASP_HAVE_OPENAT2)
  return open_by_openat2_or_walk(dirfd, path, flags, mode, follow_final_symlink);
#else
  return open_by_walk(dirfd, path, flags, mode, follow_final_symlink);
#endif
}

namespace {

// "name/" must name a directory. Passing the slash on to the *at() calls
// would make the kernel follow a final symlink outside the sandbox's
// control, so it is checked here instead: a symlink or non-directory is
// ENOTDIR; a name that does not exist yet is fine (mkdir "new/").
ResolvedParent check_trailing_slash(ResolvedParent result) {
  if (result.error != 0 || !result.must_be_dir || result.name == ".") return result;
  struct stat st;
  int error = 0;
  if (fstatat(result.dirfd, result.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISDIR(st.st_mode)) error = ENOTDIR;
  } else if (errno != ENOENT) {
    error = errno;
  }
  if (error != 0) {
    close(result.dirfd);
    result.dirfd = -1;
    result.error = error;
  }
  return result;
}

}  // namespace

ResolvedParent resolve_parent_beneath(int dirfd, std::string_view path) {
  if (int err = check_guest_path(path)) {
    ResolvedParent result;
    result.error = err;
    return result;
  }
#if defined(WASP_HAVE_OPENAT2)
  ResolvedParent result = parent_by_openat2_or_walk(dirfd, path);
#else
  ResolvedParent result = parent_by_walk(dirfd, path);
#endif
  return check_trailing_slash(std::move(result));
}

}  // namespace waspvm::wasi
