/* Clocks: prints only facts that hold on every run ("monotonic ok"). */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static long long nanos(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

static void check(const char* what, int ok) { printf("%s %s\n", what, ok ? "ok" : "FAILED"); }

int main(void) {
  struct timespec a, b, res, real;
  check("clock_gettime monotonic", clock_gettime(CLOCK_MONOTONIC, &a) == 0);
  struct timespec pause = {0, 2000000}; /* 2 ms */
  check("nanosleep", nanosleep(&pause, NULL) == 0);
  clock_gettime(CLOCK_MONOTONIC, &b);
  check("monotonic", nanos(b) > nanos(a));
  check("monotonic advanced by the sleep", nanos(b) - nanos(a) >= 2000000);
  long long previous = nanos(b);
  int never_backwards = 1;
  for (int i = 0; i < 1000; ++i) {
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (nanos(b) < previous) never_backwards = 0;
    previous = nanos(b);
  }
  check("monotonic never goes back", never_backwards);
  check("clock_getres monotonic",
        clock_getres(CLOCK_MONOTONIC, &res) == 0 && nanos(res) > 0 && nanos(res) <= 1000000000LL);
  check("clock_gettime realtime", clock_gettime(CLOCK_REALTIME, &real) == 0);
  /* Between 2020-01-01 and 2100-01-01. */
  check("realtime plausible", real.tv_sec > 1577836800LL && real.tv_sec < 4102444800LL);
  time_t now = time(NULL);
  check("time plausible", now >= real.tv_sec && now - real.tv_sec < 60);
  struct timeval tv;
  check("gettimeofday plausible", gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= real.tv_sec &&
                                      tv.tv_sec - real.tv_sec < 60 && tv.tv_usec >= 0 &&
                                      tv.tv_usec < 1000000);
  return 0;
}
