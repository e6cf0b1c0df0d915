/* Files in the directory argv[1]: fopen/fwrite/fread/fseek/ftell, ftruncate,
 * stat, rename, unlink, append mode. Reads DIR/input.txt. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errname.h"

static const char* dir;

static const char* path(const char* name) {
  static char buffers[4][512];
  static int next;
  char* out = buffers[next++ % 4];
  snprintf(out, sizeof buffers[0], "%s/%s", dir, name);
  return out;
}

static void print_stat(const char* name) {
  struct stat st;
  errno = 0;
  if (stat(path(name), &st) != 0) {
    printf("stat %s: %s\n", name, errname(errno));
    return;
  }
  printf("stat %s: %s size=%lld\n", name,
         S_ISDIR(st.st_mode)   ? "dir"
         : S_ISREG(st.st_mode) ? "file"
                               : "other",
         (long long)st.st_size);
}

static int read_input(void) {
  FILE* in = fopen(path("input.txt"), "rb");
  if (!in) {
    printf("open input.txt: %s\n", errname(errno));
    return 1;
  }
  fseek(in, 0, SEEK_END);
  long size = ftell(in);
  rewind(in);
  char* text = malloc((size_t)size + 1);
  size_t got = fread(text, 1, (size_t)size, in);
  text[got] = '\0';
  unsigned checksum = 0;
  for (size_t i = 0; i < got; ++i) checksum = checksum * 31u + (unsigned char)text[i];
  printf("input.txt: size=%ld read=%zu checksum=%08x\n", size, got, checksum);
  fseek(in, 6, SEEK_SET);
  char word[8] = {0};
  size_t n = fread(word, 1, 5, in);
  printf("at 6: \"%.*s\" then ftell=%ld\n", (int)n, word, ftell(in));
  fseek(in, -4, SEEK_END);
  n = fread(word, 1, 4, in);
  printf("last 4 bytes read=%zu eof-after-read=%d\n", n, fgetc(in) == EOF && feof(in));
  free(text);
  fclose(in);
  return 0;
}

static void binary_file(void) {
  FILE* out = fopen(path("data.bin"), "wb+");
  unsigned char block[1000];
  for (int i = 0; i < 1000; ++i) block[i] = (unsigned char)(i * 7);
  size_t written = fwrite(block, 1, sizeof block, out);
  printf("fwrite=%zu ftell=%ld\n", written, ftell(out));
  fseek(out, 500, SEEK_SET);
  unsigned char back[10];
  size_t n = fread(back, 1, sizeof back, out);
  printf("fread at 500: n=%zu first=%u last=%u\n", n, back[0], back[9]);
  fseek(out, 10, SEEK_SET);
  fputs("OVERWRITE", out);
  fflush(out);
  printf("ftruncate 100: %s\n", errname(ftruncate(fileno(out), 100) == 0 ? 0 : errno));
  fclose(out);
  print_stat("data.bin");
  FILE* again = fopen(path("data.bin"), "rb");
  char head[20] = {0};
  fseek(again, 10, SEEK_SET);
  n = fread(head, 1, 9, again);
  printf("reread at 10: %.*s\n", (int)n, head);
  fclose(again);
}

static void rename_and_unlink(void) {
  FILE* f = fopen(path("old.txt"), "w");
  fputs("renamed content\n", f);
  fclose(f);
  errno = 0;
  printf("rename old.txt -> new.txt: %s\n", errname(rename(path("old.txt"), path("new.txt")) ? errno : 0));
  print_stat("old.txt");
  print_stat("new.txt");
  f = fopen(path("temp.txt"), "w");
  fputs("temporary", f);
  fclose(f);
  print_stat("temp.txt");
  printf("unlink temp.txt: %s\n", errname(unlink(path("temp.txt")) ? errno : 0));
  print_stat("temp.txt");
  errno = 0;
  printf("unlink missing.txt: %s\n", errname(unlink(path("missing.txt")) ? errno : 0));
  errno = 0;
  f = fopen(path("missing.txt"), "r");
  printf("fopen missing.txt: %s\n", f ? "opened" : errname(errno));
  errno = 0;
  f = fopen(path("new.txt"), "wx");
  printf("fopen new.txt wx: %s\n", f ? "opened" : errname(errno));
}

static void append_mode(void) {
  for (int round = 1; round <= 3; ++round) {
    FILE* log = fopen(path("log.txt"), "a");
    fprintf(log, "round %d\n", round);
    fclose(log);
  }
  print_stat("log.txt");
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: files DIR\n");
    return 64;
  }
  dir = argv[1];
  if (read_input()) return 1;
  binary_file();
  rename_and_unlink();
  append_mode();
  return 0;
}
