/* Directories in argv[1]: mkdir, opendir/readdir (printed sorted, without
 * "." and ".."), rmdir, and their errors. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errname.h"

static int compare_names(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

/* Prints the tree under `path`, one entry per line, sorted, indented by depth. */
static void list_tree(const char* path, int depth) {
  DIR* d = opendir(path);
  if (!d) {
    printf("opendir %s: %s\n", path, errname(errno));
    return;
  }
  char* names[256];
  int count = 0;
  struct dirent* entry;
  while ((entry = readdir(d)) != NULL && count < 256) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    names[count++] = strdup(entry->d_name);
  }
  closedir(d);
  qsort(names, (size_t)count, sizeof names[0], compare_names);
  for (int i = 0; i < count; ++i) {
    char child[1024];
    snprintf(child, sizeof child, "%s/%s", path, names[i]);
    struct stat st;
    stat(child, &st);
    printf("%*s%s%s", depth * 2, "", names[i], S_ISDIR(st.st_mode) ? "/\n" : "");
    if (S_ISDIR(st.st_mode)) {
      list_tree(child, depth + 1);
    } else {
      printf(" (%lld bytes)\n", (long long)st.st_size);
    }
    free(names[i]);
  }
}

static char* join(const char* dir, const char* name) {
  static char buffers[4][1024];
  static int next;
  char* out = buffers[next++ % 4];
  snprintf(out, sizeof buffers[0], "%s/%s", dir, name);
  return out;
}

static void report(const char* what, int rc) { printf("%s: %s\n", what, errname(rc == 0 ? 0 : errno)); }

static void write_file(const char* path, const char* text) {
  FILE* f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: dirs DIR\n");
    return 64;
  }
  const char* dir = argv[1];
  report("mkdir alpha", mkdir(join(dir, "alpha"), 0755));
  report("mkdir alpha/beta", mkdir(join(dir, "alpha/beta"), 0755));
  report("mkdir gamma", mkdir(join(dir, "gamma"), 0755));
  report("mkdir zeta", mkdir(join(dir, "zeta"), 0755));
  report("mkdir alpha again", mkdir(join(dir, "alpha"), 0755));
  report("mkdir missing/child", mkdir(join(dir, "missing/child"), 0755));
  const char* files[] = {"alpha/one.txt", "alpha/beta/two.txt", "gamma/three.txt", "b-file", "a-file", "Zed"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; ++i) write_file(join(dir, files[i]), files[i]);
  printf("-- tree after creating\n");
  list_tree(dir, 0);
  report("rmdir alpha (not empty)", rmdir(join(dir, "alpha")));
  report("rmdir zeta", rmdir(join(dir, "zeta")));
  report("rmdir zeta again", rmdir(join(dir, "zeta")));
  report("rmdir a-file (a file)", rmdir(join(dir, "a-file")));
  errno = 0;
  DIR* d = opendir(join(dir, "b-file"));
  printf("opendir b-file (a file): %s\n", d ? "opened" : errname(errno));
  report("unlink gamma/three.txt", unlink(join(dir, "gamma/three.txt")));
  report("rmdir gamma", rmdir(join(dir, "gamma")));
  report("rename alpha -> omega", rename(join(dir, "alpha"), join(dir, "omega")));
  printf("-- tree at the end\n");
  list_tree(dir, 0);
  return 0;
}
