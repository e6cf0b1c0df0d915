// Recursion and calls: the Ackermann function, plus a Takeuchi (tak) call storm.
// Size: repetitions of ack(3, 5..7) and tak(18, 12, 6) with varying arguments.
#include "bench.h"

__attribute__((noinline)) static uint32_t ack(uint32_t m, uint32_t n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

__attribute__((noinline)) static int32_t tak(int32_t x, int32_t y, int32_t z) {
  if (y >= x) return z;
  return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

int main(int argc, char** argv) {
  long reps = bench_size(argc, argv, 100);
  uint64_t hash = 0;
  for (long i = 0; i < reps; ++i) {
    hash = bench_mix(hash, ack(3, 5 + (uint32_t)(i % 3)));
    hash = bench_mix(hash, (uint32_t)tak(18, 12 - (int32_t)(i % 2), 6));
  }
  bench_print(hash);
  return 0;
}
