// Memory-heavy loops: STREAM-like kernels (copy, scale, add, triad) over
// 32-bit integer arrays of 256 Ki elements each (1 MiB per array), written as
// plain loops (not memcpy) so every element goes through a load and a store.
// Size: repetitions of the four kernels.
#include "bench.h"

enum { kLength = 1 << 18 };

static uint32_t a[kLength], b[kLength], c[kLength];

int main(int argc, char** argv) {
  long reps = bench_size(argc, argv, 60);
  for (uint32_t i = 0; i < kLength; ++i) {
    a[i] = i * 2654435761u;
    b[i] = i ^ 0x5555u;
    c[i] = 0;
  }
  uint64_t hash = 0;
  for (long r = 0; r < reps; ++r) {
    uint32_t k = (uint32_t)r | 1;
    for (uint32_t i = 0; i < kLength; ++i) c[i] = a[i] ^ k;         // copy
    for (uint32_t i = 0; i < kLength; ++i) b[i] = k * c[i];         // scale
    for (uint32_t i = 0; i < kLength; ++i) c[i] = a[i] + b[i];      // add
    for (uint32_t i = 0; i < kLength; ++i) a[i] = b[i] + k * c[i];  // triad
    uint32_t sum = 0;
    for (uint32_t i = 0; i < kLength; i += 7) sum += a[i];
    hash = bench_mix(hash, sum);
  }
  bench_print(hash);
  return 0;
}
