// 64-bit arithmetic: XXH64 over a buffer filled by a PCG-style 64-bit
// generator, plus a SplitMix64/multiply-rotate mixing pass over the same words.
// Size: repetitions over a 256 KiB buffer (each with a different seed).
#include "bench.h"

enum { kWords = 1 << 15 };  // 256 KiB of 64-bit words

static const uint64_t kPrime1 = 0x9E3779B185EBCA87ull;
static const uint64_t kPrime2 = 0xC2B2AE3D27D4EB4Full;
static const uint64_t kPrime3 = 0x165667B19E3779F9ull;
static const uint64_t kPrime4 = 0x85EBCA77C2B2AE63ull;
static const uint64_t kPrime5 = 0x27D4EB2F165667C5ull;

static uint64_t words[kWords];

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static inline uint64_t xxh_round(uint64_t acc, uint64_t input) {
  acc += input * kPrime2;
  acc = rotl(acc, 31);
  return acc * kPrime1;
}

static inline uint64_t xxh_merge(uint64_t acc, uint64_t val) {
  acc ^= xxh_round(0, val);
  return acc * kPrime1 + kPrime4;
}

// XXH64 of `count` whole 64-bit words (count a multiple of 4).
static uint64_t xxh64_words(const uint64_t* data, long count, uint64_t seed) {
  uint64_t v1 = seed + kPrime1 + kPrime2, v2 = seed + kPrime2, v3 = seed, v4 = seed - kPrime1;
  for (long i = 0; i < count; i += 4) {
    v1 = xxh_round(v1, data[i]);
    v2 = xxh_round(v2, data[i + 1]);
    v3 = xxh_round(v3, data[i + 2]);
    v4 = xxh_round(v4, data[i + 3]);
  }
  uint64_t h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
  h = xxh_merge(h, v1);
  h = xxh_merge(h, v2);
  h = xxh_merge(h, v3);
  h = xxh_merge(h, v4);
  h += (uint64_t)count * 8;
  h ^= h >> 33;
  h *= kPrime2;
  h ^= h >> 29;
  h *= kPrime3;
  h ^= h >> 32;
  return h;
}

// PCG-XSH-RR style output from a 64-bit LCG, two outputs per word.
static void fill(uint64_t seed) {
  uint64_t state = seed * kPrime5 + 1;
  for (long i = 0; i < kWords; ++i) {
    uint64_t word = 0;
    for (int half = 0; half < 2; ++half) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      uint32_t xorshifted = (uint32_t)(((state >> 18) ^ state) >> 27);
      uint32_t rot = (uint32_t)(state >> 59);
      uint32_t out = (xorshifted >> rot) | (xorshifted << ((32 - rot) & 31));
      word = word << 32 | out;
    }
    words[i] = word;
  }
}

static uint64_t splitmix_pass(uint64_t seed) {
  uint64_t acc = seed;
  for (long i = 0; i < kWords; ++i) {
    uint64_t z = words[i] + 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    acc = rotl(acc ^ z, 23) * 5 + (z % 0xfffffffbull);  // i64.rem_u, too
  }
  return acc;
}

int main(int argc, char** argv) {
  long reps = bench_size(argc, argv, 120);
  uint64_t hash = 0;
  for (long r = 0; r < reps; ++r) {
    fill((uint64_t)r + 1);
    hash = bench_mix(hash, xxh64_words(words, kWords, (uint64_t)r));
    hash = bench_mix(hash, splitmix_pass(hash));
  }
  bench_print(hash);
  return 0;
}
