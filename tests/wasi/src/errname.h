/* errno as its symbolic name, so native (glibc) and WASI runs print the same
 * text (their strerror() messages and errno numbers differ). */
#ifndef WASP_TEST_ERRNAME_H
#define WASP_TEST_ERRNAME_H
#include <errno.h>
#include <stdio.h>

static const char* errname(int e) {
  static char unknown[32];
  if (e == 0) return "OK";
  if (e == EPERM) return "EPERM";
  if (e == ENOENT) return "ENOENT";
  if (e == EBADF) return "EBADF";
  if (e == EACCES) return "EACCES";
  if (e == EEXIST) return "EEXIST";
  if (e == EXDEV) return "EXDEV";
  if (e == ENOTDIR) return "ENOTDIR";
  if (e == EISDIR) return "EISDIR";
  if (e == EINVAL) return "EINVAL";
  if (e == ENOSPC) return "ENOSPC";
  if (e == EROFS) return "EROFS";
  if (e == EMLINK) return "EMLINK";
  if (e == ENAMETOOLONG) return "ENAMETOOLONG";
  if (e == ENOSYS) return "ENOSYS";
  if (e == ENOTEMPTY) return "ENOTEMPTY";
  if (e == ELOOP) return "ELOOP";
  if (e == ENOTSUP) return "ENOTSUP";
#ifdef ENOTCAPABLE
  if (e == ENOTCAPABLE) return "ENOTCAPABLE";
#endif
  snprintf(unknown, sizeof unknown, "errno %d", e);
  return unknown;
}

#endif
