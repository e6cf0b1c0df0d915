// Integer loops: sieve of Eratosthenes over a byte array, repeated.
// Size: repetitions of a sieve up to about 2^18 (each one uses a different bound).
#include "bench.h"

enum { kLimit = 1 << 18 };

static uint8_t composite[kLimit + 1];

static uint64_t sieve(uint32_t limit) {
  memset(composite, 0, limit + 1);
  for (uint32_t i = 2; i * i <= limit; ++i) {
    if (composite[i]) continue;
    for (uint32_t j = i * i; j <= limit; j += i) composite[j] = 1;
  }
  uint64_t count = 0, sum = 0;
  for (uint32_t i = 2; i <= limit; ++i) {
    if (!composite[i]) {
      ++count;
      sum += i;
    }
  }
  return count << 40 ^ sum;
}

int main(int argc, char** argv) {
  long reps = bench_size(argc, argv, 80);
  uint64_t hash = 0;
  for (long r = 0; r < reps; ++r) hash = bench_mix(hash, sieve(kLimit - (uint32_t)(r * 977 % 4096)));
  bench_print(hash);
  return 0;
}
