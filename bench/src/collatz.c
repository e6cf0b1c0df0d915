// Integer loops: Collatz (3n+1) chain lengths for every start below a bound,
// with 64-bit values (chains climb far above 2^32).
// Size: the exclusive upper bound of the starting values.
#include "bench.h"

static uint32_t chain_length(uint64_t n) {
  uint32_t steps = 0;
  while (n != 1) {
    n = (n & 1) ? 3 * n + 1 : n >> 1;
    ++steps;
  }
  return steps;
}

int main(int argc, char** argv) {
  uint64_t bound = (uint64_t)bench_size(argc, argv, 500000);
  uint64_t hash = 0, total = 0;
  uint32_t best = 0;
  uint64_t best_start = 1;
  for (uint64_t start = 1; start < bound; ++start) {
    uint32_t steps = chain_length(start);
    total += steps;
    if (steps > best) {
      best = steps;
      best_start = start;
      hash = bench_mix(hash, start);
    }
  }
  hash = bench_mix(hash, total);
  hash = bench_mix(hash, best_start << 16 | best);
  bench_print(hash);
  return 0;
}
