/* Sandbox escapes: run with the current directory "." preopened (waspvm run
 * --dir JAIL::.), where JAIL holds `file` and `sub/`, and JAIL/../secret
 * exists. Tries each way out and prints its result as an errno name; a line
 * containing "ESCAPED" means the sandbox let the program out. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi/api.h>
#endif

#include "errname.h"

static void result(const char* what, int failed) {
  printf("%-40s %s\n", what, failed ? errname(errno) : "OK");
}

/* Opening must fail; on success prints what it could read. */
static void try_open(const char* what, const char* path, int flags) {
  errno = 0;
  int fd = open(path, flags, 0644);
  if (fd < 0) {
    printf("%-40s %s\n", what, errname(errno));
    return;
  }
  char buffer[64] = {0};
  ssize_t n = read(fd, buffer, sizeof buffer - 1);
  printf("%-40s ESCAPED (read %d bytes: %.20s)\n", what, (int)n, n > 0 ? buffer : "");
  close(fd);
}

/* Creating a symbolic link inside the directory may succeed (its target is
 * just text); following it must not leave. */
static void try_symlink(const char* what, const char* target, const char* name) {
  errno = 0;
  result(what, symlink(target, name) != 0);
}

int main(void) {
  try_open("open ../secret", "../secret", O_RDONLY);
  try_open("open ../secret for writing", "../secret", O_WRONLY | O_TRUNC);
  try_open("create ../created", "../created", O_WRONLY | O_CREAT | O_EXCL);
  try_open("open /etc/passwd", "/etc/passwd", O_RDONLY);
  try_open("open sub/../../secret", "sub/../../secret", O_RDONLY);
  try_open("open ..", "..", O_RDONLY | O_DIRECTORY);

  try_symlink("symlink l -> ../secret", "../secret", "l");
  try_open("open l", "l", O_RDONLY);
  try_open("open l for writing", "l", O_WRONLY | O_CREAT);
  try_symlink("symlink abs -> /etc/passwd", "/etc/passwd", "abs");
  try_open("open abs", "abs", O_RDONLY);
  try_symlink("symlink up -> ..", "..", "up");
  try_open("open up/secret", "up/secret", O_RDONLY);
  try_symlink("symlink dangling -> ../planted", "../planted", "dangling");
  try_open("create through dangling", "dangling", O_WRONLY | O_CREAT);
  try_symlink("symlink sub/deep -> ../../secret", "../../secret", "sub/deep");
  try_open("open sub/deep", "sub/deep", O_RDONLY);

  errno = 0;
  result("mkdir ../x", mkdir("../x", 0755) != 0);
  errno = 0;
  result("rename file -> ../moved", rename("file", "../moved") != 0);
  errno = 0;
  result("rename ../secret -> taken", rename("../secret", "taken") != 0);
  errno = 0;
  result("link file -> ../linked", link("file", "../linked") != 0);
  errno = 0;
  result("link ../secret -> stolen", link("../secret", "stolen") != 0);
  errno = 0;
  result("unlink ../secret", unlink("../secret") != 0);
  errno = 0;
  DIR* d = opendir("..");
  if (d) {
    printf("%-40s ESCAPED\n", "opendir ..");
    closedir(d);
  } else {
    result("opendir ..", 1);
  }
  struct stat st;
  errno = 0;
  result("stat ../secret", stat("../secret", &st) != 0);
  errno = 0;
  result("lstat up/secret", lstat("up/secret", &st) != 0);
  struct timespec times[2] = {{0, 0}, {0, 0}};
  errno = 0;
  result("utimensat ../secret", utimensat(AT_FDCWD, "../secret", times, 0) != 0);

#ifdef __wasi__
  /* Straight to the host, past wasi-libc's own path handling: fd 3 is the
   * preopened directory. */
  const char* raw_paths[] = {"/etc/passwd", "../secret", "sub/../../secret", "l", "up/secret", "/"};
  for (size_t i = 0; i < sizeof raw_paths / sizeof raw_paths[0]; ++i) {
    __wasi_fd_t fd;
    __wasi_errno_t error = __wasi_path_open(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, raw_paths[i], 0,
                                            __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    char what[64];
    snprintf(what, sizeof what, "path_open(3, \"%s\")", raw_paths[i]);
    if (error == 0) {
      printf("%-40s ESCAPED\n", what);
      (void)__wasi_fd_close(fd);
    } else {
      printf("%-40s %s\n", what, errname(error));
    }
  }
#endif
  return 0;
}
