/* A trap: abort() in a nested function (natively SIGABRT, status 134; in
 * WebAssembly an `unreachable` trap, which `waspvm run` reports with 134 too). */
#include <stdio.h>
#include <stdlib.h>

static volatile int really_abort = 1; /* keeps the compiler from seeing that abort always runs */

__attribute__((noinline)) static int fail_deeply(int depth) {
  if (depth == 0) {
    printf("aborting now\n");
    fflush(stdout);
    if (really_abort) abort();
    return 0;
  }
  return fail_deeply(depth - 1) + depth; /* not a tail call: one frame per level */
}

int main(int argc, char** argv) {
  (void)argv;
  printf("before the trap\n");
  printf("never printed: %d\n", fail_deeply(argc + 2));
  return 0;
}
