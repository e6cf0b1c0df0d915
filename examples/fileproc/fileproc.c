/* Counts the lines, words and bytes of a text file and writes a report next
 * to it (INPUT.report), like `wc`. Run it with the file's directory
 * preopened:
 *
 *   waspvm run --dir /tmp/fileproc::data examples/fileproc/fileproc.wasm data/sample.txt
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct counts {
  long lines, words, bytes, longest_line;
};

static struct counts count(FILE* in) {
  struct counts c = {0, 0, 0, 0};
  long line_length = 0;
  int in_word = 0, ch;
  while ((ch = fgetc(in)) != EOF) {
    ++c.bytes;
    if (ch == '\n') {
      ++c.lines;
      if (line_length > c.longest_line) c.longest_line = line_length;
      line_length = 0;
    } else {
      ++line_length;
    }
    if (isspace(ch)) {
      in_word = 0;
    } else if (!in_word) {
      in_word = 1;
      ++c.words;
    }
  }
  if (line_length > c.longest_line) c.longest_line = line_length;
  return c;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: fileproc INPUT (writes INPUT.report)\n");
    return 64;
  }
  const char* input = argv[1];
  FILE* in = fopen(input, "r");
  if (!in) {
    fprintf(stderr, "fileproc: cannot open %s: %s\n", input, strerror(errno));
    return 1;
  }
  struct counts c = count(in);
  fclose(in);

  char report_path[4096];
  snprintf(report_path, sizeof report_path, "%s.report", input);
  FILE* out = fopen(report_path, "w");
  if (!out) {
    fprintf(stderr, "fileproc: cannot create %s: %s\n", report_path, strerror(errno));
    return 1;
  }
  const char* name = strrchr(input, '/') ? strrchr(input, '/') + 1 : input;
  fprintf(out, "file: %s\nlines: %ld\nwords: %ld\nbytes: %ld\nlongest line: %ld\n", name, c.lines, c.words,
          c.bytes, c.longest_line);
  if (fclose(out) != 0) {
    fprintf(stderr, "fileproc: cannot write %s: %s\n", report_path, strerror(errno));
    return 1;
  }
  printf("%ld lines, %ld words, %ld bytes in %s; report written to %s\n", c.lines, c.words, c.bytes, input,
         report_path);
  return 0;
}
