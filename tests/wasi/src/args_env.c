/* Arguments and environment: prints argc, the program name (without a
 * ".wasm" suffix or directories), each argument, the value of each "$NAME"
 * argument, and the whole environment, sorted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char** environ;

static int compare_strings(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

int main(int argc, char** argv) {
  const char* base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  size_t base_len = strlen(base);
  if (base_len > 5 && strcmp(base + base_len - 5, ".wasm") == 0) base_len -= 5;
  printf("argc=%d\nprogram=%.*s\n", argc, (int)base_len, base);
  for (int i = 1; i < argc; ++i) printf("argv[%d]=[%s]\n", i, argv[i]);
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] != '$') continue;
    const char* value = getenv(argv[i] + 1);
    printf("getenv(%s)=%s%s%s\n", argv[i] + 1, value ? "[" : "", value ? value : "(unset)", value ? "]" : "");
  }
  size_t count = 0;
  while (environ && environ[count]) ++count;
  char** sorted = malloc((count + 1) * sizeof *sorted);
  for (size_t i = 0; i < count; ++i) sorted[i] = environ[i];
  qsort(sorted, count, sizeof *sorted, compare_strings);
  printf("environ: %zu entries\n", count);
  for (size_t i = 0; i < count; ++i) printf("  [%s]\n", sorted[i]);
  free(sorted);
  return 0;
}
