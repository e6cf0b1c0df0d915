// Memory-heavy loops: 32-bit integer matrix multiply (i-k-j order) with a
// transposed-operand variant, on row-major n x n matrices.
// Size: n (work grows as n^3).
#include "bench.h"

static void fill(uint32_t* m, long n, BenchRng* rng) {
  for (long i = 0; i < n * n; ++i) m[i] = (uint32_t)(bench_next(rng) >> 40) & 0xffff;
}

// c = a * b in i-k-j order: streams through rows of b and c.
static void multiply(const uint32_t* a, const uint32_t* b, uint32_t* c, long n) {
  memset(c, 0, (size_t)(n * n) * sizeof *c);
  for (long i = 0; i < n; ++i) {
    for (long k = 0; k < n; ++k) {
      uint32_t aik = a[i * n + k];
      const uint32_t* brow = b + k * n;
      uint32_t* crow = c + i * n;
      for (long j = 0; j < n; ++j) crow[j] += aik * brow[j];
    }
  }
}

// c = a * transpose(bt): dot products of rows.
static void multiply_transposed(const uint32_t* a, const uint32_t* bt, uint32_t* c, long n) {
  for (long i = 0; i < n; ++i) {
    for (long j = 0; j < n; ++j) {
      const uint32_t* arow = a + i * n;
      const uint32_t* brow = bt + j * n;
      uint32_t sum = 0;
      for (long k = 0; k < n; ++k) sum += arow[k] * brow[k];
      c[i * n + j] = sum;
    }
  }
}

int main(int argc, char** argv) {
  long n = bench_size(argc, argv, 300);
  size_t bytes = (size_t)(n * n) * sizeof(uint32_t);
  uint32_t* a = malloc(bytes);
  uint32_t* b = malloc(bytes);
  uint32_t* c = malloc(bytes);
  uint32_t* d = malloc(bytes);
  if (!a || !b || !c || !d) return 1;
  BenchRng rng = bench_rng(42);
  fill(a, n, &rng);
  fill(b, n, &rng);
  multiply(a, b, c, n);
  multiply_transposed(a, b, d, n);  // a * transpose(b), a different product
  uint64_t hash = 0;
  for (long i = 0; i < n * n; ++i) hash = bench_mix(hash, (uint64_t)c[i] << 32 | d[i]);
  bench_print(hash);
  free(a);
  free(b);
  free(c);
  free(d);
  return 0;
}
