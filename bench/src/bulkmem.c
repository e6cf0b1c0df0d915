// Bulk memory: large memset/memcpy/memmove calls; compiled with -mbulk-memory
// so clang emits memory.fill and memory.copy instead of calling libc loops.
// Size: repetitions over a pair of 4 MiB buffers.
#include "bench.h"

enum { kBytes = 4 << 20 };

static uint8_t source[kBytes], target[kBytes];

int main(int argc, char** argv) {
  long reps = bench_size(argc, argv, 1000);
  BenchRng rng = bench_rng(1234);
  for (uint32_t i = 0; i < kBytes; i += 8) {
    uint64_t word = bench_next(&rng);
    memcpy(source + i, &word, 8);
  }
  uint64_t hash = 0;
  for (long r = 0; r < reps; ++r) {
    memset(target, (int)(r & 0xff), kBytes);  // one 4 MiB fill
    for (int k = 0; k < 32; ++k) {            // 32 copies of 16..80 KiB
      uint64_t x = bench_next(&rng);
      uint32_t length = 16384 + (uint32_t)(x % 65536);
      uint32_t from = (uint32_t)(x >> 20) % (kBytes - length);
      uint32_t to = (uint32_t)(x >> 42) % (kBytes - length);
      memcpy(target + to, source + from, length);
    }
    memmove(target + 1 + (r & 15), target, kBytes / 2);  // overlapping: copies backwards
    memset(source + (r * 4099) % (kBytes - 4096), (int)r, 4096);
    for (uint32_t i = (uint32_t)r % 4093; i < kBytes; i += 4093) hash = bench_mix(hash, target[i]);
  }
  bench_print(hash);
  return 0;
}
