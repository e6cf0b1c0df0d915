/* stdio: reads lines from stdin with fgets, prints formatted results to
 * stdout and a summary to stderr. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  char line[32]; /* small on purpose: long lines arrive in several pieces */
  int pieces = 0, lines = 0;
  long total_chars = 0, sum = 0;
  while (fgets(line, sizeof line, stdin)) {
    size_t len = strlen(line);
    int complete = len > 0 && line[len - 1] == '\n';
    if (complete) line[--len] = '\0';
    ++pieces;
    lines += complete;
    total_chars += (long)len;
    char upper[32];
    for (size_t i = 0; i <= len; ++i) upper[i] = (char)toupper((unsigned char)line[i]);
    char* end;
    long value = strtol(line, &end, 10);
    if (end != line) sum += value;
    printf("%3d|%-31s|%2zu|%s%s\n", pieces, upper, len, complete ? "" : "(continued)",
           end != line ? " number" : "");
  }
  printf("pieces=%d lines=%d chars=%ld sum=%ld eof=%d\n", pieces, lines, total_chars, sum, feof(stdin) != 0);
  printf("formats: [%08.3f] [%+d] [%x] [%o] [%e] [%g] [%5s] [%-5s] [%c] [%lld] [%%]\n", 3.14159, 42, 255u, 8u,
         12345.678, 0.0001, "ab", "cd", 'z', -1234567890123LL);
  puts("puts line");
  putchar('!');
  putchar('\n');
  fprintf(stderr, "stderr: %d lines read\n", lines);
  return 0;
}
