// The capability sandbox path resolver of the WASI implementation: every
// guest path is resolved beneath a directory descriptor (a preopen), and no
// path, symlink or "..", nor a concurrent rename, can make it leave that
// directory. The design is described at the top of sandbox.cc.
#pragma once
#include <sys/types.h>

#include <cerrno>
#include <string>
#include <string_view>

namespace waspvm::wasi {

// Host errno used for "this path would leave the directory" (absolute path,
// ".." above the start directory, a symlink whose target leads outside);
// the WASI layer maps it to WASI errno NOTCAPABLE (76).
constexpr int kEscapeErrno = EXDEV;  // distinct from ordinary lookup errors

struct Resolved {
  int fd = -1;    // owned by the caller (close it), valid when error == 0
  int error = 0;  // host errno
};

// Opens `path` (a guest path, relative) beneath the directory `dirfd`, with
// open(2) `flags` (access mode, O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY,
// O_APPEND, O_NONBLOCK, ...; O_CLOEXEC is always added) and `mode`.
// Symlinks in intermediate components are followed only while they stay
// beneath dirfd; the final component is followed only if follow_final_symlink
// (otherwise a final symlink gives ELOOP, like O_NOFOLLOW).
// Errors: ENOENT for an empty path, EINVAL for a path with a NUL byte,
// ENAMETOOLONG for a path of PATH_MAX bytes or more, kEscapeErrno for an
// escape, ELOOP past 40 symlink expansions, else what open(2) reports.
Resolved open_beneath(int dirfd, std::string_view path, int flags, mode_t mode, bool follow_final_symlink);

struct ResolvedParent {
  int dirfd = -1;            // the parent directory, owned by the caller (close it)
  std::string name;          // the final component: never empty, never contains '/',
                             // "." when the path names the start directory itself
  int error = 0;             // host errno
  bool must_be_dir = false;  // the path ended in '/'
};

// Resolves every component but the last beneath `dirfd`, for the *at()
// system calls (mkdirat, unlinkat, renameat, symlinkat, readlinkat, linkat,
// fstatat, utimensat). A final ".." is resolved (and refused if it leaves).
// Trailing slashes are kept as a flag: `must_be_dir` is set when the path
// ended in '/', and then the final component must be a directory or not
// exist (a symlink or another file is ENOTDIR), so callers pass `name` to
// the *at() calls without the slash.
// When the path ends in "." or ".." (after any trailing slashes), `dirfd` is
// the directory it names and `name` is ".". A final symlink is never followed
// (the caller's *at call decides). On Linux `dirfd` may be an O_PATH
// descriptor: use it only as the directory argument of *at calls.
ResolvedParent resolve_parent_beneath(int dirfd, std::string_view path);

// For tests: true makes both functions use the portable component walk even
// where the kernel offers openat2(RESOLVE_BENEATH). Process-wide.
void set_force_component_walk(bool force);

}  // namespace waspvm::wasi
