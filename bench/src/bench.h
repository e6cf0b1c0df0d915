// Shared helpers for the WaspVM benchmark programs.
//
// Every program reads an optional size argument (argv[1]), runs a
// deterministic workload and prints one line "checksum: <16 hex digits>".
// The same source is compiled natively and to wasm32-wasi; the checksums must
// match, so only IEEE-exact float operations are used (+ - * / sqrt, no libm
// transcendental functions) and integer arithmetic is unsigned where it may wrap.
#ifndef WASPVM_BENCH_H
#define WASPVM_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The size argument, or `default_size` when absent; exits on a non-positive value.
static inline long bench_size(int argc, char** argv, long default_size) {
  if (argc < 2) return default_size;
  long size = strtol(argv[1], NULL, 10);
  if (size <= 0) {
    fputs("usage: PROGRAM [positive size]\n", stderr);
    exit(2);
  }
  return size;
}

// Folds a 64-bit value into a running hash (a 64-bit FNV-style step plus a
// constant, then a murmur finalizer round, so every input bit reaches every
// output bit and zero inputs still move the hash).
static inline uint64_t bench_mix(uint64_t hash, uint64_t value) {
  hash = (hash ^ value) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
  hash ^= hash >> 29;
  hash *= 0xbf58476d1ce4e5b9ull;
  hash ^= hash >> 32;
  return hash;
}

static inline uint64_t bench_mix_f64(uint64_t hash, double value) {
  uint64_t bits;
  memcpy(&bits, &value, sizeof bits);
  return bench_mix(hash, bits);
}

static inline uint64_t bench_mix_f32(uint64_t hash, float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  return bench_mix(hash, bits);
}

// A seeded xorshift64* generator: the only source of "randomness".
typedef struct {
  uint64_t state;
} BenchRng;

static inline BenchRng bench_rng(uint64_t seed) {
  BenchRng rng = {seed ? seed : 0x9e3779b97f4a7c15ull};
  return rng;
}

static inline uint64_t bench_next(BenchRng* rng) {
  uint64_t x = rng->state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng->state = x;
  return x * 0x2545f4914f6cdd1dull;
}

// Prints "checksum: " and 16 lowercase hex digits (no printf: keeps the
// modules small, so startup is not dominated by libc's formatter).
static inline void bench_print(uint64_t checksum) {
  char line[] = "checksum: 0123456789abcdef\n";
  for (int i = 0; i < 16; ++i) line[10 + i] = "0123456789abcdef"[(checksum >> (60 - 4 * i)) & 15];
  fputs(line, stdout);
}

#endif  // WASPVM_BENCH_H
