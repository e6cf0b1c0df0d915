/* For `waspvm run --invoke`: a command module with an extra export that
 * uses WASI (printf) and returns a value. */
#include <stdio.h>

#ifdef __wasi__
__attribute__((export_name("square")))
#endif
int square(int x) {
  printf("square(%d) called\n", x);
  fflush(stdout);
  return x * x;
}

int main(void) {
  printf("main ran\n");
  return 0;
}
