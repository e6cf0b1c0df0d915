// Recursion and calls: naive doubly recursive Fibonacci.
// Size: n, computes fib(n) (work grows as 1.618^n).
#include "bench.h"

__attribute__((noinline)) static uint32_t fib(uint32_t n) {
  if (n < 2) return n;
  return fib(n - 1) + fib(n - 2);
}

int main(int argc, char** argv) {
  uint32_t n = (uint32_t)bench_size(argc, argv, 35);
  uint64_t hash = 0;
  hash = bench_mix(hash, n);
  hash = bench_mix(hash, fib(n));
  bench_print(hash);
  return 0;
}
