/* Exit statuses: `exit_code exit N` calls exit(N) (after buffered output,
 * which exit flushes); `exit_code return N` returns N from main. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: exit_code exit|return N\n");
    return 64;
  }
  int code = atoi(argv[2]);
  printf("about to %s with %d\n", argv[1], code);
  if (strcmp(argv[1], "exit") == 0) exit(code);
  return code;
}
